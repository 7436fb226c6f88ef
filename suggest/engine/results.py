"""What a suggestion request returns; `to_dict` is the JSON contract of the CLI and HTTP API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A flag on a result whose message names another product than the one the caller gave (then
# the replies are filled with the caller's product's facts, which may not be the one asked about).
OTHER_PRODUCT_FLAG = "message-names-product:"
# The first suggestion is a template for a dispute (auto_reply: hand-over): a person answers it.
HAND_OVER_FLAG = "hand-over:"
# The buyer asks for something only a template written for it may answer (WeChat, paying
# outside the platform, another's order, a wrong item…) and this shop has none: whatever
# retrieval finds instead answers another question, so a person answers.
UNANSWERED_TOPIC_FLAG = "unanswered-topic:"


@dataclass(frozen=True)
class Source:
    kind: str  # "template" | "faq"
    id: str


@dataclass(frozen=True)
class Suggestion:
    text: str
    score: float
    source: Source

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "score": round(self.score, 4), "source": {"kind": self.source.kind, "id": self.source.id}}


@dataclass(frozen=True)
class Dropped:
    """A candidate the rule filter refused, shown for debugging."""

    source: Source
    text: str
    rules: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"source": {"kind": self.source.kind, "id": self.source.id}, "text": self.text, "rules": list(self.rules)}


@dataclass
class SuggestResult:
    message: str
    suggestions: list[Suggestion]
    platform: str
    shop: str | None = None
    product: str | None = None
    needs_human: bool = False
    flags: list[str] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    # The answer ranked first and its probability, whether or not anything cleared the
    # threshold (not part of the JSON): the auto-reply reads it to hand a weakly matched
    # complaint over to a person.
    best: Source | None = None
    best_score: float = 0.0
    # How many questions the message asks (suggest/engine/clauses.py; not part of the JSON): the
    # auto-reply never answers one of several alone.
    questions: int = 1

    def to_dict(self, debug: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message": self.message,
            "suggestions": [s.to_dict() for s in self.suggestions],
            "platform": self.platform,
            "shop": self.shop,
            "product": self.product,
            "needs_human": self.needs_human,
            "flags": list(self.flags),
        }
        if debug:
            out["dropped"] = [d.to_dict() for d in self.dropped]
        return out
