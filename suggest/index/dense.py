"""The dense (FAISS) part of an index: which kind to build, how to search it, its raw vectors.

Small indexes stay exact (IndexFlatIP). A flat search reads every stored vector, 1.5 KB per view
for e5-small: about 60 MB per message at 10k answers (40k views), which costs more than the
model's encode of the message itself. Above `HNSW_MIN_VIEWS` views the index is an HNSW graph
over the same vectors (IndexHNSWFlat), whose search touches a few thousand of them. In between,
from `FP16_SCAN_MIN_VIEWS` views, a message scans a half-precision copy of the flat index's
vectors, made at load: the scan is bound by memory bandwidth, and half the bytes take half the time.

HNSW and the fp16 scan only choose the dense *candidates*: every feature of a candidate is still computed from
the exact stored vectors (`stored_vectors`), so an approximate search can at worst miss a
candidate, never change a score. `scripts/benchmark_speed.py` reports its recall against flat.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

# Below this many views an exact scan costs under ~2 ms and needs no graph (nor its build time).
HNSW_MIN_VIEWS = 20_000
HNSW_M = 32  # links per node: recall above 0.99 on e5 vectors at a modest memory cost
HNSW_EF_CONSTRUCTION = 80
# Candidate list size while searching; at least the number of results asked for. For the 64–80
# views a message asks for at 10k answers, efSearch 80, 96, 128 and 256 all gave the same top-1
# answer as a near-exact search for 373 of 374 messages; 96 took 0.32 ms, 256 0.88 ms. 64 (the
# views asked for) put the same answer first as an exact search for all 400 dev messages at 10k
# answers, with 0.30 instead of 0.46 ms a search (session 9, scripts/benchmark_speed.py's 10k).
HNSW_EF_SEARCH = 64
# From this many views a flat index is scanned in fp16. At 5,698 views (1k answers) the scan took
# 1.43 → 0.77 ms with the caches cold, and it found 0.999 of the entries an exact scan finds in
# the 64 best views (mean over the 400 dev messages; the best one every time); at 1,701 views
# (the default knowledge) 0.48 → 0.35 ms. Below it the exact scan is cheap, and stays exact.
FP16_SCAN_MIN_VIEWS = 4_096


def build_dense(vectors: np.ndarray, dim: int, hnsw_min_views: int = HNSW_MIN_VIEWS) -> Any:
    """Exact inner product for small indexes, HNSW above `hnsw_min_views`; on normalised
    vectors inner product is cosine similarity."""
    import faiss

    # This thread may have served searches, which pin it to one OpenMP thread (search_one).
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) >= hnsw_min_views:
        dense = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        dense.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        dense.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        dense = faiss.IndexFlatIP(dim)
    if len(vectors):
        dense.add(vectors)  # HNSW insertion uses every core (OpenMP); it is build time, not request time
    return dense


def stored_vectors(dense: Any) -> np.ndarray:
    """The stored vectors as an (n, dim) float32 array, without a copy.

    The array borrows FAISS's memory: it is valid as long as `dense` lives, which the
    LoadedIndex that holds both guarantees. One slice of it replaces one `reconstruct` call per
    candidate view (a SWIG round trip and an allocation each).
    """
    import faiss

    flat = faiss.downcast_index(dense.storage) if hasattr(dense, "hnsw") else dense
    n, d = int(flat.ntotal), int(flat.d)
    if n == 0:
        return np.zeros((0, d), dtype=np.float32)
    if not hasattr(flat, "get_xb"):  # not a flat store: fall back to one bulk copy
        return np.asarray(flat.reconstruct_n(0, n), dtype=np.float32)
    return faiss.rev_swig_ptr(flat.get_xb(), n * d).reshape(n, d)


def searched(dense: Any, vectors: np.ndarray) -> Any:
    """What a message's search runs on: the HNSW graph; for a flat index of at least
    FP16_SCAN_MIN_VIEWS views an fp16 copy of its vectors (about 0.75 KB a view more memory);
    otherwise the flat index itself. Its similarities are approximate; its rows are the
    stored vectors' rows."""
    import faiss

    if not _scanned_in_fp16(dense):
        return dense
    scan = faiss.IndexScalarQuantizer(vectors.shape[1], faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    scan.train(vectors)  # fp16 needs no statistics; FAISS asks for the call all the same
    scan.add(vectors)
    return scan


def search_one(dense: Any, query_vector: np.ndarray, fetch: int) -> tuple[np.ndarray, np.ndarray]:
    """Similarities and rows of the `fetch` nearest views of one query (rows -1 for none)."""
    import faiss

    # One query runs on this thread alone: OpenMP threads for a single query spin on each
    # other whenever the cores are busy, which made a flat search 4× slower on a loaded
    # 2-core machine. Parallelism comes from concurrent requests instead. The setting is
    # per calling thread (OpenMP's nthreads ICV), so builds in other threads keep theirs.
    faiss.omp_set_num_threads(1)
    query = np.ascontiguousarray(query_vector[None, :], dtype=np.float32)
    if hasattr(dense, "hnsw"):
        params = faiss.SearchParametersHNSW()
        params.efSearch = max(HNSW_EF_SEARCH, fetch)
        sims, rows = dense.search(query, fetch, params=params)
    else:
        sims, rows = dense.search(query, fetch)
    return sims[0], rows[0]


def describe(dense: Any) -> str:
    if hasattr(dense, "hnsw"):
        return f"HNSW (M={dense.hnsw.nb_neighbors(1)})"
    return "flat, fp16 scan" if _scanned_in_fp16(dense) else "flat"


def _scanned_in_fp16(dense: Any) -> bool:
    """Whether `searched` gives this index an fp16 copy to scan (the rule `describe` reports)."""
    return not hasattr(dense, "hnsw") and dense.ntotal >= FP16_SCAN_MIN_VIEWS
