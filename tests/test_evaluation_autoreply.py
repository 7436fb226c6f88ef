"""suggest.evaluation.autoreply: what the off-hours auto-reply sends alone for labelled messages,
through the real AutoReplier (hash embedder, the test knowledge, a real SQLite file)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from test_autoreply import add_hours

from suggest.autoreply import AutoReplier, is_on_duty
from suggest.config import Settings
from suggest.embedding.hashing import HashEmbedder
from suggest.engine import Suggester
from suggest.errors import ConfigError
from suggest.evaluation import Query
from suggest.evaluation.autoreply import evaluate_auto_replies, off_duty_moment
from suggest.feedback import FeedbackStore
from suggest.knowledge import Shift, load_knowledge


@pytest.fixture
def engine(settings: Settings, knowledge_dir: Path, embedder: HashEmbedder) -> Suggester:
    add_hours(knowledge_dir)  # 09:30-18:30 and 13:30-23:00, Asia/Shanghai
    return Suggester.open(settings, embedder=embedder)


def test_answers_sent_alone_are_counted_right_or_wrong_by_their_label(engine: Suggester, tmp_path: Path) -> None:
    queries = [
        Query("能开发票吗", "invoice", 2, "tmall"),
        Query("能开发票吗", "ship-time", 3, "tmall"),  # labelled with another answer: a wrong one sent
        Query("少发了怎么补偿", "refund-pdd", 4, "pdd"),  # a hand-over template: the holding message
        Query("能开发票吗", "", 5, "tmall"),  # no answer fits: whatever is sent is wrong
    ]
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    m = evaluate_auto_replies(AutoReplier(engine, auto_send_threshold=0.0), queries, store)
    store.close()
    assert (m.n, m.answered, m.right, m.wrong, m.holding, m.off_hours) == (4, 3, 1, 2, 1, 0)
    assert m.holding_labelled == 1  # its label is the hand-over template itself


def test_nothing_is_sent_alone_above_any_probability(engine: Suggester, tmp_path: Path) -> None:
    queries = [Query("能开发票吗", "invoice", 2, "tmall"), Query("什么时候发货", "ship-time", 3, "tmall")]
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    m = evaluate_auto_replies(AutoReplier(engine, auto_send_threshold=1.01), queries, store)
    store.close()
    assert (m.answered, m.right, m.off_hours) == (0, 0, 2)


def test_the_moment_is_off_duty_and_a_shop_always_on_duty_is_refused(knowledge_dir: Path) -> None:
    add_hours(knowledge_dir)
    hours = load_knowledge(knowledge_dir).shops["demo"].hours
    assert hours is not None
    moment = off_duty_moment(hours, datetime(2026, 3, 2, 12, 0))  # noon, on duty: the search moves on
    assert not is_on_duty(hours, moment) and (moment.hour, moment.minute) == (23, 0)
    always = replace(hours, weekly=tuple((Shift(0, 1440),) for _ in range(7)), holidays=frozenset())
    with pytest.raises(ConfigError, match="around the clock"):
        off_duty_moment(always)
