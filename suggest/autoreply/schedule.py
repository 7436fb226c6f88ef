"""When agents are on duty: pure functions of a shop's hours and a moment (no clock, no I/O).

The rules, also in docs/autoreply.md:
- a shift is [start, end): a message at exactly its start is on duty, at exactly its end is not;
- overlapping shifts add up (09:30–18:30 and 13:30–23:00 cover 09:30–23:00 without a gap);
- a shift past midnight belongs to the day it starts: a holiday or a special day replaces the
  shifts starting on that date, not the tail of the evening before;
- comparisons are made between absolute instants (UTC); wall-clock times are read in the
  shop's timezone, so two aware datetimes of one zone are never compared by their wall time.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from suggest.errors import InputError
from suggest.knowledge.hours import ShopHours

# Long enough to step over any realistic closure (a holiday range is at most a year).
HORIZON_DAYS = 400
_WEEKDAY_NAMES = "一二三四五六日"
# A time of day must be given: a bare date is more likely a mistake than "midnight".
_HAS_TIME = re.compile(r"\d[T ]\d")
_YEARS = (2000, 2999)


def shift_intervals(hours: ShopHours, day: date) -> list[tuple[datetime, datetime]]:
    """[start, end) in UTC of each shift starting on `day` (a local date)."""
    zone = hours.zone
    midnight = datetime.combine(day, time())
    intervals = []
    for shift in hours.shifts_on(day):
        start = (midnight + timedelta(minutes=shift.start)).replace(tzinfo=zone).astimezone(UTC)
        end = (midnight + timedelta(minutes=shift.end)).replace(tzinfo=zone).astimezone(UTC)
        intervals.append((start, end))
    return intervals


def is_on_duty(hours: ShopHours, at: datetime) -> bool:
    at = _require_aware(at)
    today = at.astimezone(hours.zone).date()
    # A shift lasts at most a day, so only yesterday's can still be running.
    for day in (today - timedelta(days=1), today):
        if any(start <= at < end for start, end in shift_intervals(hours, day)):
            return True
    return False


def on_duty_since(hours: ShopHours, at: datetime, lookback_days: int = 7) -> datetime | None:
    """The start of the on-duty stretch that `at` falls in (overlapping and back-to-back shifts
    joined), looking back at most `lookback_days`; None when off duty at `at`."""
    at = _require_aware(at)
    today = at.astimezone(hours.zone).date()
    intervals = sorted(
        interval for n in range(lookback_days + 1) for interval in shift_intervals(hours, today - timedelta(days=n))
    )
    current = [(start, end) for start, end in intervals if start <= at < end]
    if not current:
        return None
    since = min(start for start, _ in current)
    for start, end in reversed(intervals):  # latest start first: each step can only reach back
        if start < since <= end:
            since = start
    return since.astimezone(hours.zone)


def next_on_duty(hours: ShopHours, at: datetime) -> datetime | None:
    """`at` itself when on duty, else the start of the next shift, in the shop's timezone;
    None when no shift starts within HORIZON_DAYS."""
    at = _require_aware(at)
    zone = hours.zone
    if is_on_duty(hours, at):
        return at.astimezone(zone)
    today = at.astimezone(zone).date()
    for n in range(HORIZON_DAYS + 1):
        # Every shift of day n starts before any shift of day n + 1: the first day with one wins.
        starts = [start for start, _ in shift_intervals(hours, today + timedelta(days=n)) if start > at]
        if starts:
            return min(starts).astimezone(zone)
    return None


def format_return_time(when: datetime, reference: datetime, zone: ZoneInfo) -> str:
    """`when` as a customer reads it, relative to `reference`: 今天13:30, 明天09:30, 后天09:30,
    else 2月17日（周二）09:30 (with the year when it differs)."""
    local, ref = when.astimezone(zone), reference.astimezone(zone)
    clock = local.strftime("%H:%M")
    days = (local.date() - ref.date()).days
    relative = {0: "今天", 1: "明天", 2: "后天"}.get(days)
    if relative is not None:
        return f"{relative}{clock}"
    year = f"{local.year}年" if local.year != ref.year else ""
    return f"{year}{local.month}月{local.day}日（周{_WEEKDAY_NAMES[local.weekday()]}）{clock}"


def resolve_time(value: str | datetime | None, zone: ZoneInfo, now: datetime, what: str = "at") -> datetime:
    """The moment a request talks about, in the shop's timezone.

    None is `now`; an ISO 8601 time without an offset is a wall-clock time of the shop
    (2026-03-01T23:30 in Shanghai); one with an offset or Z is converted to the shop's zone.
    """
    if value is None:
        return _require_aware(now).astimezone(zone)
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip()
        example = "e.g. 2026-03-01T23:30:00+08:00, or 2026-03-01T23:30 in the shop's timezone"
        if not _HAS_TIME.search(text):
            raise InputError(f"{what} {value!r} is not an ISO 8601 date and time ({example})")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise InputError(f"{what} {value!r} is not an ISO 8601 date and time ({example})") from exc
    if not _YEARS[0] <= parsed.year <= _YEARS[1]:
        raise InputError(f"{what} {value!s} is outside the years {_YEARS[0]}–{_YEARS[1]}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        local = parsed.replace(tzinfo=zone)
        # In a spring-forward gap (02:30 on the night clocks go from 02:00 to 03:00) zoneinfo
        # still gives an instant; it reads back as another wall-clock time.
        if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != parsed.replace(tzinfo=None):
            raise InputError(f"{what} {value!s} does not exist in {zone.key}: the clocks skip it (daylight saving time)")
        return local
    return parsed.astimezone(zone)


def _require_aware(at: datetime) -> datetime:
    # A naive datetime here is a programming error: callers resolve times with resolve_time.
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the time must carry a timezone")
    return at
