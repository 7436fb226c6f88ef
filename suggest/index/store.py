"""An index on disk, and loading it back.

Layout of an index directory:

    current -> builds/<name>      a symlink, swapped atomically when a build completes
    builds/<name>/meta.json       model and its revision, dimension, knowledge digest, build time, format
    builds/<name>/views.jsonl     one view per line: entry position, kind, text, terms
    builds/<name>/dense.faiss     inner-product index over the normalised view vectors

A reader follows `current` once, so it always sees one complete build.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from suggest.errors import IndexStoreError, StaleIndexError
from suggest.index.dense import search_one, searched, stored_vectors
from suggest.index.lexical import Lexical, TermPostings, inverse_document_frequency
from suggest.index.views import ANSWER, QUESTION, View

# 2: product names are masked in the views (suggest/text/tokenize.py).
# 3: 么, 额 and words such as 花呗 are no longer cut off as particles (suggest/text/normalize.py).
FORMAT = 3
CURRENT = "current"


@dataclass(frozen=True)
class IndexMeta:
    format: int
    model: str
    dim: int
    knowledge_digest: str
    built_at: str
    views: int
    entries: int
    model_revision: str = ""  # Embedder.revision; absent from indexes built before it existed

    @classmethod
    def read(cls, folder: Path) -> IndexMeta:
        try:
            data = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            return cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise IndexStoreError(f"index at {folder} is unreadable ({exc})") from exc

    def write(self, folder: Path) -> None:
        (folder / "meta.json").write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")


class LoadedIndex:
    def __init__(self, meta: IndexMeta, views: list[View], dense: Any) -> None:
        self.meta = meta
        self.views = views
        self.view_entry = np.array([v.entry for v in views], dtype=np.int64)
        self.view_is_question = np.array([v.kind == QUESTION for v in views], dtype=bool)
        self.dense = dense  # a faiss inner-product index, one row per view
        self.question_rows = np.flatnonzero(self.view_is_question)
        self.answer_rows = np.flatnonzero(~self.view_is_question)
        self.lexical_questions = Lexical([views[i].terms for i in self.question_rows])
        # The entry of each question document, and whether they never fall: views are stored
        # entry by entry, so a message's matching documents then come in runs of one entry.
        self.question_entry = self.view_entry[self.question_rows]
        self.question_entries_rise = bool(np.all(self.question_entry[1:] >= self.question_entry[:-1]))
        self.lexical_answers = Lexical([views[i].terms for i in self.answer_rows])
        self.idf = inverse_document_frequency([views[i].terms for i in self.question_rows])
        # Read-only companions of the above, so a request never loops over views in Python.
        self.vectors = stored_vectors(dense)  # (views, dim), borrowed from `dense`
        self._searched = searched(dense, self.vectors)  # what picks the dense candidates
        self.postings = TermPostings([v.terms for v in views])
        self._view_order, self._entry_start, self._entry_stop = _entry_spans(self.view_entry, meta.entries)
        self.answer_doc = _answer_docs(self.view_entry[self.answer_rows], meta.entries)
        self.centroids = _question_centroids(self.vectors, self.view_entry, self.view_is_question, meta.entries)

    def __len__(self) -> int:
        return len(self.views)

    def search(self, query_vector: np.ndarray, fetch: int) -> tuple[np.ndarray, np.ndarray]:
        """Similarities and rows of the `fetch` nearest views (approximate from FP16_SCAN_MIN_VIEWS)."""
        return search_one(self._searched, query_vector, fetch)

    def rows_of(self, entries: np.ndarray) -> np.ndarray:
        """Every view row of the given entries, ascending."""
        starts, stops = self._entry_start[entries], self._entry_stop[entries]
        lengths = stops - starts
        total = int(lengths.sum())
        if not total:
            return np.zeros(0, dtype=np.int64)
        # Concatenated ranges start..stop without a Python loop: a running index, shifted per range.
        offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        positions = offsets + np.arange(total)
        return np.sort(self._view_order[positions])


def _answer_docs(answer_entries: np.ndarray, entries: int) -> np.ndarray:
    """For each entry, its answer view's document in `lexical_answers` (-1: none). make_views
    gives an entry one answer view at most; features rely on it."""
    if len(np.unique(answer_entries)) != len(answer_entries):
        raise IndexStoreError("index has several answer views for one answer")
    docs = np.full(entries, -1, dtype=np.int64)
    docs[answer_entries] = np.arange(len(answer_entries))
    return docs


def _question_centroids(vectors: np.ndarray, view_entry: np.ndarray, is_question: np.ndarray, entries: int) -> np.ndarray:
    """Each entry's example questions averaged and renormalised (zeros for an entry without any).

    Computed at load rather than stored: one pass over the vectors, well under a second at 100k.
    """
    centroids = np.zeros((entries, vectors.shape[1]), dtype=np.float32)
    rows = np.flatnonzero(is_question)
    if len(rows):
        np.add.at(centroids, view_entry[rows], vectors[rows])
        norms = np.linalg.norm(centroids, axis=1, keepdims=True)
        np.divide(centroids, norms, out=centroids, where=norms > 0)
    return centroids


def _entry_spans(view_entry: np.ndarray, entries: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views ordered by entry, and each entry's [start, stop) in that order.

    make_views writes each entry's views together, so the order is the identity; a stable sort
    keeps this correct for any view order.
    """
    order = np.argsort(view_entry, kind="stable")
    sorted_entries = view_entry[order]
    ids = np.arange(entries)
    start = np.searchsorted(sorted_entries, ids, side="left")
    stop = np.searchsorted(sorted_entries, ids, side="right")
    return order, start, stop


def current_build(index_dir: Path) -> Path | None:
    link = Path(index_dir) / CURRENT
    if not link.exists():
        return None
    return link.resolve()


def load_index(index_dir: Path, model: str, knowledge_digest: str, model_revision: str = "") -> LoadedIndex:
    """Load the current build, refusing one made from another model (or other weights of the
    same model name: `model_revision`, see Embedder.revision) or from other knowledge."""
    folder = current_build(index_dir)
    if folder is None:
        raise IndexStoreError(f"no index in {index_dir}", advice="; build it with `suggest build`")
    meta = IndexMeta.read(folder)
    if meta.format != FORMAT:
        raise StaleIndexError(f"index in {index_dir} has format {meta.format}, this version reads {FORMAT}")
    if meta.model != model:
        raise StaleIndexError(f"index in {index_dir} was built with model {meta.model!r}, not {model!r}")
    if meta.model_revision != model_revision:
        raise StaleIndexError(
            f"index in {index_dir} was built from other weights of model {model!r} "
            f"(revision {meta.model_revision or 'unrecorded'}, the model now is {model_revision or 'unrecorded'})"
        )
    if meta.knowledge_digest != knowledge_digest:
        raise StaleIndexError(
            f"index in {index_dir} was built from other knowledge (digest {meta.knowledge_digest}, "
            f"the knowledge now is {knowledge_digest})"
        )
    return read_build(folder, meta)


def read_build(folder: Path, meta: IndexMeta) -> LoadedIndex:
    import faiss

    try:
        views = []
        with open(folder / "views.jsonl", encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                d = json.loads(line)
                entry, kind = d["entry"], d["kind"]
                # An entry out of range would fail deep in the load, or (-1) silently count as
                # evidence for the last answer.
                if type(entry) is not int or not 0 <= entry < meta.entries or kind not in (QUESTION, ANSWER):
                    raise ValueError(f"views.jsonl line {number}: answer {entry!r} of {meta.entries}, kind {kind!r}")
                views.append(View(entry, kind, d["text"], tuple(d["terms"])))
        dense = faiss.read_index(str(folder / "dense.faiss"))
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexStoreError(f"index at {folder} is damaged ({exc})") from exc
    if dense.ntotal != len(views) or dense.d != meta.dim:
        raise IndexStoreError(f"index at {folder} is inconsistent")
    return LoadedIndex(meta, views, dense)


__all__ = ["ANSWER", "QUESTION", "IndexMeta", "LoadedIndex", "current_build", "load_index"]
