"""What the feedback says: how often each template is used, and what the knowledge is missing.

    templates     per suggestion source: shown, sent as is, sent edited, acceptance rate, and the
                  latest texts agents made of it by editing (what the template should perhaps say)
    gaps          customer messages for which no suggestion was used, grouped by their normalised
                  form (suggest.text.normalize), most frequent first, with the suggestions that
                  were shown and not used (the knowledge may have the answer and the matching
                  missed it) and the latest reply an agent wrote by hand: a draft for a new
                  template, so it is checked against the rules of the platform (and shop) it was
                  sent on, when a rule book is given
    auto_replies  replies sent without an agent (off-hours auto-reply): counts by reason, the
                  messages that got the off-hours notice grouped as gaps are (what buyers ask at
                  night that nothing answered), the latest ones, and the messages sent nothing
                  at all because their conversation had had its notice, those needing a person
                  (a complaint, a fault, a threat) first

Buyers' and agents' texts are stored as received; the report masks the personal data in them
(phone numbers, addresses) as the service's logs do (suggest.text.personal_data), in print and in JSON.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from suggest.feedback.auto_replies import AutoReply, Unanswered
from suggest.feedback.store import FeedbackStore, Unused
from suggest.text import normalize
from suggest.text.display import printable
from suggest.text.personal_data import mask_personal_data

if TYPE_CHECKING:
    from suggest.compliance import CheckResult


class Rules(Protocol):
    """What the report needs of a rule book (suggest.compliance.RuleBook)."""

    def check(self, text: str, platform: str, shop: str | None = None) -> CheckResult: ...


@dataclass(frozen=True)
class TemplateStats:
    source: str
    shown: int
    sent: int
    edited: int
    edits: tuple[str, ...] = ()  # the latest texts agents sent after editing it, newest first (masked)
    # Per edit, the rules it breaks on the platform it was sent to ((): none); None: not checked.
    edit_breaks: tuple[tuple[str, ...], ...] | None = None
    edit_platforms: tuple[str, ...] = ()

    @property
    def acceptance(self) -> float:
        """Share of the times it was shown that the agent sent it, as is or edited."""
        return (self.sent + self.edited) / self.shown if self.shown else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = {**asdict(self), "edits": list(self.edits), "acceptance": round(self.acceptance, 4)}
        out["edit_breaks"] = None if self.edit_breaks is None else [list(b) for b in self.edit_breaks]
        out["edit_platforms"] = list(self.edit_platforms)
        return out


@dataclass(frozen=True)
class Gap:
    message: str  # the most frequent wording of the group, personal data masked
    count: int
    nothing_suggested: int  # of `count`, how many times no suggestion was shown at all
    agent_reply: str | None  # the latest reply an agent wrote by hand, a draft for a template (masked)
    agent_reply_platform: str | None = None  # where that reply was sent
    # The rules that reply breaks there (nobody should copy it into a template); None: not checked.
    agent_reply_breaks: tuple[str, ...] | None = None
    # The suggestions shown for the group and not used, most often shown first: (source, times).
    shown_unused: tuple[tuple[str, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["agent_reply_breaks"] = None if self.agent_reply_breaks is None else list(self.agent_reply_breaks)
        out["shown_unused"] = [{"source": source, "count": count} for source, count in self.shown_unused]
        return out


@dataclass(frozen=True)
class AutoReplies:
    by_reason: dict[str, int] = field(default_factory=dict)
    latest: list[AutoReply] = field(default_factory=list)  # newest first
    # Messages answered with the off-hours notice, grouped, most frequent first (masked).
    off_hours: list[tuple[str, int]] = field(default_factory=list)
    # Messages sent nothing (the conversation had had its notice): how many, how many of them
    # needed a person, and the latest, those needing a person first (masked).
    unanswered_total: int = 0
    unanswered_needing_person: int = 0
    unanswered: list[Unanswered] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_reason.values())

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "by_reason": dict(self.by_reason),
                "off_hours": [{"message": m, "count": n} for m, n in self.off_hours],
                "latest": [r.to_dict() for r in self.latest],
                "unanswered": {"total": self.unanswered_total, "needs_human": self.unanswered_needing_person,
                               "latest": [u.to_dict() for u in self.unanswered]}}


@dataclass(frozen=True)
class Report:
    feedback: int
    templates: list[TemplateStats] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    auto_replies: AutoReplies = field(default_factory=AutoReplies)
    gaps_total: int = 0  # distinct gap messages, of which `gaps` lists the most frequent
    # Why agents' replies were not checked against the platform rules (None: they were).
    rules_problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "feedback": self.feedback,
            "templates": [t.to_dict() for t in self.templates],
            "gaps": [g.to_dict() for g in self.gaps],
            "gaps_total": self.gaps_total,
            "auto_replies": self.auto_replies.to_dict(),
            "rules_problem": self.rules_problem,
        }


def build_report(store: FeedbackStore, max_gaps: int = 20, max_auto_replies: int = 10, rules: Rules | None = None,
                 rules_problem: str | None = None) -> Report:
    """`rules`: the rule book agents' replies are checked against; without one, `rules_problem`
    says why, in the report."""
    edits = store.latest_edits()
    templates = [template_stats(row, edits.get(row[0], []), rules) for row in store.acceptance_rows()]
    latest = [masked_auto_reply(r) for r in store.latest_auto_replies(max_auto_replies)]
    night = [(mask_personal_data(message), count) for message, count in grouped(store.off_hours_messages())]
    unanswered = [replace(u, message=mask_personal_data(u.message)) for u in store.latest_unanswered(max_auto_replies)]
    auto = AutoReplies(store.auto_reply_counts(), latest, night[:max_auto_replies], *store.unanswered_counts(), unanswered)
    gaps, gaps_total = find_gaps(store, max_gaps, rules)
    if rules is not None:
        rules_problem = None
    elif rules_problem is None:
        rules_problem = "no rule book was given"
    return Report(store.count(), templates, gaps, auto, gaps_total, rules_problem)


def find_gaps(store: FeedbackStore, limit: int, rules: Rules | None = None) -> tuple[list[Gap], int]:
    """The `limit` most frequent gap messages, and how many distinct ones there are."""
    wordings: dict[str, Counter[str]] = {}
    nothing: Counter[str] = Counter()
    shown: dict[str, Counter[str]] = {}
    replies: dict[str, Unused] = {}
    for unused in store.unused():  # newest first
        key = _add_wording(wordings, unused.message)
        if unused.shown == 0:
            nothing[key] += 1
        shown.setdefault(key, Counter()).update(unused.shown_sources)
        if unused.sent_text and key not in replies:
            replies[key] = unused
    gaps = [replace(gap(wording, count, nothing[key], replies.get(key), rules),
                    shown_unused=tuple(shown[key].most_common(3)))
            for key, wording, count in _ranked(wordings)[:limit]]
    return gaps, len(wordings)


def group_key(message: str) -> str:
    """What messages are grouped by: the normalised text, spaces dropped too (customers space
    Chinese words at random: 能用 花呗吗)."""
    return "".join(normalize(message).split()) or message.strip()


def grouped(messages: list[str]) -> list[tuple[str, int]]:
    """`messages` (newest first) grouped as gaps are: each group's most frequent wording (the
    newest on a tie) and its size, most frequent first."""
    wordings: dict[str, Counter[str]] = {}
    for message in messages:
        _add_wording(wordings, message)
    return [(wording, count) for _, wording, count in _ranked(wordings)]


def _add_wording(wordings: dict[str, Counter[str]], message: str) -> str:
    key = group_key(message)
    wordings.setdefault(key, Counter())[message.strip()] += 1
    return key


def _ranked(wordings: dict[str, Counter[str]]) -> list[tuple[str, str, int]]:
    """(key, most frequent wording, size) per group, the largest first, then by key."""
    groups = [(key, counts.most_common(1)[0][0], counts.total()) for key, counts in wordings.items()]
    return sorted(groups, key=lambda g: (-g[2], g[0]))


def gap(message: str, count: int, nothing_suggested: int, reply: Unused | None, rules: Rules | None) -> Gap:
    """One gap as the report shows it: texts masked, the agent's reply checked (unmasked: the
    rules look for the very numbers masking hides) on the platform and shop it was sent to."""
    found = Gap(mask_personal_data(message), count, nothing_suggested, None)
    if reply is None or not reply.sent_text:
        return found
    breaks = broken_rules(rules, reply.sent_text, reply.platform, reply.shop) if rules is not None else None
    return replace(found, agent_reply=mask_personal_data(reply.sent_text), agent_reply_platform=reply.platform,
                   agent_reply_breaks=breaks)


def template_stats(row: tuple[str, int, int, int], edits: list[tuple[str, str, str | None]],
                   rules: Rules | None) -> TemplateStats:
    """One template's line: its edits masked, and checked (unmasked, as gaps' replies are) on the
    platform and shop each was sent to: an agent who edited 加vx into a Pinduoduo reply broke a
    rule, and the owner must see it there too."""
    breaks = None
    if rules is not None:
        breaks = tuple(broken_rules(rules, text, platform, shop) for text, platform, shop in edits)
    return TemplateStats(*row, edits=tuple(mask_personal_data(text) for text, _, _ in edits), edit_breaks=breaks,
                         edit_platforms=tuple(platform for _, platform, _ in edits))


def broken_rules(rules: Rules, text: str, platform: str, shop: str | None) -> tuple[str, ...]:
    """The rules an agent's text breaks where it was sent, each once: checked unmasked, since the
    rules look for the very numbers masking hides."""
    return tuple(dict.fromkeys(v.rule for v in rules.check(text, platform, shop).violations))


def masked_auto_reply(reply: AutoReply) -> AutoReply:
    """`reply` with the buyer's message masked; the text sent is the knowledge's own, which passed
    the rules (its phone numbers included)."""
    return replace(reply, message=mask_personal_data(reply.message))


def format_report(report: Report) -> str:
    if not report.feedback:
        lines = ["No feedback recorded yet."]
        if report.auto_replies.total or report.auto_replies.unanswered_total:
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
        for n, text in enumerate(t.edits):
            lines.append(f"  {'':<{width}}  edited to: {printable(text)}")
            if t.edit_breaks is not None and t.edit_breaks[n]:
                lines.append(f"  {'':<{width}}    ✗ breaks {', '.join(t.edit_breaks[n])} on {t.edit_platforms[n]}")
    lines += ["", "Gaps: messages with no usable suggestion, most frequent first"
              + (f" ({len(report.gaps)} of {report.gaps_total})" if len(report.gaps) < report.gaps_total else "")]
    if not report.gaps_total:
        lines.append("  (none)")
    if report.rules_problem and any(g.agent_reply for g in report.gaps):
        lines.append(f"  (agents' replies not checked against the platform rules: {printable(report.rules_problem)})")
    for g in report.gaps:
        note = f"  (nothing suggested {g.nothing_suggested}×)" if g.nothing_suggested else ""
        lines.append(f"  {g.count:>5}×  {printable(g.message)}{note}")
        if g.shown_unused:
            lines.append("         shown, not used: " + ", ".join(f"{source} {n}×" for source, n in g.shown_unused))
        if g.agent_reply:
            lines.append(f"         agent replied: {printable(g.agent_reply)}")
            if g.agent_reply_breaks:
                lines.append(f"         ✗ breaks {', '.join(g.agent_reply_breaks)} on {g.agent_reply_platform}: "
                             "not a draft for a template")
    lines += ["", *format_auto_replies(report.auto_replies)]
    return "\n".join(lines)


def format_auto_replies(auto: AutoReplies) -> list[str]:
    lines = [f"Auto-replies sent without an agent: {auto.total}"]
    if not auto.total:
        return lines + format_unanswered(auto)
    lines.append("  " + "  ".join(f"{reason} {count}" for reason, count in auto.by_reason.items()))
    if auto.off_hours:
        lines.append("  answered with the off-hours message (nothing sure enough to send), most frequent first:")
        lines += [f"  {count:>5}×  {printable(message)}" for message, count in auto.off_hours]
    lines.append("  latest:")
    for r in auto.latest:
        when = r.at.strftime("%Y-%m-%d %H:%M %z")
        score = f" {r.score:.2f}" if r.score is not None else ""
        lines.append(f"    {when}  {r.platform}/{r.shop}/{printable(r.conversation)}  {r.reason}{score}")
        lines.append(f"      « {printable(r.message)}")
        lines.append(f"      » {printable(r.text)}")
    return lines + format_unanswered(auto)


def format_unanswered(auto: AutoReplies) -> list[str]:
    if not auto.unanswered_total:
        return []
    lines = [f"Messages sent nothing (their conversation had had its notice): {auto.unanswered_total}, "
             f"needing a person: {auto.unanswered_needing_person}"]
    for u in auto.unanswered:
        when = u.at.strftime("%Y-%m-%d %H:%M %z")
        person = "  ⚠ needs a person" if u.needs_human else ""
        lines.append(f"    {when}  {u.platform}/{u.shop}/{printable(u.conversation)}{person}")
        lines.append(f"      « {printable(u.message)}")
        if u.needs_human and u.flags:
            lines.append(f"      flags: {printable(' · '.join(u.flags))}")
    return lines
