"""BM25 over jieba terms (bm25s: sparse matrices, fast to build and to score)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

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
        self._columns_sorted = self.size > 0 and _columns_sorted(self._bm25.scores)
        # The matrix's document numbers as numpy's own index type: indexing with its int32
        # copy converts the whole slice on every call, which made the column adds of one
        # message 2.5× slower over 31k question views.
        self._column_docs = np.asarray(self._bm25.scores["indices"], dtype=np.intp) if self.size else np.zeros(0, np.intp)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 of every document (zero where no term occurs)."""
        known = [t for t in terms if t in self._vocab]
        if not known or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def matching(self, terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(documents, BM25 scores) of the documents with a positive score, ascending.

        The same numbers as `scores` at those documents. bm25s keeps the eager BM25 matrix as
        CSC (one column of (document, score) per term); the columns of the query's terms are
        added in the same order and float32 precision as bm25s's get_scores does, but with one
        vectorised add per term instead of np.add.at, and what callers get is the short list of
        matching documents, not an array over every document to reduce again.
        """
        known = [t for t in terms if t in self._vocab]
        if not known or not self.size:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if not self._plain_bm25:
            total = self.scores(terms)
        else:
            total = np.zeros(self.size, dtype=np.dtype(self._bm25.dtype))
            for column, values in self._columns(known):
                total[column] += values  # a column holds each document once
        docs = np.flatnonzero(total > 0)
        return docs, total[docs].astype(np.float32, copy=False)

    def scores_of(self, terms: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """BM25 of the given documents only (-1: no document, scores 0); the very numbers
        `matching` gives them. A message's candidates are a hundred answers; scoring every
        answer of a 10k knowledge base to read those off cost more than the rest of the lexical work.
        """
        out = np.zeros(len(docs), dtype=np.float32)
        known = [t for t in terms if t in self._vocab]
        if not known or not self.size or not len(docs):
            return out
        if not self._columns_sorted or not self._plain_bm25:
            present = docs >= 0
            out[present] = self.scores(terms)[docs[present]]
            return out
        total = np.zeros(len(docs), dtype=np.dtype(self._bm25.dtype))
        for column, values in self._columns(known):
            if not len(column):
                continue
            at = np.minimum(np.searchsorted(column, docs), len(column) - 1)
            hit = column[at] == docs
            total[hit] += values[at[hit]]  # the same float32 additions, in the same order, as matching
        return total.astype(np.float32, copy=False)

    @property
    def _plain_bm25(self) -> bool:
        """Plain BM25 (Okapi/Lucene): scores are the terms' columns summed. BM25L and BM25+
        add a score for absent terms as well, which only bm25s's own get_scores computes."""
        return getattr(self._bm25, "nonoccurrence_array", None) is None

    def _columns(self, known: Sequence[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(documents, scores) of each known term's column of the eager BM25 matrix (CSC), in
        the order bm25s's get_scores adds them."""
        matrix = self._bm25.scores
        data, indices, indptr = matrix["data"], self._column_docs, matrix["indptr"]
        for term_id in self._bm25.get_tokens_ids(known):
            a, b = int(indptr[term_id]), int(indptr[term_id + 1])
            yield indices[a:b], data[a:b]


def _columns_sorted(matrix: dict) -> bool:  # type: ignore[type-arg]
    """Whether each term's column lists its documents in ascending order (so they can be looked up)."""
    indices, indptr = np.asarray(matrix["indices"]), np.asarray(matrix["indptr"])
    if len(indices) < 2:
        return True
    rising = np.diff(indices) > 0
    rising[indptr[1:-1][(indptr[1:-1] > 0) & (indptr[1:-1] < len(indices))] - 1] = True  # column boundaries
    return bool(rising.all())


class TermPostings:
    """For each term, the ascending rows of the documents that contain it (for coverage)."""

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        self._vocab: dict[str, int] = {}
        term_ids: list[int] = []
        counts: list[int] = []
        for doc in documents:
            unique = set(doc)
            counts.append(len(unique))
            term_ids.extend(self._vocab.setdefault(t, len(self._vocab)) for t in unique)
        ids = np.asarray(term_ids, dtype=np.int64)
        rows = np.repeat(np.arange(len(documents), dtype=np.int64), np.asarray(counts, dtype=np.int64))
        order = np.argsort(ids, kind="stable")  # stable: rows stay ascending within a term
        # Each posting ends with a row past every document, so that a search for any row lands
        # inside it: no clipping of the positions per term and message.
        per_term = np.bincount(ids, minlength=len(self._vocab))
        ends = np.cumsum(per_term + 1)
        self._rows = np.full(int(ends[-1]) if len(ends) else 0, len(documents), dtype=np.int64)
        within = np.arange(len(ids)) - np.repeat(np.cumsum(per_term) - per_term, per_term)
        self._rows[np.repeat(ends - per_term - 1, per_term) + within] = rows[order]
        self._indptr = np.concatenate([[0], ends])

    def contains(self, term: str, rows: np.ndarray) -> np.ndarray | None:
        """Whether each of `rows` (any order) holds `term`; None when no document does."""
        term_id = self._vocab.get(term)
        if term_id is None:
            return None
        posting = self._rows[self._indptr[term_id] : self._indptr[term_id + 1]]
        return posting[np.searchsorted(posting, rows)] == rows


def inverse_document_frequency(documents: Sequence[Sequence[str]]) -> dict[str, float]:
    df: dict[str, int] = {}
    for doc in documents:
        for term in set(doc):
            df[term] = df.get(term, 0) + 1
    n = max(len(documents), 1)
    return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
