"""A shop's working hours (the `hours:` block of shops/<id>.yaml), read and validated.

    hours:
      timezone: Asia/Shanghai              # IANA name (default Asia/Shanghai)
      weekly:                              # daily < weekdays/weekend < mon … sun
        daily: [09:30-18:30, 13:30-23:00]
        sun: [10:00-22:00]
      holidays: [2026-02-16, {from: 2026-10-01, to: 2026-10-03}]
      special_days:
        - {date: 2026-02-17, shifts: [10:00-18:00]}
      off_hours_message: 亲，现在是非工作时间，客服{return_time}上线后会第一时间回复您～
      holding_message: 亲，您反映的问题我们已经记下了，会由专人尽快为您处理，请您稍等～
      message_window: 12h
      fallback: {after: 3m, message: 亲，客服正在忙，马上就来回复您，请稍等～}

Only data lives here; what it means at a given moment is computed in suggest.autoreply.schedule.
Every error is a KnowledgeError with the file and the line, like the rest of the loader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from suggest.errors import KnowledgeError
from suggest.knowledge.fill import variables
from suggest.knowledge.limits import text_too_long
from suggest.knowledge.yaml_lines import LDict, LList

DEFAULT_TIMEZONE = "Asia/Shanghai"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # the order of date.weekday()
# Broader keys first: a more specific key replaces what a broader one set for its days.
_DAY_GROUPS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("daily", tuple(range(7))),
    ("weekdays", (0, 1, 2, 3, 4)),
    ("weekend", (5, 6)),
    *((name, (n,)) for n, name in enumerate(WEEKDAYS)),
)
_HOURS_KEYS = {"timezone", "weekly", "holidays", "special_days", "off_hours_message", "holding_message",
               "message_window", "fallback"}
_FALLBACK_KEYS = {"after", "message"}
_SPECIAL_KEYS = {"date", "from", "to", "shifts"}
RETURN_TIME = "return_time"

DEFAULT_OFF_HOURS_MESSAGE = "亲，现在是非工作时间，客服{return_time}上线后会第一时间回复您，请您稍等～"
DEFAULT_HOLDING_MESSAGE = "亲，您反映的问题我们已经记下了，会由专人尽快为您处理，请您稍等～"
DEFAULT_BUSY_MESSAGE = "亲，客服正在忙，马上就来回复您，请您稍等～"
DEFAULT_WINDOW = timedelta(hours=12)
# Longer than any sensible window; also keeps a mistyped 99999999999999h within what timedelta holds.
MAX_WINDOW = timedelta(days=30)
MAX_FALLBACK_AFTER = timedelta(hours=24)
_MAX_RANGE_DAYS = 366

_CLOCK = r"(\d{1,2}):(\d{2})"
_SHIFT = re.compile(rf"^\s*{_CLOCK}\s*[-–—~～至到]\s*{_CLOCK}\s*$")
_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$", re.IGNORECASE)
# 12:00 or 1:30:00: a clock reading, or hours:minutes? Too ambiguous for how often to message a buyer.
_CLOCK_LIKE = re.compile(r"^\s*\d+(?::\d+)+\s*$")


@dataclass(frozen=True)
class Shift:
    """Minutes after midnight of the day the shift starts on. `end` may pass 1440: the shift then
    runs into the next day. Start inclusive, end exclusive."""

    start: int
    end: int

    def __str__(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end - 1440 if self.end > 1440 else self.end)}"


@dataclass(frozen=True)
class ShopHours:
    timezone: str
    weekly: tuple[tuple[Shift, ...], ...]  # seven days, Monday first
    holidays: frozenset[date] = frozenset()
    special_days: Mapping[date, tuple[Shift, ...]] = field(default_factory=lambda: MappingProxyType({}))
    off_hours_message: str = DEFAULT_OFF_HOURS_MESSAGE
    holding_message: str = DEFAULT_HOLDING_MESSAGE
    busy_message: str = DEFAULT_BUSY_MESSAGE
    message_window: timedelta = DEFAULT_WINDOW
    fallback_after: timedelta | None = None  # None: on duty, nothing is ever sent alone
    file: str = ""
    # Line of each message in the file (for compliance errors), and of the block itself.
    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def shifts_on(self, day: date) -> tuple[Shift, ...]:
        """The shifts that START on `day` (a shift past midnight belongs to the day it starts)."""
        if day in self.holidays:
            return ()
        special = self.special_days.get(day)
        if special is not None:
            return special
        return self.weekly[day.weekday()]

    def messages(self) -> dict[str, str]:
        """The texts the shop may send alone, by the key they are written under."""
        texts = {"off_hours_message": self.off_hours_message, "holding_message": self.holding_message}
        if self.fallback_after is not None:
            texts["fallback.message"] = self.busy_message
        return texts


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_hours(path: Path, raw: Any, line: int) -> ShopHours:
    if not isinstance(raw, LDict):
        raise KnowledgeError(path, line, "'hours' must be a mapping (timezone, weekly, holidays, …)")
    _unknown(path, raw, _HOURS_KEYS, "'hours'")
    timezone = _timezone(path, raw)
    if "weekly" not in raw:
        raise KnowledgeError(path, line, "'hours' needs 'weekly': the shifts of each day of the week")
    weekly = _weekly(path, raw["weekly"], raw.line_of("weekly"))
    holidays = _holidays(path, raw.get("holidays"), raw.line_of("holidays"))
    special = _special_days(path, raw.get("special_days"), raw.line_of("special_days"), holidays)
    lines = {"hours": raw.line}
    off_hours = _message(path, raw, "off_hours_message", DEFAULT_OFF_HOURS_MESSAGE, (RETURN_TIME,), lines)
    holding = _message(path, raw, "holding_message", DEFAULT_HOLDING_MESSAGE, (), lines)
    window = DEFAULT_WINDOW
    if raw.get("message_window") is not None:
        window = _duration(path, raw["message_window"], raw.line_of("message_window"), "message_window", MAX_WINDOW)
    after, busy = None, DEFAULT_BUSY_MESSAGE
    if raw.get("fallback") is not None:
        after, busy = _fallback(path, raw["fallback"], raw.line_of("fallback"), lines)
    return ShopHours(
        timezone=timezone,
        weekly=weekly,
        holidays=frozenset(holidays),
        special_days=MappingProxyType(special),
        off_hours_message=off_hours,
        holding_message=holding,
        busy_message=busy,
        message_window=window,
        fallback_after=after,
        file=str(path),
        lines=MappingProxyType(lines),
    )


def _unknown(path: Path, item: LDict, allowed: set[str], what: str) -> None:
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise KnowledgeError(path, item.line_of(unknown[0]),
                             f"unknown field {unknown[0]!r} in {what} (allowed: {', '.join(sorted(allowed))})")


def _timezone(path: Path, raw: LDict) -> str:
    name = raw.get("timezone")
    if name is None:
        return DEFAULT_TIMEZONE
    if not isinstance(name, str) or not name.strip():
        raise KnowledgeError(path, raw.line_of("timezone"), "'timezone' must be an IANA name such as Asia/Shanghai")
    name = name.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a tzdata folder such as "Asia"
        raise KnowledgeError(path, raw.line_of("timezone"),
                             f"unknown timezone {name!r} (an IANA name such as Asia/Shanghai)") from exc
    return name


def _weekly(path: Path, raw: Any, line: int) -> tuple[tuple[Shift, ...], ...]:
    if not isinstance(raw, LDict):
        raise KnowledgeError(path, line, "'weekly' must map days (daily, weekdays, weekend, mon … sun) to shifts")
    allowed = {name for name, _ in _DAY_GROUPS}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise KnowledgeError(path, raw.line_of(unknown[0]),
                             f"unknown day {unknown[0]!r} in 'weekly' (use daily, weekdays, weekend, {', '.join(WEEKDAYS)})")
    days: list[tuple[Shift, ...]] = [()] * 7
    for name, numbers in _DAY_GROUPS:
        if name in raw:
            shifts = _shifts(path, raw[name], raw.line_of(name), f"weekly {name}")
            for n in numbers:
                days[n] = shifts
    if not any(days):
        raise KnowledgeError(path, line, "'weekly' has no shift at all: agents would never be on duty")
    return tuple(days)


def _shifts(path: Path, raw: Any, line: int, what: str) -> tuple[Shift, ...]:
    """A list of 'HH:MM-HH:MM' texts; empty or null means closed that day."""
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list):
        raise KnowledgeError(path, line, f"{what}: shifts must be a list of 'HH:MM-HH:MM' texts")
    shifts = []
    for n, item in enumerate(items):
        item_line = items.line_of(n) if isinstance(items, LList) else line
        shifts.append(_shift(path, item, item_line, what))
    return tuple(sorted(set(shifts), key=lambda s: (s.start, s.end)))


def _shift(path: Path, raw: Any, line: int, what: str) -> Shift:
    match = _SHIFT.match(raw) if isinstance(raw, str) else None
    if match is None:
        # A bare 9 or 9:30, a mapping, a list: say what to write instead.
        raise KnowledgeError(path, line, f"{what}: shift {raw!r} must be written 'HH:MM-HH:MM', e.g. 09:30-18:30")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59:
        raise KnowledgeError(path, line, f"{what}: {raw!r} does not start at a time of day (00:00–23:59)")
    if m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        raise KnowledgeError(path, line, f"{what}: {raw!r} does not end at a time of day (00:00–24:00)")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start == end:
        raise KnowledgeError(path, line, f"{what}: {raw!r} has no length (a whole day is 00:00-24:00)")
    if end < start:  # past midnight: it ends the next day
        end += 1440
    return Shift(start, end)


def _date(path: Path, raw: Any, line: int, what: str) -> date:
    # Unquoted YAML dates arrive as date objects, quoted ones as text.
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    shown = raw.isoformat(sep=" ") if isinstance(raw, datetime) else repr(raw)  # not datetime.datetime(…)
    raise KnowledgeError(path, line, f"{what}: {shown} is not a date (write YYYY-MM-DD)")


def _date_range(path: Path, item: LDict, what: str) -> list[date]:
    """`date: D`, or `from: D1` + `to: D2` (both included)."""
    if "date" in item:
        if "from" in item or "to" in item:
            raise KnowledgeError(path, item.line, f"{what}: give either 'date' or 'from' and 'to', not both")
        return [_date(path, item["date"], item.line_of("date"), what)]
    if "from" not in item or "to" not in item:
        raise KnowledgeError(path, item.line, f"{what}: needs 'date', or 'from' and 'to'")
    first = _date(path, item["from"], item.line_of("from"), what)
    last = _date(path, item["to"], item.line_of("to"), what)
    if last < first:
        raise KnowledgeError(path, item.line_of("to"), f"{what}: 'to' ({last}) is before 'from' ({first})")
    if (last - first).days >= _MAX_RANGE_DAYS:
        raise KnowledgeError(path, item.line, f"{what}: a range of more than {_MAX_RANGE_DAYS} days")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _holidays(path: Path, raw: Any, line: int) -> set[date]:
    if raw is None:
        return set()
    if not isinstance(raw, LList):
        raise KnowledgeError(path, line, "'holidays' must be a list of dates or {from, to} ranges")
    days: set[date] = set()
    for n, item in enumerate(raw):
        item_line = raw.line_of(n)
        if isinstance(item, LDict):
            _unknown(path, item, {"date", "from", "to"}, "a holiday")
            days.update(_date_range(path, item, "holiday"))
        else:
            days.add(_date(path, item, item_line, "holiday"))
    return days


def _special_days(path: Path, raw: Any, line: int, holidays: set[date]) -> dict[date, tuple[Shift, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, LList):
        raise KnowledgeError(path, line, "'special_days' must be a list of {date, shifts}")
    special: dict[date, tuple[Shift, ...]] = {}
    for n, item in enumerate(raw):
        if not isinstance(item, LDict):
            raise KnowledgeError(path, raw.line_of(n), "each special day must be a mapping {date, shifts}")
        _unknown(path, item, _SPECIAL_KEYS, "a special day")
        if "shifts" not in item:
            raise KnowledgeError(path, item.line, "a special day needs 'shifts' (an empty list: closed, or use 'holidays')")
        days = _date_range(path, item, "special day")
        shifts = _shifts(path, item["shifts"], item.line_of("shifts"), f"special day {days[0]}")
        for day in days:
            if day in special:
                raise KnowledgeError(path, item.line, f"special day {day} is listed twice")
            if day in holidays:
                raise KnowledgeError(path, item.line, f"{day} is both a holiday and a special day")
            special[day] = shifts
    return special


def _message(path: Path, raw: LDict, key: str, default: str, allowed: tuple[str, ...], lines: dict[str, int]) -> str:
    lines[key] = raw.line_of(key) if key in raw else raw.line
    value = raw.get(key)
    if value is None:
        return default
    return _check_message(path, value, lines[key], key, allowed)


def _check_message(path: Path, value: Any, line: int, key: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeError(path, line, f"{key!r} must be a non-empty text")
    if problem := text_too_long(repr(key), value):
        raise KnowledgeError(path, line, problem)
    try:
        names = variables(value)
    except ValueError as exc:
        raise KnowledgeError(path, line, f"{key!r}: {exc} (write a literal brace as {{{{ or }}}})") from exc
    for name in names:
        if name not in allowed:
            known = f"only {{{allowed[0]}}}" if allowed else "none"
            raise KnowledgeError(path, line, f"{key!r}: unknown variable {{{name}}} (allowed: {known})")
    return value.strip()


def _fallback(path: Path, raw: Any, line: int, lines: dict[str, int]) -> tuple[timedelta, str]:
    if not isinstance(raw, LDict):
        raise KnowledgeError(path, line, "'fallback' must be a mapping {after, message}")
    _unknown(path, raw, _FALLBACK_KEYS, "'fallback'")
    if raw.get("after") is None:
        raise KnowledgeError(path, line, "'fallback' needs 'after': how long an agent may leave a message unanswered")
    after = _duration(path, raw["after"], raw.line_of("after"), "fallback after", MAX_FALLBACK_AFTER)
    lines["fallback.message"] = raw.line_of("message") if "message" in raw else raw.line
    message = DEFAULT_BUSY_MESSAGE
    if raw.get("message") is not None:
        message = _check_message(path, raw["message"], lines["fallback.message"], "fallback message", ())
    return after, message


def _duration(path: Path, raw: Any, line: int, what: str, maximum: timedelta) -> timedelta:
    """Whole seconds (180), or a text such as 90s, 3m, 12h, 1h30m; at most `maximum`."""
    seconds: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        seconds = raw
    elif isinstance(raw, str) and raw.strip().isdecimal():  # not isdigit: int() refuses "²"
        seconds = int(raw)
    elif isinstance(raw, str) and raw.strip() and (match := _DURATION.match(raw)) and any(match.groups()):
        h, m, s = (int(g or 0) for g in match.groups())
        seconds = h * 3600 + m * 60 + s
    if seconds is None and isinstance(raw, str) and _CLOCK_LIKE.match(raw):
        raise KnowledgeError(path, line, f"{what}: {raw.strip()!r} is not a duration; write hours and minutes as 12h or 1h30m")
    if seconds is None:
        shown = "a yes/no word" if isinstance(raw, bool) else repr(raw)  # YAML reads yes as True
        raise KnowledgeError(path, line, f"{what}: {shown} is not a duration (seconds, or e.g. 90s, 3m, 12h)")
    if seconds <= 0:
        raise KnowledgeError(path, line, f"{what} must be longer than zero")
    if seconds > maximum.total_seconds():
        raise KnowledgeError(path, line, f"{what} must be at most {_hours_text(maximum)}")
    return timedelta(seconds=seconds)


def _hours_text(span: timedelta) -> str:
    hours = int(span.total_seconds()) // 3600
    return f"{hours}h" if hours <= 24 else f"{hours // 24} days ({hours}h)"
