"""Evidence for each candidate answer of one message.

Candidates are the answers whose views come up in the dense top-k or the lexical top-k. For
each one the features below are measured; `fusion` turns them into one calibrated probability.
Relative features (gaps to the best candidate) tell the ranking apart; absolute ones (cosine,
term coverage) tell whether anything fits at all, which is what the threshold needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from suggest.index.store import LoadedIndex

FEATURES = (
    "dense_q",  # best cosine between the message and one of the answer's example questions
    "dense_a",  # cosine between the message and the answer text
    "dense_q_gap",  # dense_q minus the best dense_q among candidates (0 for the best)
    "lex_q_rel",  # BM25 on questions relative to the best candidate's
    "lex_a_rel",  # BM25 on the answer relative to the best candidate's
    "cover_q",  # idf-weighted share of the message's terms found in the best-matching question
    "cover_a",  # the same, in the answer
    "short",  # 1 / (1 + number of message terms): short messages are less certain
)


@dataclass
class Candidates:
    entries: np.ndarray  # entry positions, shape (n,)
    features: np.ndarray  # shape (n, len(FEATURES))


def _best_per_entry(rows: np.ndarray, values: np.ndarray, view_entry: np.ndarray, n_entries: int) -> np.ndarray:
    best = np.full(n_entries, -np.inf, dtype=np.float32)
    if len(rows):
        np.maximum.at(best, view_entry[rows], values)
    return best


def _coverage(query_terms: set[str], view_terms: tuple[str, ...], idf: dict[str, float]) -> float:
    if not query_terms:
        return 0.0
    total = sum(idf.get(t, 1.0) for t in query_terms)
    hit = sum(idf.get(t, 1.0) for t in query_terms if t in view_terms)
    return hit / total if total else 0.0


def gather_candidates(
    index: LoadedIndex,
    query_vector: np.ndarray,
    terms: tuple[str, ...],
    allowed: np.ndarray,
    k: int = 40,
) -> Candidates:
    """`allowed` is a boolean mask over entries (the scope: platform, shop, product)."""
    n_entries = index.meta.entries
    view_entry = index.view_entry
    allowed_views = allowed[view_entry]

    # Dense: over-fetch, since views of out-of-scope answers are filtered afterwards.
    fetch = min(len(index.views), max(k * 4, 64))
    if fetch:
        sims, rows = index.dense.search(np.ascontiguousarray(query_vector[None, :], dtype=np.float32), fetch)
        sims, rows = sims[0], rows[0]
        keep = (rows >= 0) & allowed_views[np.maximum(rows, 0)]
        sims, rows = sims[keep], rows[keep]
    else:
        sims, rows = np.zeros(0, np.float32), np.zeros(0, np.int64)

    lex_q = np.zeros(n_entries, dtype=np.float32)
    lex_a = np.zeros(n_entries, dtype=np.float32)
    if terms:
        q_scores = index.lexical_questions.scores(terms)
        a_scores = index.lexical_answers.scores(terms)
        q_mask = allowed_views[index.question_rows]
        a_mask = allowed_views[index.answer_rows]
        np.maximum.at(lex_q, view_entry[index.question_rows][q_mask], q_scores[q_mask])
        np.maximum.at(lex_a, view_entry[index.answer_rows][a_mask], a_scores[a_mask])

    dense_hits = np.unique(view_entry[rows][: k * 2]) if len(rows) else np.zeros(0, np.int64)
    lex_hits = np.argsort(-lex_q)[:k]
    lex_hits = lex_hits[lex_q[lex_hits] > 0]
    entries = np.unique(np.concatenate([dense_hits, lex_hits])).astype(np.int64)
    entries = entries[allowed[entries]]
    if not len(entries):
        return Candidates(entries, np.zeros((0, len(FEATURES)), np.float32))

    # Exact dense similarity for every view of every candidate (lexical-only ones too).
    cand_rows = np.flatnonzero(np.isin(view_entry, entries))
    vectors = np.vstack([index.dense.reconstruct(int(r)) for r in cand_rows])
    cand_sims = vectors @ query_vector.astype(np.float32)
    is_q = index.view_is_question[cand_rows]
    dense_q = _best_per_entry(cand_rows[is_q], cand_sims[is_q], view_entry, n_entries)[entries]
    dense_a = _best_per_entry(cand_rows[~is_q], cand_sims[~is_q], view_entry, n_entries)[entries]
    dense_q[~np.isfinite(dense_q)] = 0.0
    dense_a[~np.isfinite(dense_a)] = 0.0

    query_terms = set(terms)
    idf = index.idf
    cover_q = np.zeros(len(entries), np.float32)
    cover_a = np.zeros(len(entries), np.float32)
    position = {int(e): i for i, e in enumerate(entries)}
    for r in cand_rows:
        i = position[int(view_entry[r])]
        c = _coverage(query_terms, index.views[r].terms, idf)
        if index.view_is_question[r]:
            cover_q[i] = max(cover_q[i], c)
        else:
            cover_a[i] = max(cover_a[i], c)

    lq, la = lex_q[entries], lex_a[entries]
    features = np.column_stack(
        [
            dense_q,
            dense_a,
            dense_q - dense_q.max(),
            lq / lq.max() if lq.max() > 0 else lq,
            la / la.max() if la.max() > 0 else la,
            cover_q,
            cover_a,
            np.full(len(entries), 1.0 / (1.0 + len(query_terms)), np.float32),
        ]
    ).astype(np.float32)
    return Candidates(entries, features)
