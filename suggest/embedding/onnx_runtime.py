"""An exported model (onnx_export.py) on onnxruntime behind the Embedder contract.

Needs only onnxruntime, tokenizers and numpy: no torch. Tokenisation uses the very
tokenizer.json of the source model, with its prompts ("query: ", "passage: ") prepended as
sentence-transformers does, so the vectors match the source model's up to int8 rounding
(cosine about 0.99 for e5-small: above 0.99 on the texts of tests/test_embedding_onnx.py,
0.988 at worst on the speed benchmark's messages). That rounding makes it a vector space of its
own: it has its own model name, its own index and its own calibration.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from suggest.embedding.base import Embedder, normalize_rows
from suggest.embedding.folders import revision_of
from suggest.embedding.onnx_export import CONFIG_NAME, MODEL_FILE, TOKENIZER_FILE, read_config
from suggest.errors import ModelError

# After two calls overlap, lone calls keep to the shared session for this long (see session_for_call).
CONTENDED_SECONDS = 0.25
# From this many texts in one call (a build), they are encoded in one stream per core.
PARALLEL_FROM = 64


class OnnxEmbedder(Embedder):
    def __init__(self, name: str, folder: Path, threads: int | None = None, solo_threads: int | None = None) -> None:
        """`threads`: onnxruntime's intra-op threads per call (default: every core, up to 4).
        `suggest serve` passes cores ÷ api_threads (Settings.serving).

        `solo_threads` (default: every core, up to 4): threads for a call while no other call
        runs. When it is more than `threads`, a second session with that many threads serves
        such calls. A service shares the cores out among concurrent requests for throughput,
        but most requests of a small shop arrive alone: one short message took 9.9 ms on both
        cores against 12.8 ms on one, and over HTTP one client at a time got its answer in
        18.0 ms p50 instead of 21.2, while four concurrent clients got 92 answers a second
        against 88 (session 8, this 2-core machine, scripts/load_test.py). The two sessions
        give bit-identical vectors (integer matrix products; tests/test_embedding_onnx.py), so
        which one answers never changes a suggestion. The price is a second copy of the
        weights, about 130 MB."""
        config = read_config(folder)
        if config is None:
            raise ModelError(f"{folder} is not an exported ONNX model (no readable {CONFIG_NAME})")
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - an install problem
            raise ModelError(f"the ONNX backend needs onnxruntime and tokenizers: {exc}") from exc
        self.name = name
        self.dim = int(config["dim"])
        # The export's record of its source weights and of the exporter's version, and how texts
        # are encoded: an index built from batches (before session 19) is another index.
        self.revision = revision_of({**{k: config.get(k) for k in ("format_version", "source", "weights")},
                                     "encoding": "each text alone"})
        self._query_prompt = str(config.get("query_prompt", ""))
        self._document_prompt = str(config.get("document_prompt", ""))
        try:
            tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
            every_core = min(os.cpu_count() or 1, 4)
            self.threads = threads or every_core
            self.solo_threads = max(solo_threads or every_core, self.threads)
            self._ort, self._path = ort, folder / MODEL_FILE
            self._session: Any = _session(ort, folder / MODEL_FILE, self.threads)
            self._solo_session: Any = (_session(ort, folder / MODEL_FILE, self.solo_threads)
                                       if self.solo_threads > self.threads else self._session)
        except Exception as exc:  # onnxruntime and tokenizers raise their own kinds
            raise ModelError(f"cannot load the ONNX model in {folder}: {exc}") from exc
        tokenizer.no_padding()
        tokenizer.enable_truncation(int(config["max_seq_length"]))
        self._tokenizer = tokenizer
        self._pad_id = int(config["pad_token_id"])  # for batches elsewhere (the speed benchmark's reference): none here
        self._running = 0
        self._single: Any = None
        self._contended_until = 0.0
        self._running_lock = threading.Lock()

    @contextmanager
    def session_for_call(self) -> Iterator[Any]:
        """The session for one call: the solo one when no other call is running, nor has
        overlapped one lately. Under steady concurrent load a call often starts in the gap
        between two others; taking both cores then oversubscribed them, and 4 concurrent HTTP
        clients got 17 % fewer answers a second than with one session."""
        with self._running_lock:
            now = time.monotonic()
            if self._running:
                self._contended_until = now + CONTENDED_SECONDS
            alone = not self._running and now >= self._contended_until
            self._running += 1
        try:
            yield self._solo_session if alone else self._session
        finally:
            with self._running_lock:
                self._running -= 1

    def _encode(self, texts: Sequence[str], prompt: str, batch_size: int, progress: bool) -> np.ndarray:
        """Each text alone, whatever `batch_size` says. The int8 graph quantises its activations
        with one scale per call, so a text encoded in a batch gets a vector that depends on its
        batch-mates (cosine 0.997 on average to the same text alone, about what int8 costs
        against fp32): adding one template to the knowledge moved the first answer of 7 of 400
        dev messages that had nothing to do with it, and the index's texts were quantised
        otherwise than the buyers' messages, which are encoded alone. Alone, a text's vector is a
        function of the text: the one its message would get."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        ids = [e.ids for e in self._tokenizer.encode_batch([prompt + t for t in texts])]
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(ids), desc="encoding", unit="text")
        try:
            if len(ids) < PARALLEL_FROM:
                with self.session_for_call() as session:
                    for i, row in enumerate(ids):
                        out[i] = self._run(session, row)
                        if bar is not None:
                            bar.update()
            else:
                self._encode_in_streams(ids, out, bar)
        finally:
            if bar is not None:
                bar.close()
        return normalize_rows(out)

    def _run(self, session: Any, row: list[int]) -> np.ndarray:
        input_ids = np.array([row], dtype=np.int64)
        return session.run(None, {"input_ids": input_ids, "attention_mask": np.ones_like(input_ids)})[0][0]

    def _encode_in_streams(self, ids: list[list[int]], out: np.ndarray, bar: Any) -> None:
        """One text per call on a one-thread session, one stream of calls per core: a batch
        shares its matrix products across the cores, single texts must share the texts. On
        this 2-core machine 440-465 texts/s against 557 in batches of 64 on both cores (one
        stream alone: 230)."""
        from concurrent.futures import ThreadPoolExecutor

        streams = self.solo_threads
        session = self._single_thread_session()
        lock = threading.Lock()
        stop = threading.Event()  # set on an error or an interrupt: the other streams end too

        def work(stream: int) -> None:
            for i in range(stream, len(ids), streams):
                if stop.is_set():
                    return
                out[i] = self._run(session, ids[i])
                if bar is not None:
                    with lock:
                        bar.update()

        with self.session_for_call(), ThreadPoolExecutor(streams) as pool:
            try:
                for done in [pool.submit(work, n) for n in range(streams)]:
                    done.result()
            except BaseException:
                stop.set()
                raise

    def _single_thread_session(self) -> Any:
        """A one-thread session for the streams, made on the first build and kept (0.17 s to make,
        about 130 MB)."""
        if self.threads == 1:
            return self._session
        with self._running_lock:
            if self._single is None:
                self._single = _session(self._ort, self._path, 1)
            return self._single

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        return self._encode(texts, self._query_prompt, batch_size, progress)

    def encode_documents(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        return self._encode(texts, self._document_prompt, batch_size, progress)


def _session(ort: Any, path: Path, threads: int) -> Any:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # warnings about unused initialisers are noise here
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
