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


def test_agents_replies_are_masked_and_checked_against_the_rules(tmp_path: Path, capsys, monkeypatch):
    """"agent replied: 加我微信 13800138000" was printed as a draft for a new template."""
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(path)
    store.record(Feedback("r1", "能加个微信吗", "pdd", "none", (), None, "加我微信 13800138000"))
    store.close()
    assert main(["report", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "13800138000" not in out
    assert "agent replied: 加我微信 138****8000\n         ✗ breaks contact-wechat" in out
    assert main(["report", "--db", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    gap = report["gaps"][0]
    assert gap["agent_reply"] == "加我微信 138****8000" and "contact-wechat" in gap["agent_reply_breaks"]
    assert report["rules_problem"] is None

    # Rules named on the command line must load; the default ones may be missing, and it says so.
    assert main(["report", "--db", str(path), "--knowledge", str(tmp_path / "nowhere")]) == 1
    assert "no such knowledge directory" in capsys.readouterr().err
    monkeypatch.setenv("SUGGEST_KNOWLEDGE_DIR", str(tmp_path / "nowhere"))
    assert main(["report", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "(agents' replies not checked against the platform rules: cannot load the rules of" in out
    assert "✗" not in out and "13800138000" not in out
