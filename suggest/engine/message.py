"""Checks on an incoming message before any work is done on it."""

from __future__ import annotations

from suggest.text.checked import checked_text


def check_message(message: object, max_chars: int) -> str:
    return checked_text(message, max_chars, "message")
