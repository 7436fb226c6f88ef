"""The vectorised ranking paths against a brute-force reference.

`reference_candidates` is the original, obviously-correct implementation of
`gather_candidates`: dense arrays over every view and entry, one `reconstruct` per candidate
view and a Python loop for term coverage. The fast path must give the same candidates and the
very same feature values. One deliberate difference: when several entries tie for the last
lexical place, both now keep the lower entry positions (a stable sort); the original's
`np.argsort` left that choice to the sort algorithm.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pytest

from suggest.embedding.hashing import HashEmbedder
from suggest.index import build_index
from suggest.index import dense as dense_module
from suggest.index.dense import build_dense, stored_vectors
from suggest.index.store import LoadedIndex
from suggest.knowledge import load_knowledge
from suggest.ranking.features import FEATURES, Candidates, _top_lexical, gather_candidates
from suggest.text import Tokenizer

MESSAGES = (
    "在吗", "能开发票吗", "发票怎么开啊", "什么时候发货", "今天拍明天能发吗", "sf能发吗", "顺丰", "我穿多大码",
    "165 110斤穿什么码", "不喜欢可以退吗", "怎么退货", "少发了怎么补偿", "羽绒服怎么洗", "能机洗吗", "有vx吗",
    "有色差吗", "颜色和图片一样吗", "短袖会缩水吗", "白T什么时候发", "退货运费谁出", "有优惠券吗", "发货 发货 发票",
    "完全无关的一句话", "xl",
)
SCOPES = (("tmall", None, None), ("pdd", None, None), ("tmall", None, "down-jacket"), ("pdd", None, "tee"))


# ---------------------------------------------------------------------------------- reference
def _best_per_entry(rows, values, view_entry, n_entries):
    best = np.full(n_entries, -np.inf, dtype=np.float32)
    if len(rows):
        np.maximum.at(best, view_entry[rows], values)
    return best


def _coverage(query_terms, view_terms, idf):
    if not query_terms:
        return 0.0
    total = sum(idf.get(t, 1.0) for t in query_terms)
    hit = sum(idf.get(t, 1.0) for t in query_terms if t in view_terms)
    return hit / total if total else 0.0


def reference_candidates(index: LoadedIndex, query_vector, terms, allowed, k=40, for_product=None) -> Candidates:
    n_entries = index.meta.entries
    view_entry = index.view_entry
    allowed_views = allowed[view_entry]
    fetch = min(len(index.views), max(k * 2, 64))
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
    lex_hits = np.argsort(-lex_q, kind="stable")[:k]  # the one change: ties go to lower positions
    lex_hits = lex_hits[lex_q[lex_hits] > 0]
    entries = np.unique(np.concatenate([dense_hits, lex_hits])).astype(np.int64)
    entries = entries[allowed[entries]]
    if not len(entries):
        return Candidates(entries, np.zeros((0, len(FEATURES)), np.float32))
    cand_rows = np.flatnonzero(np.isin(view_entry, entries))
    vectors = np.vstack([index.dense.reconstruct(int(r)) for r in cand_rows])
    cand_sims = vectors @ query_vector.astype(np.float32)
    is_q = index.view_is_question[cand_rows]
    dense_q = _best_per_entry(cand_rows[is_q], cand_sims[is_q], view_entry, n_entries)[entries]
    dense_a = _best_per_entry(cand_rows[~is_q], cand_sims[~is_q], view_entry, n_entries)[entries]
    dense_q[~np.isfinite(dense_q)] = 0.0
    dense_a[~np.isfinite(dense_a)] = 0.0
    query_terms = set(terms)
    cover_q = np.zeros(len(entries), np.float32)
    cover_a = np.zeros(len(entries), np.float32)
    position = {int(e): i for i, e in enumerate(entries)}
    for r in cand_rows:
        i = position[int(view_entry[r])]
        c = _coverage(query_terms, index.views[r].terms, index.idf)
        if index.view_is_question[r]:
            cover_q[i] = max(cover_q[i], c)
        else:
            cover_a[i] = max(cover_a[i], c)
    # Each candidate's example questions summed in view order and normalised (the mean's direction).
    centroids = np.zeros((len(entries), len(query_vector)), np.float32)
    for i, e in enumerate(entries):
        for r in range(len(view_entry)):
            if view_entry[r] == e and index.view_is_question[r]:
                centroids[i] += index.dense.reconstruct(int(r))
    norms = np.linalg.norm(centroids, axis=1, keepdims=True)
    centroids = np.where(norms > 0, centroids / np.where(norms > 0, norms, 1), 0).astype(np.float32)
    dense_c = centroids @ query_vector.astype(np.float32)
    lq, la = lex_q[entries], lex_a[entries]
    features = np.column_stack(
        [
            dense_q, dense_a, dense_q - dense_q.max(),
            lq / lq.max() if lq.max() > 0 else lq,
            la / la.max() if la.max() > 0 else la,
            cover_q, cover_a,
            np.full(len(entries), 1.0 / (1.0 + len(query_terms)), np.float32),
            [float(bool(for_product is not None and for_product[e])) for e in entries],
            dense_c,
        ]
    ).astype(np.float32)
    return Candidates(entries, features)


# ---------------------------------------------------------------------------------- fixtures
def _add_paraphrase_faq(knowledge_dir: Path, entries: int = 300) -> None:
    """A merchant spreadsheet with many near-identical rows, so that top-k cuts and ties occur."""
    rng = random.Random(3)
    products = ("短袖", "羽绒服", "白T", "卫衣", "牛仔裤", "帆布鞋")
    asks = ("什么时候发货", "能开发票吗", "会缩水吗", "有色差吗", "怎么洗", "能发顺丰吗", "尺码标准吗", "包邮吗")
    with open(knowledge_dir / "faq-bulk.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "question", "answer"])
        for i in range(entries):
            product, ask = rng.choice(products), rng.choice(asks)
            writer.writerow([f"bulk-{i}", f"{product}{ask}", f"亲，{product}的问题：{ask}，第{i % 7}种回答"])
            writer.writerow([f"bulk-{i}", f"请问{product}{rng.choice(asks)}", ""])


@pytest.fixture(params=["small", "bulk"])
def loaded(request, knowledge_dir: Path, tmp_path: Path):
    if request.param == "bulk":
        _add_paraphrase_faq(knowledge_dir)
    kb = load_knowledge(knowledge_dir)
    index = build_index(kb, HashEmbedder(), tmp_path / "index")
    return kb, index


def _scope_mask(kb, platform, shop, product) -> np.ndarray:
    return np.array([e.in_scope(platform, shop, product) for e in kb.entries], dtype=bool)


def _queries(kb):
    tokenizer = Tokenizer(extra_words=[n for p in kb.products.values() for n in p.names])
    embedder = HashEmbedder()
    for message in MESSAGES:
        analysis = tokenizer.analyze(message)
        yield message, embedder.encode_queries([analysis.canonical or message])[0], analysis.terms


# ---------------------------------------------------------------------------------- tests
@pytest.mark.parametrize("k", [40, 3])
def test_fast_candidates_equal_the_reference(loaded, k):
    kb, index = loaded
    compared = 0
    for scope in SCOPES:
        allowed = _scope_mask(kb, *scope)
        # the product's own answers are marked when a product is being discussed
        for_product = np.array([bool(e.products) for e in kb.entries]) if scope[2] else None
        for message, vector, terms in _queries(kb):
            fast = gather_candidates(index, vector, terms, allowed, k=k, for_product=for_product)
            slow = reference_candidates(index, vector, terms, allowed, k=k, for_product=for_product)
            assert fast.entries.tolist() == slow.entries.tolist(), (message, scope)
            # Same operations in the same order: equal to the last bit, not merely close.
            assert np.array_equal(fast.features, slow.features), (message, scope)
            assert fast.features.dtype == np.float32
            compared += len(fast.entries)
    assert compared > 0


# Features that do not depend on which other entries are candidates (dense_q_gap and the *_rel
# ones are relative to the candidate set): an approximate search may not change them.
ABSOLUTE = [FEATURES.index(n) for n in ("dense_q", "dense_a", "cover_q", "cover_a", "short")]


def test_hnsw_search_keeps_the_exact_features(loaded, monkeypatch):
    """An HNSW index may only change which entries are dense candidates, never a feature value."""
    kb, index = loaded
    # Hash vectors tie a lot, and a graph search over them can miss every exact candidate of a
    # one-term message; a wide search keeps each comparison below non-empty.
    monkeypatch.setattr(dense_module, "HNSW_EF_SEARCH", 256)
    vectors = stored_vectors(index.dense).copy()
    hnsw_index = LoadedIndex(index.meta, index.views, build_dense(vectors, vectors.shape[1], hnsw_min_views=1))
    assert hasattr(hnsw_index.dense, "hnsw")
    assert np.array_equal(stored_vectors(hnsw_index.dense), vectors)
    allowed = _scope_mask(kb, "tmall", None, None)
    for message, vector, terms in _queries(kb):
        fast = gather_candidates(hnsw_index, vector, terms, allowed)
        slow = reference_candidates(index, vector, terms, allowed)
        common, fast_at, slow_at = np.intersect1d(fast.entries, slow.entries, return_indices=True)
        # Recall is the benchmark's business (hash vectors tie a lot); lexical hits are always there.
        assert len(common) or not len(slow.entries), message
        assert np.array_equal(fast.features[fast_at][:, ABSOLUTE], slow.features[slow_at][:, ABSOLUTE]), message


def test_an_fp16_scan_keeps_the_exact_features_and_misses_only_near_ties(loaded, monkeypatch):
    """A large flat index is scanned in fp16: it may only change which entries are dense
    candidates (near ties), never a feature value."""
    import faiss

    kb, index = loaded
    monkeypatch.setattr(dense_module, "FP16_SCAN_MIN_VIEWS", 1)
    vectors = stored_vectors(index.dense).copy()
    scanned = LoadedIndex(index.meta, index.views, build_dense(vectors, vectors.shape[1]))
    assert isinstance(scanned._searched, faiss.IndexScalarQuantizer)
    assert dense_module.describe(scanned.dense) == "flat, fp16 scan"
    allowed = _scope_mask(kb, "tmall", None, None)
    fetch = min(10, len(vectors) // 2)  # well inside this small index
    for message, vector, terms in _queries(kb):
        fast = gather_candidates(scanned, vector, terms, allowed)
        slow = reference_candidates(index, vector, terms, allowed)
        common, fast_at, slow_at = np.intersect1d(fast.entries, slow.entries, return_indices=True)
        assert np.array_equal(fast.features[fast_at][:, ABSOLUTE], slow.features[slow_at][:, ABSOLUTE]), message
        # The views it misses are near ties at the edge of the fetched ones (hash vectors tie a
        # lot), never a view clearly inside it.
        exact = vectors @ vector
        edge = np.sort(exact)[::-1][fetch - 1]
        _, rows = scanned.search(vector, fetch)
        missed = np.setdiff1d(np.argsort(-exact, kind="stable")[:fetch], rows)
        assert np.all(exact[missed] <= edge + 2e-3), message


def test_small_flat_indexes_are_searched_exactly_and_hnsw_as_built(loaded):
    _, index = loaded
    assert len(index) < dense_module.FP16_SCAN_MIN_VIEWS
    assert index._searched is index.dense
    vectors = stored_vectors(index.dense).copy()
    graph = build_dense(vectors, vectors.shape[1], hnsw_min_views=1)
    assert dense_module.searched(graph, vectors) is graph


def test_lexical_matching_equals_dense_scores(loaded):
    _, index = loaded
    for lexical in (index.lexical_questions, index.lexical_answers):
        for terms in (("发货",), ("发票", "发货", "发票"), ("短袖", "缩水"), ("不存在的词",), ()):
            dense = lexical.scores(terms)
            docs, scores = lexical.matching(terms)
            assert np.array_equal(dense[docs], scores)
            rest = np.ones(len(dense), dtype=bool)
            rest[docs] = False
            assert not dense[rest].any()


def test_top_lexical_partition_keeps_the_full_sorts_choice_at_ties():
    rng = np.random.default_rng(5)
    for size, k in ((10, 20), (81, 20), (500, 20), (3000, 7)):
        entries = np.sort(rng.choice(10 * size, size, replace=False))
        scores = rng.choice(np.array([0.0, 0.5, 1.0, 1.5, 2.0], np.float32), size)  # many ties, some zeros
        order = np.argsort(-scores, kind="stable")[:k]
        expected = entries[order[scores[order] > 0]]
        assert np.array_equal(_top_lexical(entries, scores, k), expected), (size, k)


def test_lexical_scores_of_some_documents_equal_the_full_scores(loaded):
    _, index = loaded
    rng = np.random.default_rng(0)
    for lexical in (index.lexical_questions, index.lexical_answers):
        assert lexical._columns_sorted  # else the fallback below is all that is tested
        docs = np.concatenate([rng.permutation(lexical.size)[:50], [-1, 0, lexical.size - 1]])
        for terms in (("发货",), ("发票", "发货", "发票"), ("短袖", "缩水"), ("不存在的词",), ()):
            expected = np.where(docs >= 0, lexical.scores(terms)[np.maximum(docs, 0)], 0)
            assert np.array_equal(lexical.scores_of(terms, docs), expected), terms
            lexical._columns_sorted = False
            try:
                assert np.array_equal(lexical.scores_of(terms, docs), expected), terms
            finally:
                lexical._columns_sorted = True


def test_term_postings_and_entry_rows(loaded):
    _, index = loaded
    rows = np.arange(len(index.views))
    for term in ("发货", "发票"):
        expected = np.array([term in v.terms for v in index.views], dtype=bool)
        assert expected.any() and not expected.all()
        assert np.array_equal(index.postings.contains(term, rows[::-1]), expected[::-1])
        # The last row and rows past a posting's end land on its end marker, never beyond it.
        assert np.array_equal(index.postings.contains(term, rows[-1:]), expected[-1:])
    assert index.postings.contains("不存在的词", rows) is None
    for entries in (np.arange(index.meta.entries), np.array([0, 2, 5]), np.array([], dtype=np.int64)):
        expected = np.flatnonzero(np.isin(index.view_entry, entries))
        assert index.rows_of(entries).tolist() == expected.tolist()
