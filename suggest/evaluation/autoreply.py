"""What the off-hours auto-reply sends alone for labelled messages.

The figure that matters for a reply nobody checks is how often it is wrong, not how often the
right answer is ranked first. Each message is its own conversation, at an hour when nobody is
on duty, through the AutoReplier the HTTP route and the CLI use: the auto-send threshold, the
rule filter, hand-over templates and notices all take part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from suggest.autoreply import AutoReplier, is_on_duty
from suggest.errors import ConfigError
from suggest.evaluation.metrics import Query
from suggest.feedback import FeedbackStore
from suggest.knowledge import ShopHours

if TYPE_CHECKING:
    from suggest.engine import Suggester

# Looked for from here on; any instant works as long as the shop is off duty then.
SEARCH_FROM = datetime(2026, 3, 3, 3, 0)
STEP = timedelta(minutes=30)


@dataclass(frozen=True)
class AutoReplyMetrics:
    n: int
    answered: int  # an answer sent alone (reason "answer")
    right: int  # of those, the labelled answer
    holding: int  # the holding message: the message needs a person
    off_hours: int  # the off-hours message: nothing sure enough to send
    holding_labelled: int = 0  # of the holding messages, those whose labelled answer is a hand-over template

    @property
    def wrong(self) -> int:
        return self.answered - self.right

    def to_dict(self) -> dict[str, object]:
        return {"n": self.n, "answered": self.answered, "right": self.right, "holding": self.holding,
                "off_hours": self.off_hours, "holding_labelled": self.holding_labelled}


def off_duty_moment(hours: ShopHours, start: datetime = SEARCH_FROM) -> datetime:
    """The first half hour from `start` (the shop's wall clock) when nobody is on duty."""
    moment = start.replace(tzinfo=hours.zone)
    for _ in range(14 * 48):
        if not is_on_duty(hours, moment):
            return moment
        moment += STEP
    raise ConfigError("the shop is on duty around the clock: there is no off-hours time to measure the auto-reply at")


def evaluate_auto_replies(replier: AutoReplier, queries: Sequence[Query], store: FeedbackStore,
                          platform: str | None = None) -> AutoReplyMetrics:
    """Every query off duty, each in a conversation of its own; a query without a gold id is
    one no answer fits, so any answer sent for it is wrong."""
    suggester = replier.suggester
    answered = right = holding = off_hours = holding_labelled = 0
    moments: dict[str, datetime] = {}  # per shop: the search is the same for every query
    for number, query in enumerate(queries):
        scope = suggester.platform_of(query.platform or platform)
        shop = suggester.shop_of(None, scope)
        if shop not in moments:
            hours = suggester.kb.shops[shop].hours
            if hours is None:
                raise ConfigError(f"the default shop on {scope} has no working hours: its auto-reply sends nothing")
            moments[shop] = off_duty_moment(hours)
        decision = replier.reply(store, query.text, scope, None, f"eval-{number}", at=moments[shop])
        if decision.reason == "answer":
            answered += 1
            right += bool(query.gold) and decision.source is not None and decision.source.split(":", 1)[1] == query.gold
        elif decision.reason == "needs_human":
            holding += 1
            holding_labelled += bool(query.gold) and _hand_over(suggester, query.gold)
        elif decision.reason == "off_hours":
            off_hours += 1
    return AutoReplyMetrics(len(queries), answered, right, holding, off_hours, holding_labelled)


def _hand_over(suggester: Suggester, answer_id: str) -> bool:
    entry = suggester.kb.find(answer_id)
    return entry is not None and entry.auto_reply == "hand-over"
