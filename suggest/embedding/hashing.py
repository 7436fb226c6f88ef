"""A small deterministic embedder: hashed character n-grams.

Used by the fast tests and anywhere a real model would be overkill. It is a real embedder
(similar texts get similar vectors), not a mock: it goes through the same index and ranking
code as the transformer, so tests exercise the real paths in milliseconds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from suggest.embedding.base import Embedder, normalize_rows


class HashEmbedder(Embedder):
    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hash-{dim}"

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        chars = [c for c in text.lower() if not c.isspace()]
        grams = chars + ["".join(chars[i : i + 2]) for i in range(len(chars) - 1)]
        for gram in grams:
            h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 63) == 0 else -1.0
        if not vec.any():
            vec[0] = 1.0
        return vec

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalize_rows(np.stack([self._vector(t) for t in texts]))

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        return self._encode(texts)

    def encode_documents(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        return self._encode(texts)
