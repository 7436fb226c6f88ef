"""What a check returns: violations with spans in the original text, and what to do about them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    span: tuple[int, int]  # [start, end) in the ORIGINAL text
    severity: str
    action: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "message": self.message,
            "span": [self.span[0], self.span[1]],
            "severity": self.severity,
            "action": self.action,
        }


@dataclass(frozen=True)
class CheckResult:
    violations: tuple[Violation, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def rules(self) -> list[str]:
        return sorted({v.rule for v in self.violations})

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "violations": [v.to_dict() for v in self.violations]}


@dataclass(frozen=True)
class FilterOutcome:
    """A candidate reply after the rules' actions: dropped (text None), masked, and/or flagged."""

    text: str | None
    needs_human: bool
    violations: tuple[Violation, ...] = ()

    @property
    def dropped(self) -> bool:
        return self.text is None

    @property
    def dropped_by(self) -> list[str]:
        """Ids of the rules that dropped the candidate (for the debugging view of suggestions)."""
        return sorted({v.rule for v in self.violations if v.action == "drop"})

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "dropped": self.dropped,
            "needs_human": self.needs_human,
            "violations": [v.to_dict() for v in self.violations],
        }


@dataclass(frozen=True)
class Inbound:
    """What the customer's message asks for, as far as compliance is concerned."""

    needs_human: bool
    reasons: tuple[str, ...] = ()  # why a human should look (for the agent)
    topics: frozenset[str] = field(default_factory=frozenset)
    escalations: tuple[str, ...] = ()  # ids of the escalation entries that matched

    def to_dict(self) -> dict[str, Any]:
        return {
            "needs_human": self.needs_human,
            "reasons": list(self.reasons),
            "topics": sorted(self.topics),
            "escalations": list(self.escalations),
        }
