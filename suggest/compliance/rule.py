"""What one compliance rule is, once read from its file."""

from __future__ import annotations

import re
from dataclasses import dataclass

SEVERITIES = ("critical", "major", "minor")
ACTIONS = ("drop", "mask", "flag")
VIEWS = ("joined", "plain")

# Characters of normalised text a hit may be from its context (near / unless_near) and still
# count as "near". About one short clause of Chinese.
DEFAULT_WINDOW = 10


@dataclass(frozen=True)
class Pattern:
    source: str  # as written in the rule file
    regex: re.Pattern[str]
    view: str  # "joined" (separators removed) or "plain" (separators kept)
    line: int


@dataclass(frozen=True)
class Rule:
    id: str
    message: str  # for the agent, in Chinese
    severity: str  # critical | major | minor
    action: str  # drop | mask | flag
    terms: tuple[str, ...] = ()
    patterns: tuple[Pattern, ...] = ()
    allow: tuple[str, ...] = ()  # a hit inside one of these phrases is fine
    allow_patterns: tuple[Pattern, ...] = ()  # … or inside a match of one of these (joined view)
    near: tuple[str, ...] = ()  # if given, a hit counts only with one of these near it
    unless_near: tuple[str, ...] = ()  # a hit with one of these near it is fine
    window: int = DEFAULT_WINDOW
    platforms: frozenset[str] | None = None  # None: every platform the file applies to
    overridable: bool = False  # may a shop file disable or replace it?
    allow_own_domains: bool = False  # URLs on the platform's own domains are fine
    path: str = ""
    line: int = 0

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"
