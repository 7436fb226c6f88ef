"""Several scripts write into one document: each owns a section between its own markers."""

from __future__ import annotations

from pathlib import Path


def replace_section(doc: Path, start: str, end: str, markdown: str, title: str) -> None:
    """Put `markdown` between `start` and `end` in `doc`, leaving every other section alone.

    A missing section is appended; a missing document is created with `title` as its heading."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else f"# {title}\n"
    section = f"{start}\n{markdown.strip()}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")
