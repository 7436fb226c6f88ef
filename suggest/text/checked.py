"""What a text must be before any work is done on it: a customer's message (suggest.engine) or a
reply given to the compliance check (suggest.compliance), which the same refusals protect.

Kept free of heavy imports: `suggest check` uses it without loading the engine.
"""

from __future__ import annotations

import unicodedata

from suggest.errors import InputError

# Characters that show nothing and are not whitespace to str.strip (zero-width space, joiners,
# word joiner, byte-order mark): a message of only these is as empty as one of spaces (helper-41).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u180e"))


def checked_text(text: object, max_chars: int, noun: str) -> str:
    """`text` if it is a non-empty string of at most `max_chars`, not mostly garbage; else
    InputError saying so of "the <noun>"."""
    if not isinstance(text, str):
        raise InputError(f"the {noun} must be text")
    if not text.translate(_INVISIBLE).strip():
        raise InputError(f"the {noun} is empty")
    if len(text) > max_chars:
        raise InputError(f"the {noun} is {len(text)} characters long; the limit is {max_chars}")
    # Decoding garbage bytes leniently yields U+FFFD and control characters; a text that is
    # mostly those is not a customer's message, nor a reply.
    junk = sum(1 for c in text if c == "\ufffd" or (unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r"))
    if junk > max(2, len(text) // 4):
        raise InputError(f"the {noun} looks like binary data, not text")
    return text
