"""The text given to a compliance check (`suggest check`, POST /v1/check), checked first.

Nothing in an empty or garbled text can break a rule, so checking it would answer "ok", which a
caller reads as "this reply may be sent". It is refused instead, as a customer message is.
"""

from __future__ import annotations

from suggest.config import MAX_TEXT_CHARS
from suggest.text.checked import checked_text


def check_text(text: object, max_chars: int = MAX_TEXT_CHARS) -> str:
    return checked_text(text, max_chars, "text to check")
