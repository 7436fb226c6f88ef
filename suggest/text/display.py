"""Buyers' and agents' text as a terminal shows it."""

from __future__ import annotations

import unicodedata


def printable(text: str, limit: int | None = None) -> str:
    """Control characters as \\xNN code points (a pasted ESC sequence would retitle or clear the
    terminal, a stored newline would break a report's layout), and the text cut after `limit`
    characters (a 3 MB line is not worth printing back)."""
    cut = text if limit is None or len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"
    return "".join(f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c for c in cut)
