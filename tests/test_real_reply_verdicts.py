"""scripts/real_reply_verdicts.py: a rule change that starts blocking what real agents say is
reported, and fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from script_modules import load_script

verdicts_script = load_script("real_reply_verdicts")
pytestmark = pytest.mark.skipif(not verdicts_script.DIALOG.is_dir(), reason="../shared/bench is not there")


def test_unchanged_rules_change_no_verdict_and_a_stricter_rule_fails(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setattr(verdicts_script, "agent_texts", lambda: ["亲，加我微信吧", "亲，今天就给您发货", "好的亲"])
    saved = tmp_path / "before.json"
    assert verdicts_script.main(["save", str(saved)]) == 0
    before = json.loads(saved.read_text(encoding="utf-8"))
    assert "pdd\t亲，加我微信吧" in before and not any(key.endswith("\t好的亲") for key in before)
    assert verdicts_script.main(["diff", str(saved)]) == 0
    assert "0 verdicts stricter" in capsys.readouterr().out
    saved.write_text(json.dumps({k: v for k, v in before.items() if not k.startswith("pdd\t")}), encoding="utf-8")
    assert verdicts_script.main(["diff", str(saved)]) == 1  # as if pdd's rules had just been added
    assert "pdd  亲，加我微信吧  +" in capsys.readouterr().out


def test_the_real_texts_are_read():
    texts = verdicts_script.agent_texts()
    assert len(texts) > 10_000 and all(t and " " not in t[:1] for t in texts[:100])
