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
    "for_product",  # 1 for an answer written for the product being discussed (a product scope)
    "dense_c",  # cosine between the message and the centroid of the answer's example questions
)


# Candidates per source (dense, lexical). 20 put the same answer first as 40 for every dev
# message (default knowledge and 10k answers) and every odd-id UnionPay question measured,
# and halves the per-candidate work (the features, the view vectors' products).
CANDIDATES_PER_SOURCE = 20


@dataclass
class Candidates:
    entries: np.ndarray  # entry positions, shape (n,)
    features: np.ndarray  # shape (n, len(FEATURES))


def _group_max(groups: np.ndarray, values: np.ndarray, n_groups: int, empty: float) -> np.ndarray:
    """The largest value per group (group ids 0..n_groups-1), `empty` where a group has none."""
    best = np.full(n_groups, -np.inf, dtype=values.dtype if len(values) else np.float32)
    if len(values):
        np.maximum.at(best, groups, values)
    best[~np.isfinite(best)] = empty
    return best


def _unique(values: np.ndarray) -> np.ndarray:
    """np.unique of a short 1-d array, without its generic machinery (a fifth of the time)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def dense_fetch(k: int) -> int:
    """Views asked of the dense index for k candidates. 2k views gave the very top-1 answers
    that 4k did on the dev messages (default knowledge and 10k answers alike), at half the
    HNSW search."""
    return max(k * 2, 64)


def _dense_hits(index: LoadedIndex, query_vector: np.ndarray, allowed: np.ndarray, k: int) -> np.ndarray:
    """Entries of the best in-scope views by the dense index (over-fetched: out-of-scope views
    are dropped after the search)."""
    fetch = min(len(index.views), dense_fetch(k))
    if not fetch:
        return np.zeros(0, np.int64)
    _sims, rows = index.search(query_vector, fetch)
    rows = rows[rows >= 0]
    entries = index.view_entry[rows]
    entries = entries[allowed[entries]]
    return _unique(entries[: k * 2])


def _lexical_best(index: LoadedIndex, terms: tuple[str, ...], allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(entries, best BM25 of their in-scope question views) for the entries with a matching
    view, ascending. Entries without a matching view score 0, as before; they are simply not listed.
    """
    docs, scores = index.lexical_questions.matching(terms) if terms else (np.zeros(0, np.int64), np.zeros(0, np.float32))
    view_entries = index.question_entry[docs]
    keep = allowed[view_entries]
    view_entries, scores = view_entries[keep], scores[keep]
    if index.question_entries_rise and len(view_entries):
        # The usual case (views are stored entry by entry): runs of one entry, no sort needed.
        starts = np.flatnonzero(np.concatenate([[True], view_entries[1:] != view_entries[:-1]]))
        return view_entries[starts], np.maximum.reduceat(scores, starts)
    entries, group = np.unique(view_entries, return_inverse=True)
    return entries, _group_max(group, scores, len(entries), 0.0)


def _top_lexical(entries: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """The k best-scoring entries with a positive score. Ties at the k-th place go to the
    lower entry position (a stable sort over ascending entries), so the candidates never
    depend on the sort algorithm."""
    if len(scores) > 4 * k:
        # Only the scores at or above the k-th best can place: a partition finds that score,
        # and the stable sort then runs over those few, ties included, in entry order.
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        near = np.flatnonzero(scores >= kth)
        entries, scores = entries[near], scores[near]
    order = np.argsort(-scores, kind="stable")[:k]
    order = order[scores[order] > 0]
    return entries[order]


def _lookup(keys: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """values[keys == w] for each w in `wanted`, 0 where a key is missing (keys ascending)."""
    out = np.zeros(len(wanted), dtype=np.float32)
    if len(keys):
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        found = keys[at] == wanted
        out[found] = values[at[found]]
    return out


def _coverage(index: LoadedIndex, query_terms: set[str], rows: np.ndarray) -> np.ndarray:
    """Idf-weighted share of the message's terms found in each view (float64).

    The sums run over `query_terms` in its iteration order, adding 0.0 for an absent term, so
    they are the very sums `sum(idf.get(t, 1.0) for t in query_terms if t in view_terms)` gave.
    """
    idf = index.idf
    total = sum(idf.get(t, 1.0) for t in query_terms)
    hit = np.zeros(len(rows), dtype=np.float64)
    if not query_terms or not total:
        return hit
    for term in query_terms:
        present = index.postings.contains(term, rows)
        if present is not None:  # adding 0.0 to the others would change no sum
            hit[present] += idf.get(term, 1.0)
    return hit / total


def gather_candidates(
    index: LoadedIndex,
    query_vector: np.ndarray,
    terms: tuple[str, ...],
    allowed: np.ndarray,
    k: int = CANDIDATES_PER_SOURCE,
    for_product: np.ndarray | None = None,
) -> Candidates:
    """`allowed` is a boolean mask over entries (the scope: platform, shop, product);
    `for_product` marks the allowed entries written for the product being discussed: with
    product names masked, "羽绒服什么时候发货" reads like any shipping question, and this is
    what tells the presale answer of that product from the general one.

    Work grows with the candidates and the query terms' postings, hardly with the size of the
    knowledge: the one array over every view is BM25's accumulator (a memset and one scan for
    non-zeros); no Python loop runs over views, and no sort over all entries.
    """
    dense_hits = _dense_hits(index, query_vector, allowed, k)
    q_entries, q_best = _lexical_best(index, terms, allowed)
    lex_hits = _top_lexical(q_entries, q_best, k)
    entries = _unique(np.concatenate([dense_hits, lex_hits]).astype(np.int64))
    entries = entries[allowed[entries]]
    if not len(entries):
        return Candidates(entries, np.zeros((0, len(FEATURES)), np.float32))

    # Exact dense similarity for every view of every candidate (lexical-only ones too).
    cand_rows = index.rows_of(entries)
    local = np.searchsorted(entries, index.view_entry[cand_rows])  # candidate position of each row
    cand_sims = index.vectors[cand_rows] @ query_vector.astype(np.float32)
    is_q = index.view_is_question[cand_rows]
    dense_q = _group_max(local[is_q], cand_sims[is_q], len(entries), 0.0)
    dense_a = _group_max(local[~is_q], cand_sims[~is_q], len(entries), 0.0)

    query_terms = set(terms)
    cover = _coverage(index, query_terms, cand_rows)
    cover_q = _group_max(local[is_q], cover[is_q], len(entries), 0.0).astype(np.float32)
    cover_a = _group_max(local[~is_q], cover[~is_q], len(entries), 0.0).astype(np.float32)

    # Candidates are in scope, and each has one answer view at most: only theirs are scored.
    lq, la = _lookup(q_entries, q_best, entries), index.lexical_answers.scores_of(terms, index.answer_doc[entries])
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
            for_product[entries] if for_product is not None else np.zeros(len(entries), np.float32),
            index.centroids[entries] @ query_vector.astype(np.float32),
        ]
    ).astype(np.float32)
    return Candidates(entries, features)
