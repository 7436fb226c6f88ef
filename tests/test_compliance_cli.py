"""`suggest check`: JSON shape, exit codes 0/1/2, and standard-input mode."""

from __future__ import annotations

import io
import json

import pytest

from suggest.cli import main


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_ok_reply_exits_0(capsys):
    code, out, _ = run(capsys, ["check", "亲，我们发顺丰哦", "--platform", "tmall", "--json"])
    assert code == 0
    assert json.loads(out) == {"ok": True, "violations": []}


def test_violation_exits_1_with_json(capsys):
    text = "加我薇信：abc123"
    code, out, _ = run(capsys, ["check", text, "--platform", "pdd", "--json"])
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    rules = {v["rule"] for v in data["violations"]}
    assert "contact-wechat" in rules
    for v in data["violations"]:
        start, end = v["span"]
        assert 0 <= start < end <= len(text)
        assert v["message"]


def test_human_readable_output(capsys):
    code, out, _ = run(capsys, ["check", "这款缺货了", "--platform", "tmall"])
    assert code == 1
    assert "not ok" in out and "out-of-stock-wording" in out and "缺货" in out
    code, out, _ = run(capsys, ["check", "好的亲", "--platform", "tmall"])
    assert code == 0 and out.strip() == "ok"


def test_the_platform_is_case_insensitive_as_in_ask(capsys):
    assert main(["check", "亲，包邮哦", "--platform", "PDD"]) == 0
    assert "ok" in capsys.readouterr().out


def test_unknown_platform_is_a_usage_error(capsys):
    code, out, err = run(capsys, ["check", "你好", "--platform", "kuaishou", "--json"])
    assert code == 2
    assert "tmall" in err and out == ""


def test_missing_knowledge_dir_is_a_usage_error(capsys, tmp_path):
    code, _, err = run(capsys, ["check", "你好", "--platform", "tmall", "--knowledge", str(tmp_path / "nope")])
    assert code == 2 and "nope" in err


def test_missing_text_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check"])
    assert exc.value.code == 2


def test_stdin_mode_prints_one_object_per_line(capsys, monkeypatch):
    lines = ["亲，我们发顺丰哦", "加我微信", "", "只能在拼多多平台下单哦"]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, _ = run(capsys, ["check", "-", "--platform", "pdd", "--json"])
    assert code == 1
    results = [json.loads(line) for line in out.splitlines()]
    # The empty line is refused in its place, not passed as ok (nor skipped, shifting the rest).
    assert [r["ok"] for r in results] == [True, False, False, True]
    assert results[2] == {"ok": False, "violations": [], "error": "the text to check is empty"}


def test_a_text_longer_than_the_api_takes_is_refused_and_a_batch_goes_on(capsys, monkeypatch):
    code, out, err = run(capsys, ["check", "加我微信" * 3000, "--platform", "pdd", "--json"])
    assert code == 1 and out == "" and "12000 characters long; the limit is 10000" in err
    data = ("好的亲\n" + "加我微信" * 500_000 + "\n已经发货了\n").encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, err = run(capsys, ["check", "-", "--platform", "pdd", "--json"])
    assert code == 1 and len(out) < 1000  # not megabytes
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["ok"] for r in results] == [True, False, True]
    assert "the text to check is 2000000 characters long" in results[1]["error"]


@pytest.mark.parametrize(("text", "problem"), [
    ("", "the text to check is empty"),
    (" \t\u3000 ", "the text to check is empty"),
    ("\x00\x01\x02", "looks like binary data"),
    ("\ufffd\ufffd\ufffd\ufffd", "looks like binary data"),
])
def test_an_empty_or_binary_text_is_refused_not_ok(capsys, text, problem):
    # Nothing in it can break a rule: "ok" (exit 0) would tell a script the reply may be sent.
    code, out, err = run(capsys, ["check", text, "--platform", "pdd"])
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("suggest: ") and problem in err


def test_stdin_mode_refuses_a_bad_line_in_its_place(capsys, monkeypatch):
    data = "好的亲\n   \n\x00\x01\x02\x03\n已经发货了\n".encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, err = run(capsys, ["check", "-", "--platform", "pdd"])
    assert code == 1 and err == ""
    assert out.splitlines() == ["1: ok", "2: error: the text to check is empty",
                                "3: error: the text to check looks like binary data, not text", "4: ok"]


def test_stdin_mode_all_ok_exits_0(capsys, monkeypatch):
    data = "好的亲\n已经发货了\n".encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, _ = run(capsys, ["check", "-", "--platform", "jd", "--json"])
    assert code == 0
    assert len(out.splitlines()) == 2


def test_shop_option(capsys):
    code, out, _ = run(capsys, ["check", "优衣库也有类似款", "--platform", "tmall", "--shop", "qingzhou", "--json"])
    assert code == 1
    assert json.loads(out)["violations"][0]["rule"] == "qingzhou-competitor-brands"
    code, _, _ = run(capsys, ["check", "优衣库也有类似款", "--platform", "tmall", "--json"])
    assert code == 0


def test_the_configured_knowledge_brings_its_own_rules(capsys, monkeypatch, tmp_path):
    """SUGGEST_KNOWLEDGE_DIR gives the shops and the rules together, as --knowledge does."""
    (tmp_path / "shops").mkdir()
    (tmp_path / "shops" / "s2.yaml").write_text("id: s2\nname: 二店\nplatforms: [tmall]\n", encoding="utf-8")
    (tmp_path / "rules" / "shops").mkdir(parents=True)
    (tmp_path / "rules" / "shops" / "s2.yaml").write_text(
        "shop: s2\nrules:\n  - id: s2-rival\n    message: 不提竞品\n    severity: major\n    action: drop\n    terms: [优衣库]\n",
        encoding="utf-8")
    argv = ["check", "优衣库的也不错", "--platform", "tmall", "--shop", "s2", "--json"]
    assert run(capsys, [*argv, "--knowledge", str(tmp_path)])[0] == 1
    monkeypatch.setenv("SUGGEST_KNOWLEDGE_DIR", str(tmp_path))
    code, out, _ = run(capsys, argv)
    assert code == 1 and "s2-rival" in out
