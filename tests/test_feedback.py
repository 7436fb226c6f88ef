"""Feedback storage (SQLite) and the report built from it."""

from __future__ import annotations

import itertools
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from suggest.api.privacy import ADDRESS_MASK
from suggest.cli import main
from suggest.compliance import load_rules
from suggest.errors import ConfigError, InputError, ScopeError, StorageError
from suggest.feedback import SCHEMA_VERSION, Feedback, FeedbackStore, build_report, format_report
from suggest.feedback.auto_replies import AutoReply
from suggest.feedback.store import MIGRATIONS, FeedbackConflict, NoFeedbackDatabase


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "var" / "feedback.sqlite3")


REQUESTS = itertools.count(1)


def shown(message: str, outcome: str, source: str | None = None, ids: tuple[str, ...] = ("invoice", "ship-time"),
          sent_text: str | None = None, platform: str = "tmall") -> Feedback:
    """A feedback for a request of its own (a request gets one feedback)."""
    return Feedback(f"req-{next(REQUESTS)}", message, platform, outcome, ids, source, sent_text)


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
        (lambda: shown("在吗", "sent", "invoice", ids=("invoice",) * 3), InputError, "names 'invoice' 3 times"),
        (lambda: shown("在吗", "none", ids=("invoice", "ship-time", "invoice")), InputError, "names 'invoice' 2 times"),
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
    store.record(Feedback("req-sunday", "周日发货吗", "pdd", "none", (), None, "亲，周日也发货哦"))

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

    # What agents made of a template, and what was shown for a gap: the knowledge may have had the
    # answer, worded or matched badly.
    assert by_source["invoice"].edits == ("亲，可以开的",)
    assert "edited to: 亲，可以开的" in text
    assert report.gaps[1].shown_unused == (("invoice", 1), ("ship-time", 1))
    assert "shown, not used: invoice 1×, ship-time 1×" in text
    assert report.gaps[0].shown_unused == ()

    shortened = build_report(store, max_gaps=2)
    assert len(shortened.gaps) == 2 and shortened.gaps_total == 3
    assert "most frequent first (2 of 3)" in format_report(shortened)
    none_listed = format_report(build_report(store, max_gaps=0))
    assert "(0 of 3)" in none_listed and "(none)" not in none_listed  # not "no gaps" when there are


def test_an_edit_that_breaks_a_rule_is_marked_like_an_agents_own_reply(store: FeedbackStore):
    """An agent edited the photos template into 加vx on Pinduoduo: the report printed it as what
    the template perhaps should say, unchecked, where agents' own replies are checked (helper-37)."""
    store.record(Feedback("r1", "有实拍图吗", "pdd", "edited", ("real-photos",), "real-photos",
                          "亲，实拍图我发您微信吧，加vx：qz8888"))
    store.record(Feedback("r2", "有实拍图吗", "tmall", "edited", ("real-photos",), "real-photos", "亲，详情页就是实拍哦"))
    report = build_report(store, rules=load_rules(None))
    [stats] = report.templates
    assert stats.edits == ("亲，详情页就是实拍哦", "亲，实拍图我发您微信吧，加vx：qz8888")
    assert stats.edit_breaks is not None and stats.edit_breaks[0] == () and stats.edit_breaks[1]
    assert stats.edit_platforms == ("tmall", "pdd")
    text = format_report(report)
    assert f"edited to: 亲，实拍图我发您微信吧，加vx：qz8888\n{' ' * len('real-photos')}      ✗ breaks " in text
    assert text.count("✗ breaks") == 1 and " on pdd" in text
    assert build_report(store).templates[0].edit_breaks is None  # no rule book: not checked, not "fine"


def test_report_command(store: FeedbackStore, capsys: pytest.CaptureFixture[str]):
    store.record(shown("能开发票吗", "sent", "invoice"))
    store.close()
    assert main(["report", "--db", str(store.path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["feedback"] == 1
    assert report["templates"][0] == {"source": "invoice", "shown": 1, "sent": 1, "edited": 0, "edits": [],
                                      "edit_breaks": [], "edit_platforms": [], "acceptance": 1.0}
    assert report["gaps_total"] == 0
    with pytest.raises(SystemExit):
        main(["report", "--db", str(store.path), "--gaps", "-1"])
    assert "--gaps: must be 0 or more, not -1" in capsys.readouterr().err


def test_the_report_prints_stored_control_characters_as_code_points(store: FeedbackStore):
    """Messages are stored as received; printed raw, a pasted ESC sequence would clear the
    agent's terminal and a newline would fake a report line."""
    store.record(shown("能开发票吗\x1b[2J", "none", ids=()))
    store.record(Feedback("req-sunday", "周日\n  9×  发货吗", "pdd", "none", (), None, "亲\x07，周日也发货哦"))
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


# ---------------------------------------------------------------------- one feedback per request
def test_a_shown_list_naming_an_id_twice_is_not_counted_twice(store: FeedbackStore):
    """One send reported "shown 3, sent 3": each position of `shown` counted as a showing."""
    with pytest.raises(InputError, match="names 'invoice' 3 times"):
        store.record(Feedback("r1", "能开发票吗", "tmall", "sent", ("invoice",) * 3, "invoice"))
    assert store.count() == 0 and build_report(store).templates == []


def test_a_repeated_feedback_is_stored_once(store: FeedbackStore):
    """A chat tool retrying after a timeout sent the same body twice: two rows, counted twice."""
    feedback = Feedback("r1", "能开发票吗", "tmall", "sent", ("invoice", "ship-time"), "invoice", shop="demo")
    first = store.record_once(feedback)
    assert first[1] is True
    assert store.record_once(Feedback("r1", "能开发票吗", "tmall", "sent", ("invoice", "ship-time"), "invoice",
                                      shop="demo")) == (first[0], False)
    other_process = FeedbackStore(store.path)  # a second connection: the look-up is in the write transaction
    assert other_process.record_once(feedback) == (first[0], False)
    other_process.close()
    assert store.count() == 1
    assert [(t.source, t.shown, t.sent) for t in build_report(store).templates] == [("invoice", 1, 1), ("ship-time", 1, 0)]


@pytest.mark.parametrize(
    ("change", "differs"),
    [({"outcome": "edited", "sent_text": "亲，可以开的"}, "outcome, sent_text"),
     ({"shown": ("ship-time", "invoice")}, "shown"),
     ({"message": "能开票吗"}, "message"),
     ({"shop": None}, "shop")],
)
def test_a_different_feedback_for_the_same_request_is_refused(store: FeedbackStore, change: dict[str, object],
                                                              differs: str):
    fields: dict[str, object] = {"request_id": "r1", "message": "能开发票吗", "platform": "tmall", "outcome": "sent",
                                 "shown": ("invoice", "ship-time"), "source": "invoice", "shop": "demo"}
    row = store.record(Feedback(**fields))  # type: ignore[arg-type]
    with pytest.raises(FeedbackConflict, match=rf"request 'r1' already has a feedback \(id {row}\) that differs in {differs};"):
        store.record(Feedback(**{**fields, **change}))  # type: ignore[arg-type]
    assert store.count() == 1
    assert store.record_once(Feedback(**fields)) == (row, False)  # type: ignore[arg-type]


def test_a_file_with_several_feedbacks_per_request_still_takes_repeats(tmp_path: Path):
    """Files written before one feedback per request was enforced may hold several: a repeat of
    any of them is that one, anything else a conflict with the first."""
    path = tmp_path / "feedback.sqlite3"
    FeedbackStore(path).close()
    db = sqlite3.connect(path)
    for outcome in ("none", "none"):
        db.execute("INSERT INTO feedback (created_at, request_id, message, platform, outcome) VALUES (?, ?, ?, ?, ?)",
                   ("2026-01-01T00:00:00+00:00", "r", "在吗" if not db.total_changes else "你好", "tmall", outcome))
    db.commit()
    db.close()
    store = FeedbackStore(path)
    assert store.record_once(Feedback("r", "你好", "tmall", "none")) == (2, False)
    with pytest.raises(FeedbackConflict, match=r"\(id 1\) that differs in message"):
        store.record(Feedback("r", "早上好", "tmall", "none"))
    store.close()


# ---------------------------------------------------------------------- the report only reads
def test_the_report_leaves_an_empty_file_as_it_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """It printed "No feedback recorded yet." and wrote a 40 KB database into the 0-byte file."""
    path = tmp_path / "feedback.sqlite3"
    path.touch()
    assert main(["report", "--db", str(path)]) == 1
    assert f"suggest: {path} is an empty file, not a feedback database" in capsys.readouterr().err
    assert path.stat().st_size == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["feedback.sqlite3"]
    with pytest.raises(NoFeedbackDatabase):
        FeedbackStore.open_readonly(path)


def test_an_empty_sqlite_file_is_not_turned_into_a_feedback_database(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "blank.sqlite3"
    db = sqlite3.connect(path)
    db.execute("VACUUM")  # writes a SQLite header and no table
    db.close()
    before = path.read_bytes()
    assert main(["report", "--db", str(path)]) == 1
    assert "holds no feedback database yet" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_the_report_writes_nothing_beside_the_database(store: FeedbackStore, capsys: pytest.CaptureFixture[str]):
    store.record(shown("能开发票吗", "sent", "invoice"))
    store.close()  # the last connection: WAL checkpointed, -wal and -shm removed
    folder = store.path.parent
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert main(["report", "--db", str(store.path)]) == 0
    assert "Feedback received: 1" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_the_report_reads_what_the_running_service_wrote(store: FeedbackStore, capsys: pytest.CaptureFixture[str]):
    """While the service has it open, the latest feedback is in the -wal file: read through it."""
    store.record(shown("能开发票吗", "sent", "invoice"))
    main_file = store.path.read_bytes()
    assert main(["report", "--db", str(store.path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["feedback"] == 1
    assert store.path.read_bytes() == main_file
    store.record(shown("什么时候发货", "none"))  # the service keeps writing meanwhile
    assert main(["report", "--db", str(store.path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["feedback"] == 2
    store.close()


def test_a_file_of_an_older_schema_is_read_without_upgrading_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "feedback.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(f"BEGIN; {MIGRATIONS[0]}; PRAGMA user_version = 1; COMMIT;")
    db.execute("INSERT INTO feedback (created_at, request_id, message, platform, outcome) VALUES (?, ?, ?, ?, ?)",
               ("2026-01-01T00:00:00+00:00", "r", "能开发票吗", "tmall", "none"))
    db.commit()
    db.close()
    before = path.read_bytes()
    assert main(["report", "--db", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["feedback"] == 1 and report["auto_replies"]["total"] == 0
    assert report["auto_replies"]["unanswered"] == {"total": 0, "needs_human": 0, "latest": []}
    assert path.read_bytes() == before  # still version 1: the service upgrades it when it opens it


# ---------------------------------------------------------------------- drafts for new templates
def test_gaps_mask_personal_data_and_mark_replies_that_break_a_rule(store: FeedbackStore):
    """The gaps section printed an agent's reply with its phone number, as a draft for a template."""
    store.record(Feedback("r1", "能加微信吗", "pdd", "none", (), None, "加我微信 13800138000"))
    store.record(Feedback("r2", "改地址到浙江省杭州市西湖区文三路100号，电话13912345678", "tmall", "none", (), None,
                          "好的亲，已经帮您备注了"))
    report = build_report(store, rules=load_rules(None))
    by_message = {g.message: g for g in report.gaps}
    wechat = by_message["能加微信吗"]
    assert wechat.agent_reply == "加我微信 138****8000" and wechat.agent_reply_platform == "pdd"
    assert wechat.agent_reply_breaks is not None and "contact-wechat" in wechat.agent_reply_breaks
    address = by_message[f"{ADDRESS_MASK}，电话139****5678"]  # masking errs on the side of hiding
    assert address.agent_reply_breaks == ()  # checked, and it passes

    text = format_report(report)
    as_json = json.dumps(report.to_dict(), ensure_ascii=False)
    for shown_text in (text, as_json):
        assert "13800138000" not in shown_text and "13912345678" not in shown_text and "文三路100号" not in shown_text
    assert "agent replied: 加我微信 138****8000\n         ✗ breaks contact-wechat" in text
    assert "on pdd: not a draft for a template" in text
    assert text.count("✗ breaks") == 1 and "not checked" not in text

    unchecked = format_report(build_report(store))
    assert "(agents' replies not checked against the platform rules: no rule book was given)" in unchecked
    assert "✗" not in unchecked and "13800138000" not in unchecked


def test_replies_are_checked_with_the_rules_of_their_own_platform(store: FeedbackStore):
    """拼多多 forbids the word 支付宝 itself; on Tmall the same reply breaks no rule."""
    for request, platform in (("r1", "pdd"), ("r2", "tmall")):
        store.record(Feedback(request, f"{platform} 能用支付宝吗", platform, "none", (), None, "亲，支付宝可以用的"))
    breaks = {g.agent_reply_platform: g.agent_reply_breaks for g in build_report(store, rules=load_rules(None)).gaps}
    assert breaks["tmall"] == () and breaks["pdd"] and "pdd-forbidden-words" in breaks["pdd"]


def test_a_full_disk_is_one_clear_error_and_nothing_half_written(store: FeedbackStore):
    """helper-41: on a full disk the auto-reply's failure read "cannot rollback - no transaction is
    active" (its second ROLLBACK), hiding "database or disk is full", and came back as a 500."""
    store.record_once(Feedback("r0", "能开发票吗", "tmall", "sent", ("invoice",), "invoice"))
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")  # the file may not grow: as a full disk
    big = "发票" * 5000
    with pytest.raises(StorageError, match=r"cannot write a feedback to .*feedback.sqlite3: database or disk is full"):
        store.record_once(Feedback("r1", big, "tmall", "sent", ("invoice",), "invoice"))
    reply = AutoReply(datetime(2026, 3, 2, 23, 35, tzinfo=UTC), "tmall", "demo", "c1", "answer", big, big)
    with (pytest.raises(StorageError, match="cannot write the auto-reply log .*: database or disk is full"),
          store.conversation("tmall", "demo", "c1") as log):
        log.record(reply)
    assert store.count() == 1 and not store._db.in_transaction
    store._db.execute("PRAGMA max_page_count = 1073741823")  # space again: it goes on as before
    with store.conversation("tmall", "demo", "c1") as log:
        log.record(reply)
    with store.conversation("tmall", "demo", "c1") as log:
        assert len(log.history) == 1
