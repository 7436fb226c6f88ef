"""A least-recently-used cache of query vectors, in front of any embedder.

Buyers repeat themselves: 在吗, 发什么快递, 能便宜点吗 arrive thousands of times a day in the
same canonical form. The encoders are deterministic, so a cached vector is exactly the vector
the model would give again; only its cost changes (a dictionary look-up instead of a forward
pass). Keyed by the text the engine encodes, i.e. the canonical form of the message.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from suggest.embedding.base import Embedder

DEFAULT_SIZE = 4096  # 6 MB of e5-small vectors


class CachedEmbedder(Embedder):
    def __init__(self, inner: Embedder, size: int = DEFAULT_SIZE) -> None:
        self.inner = inner
        self.name = inner.name  # the same vectors, so the same index and calibration
        self.dim = inner.dim
        self.revision = inner.revision
        self.size = size
        self.hits = 0
        self.misses = 0
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing = self._fill_known(texts, out)
        if missing:
            fresh = self.inner.encode_queries([texts[i] for i in missing], batch_size=batch_size, progress=progress)
            out[missing] = fresh
            self._remember({texts[i]: fresh[n] for n, i in enumerate(missing)})
        return out

    def encode_documents(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        return self.inner.encode_documents(texts, batch_size=batch_size, progress=progress)

    def _fill_known(self, texts: list[str], out: np.ndarray) -> list[int]:
        """Copy cached vectors into `out`; the positions still to encode."""
        missing = []
        with self._lock:
            for i, text in enumerate(texts):
                vector = self._vectors.get(text)
                if vector is None:
                    missing.append(i)
                else:
                    self._vectors.move_to_end(text)
                    out[i] = vector
            self.hits += len(texts) - len(missing)
            self.misses += len(missing)
        return missing

    def _remember(self, vectors: dict[str, np.ndarray]) -> None:
        with self._lock:
            for text, vector in vectors.items():
                self._vectors[text] = vector.copy()  # a row of its own, not a view of the batch
                self._vectors.move_to_end(text)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
