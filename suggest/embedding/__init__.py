"""Sentence embedders behind one small interface; the real ones load on first use."""

from suggest.embedding.base import Embedder
from suggest.embedding.factory import load_embedder

__all__ = ["Embedder", "load_embedder"]
