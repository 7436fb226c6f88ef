"""The LRU cache of query vectors: the same vectors, fewer encodes."""

from __future__ import annotations

import numpy as np

from suggest.embedding.cache import CachedEmbedder
from suggest.embedding.hashing import HashEmbedder


class Counting(HashEmbedder):
    def __init__(self) -> None:
        super().__init__(64)
        self.encoded: list[str] = []

    def encode_queries(self, texts, batch_size=64, progress=False):
        self.encoded.extend(texts)
        return super().encode_queries(texts)


def test_cached_vectors_are_the_models_vectors() -> None:
    inner = Counting()
    cached = CachedEmbedder(inner, size=8)
    first = cached.encode_queries(["在吗", "能开发票吗"])
    again = cached.encode_queries(["能开发票吗", "在吗", "包邮吗"])
    assert np.array_equal(again[:2], first[::-1])
    assert np.array_equal(again, HashEmbedder(64).encode_queries(["能开发票吗", "在吗", "包邮吗"]))
    assert inner.encoded == ["在吗", "能开发票吗", "包邮吗"]
    assert (cached.hits, cached.misses) == (2, 3)
    assert cached.name == inner.name and cached.dim == inner.dim


def test_least_recently_used_is_dropped_first() -> None:
    inner = Counting()
    cached = CachedEmbedder(inner, size=2)
    cached.encode_queries(["a"])
    cached.encode_queries(["b"])
    cached.encode_queries(["a"])  # a is now the most recent
    cached.encode_queries(["c"])  # evicts b
    inner.encoded.clear()
    cached.encode_queries(["a", "b", "c"])
    assert inner.encoded == ["b"]


def test_returned_vectors_are_not_the_cache(tmp_path) -> None:
    cached = CachedEmbedder(HashEmbedder(16), size=4)
    vector = cached.encode_queries(["在吗"])
    vector[:] = 0
    assert cached.encode_queries(["在吗"]).any()


def test_documents_are_not_cached() -> None:
    inner = Counting()
    cached = CachedEmbedder(inner)
    assert np.array_equal(cached.encode_documents(["亲，在的"]), inner.encode_documents(["亲，在的"]))
    assert cached.hits == cached.misses == 0
