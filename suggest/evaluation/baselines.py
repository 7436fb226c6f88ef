"""The baselines our engine is measured against, in the same run, on the same knowledge.

- `Bm25Baseline`: BM25 over plain jieba words of the example questions (no normalisation,
  synonyms or domain dictionary).
- `DenseBaseline`: plain sentence-transformers `util.semantic_search` over the example
  questions, with the vectors of the same embedder the engine uses (whatever its backend).
Both rank answers by their best-scoring example question.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from suggest.embedding import Embedder
from suggest.evaluation.metrics import Ranking
from suggest.knowledge import Entry


class Bm25Baseline:
    name = "BM25 over jieba"

    def __init__(self, entries: Sequence[Entry]) -> None:
        import bm25s
        import jieba

        self._cut = lambda text: [w for w in jieba.lcut(text.lower()) if w.strip()]
        self._owner = [i for i, e in enumerate(entries) for _ in e.questions]
        docs = [self._cut(q) or ["\x00"] for e in entries for q in e.questions]
        self._ids = [e.id for e in entries]
        self._bm25 = bm25s.BM25()
        self._bm25.index(docs, show_progress=False)
        self._vocab = set(self._bm25.vocab_dict)

    def rank(self, text: str) -> Ranking:
        terms = [t for t in self._cut(text) if t in self._vocab]
        if not terms:
            return Ranking([])
        scores = self._bm25.get_scores(terms)
        return _best_per_entry(scores, self._owner, self._ids)


class DenseBaseline:
    def __init__(self, embedder: Embedder, entries: Sequence[Entry], symmetric: bool = True) -> None:
        self._embedder = embedder
        self._owner = [i for i, e in enumerate(entries) for _ in e.questions]
        self._ids = [e.id for e in entries]
        questions = [q for e in entries for q in e.questions]
        # e5 documents say: "query: " on both sides for symmetric tasks (question ↔ question),
        # "query: " / "passage: " for asymmetric ones. Both are measured.
        self._doc_prompt = "query" if symmetric else "passage"
        self.name = f"dense semantic_search ({'query↔query' if symmetric else 'query→passage'})"
        self._corpus = self._encode(questions, self._doc_prompt)

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        encode = self._embedder.encode_queries if prompt == "query" else self._embedder.encode_documents
        return encode(list(texts))

    def rank_many(self, texts: Sequence[str]) -> list[Ranking]:
        from sentence_transformers import util

        queries = self._encode(texts, "query")
        hits = util.semantic_search(queries, self._corpus, top_k=50)
        out = []
        for row in hits:
            scores = np.full(len(self._owner), -np.inf, dtype=np.float32)
            for hit in row:
                scores[hit["corpus_id"]] = hit["score"]
            out.append(_best_per_entry(scores, self._owner, self._ids))
        return out


def _best_per_entry(view_scores: np.ndarray, owner: list[int], ids: list[str]) -> Ranking:
    best: dict[int, float] = {}
    for view in np.argsort(-view_scores)[:200]:
        score = float(view_scores[view])
        if not np.isfinite(score) or score <= 0:
            break
        best.setdefault(owner[view], score)
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    return Ranking([ids[i] for i, _ in ranked], ranked[0][1] if ranked else 0.0)
