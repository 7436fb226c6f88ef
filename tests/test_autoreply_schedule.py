"""Working hours: the `hours:` block of a shop file (validation) and the pure schedule module.

2026-03-02 is a Monday. The demo shop works 09:30–18:30 and 13:30–23:00 every day but
Saturday (10:00–16:00 and 22:00–02:00, past midnight) and Sunday (closed).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from suggest.autoreply import format_return_time, is_on_duty, next_on_duty, resolve_time
from suggest.autoreply.schedule import on_duty_since
from suggest.errors import InputError, KnowledgeError
from suggest.knowledge import ShopHours, load_knowledge

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_SHOP = (Path(__file__).parent / "data" / "knowledge" / "shops" / "demo.yaml").read_text(encoding="utf-8")
# Lines of the shop file before the appended `hours:` block.
OFFSET = len(DEMO_SHOP.splitlines())
HOURS = """\
hours:
  timezone: Asia/Shanghai
  weekly:
    daily: [09:30-18:30, 13:30-23:00]
    sat: [10:00-16:00, 22:00-02:00]
    sun: []
  holidays:
    - 2026-02-16
    - 2026-03-08
    - {from: 2026-10-01, to: 2026-10-03}
  special_days:
    - date: 2026-02-17
      shifts: [10:00-18:00]
    - {date: 2026-02-22, shifts: ["11:00-24:00"]}
  off_hours_message: 亲，现在是非工作时间，客服{return_time}上线后会第一时间回复您～
  message_window: 12h
"""


def write_shop(knowledge_dir: Path, hours: str) -> Path:
    path = knowledge_dir / "shops" / "demo.yaml"
    path.write_text(DEMO_SHOP.rstrip("\n") + "\n" + hours, encoding="utf-8")
    return path


@pytest.fixture
def hours(knowledge_dir: Path) -> ShopHours:
    write_shop(knowledge_dir, HOURS)
    loaded = load_knowledge(knowledge_dir).shops["demo"].hours
    assert loaded is not None
    return loaded


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


# ---------------------------------------------------------------------- loading
def test_the_hours_block_is_loaded(hours: ShopHours):
    assert hours.timezone == "Asia/Shanghai"
    assert [str(s) for s in hours.weekly[0]] == ["09:30-18:30", "13:30-23:00"]
    assert [str(s) for s in hours.weekly[5]] == ["10:00-16:00", "22:00-02:00"]
    assert hours.weekly[6] == ()
    assert date(2026, 10, 2) in hours.holidays and len(hours.holidays) == 5
    assert [str(s) for s in hours.special_days[date(2026, 2, 22)]] == ["11:00-24:00"]
    assert hours.message_window == timedelta(hours=12)
    assert hours.fallback_after is None  # off unless configured
    assert hours.file.endswith("demo.yaml") and hours.lines["off_hours_message"] == OFFSET + 15


def test_a_shop_without_hours_has_none(knowledge_dir: Path):
    assert load_knowledge(knowledge_dir).shops["demo"].hours is None


def test_defaults_and_the_fallback(knowledge_dir: Path):
    write_shop(knowledge_dir, "hours:\n  weekly: {weekdays: 09:00-18:00}\n  fallback: {after: 3m}\n")
    hours = load_knowledge(knowledge_dir).shops["demo"].hours
    assert hours is not None and hours.timezone == "Asia/Shanghai"
    assert hours.weekly[4] and not hours.weekly[5]
    assert hours.fallback_after == timedelta(minutes=3)
    assert "{return_time}" in hours.off_hours_message and hours.holding_message and hours.busy_message


def test_the_default_shop_has_hours():
    shop = load_knowledge(Path(__file__).parent.parent / "knowledge").shops["qingzhou"]
    assert shop.hours is not None
    assert is_on_duty(shop.hours, local("2026-03-02T09:30")) and not is_on_duty(shop.hours, local("2026-03-02T23:00"))


BROKEN_HOURS = [
    ("hours:\n  weekly: {daily: [09:00-18:00]}\n  opening: 9\n", OFFSET + 3, "unknown field 'opening'"),
    ("hours:\n  timezone: Mars/Olympus\n  weekly: {daily: [09:00-18:00]}\n", OFFSET + 2, "unknown timezone 'Mars/Olympus'"),
    ("hours:\n  timezone: Asia/Shanghai\n", OFFSET + 1, "needs 'weekly'"),
    ("hours:\n  weekly:\n    funday: [09:00-18:00]\n", OFFSET + 3, "unknown day 'funday'"),
    ("hours:\n  weekly:\n    daily: []\n", OFFSET + 2, "no shift at all"),
    ("hours:\n  weekly:\n    daily:\n      - 09:00-18:00\n      - 25:00-26:00\n", OFFSET + 5, "does not start at a time of day"),
    ("hours:\n  weekly:\n    daily: [09:00-24:30]\n", OFFSET + 3, "does not end at a time of day"),
    ("hours:\n  weekly:\n    daily: [09:30-09:30]\n", OFFSET + 3, "has no length"),
    ("hours:\n  weekly:\n    daily: [9]\n", OFFSET + 3, "must be written 'HH:MM-HH:MM'"),
    ("hours:\n  weekly: {daily: [09:00-18:00]}\n  holidays: [yesterday]\n", OFFSET + 3, "'yesterday' is not a date"),
    ("hours:\n  weekly: {daily: [09:00-18:00]}\n  holidays:\n    - {from: 2026-02-10, to: 2026-02-01}\n", OFFSET + 4,
     "'to' (2026-02-01) is before 'from'"),
    ("hours:\n  weekly: {daily: [09:00-18:00]}\n  holidays: [2026-02-16]\n  special_days:\n"
     "    - {date: 2026-02-16, shifts: [10:00-12:00]}\n", OFFSET + 5, "both a holiday and a special day"),
    ("hours:\n  weekly: {daily: [09:00-18:00]}\n  special_days:\n    - {date: 2026-02-16}\n", OFFSET + 4, "needs 'shifts'"),
    ("hours:\n  weekly: {daily: [09:00-18:00]}\n  off_hours_message: 亲，{shop_name}明天见\n", OFFSET + 3,
     "unknown variable {shop_name}"),
    ("hours:\n  weekly: {daily: [09:00-18:00]}\n  holding_message: 亲，客服{return_time}回来\n", OFFSET + 3,
     "unknown variable {return_time}"),
    ("hours:\n  weekly: {daily: [09:00-18:00]}\n  off_hours_message: 亲，{oops\n", OFFSET + 3, "literal brace"),
    ("hours:\n  weekly: {daily: [09:00-18:00]}\n  message_window: soon\n", OFFSET + 3, "not a duration"),
    ("hours:\n  weekly: {daily: [09:00-18:00]}\n  message_window: 0\n", OFFSET + 3, "longer than zero"),
    ("hours:\n  weekly: {daily: [09:00-18:00]}\n  fallback:\n    message: 亲，稍等\n", OFFSET + 3, "needs 'after'"),
    ("hours:\n  weekly: {daily: [09:00-18:00]}\n  fallback: {after: 2d}\n", OFFSET + 3, "not a duration"),
    ("hours: [09:00-18:00]\n", OFFSET + 1, "'hours' must be a mapping"),
]


@pytest.mark.parametrize(("hours", "line", "message"), BROKEN_HOURS)
def test_malformed_hours_name_the_file_and_line(knowledge_dir: Path, hours: str, line: int, message: str):
    write_shop(knowledge_dir, hours)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(knowledge_dir)
    assert info.value.path.endswith("shops/demo.yaml")
    assert message in info.value.reason
    assert info.value.line == line, str(info.value)


# ---------------------------------------------------------------------- on duty?
@pytest.mark.parametrize(
    ("at", "on_duty"),
    [
        ("2026-03-02T00:00", False),  # midnight of a Monday
        ("2026-03-02T09:29:59", False),
        ("2026-03-02T09:30", True),  # a shift's start is on duty
        ("2026-03-02T18:30", True),  # the early shift ends, the late one (overlapping) goes on
        ("2026-03-02T22:59:59", True),
        ("2026-03-02T23:00", False),  # a shift's end is not
        ("2026-03-07T16:00", False),  # Saturday: between its two shifts
        ("2026-03-07T22:00", True),
        ("2026-03-07T23:59:59", True),
        ("2026-03-08T00:00", True),  # Saturday's shift runs past midnight…
        ("2026-03-08T01:59:59", True),  # …into Sunday, although Sunday is a holiday
        ("2026-03-08T02:00", False),
        ("2026-03-08T12:00", False),  # Sunday: closed
        ("2026-02-16T10:00", False),  # a holiday on a Monday
        ("2026-02-17T09:45", False),  # a special day replaces the weekly shifts…
        ("2026-02-17T10:00", True),
        ("2026-02-17T18:00", False),
        ("2026-02-22T23:59:59", True),  # …on a Sunday, until 24:00
        ("2026-02-23T00:00", False),
        ("2026-10-02T12:00", False),  # inside a holiday range
        ("2026-10-03T23:00", False),  # a Saturday in the range: its night shift is cancelled too
    ],
)
def test_on_duty(hours: ShopHours, at: str, on_duty: bool):
    assert is_on_duty(hours, local(at)) is on_duty


@pytest.mark.parametrize(
    ("at", "back", "said"),
    [
        ("2026-03-02T09:30", "2026-03-02T09:30", "今天09:30"),  # on duty: now
        ("2026-03-02T00:00", "2026-03-02T09:30", "今天09:30"),
        ("2026-03-02T23:00", "2026-03-03T09:30", "明天09:30"),
        ("2026-03-07T16:00", "2026-03-07T22:00", "今天22:00"),
        ("2026-03-08T02:00", "2026-03-09T09:30", "明天09:30"),  # Sunday closed
        ("2026-03-06T23:30", "2026-03-07T10:00", "明天10:00"),
        ("2026-02-15T23:30", "2026-02-17T10:00", "后天10:00"),  # over the holiday, to the special day
        ("2026-10-01T08:00", "2026-10-05T09:30", "10月5日（周一）09:30"),
        ("2026-12-31T23:30", "2027-01-01T09:30", "明天09:30"),
    ],
)
def test_next_on_duty_and_how_it_is_said(hours: ShopHours, at: str, back: str, said: str):
    moment = local(at)
    found = next_on_duty(hours, moment)
    assert found == local(back) and found is not None and found.tzinfo is not None
    assert format_return_time(found, moment, SHANGHAI) == said


def test_return_time_in_another_year():
    assert format_return_time(local("2027-01-04T09:30"), local("2026-12-30T23:30"), SHANGHAI) == "2027年1月4日（周一）09:30"


def test_a_shop_in_a_zone_with_daylight_saving(knowledge_dir: Path):
    write_shop(knowledge_dir, "hours:\n  timezone: America/New_York\n  weekly: {weekdays: [09:00-17:00]}\n")
    hours = load_knowledge(knowledge_dir).shops["demo"].hours
    assert hours is not None
    # 13:30 UTC is 08:30 in New York before the change (EST) and 09:30 after it (EDT, 2026-03-08).
    assert not is_on_duty(hours, datetime(2026, 3, 6, 13, 30, tzinfo=UTC))
    assert is_on_duty(hours, datetime(2026, 3, 9, 13, 30, tzinfo=UTC))
    assert next_on_duty(hours, datetime(2026, 3, 7, 0, 0, tzinfo=UTC)) == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)


# ---------------------------------------------------------------------- "at"
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "2026-03-02T09:00:00+08:00"),  # now
        ("2026-03-02T09:30", "2026-03-02T09:30:00+08:00"),  # no offset: the shop's wall clock
        ("2026-03-02 09:30:15", "2026-03-02T09:30:15+08:00"),
        ("2026-03-02T01:30:00Z", "2026-03-02T09:30:00+08:00"),  # converted
        ("2026-03-02T09:30:00+09:00", "2026-03-02T08:30:00+08:00"),  # Tokyo's 09:30 is 08:30 here
        ("20260302T093000+0800", "2026-03-02T09:30:00+08:00"),  # basic format
    ],
)
def test_resolve_time(value: str | None, expected: str):
    assert resolve_time(value, SHANGHAI, NOW).isoformat() == expected


def test_an_at_with_another_timezone_decides_by_the_instant(hours: ShopHours):
    assert is_on_duty(hours, resolve_time("2026-03-02T01:30:00Z", SHANGHAI, NOW))
    assert not is_on_duty(hours, resolve_time("2026-03-02T09:30:00+09:00", SHANGHAI, NOW))


@pytest.mark.parametrize("value", ["bad", "", "2026-03-02", "2026-13-01T10:00", "2026-03-02T25:00", "1900-01-01T10:00",
                                   "next monday 9am"])
def test_an_invalid_at_is_an_input_error(value: str):
    with pytest.raises(InputError, match="at"):
        resolve_time(value, SHANGHAI, NOW)


@pytest.mark.parametrize(
    ("at", "since"),
    [
        ("2026-03-02T09:30", "2026-03-02T09:30"),  # the shift's first instant
        ("2026-03-02T20:00", "2026-03-02T09:30"),  # overlapping shifts make one stretch
        ("2026-03-07T23:00", "2026-03-07T22:00"),  # Saturday's late shift
        ("2026-03-08T01:59", "2026-03-07T22:00"),  # ... past midnight, into a holiday
        ("2026-02-22T23:59", "2026-02-22T11:00"),  # a special day to 24:00
        ("2026-03-02T23:00", None),  # the end is off duty
        ("2026-03-08T09:30", None),  # a holiday
    ],
)
def test_the_on_duty_stretch_starts_where_the_shifts_join(hours: ShopHours, at: str, since: str | None):
    found = on_duty_since(hours, local(at))
    assert found == (local(since) if since else None)
    assert (found is None) == (not is_on_duty(hours, local(at)))


def test_back_to_back_shifts_across_midnight_are_one_stretch(knowledge_dir: Path):
    write_shop(knowledge_dir, "hours:\n  weekly: {daily: [20:00-24:00, 00:00-04:00]}\n")
    hours = load_knowledge(knowledge_dir).shops["demo"].hours
    assert on_duty_since(hours, local("2026-03-03T03:00")) == local("2026-03-02T20:00")
