"""`suggest report` as a terminal shows it: long texts cut, --json whole."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from suggest.cli import main
from suggest.feedback import Feedback, FeedbackStore
from suggest.feedback.auto_replies import AutoReply

LONG = "亲" * 2999 + "。"


def test_the_report_cuts_long_texts_and_json_keeps_them(tmp_path: Path, capsys):
    """A 3,000-character auto-reply was printed whole under "latest"."""
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(path)
    store.record(Feedback("req", "在吗" * 1500, "tmall", "none", (), None, None))
    reply = AutoReply(datetime(2026, 3, 2, 23, 35, tzinfo=UTC), "tmall", "demo", "c1", "answer", LONG, "发票" * 1500)
    with store.conversation("tmall", "demo", "c1") as log:
        log.record(reply)
    store.close()
    assert main(["report", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert LONG not in out and "亲" * 201 not in out
    assert "      » " + "亲" * 200 + "… (3,000 characters)" in out
    assert "      « " + "发票" * 100 + "… (3,000 characters)" in out
    assert "在吗" * 100 + "… (3,000 characters)" in out  # the gap too
    assert main(["report", "--db", str(path), "--json"]) == 0
    latest = json.loads(capsys.readouterr().out)["auto_replies"]["latest"][0]
    assert latest["text"] == LONG
