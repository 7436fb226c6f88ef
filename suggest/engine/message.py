"""Checks on an incoming message before any work is done on it."""

from __future__ import annotations

import unicodedata

from suggest.errors import InputError


def check_message(message: object, max_chars: int) -> str:
    if not isinstance(message, str):
        raise InputError("the message must be text")
    if not message.strip():
        raise InputError("the message is empty")
    if len(message) > max_chars:
        raise InputError(f"the message is {len(message)} characters long; the limit is {max_chars}")
    # Decoding garbage bytes leniently yields U+FFFD and control characters; a message that is
    # mostly those is not a customer's text.
    junk = sum(1 for c in message if c == "\ufffd" or (unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r"))
    if junk > max(2, len(message) // 4):
        raise InputError("the message looks like binary data, not text")
    return message
