"""BM25 over jieba terms (bm25s: sparse matrices, fast to build and to score)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

_EMPTY = "\x00"  # bm25s wants at least one token per document


class Lexical:
    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        import bm25s

        self.size = len(documents)
        self._bm25 = bm25s.BM25()
        if self.size:
            self._bm25.index([list(d) or [_EMPTY] for d in documents], show_progress=False)
        self._vocab = set(self._bm25.vocab_dict) if self.size else set()

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        known = [t for t in terms if t in self._vocab]
        if not known or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)


def inverse_document_frequency(documents: Sequence[Sequence[str]]) -> dict[str, float]:
    df: dict[str, int] = {}
    for doc in documents:
        for term in set(doc):
            df[term] = df.get(term, 0) + 1
    n = max(len(documents), 1)
    return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
