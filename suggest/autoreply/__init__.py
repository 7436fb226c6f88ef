"""The off-hours auto-reply: answer alone when nobody is on duty, and only safely.

    schedule.py   is an agent on duty at t? when is the next one? (pure)
    decide.py     what to send for one message, given the situation and the history (pure)
    notices.py    the shop's own off-hours, holding and busy messages obey the platform rules
    replier.py    AutoReplier: engine + schedule + conversation state (SQLite) + decide

Behaviour and configuration: docs/autoreply.md. Importing this package loads no model.
"""

from suggest.autoreply.decide import REASONS, SENT_REASONS, Candidate, Decision, Policy, Situation, decide, may_send
from suggest.autoreply.notices import check_notices
from suggest.autoreply.replier import AutoReplier
from suggest.autoreply.schedule import format_return_time, is_on_duty, next_on_duty, resolve_time

__all__ = [
    "REASONS",
    "SENT_REASONS",
    "AutoReplier",
    "Candidate",
    "Decision",
    "Policy",
    "Situation",
    "check_notices",
    "decide",
    "format_return_time",
    "is_on_duty",
    "may_send",
    "next_on_duty",
    "resolve_time",
]
