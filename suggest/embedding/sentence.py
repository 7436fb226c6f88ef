"""sentence-transformers models: any name or local path, or the bundled e5-small."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from suggest.embedding.base import Embedder, normalize_rows
from suggest.errors import ModelError


def embedding_dimension(model: Any) -> int:
    """A SentenceTransformer's output dimension, under the method name of either API version."""
    get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(get_dim())


HUB_PROBE_SECONDS = 3.0


def _from_hub(loader: Any, name: str) -> Any:
    """A hub model: from the local Hugging Face cache when it is there, else downloaded, but
    only when the hub answers at all. Asked for a name it could not reach, the hub client
    retried for about 90 s, printing a line per attempt, before failing."""
    try:
        return loader(name, device="cpu", local_files_only=True)
    except Exception:  # not in the cache (or incomplete there): fetch it
        if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
            raise ModelError(f"cannot load embedding model {name!r}: it is not a local folder, not in the "
                             "Hugging Face cache, and HF_HUB_OFFLINE is set") from None
    endpoint = urlsplit(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    host, port = endpoint.hostname or "huggingface.co", endpoint.port or (80 if endpoint.scheme == "http" else 443)
    try:
        socket.create_connection((host, port), timeout=HUB_PROBE_SECONDS).close()
    except OSError as exc:
        raise ModelError(f"cannot load embedding model {name!r}: it is not a local folder, not in the Hugging Face "
                         f"cache, and the model hub ({host}:{port}) cannot be reached ({exc.strerror or exc}); "
                         "give a local model folder, or the default model") from None
    return loader(name, device="cpu")


class SentenceTransformerEmbedder(Embedder):
    def __init__(self, name: str, path: str | Path, threads: int | None = None, revision: str = "") -> None:
        self.name = name
        self.revision = revision
        self._path = str(path)
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()
        self.dim = embedding_dimension(self.model)

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> Any:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            import torch
            import transformers
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - an install problem
            raise ModelError(f"sentence-transformers is not installed: {exc}") from exc
        # A service's log is no place for weight-loading progress bars.
        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()
        if self._threads:
            torch.set_num_threads(self._threads)
        try:
            if Path(self._path).exists():
                model = SentenceTransformer(self._path, device="cpu")
            else:
                model = _from_hub(SentenceTransformer, self._path)
        except ModelError:
            raise
        except Exception as exc:  # the library raises many kinds; all mean "cannot load"
            raise ModelError(f"cannot load embedding model {self.name!r} from {self._path}: {exc}") from exc
        model.eval()
        return model

    def _encode(self, texts: Sequence[str], prompt: str, batch_size: int, progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.model
        kwargs: dict[str, Any] = {}
        if prompt in (model.prompts or {}):
            kwargs["prompt_name"] = prompt
        vectors = model.encode(
            list(texts),
            batch_size=batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
            **kwargs,
        )
        return normalize_rows(vectors)

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        return self._encode(texts, "query", batch_size, progress)

    def encode_documents(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        return self._encode(texts, "passage", batch_size, progress)
