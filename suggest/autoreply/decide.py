"""What to send alone for one customer message: a pure function of the situation, the shop's
policy and what this conversation was already sent.

    on duty, no fallback due ............ nothing (agents answer; the service only suggests)
    needs a human ........................ the holding message, never an answer to the substance
      (a flag of the inbound rules, or a top suggestion marked `auto_reply: hand-over`: a dispute)
    confident (≥ auto-send) and compliant  the top suggestion, unless it was sent here before or
      it is marked `auto_reply: notice` (it says someone is there, or promises a person's action)
    otherwise ............................ the off-hours message with the return time
                                           (on duty, after the fallback delay: the busy message)

A notice (off-hours, holding, busy message) goes at most once per conversation within the
shop's window, counted per kind; the same answer is never sent twice to one conversation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from suggest.knowledge import fill

# Why something was (or was not) sent; the first four are sent and logged.
REASONS: dict[str, str] = {
    "answer": "off duty: the top suggestion cleared the auto-send threshold and the rule filter",
    "needs_human": "the message needs a person (complaint, dispute, threat, a flag of the rule filter): holding message",
    "off_hours": "off duty and no confident, compliant answer: the off-hours message with the return time",
    "agent_busy": "on duty, but no agent answered within the shop's fallback delay: the busy message",
    "on_duty": "agents are on duty: they answer, the service only suggests",
    "already_notified": "this conversation got the same kind of notice within the window: nothing more",
    "not_configured": "the shop has no working hours configured: nothing is sent alone",
}
SENT_REASONS = ("answer", "needs_human", "off_hours", "agent_busy")


@dataclass(frozen=True)
class Candidate:
    """The top suggestion, and whether the rule filter lets it be sent without a person."""

    text: str
    score: float  # calibrated probability
    source: str  # "template:invoice"
    compliant: bool
    auto_reply: str = "answer"  # the answer's Entry.auto_reply: answer | notice | hand-over


@dataclass(frozen=True)
class Situation:
    at: datetime  # the message's time, aware
    on_duty: bool
    waited: timedelta  # how long the message has waited for an agent's answer
    needs_human: bool
    top: Candidate | None
    return_time: str  # when agents are back, as the customer reads it


@dataclass(frozen=True)
class Policy:
    auto_send_threshold: float
    off_hours_message: str  # may use {return_time}
    holding_message: str
    busy_message: str
    window: timedelta
    fallback_after: timedelta | None  # None: nothing is sent while agents are on duty


class PastReply(Protocol):
    """One auto-reply already sent to this conversation (see suggest.feedback.auto_replies)."""

    @property
    def reason(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def at(self) -> datetime: ...


@dataclass(frozen=True)
class Decision:
    send: bool
    reason: str
    text: str | None = None
    source: str | None = None  # of an answer
    score: float | None = None  # of an answer

    def to_dict(self) -> dict[str, Any]:
        """The contract of `POST /v1/auto-reply` and `suggest ask --auto --json`."""
        return {"send": self.send, "text": self.text, "reason": self.reason}


def decide(situation: Situation, policy: Policy | None, history: Sequence[PastReply] = ()) -> Decision:
    if policy is None:
        return Decision(False, "not_configured")
    if not may_send(situation, policy):
        return Decision(False, "on_duty")
    fallback = situation.on_duty
    top = situation.top
    if situation.needs_human or (top is not None and top.auto_reply == "hand-over"):
        return _notice("needs_human", _text(policy.holding_message), situation, policy, history)
    sent_texts = {past.text for past in history}
    sendable = top is not None and top.auto_reply == "answer" and top.compliant
    if sendable and top.score >= policy.auto_send_threshold and top.text not in sent_texts:
        return Decision(True, "answer", top.text, top.source, top.score)
    if fallback:
        return _notice("agent_busy", _text(policy.busy_message), situation, policy, history)
    return _notice("off_hours", _text(policy.off_hours_message, situation.return_time), situation, policy, history)


def may_send(situation: Situation, policy: Policy | None) -> bool:
    """Whether anything may go out alone: off duty, or on duty once the fallback delay passed."""
    if policy is None:
        return False
    if not situation.on_duty:
        return True
    return policy.fallback_after is not None and situation.waited >= policy.fallback_after


def _text(message: str, return_time: str = "") -> str:
    """A notice as sent: {return_time} filled, {{ and }} turned into braces."""
    return fill(message, {"return_time": return_time}) or message


def _notice(reason: str, text: str, situation: Situation, policy: Policy, history: Sequence[PastReply]) -> Decision:
    # Within the window on either side: a message dated a little before the last notice (a late
    # or replayed request) gets no second one, and a notice dated far ahead (a caller's clock
    # or year typed wrong) does not silence the conversation for ever.
    if any(past.reason == reason and abs(situation.at - past.at) < policy.window for past in history):
        return Decision(False, "already_notified")
    return Decision(True, reason, text)
