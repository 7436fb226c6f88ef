"""The contract between the engine and the compliance filter.

Every candidate reply goes through `ReplyFilter.apply` before it is suggested or sent. The
real filter is `suggest.compliance.RuleBook`; `PassThrough` exists for knowledge bases used in
isolation (tests of ranking alone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Verdict:
    text: str | None  # None: the candidate must not be sent at all
    rules: tuple[str, ...] = ()  # ids of the rules that matched
    needs_human: bool = False


@dataclass(frozen=True)
class InboundSignals:
    needs_human: bool = False
    reasons: tuple[str, ...] = ()
    topics: frozenset[str] = field(default_factory=frozenset)


class ReplyFilter(Protocol):
    def verdict(self, text: str, platform: str, shop: str | None) -> Verdict: ...

    def inbound(self, message: str, platform: str) -> InboundSignals: ...


class PassThrough:
    def verdict(self, text: str, platform: str, shop: str | None) -> Verdict:
        return Verdict(text)

    def inbound(self, message: str, platform: str) -> InboundSignals:
        return InboundSignals()
