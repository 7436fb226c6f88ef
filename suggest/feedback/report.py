"""What the feedback says: how often each template is used, and what the knowledge is missing.

    templates     per suggestion source: shown, sent as is, sent edited, acceptance rate
    gaps          customer messages for which no suggestion was used, grouped by their normalised
                  form (suggest.text.normalize), most frequent first
    auto_replies  replies sent without an agent (off-hours auto-reply): counts by reason and the
                  latest ones
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from suggest.feedback.auto_replies import AutoReply
from suggest.feedback.store import FeedbackStore
from suggest.text import normalize
from suggest.text.display import printable


@dataclass(frozen=True)
class TemplateStats:
    source: str
    shown: int
    sent: int
    edited: int

    @property
    def acceptance(self) -> float:
        """Share of the times it was shown that the agent sent it, as is or edited."""
        return (self.sent + self.edited) / self.shown if self.shown else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "acceptance": round(self.acceptance, 4)}


@dataclass(frozen=True)
class Gap:
    message: str  # the most frequent wording of the group
    count: int
    nothing_suggested: int  # of `count`, how many times no suggestion was shown at all
    agent_reply: str | None  # the latest reply an agent wrote by hand, a draft for a template

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AutoReplies:
    by_reason: dict[str, int] = field(default_factory=dict)
    latest: list[AutoReply] = field(default_factory=list)  # newest first

    @property
    def total(self) -> int:
        return sum(self.by_reason.values())

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "by_reason": dict(self.by_reason), "latest": [r.to_dict() for r in self.latest]}


@dataclass(frozen=True)
class Report:
    feedback: int
    templates: list[TemplateStats] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    auto_replies: AutoReplies = field(default_factory=AutoReplies)
    gaps_total: int = 0  # distinct gap messages, of which `gaps` lists the most frequent

    def to_dict(self) -> dict[str, Any]:
        return {
            "feedback": self.feedback,
            "templates": [t.to_dict() for t in self.templates],
            "gaps": [g.to_dict() for g in self.gaps],
            "gaps_total": self.gaps_total,
            "auto_replies": self.auto_replies.to_dict(),
        }


def build_report(store: FeedbackStore, max_gaps: int = 20, max_auto_replies: int = 10) -> Report:
    templates = [TemplateStats(*row) for row in store.acceptance_rows()]
    auto = AutoReplies(store.auto_reply_counts(), store.latest_auto_replies(max_auto_replies))
    gaps, gaps_total = find_gaps(store, max_gaps)
    return Report(store.count(), templates, gaps, auto, gaps_total)


def find_gaps(store: FeedbackStore, limit: int) -> tuple[list[Gap], int]:
    """The `limit` most frequent gap messages, and how many distinct ones there are."""
    counts: Counter[str] = Counter()
    wordings: dict[str, Counter[str]] = {}
    nothing: Counter[str] = Counter()
    replies: dict[str, str] = {}
    for message, shown, agent_reply in store.unused():  # newest first
        # Spaces are dropped too: customers space Chinese words at random (能用 花呗吗).
        key = "".join(normalize(message).split()) or message.strip()
        counts[key] += 1
        wordings.setdefault(key, Counter())[message.strip()] += 1
        if shown == 0:
            nothing[key] += 1
        if agent_reply and key not in replies:
            replies[key] = agent_reply
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    gaps = [Gap(wordings[key].most_common(1)[0][0], count, nothing[key], replies.get(key)) for key, count in ranked]
    return gaps, len(counts)


def format_report(report: Report) -> str:
    if not report.feedback:
        lines = ["No feedback recorded yet."]
        if report.auto_replies.total:
            lines += ["", *format_auto_replies(report.auto_replies)]
        return "\n".join(lines)
    lines = [f"Feedback received: {report.feedback}", "", "Acceptance per template (sent as is or edited / shown)"]
    if not report.templates:
        lines.append("  (no suggestion has been shown yet)")
    width = max((len(t.source) for t in report.templates), default=0)
    for t in report.templates:
        lines.append(
            f"  {t.source:<{width}}  {t.acceptance:6.1%}  shown {t.shown:>5}  sent {t.sent:>5}  edited {t.edited:>5}"
        )
    lines += ["", "Gaps: messages with no usable suggestion, most frequent first"
              + (f" ({len(report.gaps)} of {report.gaps_total})" if len(report.gaps) < report.gaps_total else "")]
    if not report.gaps_total:
        lines.append("  (none)")
    for g in report.gaps:
        note = f"  (nothing suggested {g.nothing_suggested}×)" if g.nothing_suggested else ""
        lines.append(f"  {g.count:>5}×  {printable(g.message)}{note}")
        if g.agent_reply:
            lines.append(f"         agent replied: {printable(g.agent_reply)}")
    lines += ["", *format_auto_replies(report.auto_replies)]
    return "\n".join(lines)


def format_auto_replies(auto: AutoReplies) -> list[str]:
    lines = [f"Auto-replies sent without an agent: {auto.total}"]
    if not auto.total:
        return lines
    lines.append("  " + "  ".join(f"{reason} {count}" for reason, count in auto.by_reason.items()))
    lines.append("  latest:")
    for r in auto.latest:
        when = r.at.strftime("%Y-%m-%d %H:%M %z")
        score = f" {r.score:.2f}" if r.score is not None else ""
        lines.append(f"    {when}  {r.platform}/{r.shop}/{printable(r.conversation)}  {r.reason}{score}")
        lines.append(f"      « {printable(r.message)}")
        lines.append(f"      » {printable(r.text)}")
    return lines
