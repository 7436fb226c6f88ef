"""An exported model (onnx_export.py) on onnxruntime behind the Embedder contract.

Needs only onnxruntime, tokenizers and numpy: no torch. Tokenisation uses the very
tokenizer.json of the source model, with its prompts ("query: ", "passage: ") prepended as
sentence-transformers does, so the vectors match the source model's up to int8 rounding
(cosine about 0.99 for e5-small: above 0.99 on the texts of tests/test_embedding_onnx.py,
0.988 at worst on the speed benchmark's messages). That rounding makes it a vector space of its
own: it has its own model name, its own index and its own calibration.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from suggest.embedding.base import Embedder, normalize_rows
from suggest.embedding.folders import revision_of
from suggest.embedding.onnx_export import CONFIG_NAME, MODEL_FILE, TOKENIZER_FILE, read_config
from suggest.errors import ModelError


class OnnxEmbedder(Embedder):
    def __init__(self, name: str, folder: Path, threads: int | None = None) -> None:
        """`threads`: onnxruntime's intra-op threads per call (default: every core, up to 4).
        `suggest serve` passes cores ÷ api_threads (Settings.serving)."""
        config = read_config(folder)
        if config is None:
            raise ModelError(f"{folder} is not an exported ONNX model (no readable {CONFIG_NAME})")
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - an install problem
            raise ModelError(f"the ONNX backend needs onnxruntime and tokenizers: {exc}") from exc
        self.name = name
        self.dim = int(config["dim"])
        # The export's record of its source weights and of the exporter's version.
        self.revision = revision_of({k: config.get(k) for k in ("format_version", "source", "weights")})
        self._query_prompt = str(config.get("query_prompt", ""))
        self._document_prompt = str(config.get("document_prompt", ""))
        try:
            tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
            options = ort.SessionOptions()
            self.threads = threads or min(os.cpu_count() or 1, 4)
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3  # warnings about unused initialisers are noise here
            self._session: Any = ort.InferenceSession(str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime and tokenizers raise their own kinds
            raise ModelError(f"cannot load the ONNX model in {folder}: {exc}") from exc
        tokenizer.no_padding()
        tokenizer.enable_truncation(int(config["max_seq_length"]))
        self._tokenizer = tokenizer
        self._pad_id = int(config["pad_token_id"])

    def _encode(self, texts: Sequence[str], prompt: str, batch_size: int, progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        ids = [e.ids for e in self._tokenizer.encode_batch([prompt + t for t in texts])]
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        # Similar lengths together: a batch is padded to its longest text.
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        starts = range(0, len(order), max(batch_size, 1))
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="encoding", unit="batch")
        for start in starts:
            rows = order[start : start + batch_size]
            width = max(len(ids[i]) for i in rows)
            input_ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                input_ids[r, : len(ids[i])] = ids[i]
                mask[r, : len(ids[i])] = 1
            out[rows] = self._session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
        return normalize_rows(out)

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        return self._encode(texts, self._query_prompt, batch_size, progress)

    def encode_documents(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        return self._encode(texts, self._document_prompt, batch_size, progress)
