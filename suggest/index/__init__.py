"""The built index: every answer's views, their vectors (FAISS) and terms (BM25)."""

from suggest.index.build import build_index
from suggest.index.store import IndexMeta, LoadedIndex, load_index

__all__ = ["IndexMeta", "LoadedIndex", "build_index", "load_index"]
