"""The decision alone: a pure function of the situation, the policy and the conversation's past."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from suggest.autoreply import REASONS, SENT_REASONS, Candidate, Decision, Policy, Situation, decide

T0 = datetime(2026, 3, 2, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
POLICY = Policy(
    auto_send_threshold=0.8,
    off_hours_message="亲，客服{return_time}上线后回复您～",
    holding_message="亲，已记下，专人处理～",
    busy_message="亲，客服正在忙，请稍等～",
    window=timedelta(hours=12),
    fallback_after=None,
)
ANSWER = Candidate("亲，可以开发票的哦～", 0.9, "template:invoice", compliant=True)
OFF_DUTY = Situation(at=T0, on_duty=False, waited=timedelta(0), needs_human=False, top=ANSWER, return_time="明天09:30")


@dataclass(frozen=True)
class Past:
    reason: str
    text: str
    at: datetime


def test_without_hours_nothing_is_sent():
    assert decide(OFF_DUTY, None) == Decision(False, "not_configured")


def test_on_duty_nothing_is_sent_even_for_a_confident_answer():
    assert decide(replace(OFF_DUTY, on_duty=True, waited=timedelta(hours=1)), POLICY) == Decision(False, "on_duty")


def test_on_duty_fallback_after_the_delay():
    policy = replace(POLICY, fallback_after=timedelta(seconds=180))
    waiting = replace(OFF_DUTY, on_duty=True, top=None)
    assert decide(replace(waiting, waited=timedelta(seconds=179)), policy).reason == "on_duty"
    busy = decide(replace(waiting, waited=timedelta(seconds=180)), policy)  # the delay itself is due
    assert busy == Decision(True, "agent_busy", "亲，客服正在忙，请稍等～")
    confident = decide(replace(waiting, waited=timedelta(seconds=180), top=ANSWER), policy)
    assert confident.reason == "answer" and confident.text == ANSWER.text
    human = decide(replace(waiting, waited=timedelta(seconds=300), needs_human=True, top=ANSWER), policy)
    assert human == Decision(True, "needs_human", "亲，已记下，专人处理～")


def test_an_answer_marked_notice_is_never_sent_alone():
    """'亲，您好，在的哦～' at 02:00, or 'I'll look it up, please wait' with nobody there."""
    present = replace(ANSWER, text="亲，您好，在的哦～", score=0.99, auto_reply="notice")
    assert decide(replace(OFF_DUTY, top=present), POLICY) == Decision(True, "off_hours", "亲，客服明天09:30上线后回复您～")
    policy = replace(POLICY, fallback_after=timedelta(seconds=180))
    waiting = replace(OFF_DUTY, on_duty=True, waited=timedelta(seconds=200), top=present)
    assert decide(waiting, policy) == Decision(True, "agent_busy", "亲，客服正在忙，请稍等～")


def test_an_answer_marked_hand_over_gets_the_holding_message():
    """A dispute (a lost parcel, a rejected refund): a person answers the substance, whatever the score."""
    dispute = replace(ANSWER, text="亲，我们马上为您补发或退款", auto_reply="hand-over")
    for score in (0.5, 0.99):
        decision = decide(replace(OFF_DUTY, top=replace(dispute, score=score)), POLICY)
        assert decision == Decision(True, "needs_human", "亲，已记下，专人处理～")


def test_a_confident_compliant_answer_is_sent_off_duty():
    decision = decide(OFF_DUTY, POLICY)
    assert decision == Decision(True, "answer", ANSWER.text, "template:invoice", 0.9)
    assert decision.to_dict() == {"send": True, "text": ANSWER.text, "reason": "answer"}


@pytest.mark.parametrize(("score", "reason"), [(0.7999, "off_hours"), (0.8, "answer"), (0.95, "answer")])
def test_the_auto_send_threshold_is_inclusive(score: float, reason: str):
    situation = replace(OFF_DUTY, top=replace(ANSWER, score=score))
    assert decide(situation, POLICY).reason == reason


def test_a_non_compliant_answer_is_never_sent():
    decision = decide(replace(OFF_DUTY, top=replace(ANSWER, score=1.0, compliant=False)), POLICY)
    assert decision == Decision(True, "off_hours", "亲，客服明天09:30上线后回复您～")


def test_a_message_that_needs_a_human_gets_the_holding_message_never_the_answer():
    decision = decide(replace(OFF_DUTY, needs_human=True, top=replace(ANSWER, score=1.0)), POLICY)
    assert decision == Decision(True, "needs_human", "亲，已记下，专人处理～")


def test_nothing_to_answer_gets_the_off_hours_message():
    decision = decide(replace(OFF_DUTY, top=None), POLICY)
    assert decision.send and decision.reason == "off_hours" and "明天09:30" in (decision.text or "")


def test_the_off_hours_message_goes_once_per_window():
    history = [Past("off_hours", "亲，客服明天09:30上线后回复您～", T0)]
    quiet = replace(OFF_DUTY, top=None)
    assert decide(replace(quiet, at=T0 + timedelta(hours=11, minutes=59)), POLICY, history) == Decision(
        False, "already_notified")
    assert decide(replace(quiet, at=T0 + timedelta(hours=12)), POLICY, history).reason == "off_hours"
    # A late or replayed message dated before the notice does not get another one.
    assert decide(replace(quiet, at=T0 - timedelta(hours=1)), POLICY, history).reason == "already_notified"
    # ... but a notice dated far ahead of the message (a caller's clock or year typed wrong) does
    # not silence the conversation for ever.
    assert decide(replace(quiet, at=T0 - timedelta(days=3)), POLICY, history).reason == "off_hours"


def test_windows_are_per_kind():
    history = [Past("off_hours", "亲，客服明天09:30上线后回复您～", T0)]
    later = T0 + timedelta(minutes=5)
    assert decide(replace(OFF_DUTY, at=later, needs_human=True), POLICY, history).reason == "needs_human"
    history.append(Past("needs_human", "亲，已记下，专人处理～", later))
    assert decide(replace(OFF_DUTY, at=later, needs_human=True), POLICY, history) == Decision(False, "already_notified")


def test_the_same_answer_is_never_sent_twice():
    history = [Past("answer", ANSWER.text, T0 - timedelta(days=30))]
    decision = decide(OFF_DUTY, POLICY, history)
    assert decision.reason == "off_hours"  # not the answer again, even weeks later
    other = replace(ANSWER, text="亲，这款付款后48小时内发货哦～", source="template:ship-time")
    assert decide(replace(OFF_DUTY, top=other), POLICY, history).reason == "answer"


def test_literal_braces_in_notices():
    policy = replace(POLICY, off_hours_message="亲，{{休息中}}，客服{return_time}回来", holding_message="亲，{{稍等}}")
    assert decide(replace(OFF_DUTY, top=None), policy).text == "亲，{休息中}，客服明天09:30回来"
    assert decide(replace(OFF_DUTY, needs_human=True), policy).text == "亲，{稍等}"


def test_every_reason_is_explained():
    assert set(SENT_REASONS) <= set(REASONS)
