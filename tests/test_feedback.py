"""Feedback storage (SQLite) and the report built from it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from suggest.cli import main
from suggest.errors import ConfigError, InputError, ScopeError
from suggest.feedback import SCHEMA_VERSION, Feedback, FeedbackStore, build_report, format_report


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "var" / "feedback.sqlite3")


def shown(message: str, outcome: str, source: str | None = None, ids: tuple[str, ...] = ("invoice", "ship-time"),
          sent_text: str | None = None, platform: str = "tmall") -> Feedback:
    return Feedback("req", message, platform, outcome, ids, source, sent_text)


def test_feedback_is_durable_and_versioned(store: FeedbackStore):
    row = store.record(shown("能开发票吗", "sent", "invoice"))
    store.close()
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT id, message, outcome, source FROM feedback").fetchall() == [(row, "能开发票吗", "sent", "invoice")]
    assert db.execute("SELECT source FROM feedback_shown ORDER BY position").fetchall() == [("invoice",), ("ship-time",)]
    db.close()
    reopened = FeedbackStore(store.path)  # opening again migrates nothing and keeps the data
    assert reopened.count() == 1
    reopened.close()


def test_another_programs_database_is_refused_and_left_alone(tmp_path: Path):
    path = tmp_path / "other.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(ConfigError, match="not a suggest feedback database"):
        FeedbackStore(path)
    assert path.read_bytes() == before and not (tmp_path / "other.sqlite3-wal").exists()
    assert main(["report", "--db", str(path)]) == 2


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path):
    path = tmp_path / "feedback.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(ConfigError, match="schema version"):
        FeedbackStore(path)


@pytest.mark.parametrize(
    ("feedback", "error", "mentions"),
    [
        (lambda: shown("在吗", "sent"), InputError, "needs the source id"),
        (lambda: shown("在吗", "edited", "invoice"), InputError, "needs sent_text"),
        (lambda: shown("在吗", "none", "invoice"), InputError, "must be null"),
        (lambda: shown("在吗", "sent", "other"), InputError, "not among the suggestions shown"),
        (lambda: shown("在吗", "liked"), InputError, "outcome must be one of"),
        (lambda: shown("  ", "none"), InputError, "empty"),
        (lambda: shown("在吗", "none", platform="ebay"), ScopeError, "unknown platform"),
    ],
)
def test_inconsistent_feedback_is_refused(feedback, error: type[Exception], mentions: str):
    with pytest.raises(error, match=mentions):
        feedback()


def test_report_acceptance_per_template_and_gaps(store: FeedbackStore):
    store.record(shown("能开发票吗", "sent", "invoice"))
    store.record(shown("发票怎么开", "edited", "invoice", sent_text="亲，可以开的"))
    store.record(shown("发票抬头能改吗", "none"))
    store.record(shown("什么时候发货", "sent", "ship-time", ids=("ship-time",)))
    for message in ("能用花呗吗？", "能用花呗吗", "能用 花呗吗!!", "能用花呗吗"):
        store.record(shown(message, "none", ids=()))
    store.record(Feedback("req", "周日发货吗", "pdd", "none", (), None, "亲，周日也发货哦"))

    report = build_report(store)
    by_source = {t.source: t for t in report.templates}
    assert (by_source["invoice"].shown, by_source["invoice"].sent, by_source["invoice"].edited) == (3, 1, 1)
    assert by_source["invoice"].acceptance == pytest.approx(2 / 3)
    assert by_source["ship-time"].shown == 4 and by_source["ship-time"].acceptance == 0.25
    assert [(g.message, g.count, g.nothing_suggested) for g in report.gaps] == [
        ("能用花呗吗", 4, 4), ("发票抬头能改吗", 1, 0), ("周日发货吗", 1, 1)]
    assert report.gaps[2].agent_reply == "亲，周日也发货哦"

    text = format_report(report)
    assert "Feedback received: 9" in text
    assert text.index("4×  能用花呗吗") < text.index("1×  发票抬头能改吗")
    assert "agent replied: 亲，周日也发货哦" in text and "(2 of 3)" not in text

    shortened = build_report(store, max_gaps=2)
    assert len(shortened.gaps) == 2 and shortened.gaps_total == 3
    assert "most frequent first (2 of 3)" in format_report(shortened)
    none_listed = format_report(build_report(store, max_gaps=0))
    assert "(0 of 3)" in none_listed and "(none)" not in none_listed  # not "no gaps" when there are


def test_report_command(store: FeedbackStore, capsys: pytest.CaptureFixture[str]):
    store.record(shown("能开发票吗", "sent", "invoice"))
    store.close()
    assert main(["report", "--db", str(store.path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["feedback"] == 1
    assert report["templates"][0] == {"source": "invoice", "shown": 1, "sent": 1, "edited": 0, "acceptance": 1.0}
    assert report["gaps_total"] == 0
    with pytest.raises(SystemExit):
        main(["report", "--db", str(store.path), "--gaps", "-1"])
    assert "--gaps: must be 0 or more, not -1" in capsys.readouterr().err


def test_the_report_prints_stored_control_characters_as_code_points(store: FeedbackStore):
    """Messages are stored as received; printed raw, a pasted ESC sequence would clear the
    agent's terminal and a newline would fake a report line."""
    store.record(shown("能开发票吗\x1b[2J", "none", ids=()))
    store.record(Feedback("req", "周日\n  9×  发货吗", "pdd", "none", (), None, "亲\x07，周日也发货哦"))
    assert build_report(store).gaps[0].message == "周日\n  9×  发货吗"  # the data stays as it came
    text = format_report(build_report(store))
    assert "\x1b" not in text and "\x07" not in text
    assert "能开发票吗\\x1b[2J" in text and "周日\\x0a  9×  发货吗" in text
    assert "agent replied: 亲\\x07，周日也发货哦" in text


def test_report_command_without_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["report", "--db", str(tmp_path / "nothing.sqlite3")]) == 1
    assert "no feedback database" in capsys.readouterr().err
    assert not (tmp_path / "nothing.sqlite3").exists()


def test_an_empty_database_reports_so(store: FeedbackStore):
    assert format_report(build_report(store)) == "No feedback recorded yet."
