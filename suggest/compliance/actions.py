"""Turn violations into what happens to a candidate reply: drop it, mask spans, or flag it."""

from __future__ import annotations

from collections.abc import Sequence

from suggest.compliance.results import FilterOutcome, Violation

MASK_CHAR = "*"


def apply_actions(text: str, violations: Sequence[Violation]) -> FilterOutcome:
    """Drop beats mask: a reply that must not be sent is not worth repairing. Masks keep the
    length of the text, so every other span stays valid; a flag only asks for a human."""
    violations = tuple(violations)
    needs_human = any(v.action == "flag" for v in violations)
    if any(v.action == "drop" for v in violations):
        return FilterOutcome(None, needs_human, violations)
    chars = list(text)
    for v in violations:
        if v.action == "mask":
            for i in range(v.span[0], v.span[1]):
                if not chars[i].isspace():
                    chars[i] = MASK_CHAR
    return FilterOutcome("".join(chars), needs_human, violations)
