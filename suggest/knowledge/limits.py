"""How long a text in a knowledge file may be."""

from __future__ import annotations

# The longest text a knowledge file may hold (a question, an answer, a fact, a notice): no chat
# message is this long, so a longer one is a paste gone wrong (a whole document, a CSV column
# slipped), which would be sent to buyers as one reply or matched as one question.
MAX_KNOWLEDGE_TEXT_CHARS = 2000


def text_too_long(what: str, text: str) -> str | None:
    """Why `text` is too long for a knowledge file, or None."""
    if len(text) <= MAX_KNOWLEDGE_TEXT_CHARS:
        return None
    return f"{what} is {len(text)} characters long; at most {MAX_KNOWLEDGE_TEXT_CHARS} (no chat message is that long)"
