"""The embedder contract: queries and documents are encoded by separate calls.

Queries are customer messages and example questions (symmetric matching: e5 wants the
"query: " prompt on both sides); documents are answers. Vectors come back L2-normalised,
float32, one row per text.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np


class Embedder(ABC):
    #: Recorded in the index sidecar; an index built with another name is refused.
    name: str
    dim: int
    #: Which weights are behind the name, where the name alone does not pin them (a local
    #: folder can be retrained in place; an export is redone when its source changes). Also
    #: recorded in the sidecar: an index built from other weights of the same name is refused.
    revision: str = ""

    @abstractmethod
    def encode_queries(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Vectors for messages and example questions."""

    @abstractmethod
    def encode_documents(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Vectors for answers."""


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
