"""The CLI through `suggest.cli.main`, with the hash embedder chosen by configuration."""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from suggest.cli import COMMANDS, build_parser, main
from suggest.knowledge import load_knowledge


@pytest.fixture
def cli_env(monkeypatch, tmp_path: Path, knowledge_dir: Path):
    monkeypatch.setenv("SUGGEST_MODEL", "hash")
    monkeypatch.setenv("SUGGEST_MIN_SCORE", "0.0")
    return ["--knowledge", str(knowledge_dir), "--index", str(tmp_path / "index")]


def test_every_command_has_help():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    helps = {choice.dest: choice.help for choice in sub._choices_actions}
    assert set(helps) == set(sub.choices) and set(helps) <= set(COMMANDS)
    assert all(helps.values()), helps


def test_ask_json_contract(cli_env, capsys):
    assert main(["ask", "亲 能开票不", "--json", *cli_env]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["message"] == "亲 能开票不"
    first = out["suggestions"][0]
    assert set(first) == {"text", "score", "source"}
    assert first["source"] == {"kind": "template", "id": "invoice"}


def test_ask_human_readable(cli_env, capsys):
    assert main(["ask", "sf能发吗", *cli_env]) == 0
    out = capsys.readouterr().out
    assert "顺丰" in out and "template:courier-sf" in out


def test_a_multi_line_answer_stays_under_its_number(cli_env, capsys, tmp_path):
    """helper-44: an answer's "1. … / 2. …" lines were printed at column 0, like suggestions 1 and 2."""
    knowledge = tmp_path / "kb"
    knowledge.mkdir()
    (knowledge / "faq.csv").write_text('id,question,answer\nstain,有污渍怎么办,"亲，这样处理：\n1. 申请售后\n2. 选换货"\n',
                                       encoding="utf-8")
    assert main(["ask", "有污渍怎么办", "--knowledge", str(knowledge), "--index", str(tmp_path / "idx"),
                 "--model", "hash"]) == 0
    assert "  1. 亲，这样处理：\n     1. 申请售后\n     2. 选换货\n" in capsys.readouterr().out


def test_ask_reads_stdin_one_json_per_line(cli_env, capsys, monkeypatch):
    lines = "能开发票吗\n\n什么时候发货\n😊\n".encode() + b"\xff\xfe\x00\x01\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(lines)))
    status = main(["ask", "-", "--json", *cli_env])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 5
    assert rows[0]["suggestions"][0]["source"]["id"] == "invoice"
    assert "error" in rows[1] and rows[1]["suggestions"] == []
    assert rows[2]["suggestions"][0]["source"]["id"] == "ship-time"
    assert rows[3]["suggestions"] == []
    assert "binary" in rows[4]["error"]
    assert status == 1  # some lines could not be answered; the rest were


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "在吗", "--platform", "amazon"], "unknown platform 'amazon'"),
        (["ask", "在吗", "--product", "ghost"], "unknown product 'ghost'"),
        (["ask", "   "], "the message is empty"),
    ],
)
def test_expected_errors_are_one_clean_line(cli_env, capsys, args, message):
    assert main([*args, *cli_env]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("suggest: ") and message in err
    assert "Traceback" not in err


def test_malformed_knowledge_names_file_and_line(cli_env, capsys, knowledge_dir: Path):
    (knowledge_dir / "templates" / "main.yaml").write_text("- id: x\n  questions: [在吗]\n  answr: 在\n", encoding="utf-8")
    assert main(["build", *cli_env]) == 1
    err = capsys.readouterr().err
    assert f"{knowledge_dir / 'templates' / 'main.yaml'}:3: unknown field 'answr'" in err


def test_build_then_ask_uses_the_built_index(cli_env, capsys, tmp_path: Path):
    assert main(["build", *cli_env]) == 0
    assert (tmp_path / "index" / "current").exists()
    capsys.readouterr()
    assert main(["ask", "在吗", "--json", *cli_env]) == 0
    assert "building" not in capsys.readouterr().err


def test_eval_prints_metrics_and_misses(cli_env, capsys, tmp_path: Path):
    faq = tmp_path / "faq.csv"
    faq.write_text(
        "id,question,answer\ninv,能开发票吗,可以开\nship,什么时候发货,48小时内\nsf,能发顺丰吗,可以补差价\n",
        encoding="utf-8",
    )
    queries = tmp_path / "q.csv"
    queries.write_text("query,gold_id\n亲 能开票不,inv\n啥时候发货,ship\nsf可以吗,sf\n今天天气好,inv\n", encoding="utf-8")
    assert main(["eval", "--faq", str(faq), "--queries", str(queries)]) == 0
    out = capsys.readouterr().out
    assert "top-1" in out and "MRR@5" in out and "今天天气好" in out
    assert main(["eval", "--faq", str(faq), "--queries", str(queries), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n"] == 4 and 0.5 <= data["top1"] <= 0.75
    assert any(m["query"] == "今天天气好" for m in data["misses"])


def test_eval_counts_no_answer_rows_apart(cli_env, capsys, tmp_path: Path):
    """An empty gold_id means no answer is right: silence is the right result, not a miss."""
    faq = tmp_path / "faq.csv"
    faq.write_text("id,question,answer\ninv,能开发票吗,可以开\nship,什么时候发货,48小时内\n", encoding="utf-8")
    queries = tmp_path / "q.csv"
    queries.write_text("query,gold_id\n能开发票吗,inv\n哦,\n能开发票吗 在吗,\n", encoding="utf-8")
    assert main(["eval", "--faq", str(faq), "--queries", str(queries), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n"] == 1 and data["top1"] == 1.0 and data["misses"] == []
    assert data["no_answer"]["n"] == 2
    # min_score 0 in this environment: whatever has a candidate is shown; 哦 has nothing to match
    assert data["no_answer"]["suggested"] == 0.5
    assert [m["query"] for m in data["no_answer"]["misses"]] == ["能开发票吗 在吗"]
    assert main(["eval", "--faq", str(faq), "--queries", str(queries)]) == 0
    out = capsys.readouterr().out
    assert "no answer right   2 queries; given a suggestion (wrong) 0.500" in out and "want nothing" in out
    with pytest.raises(SystemExit):
        main(["eval", "--faq", str(faq), "--queries", str(queries), "--misses", "-1"])


def test_eval_faq_with_a_products_column_uses_the_knowledge_catalogue(cli_env, capsys, tmp_path: Path, knowledge_dir: Path):
    faq = tmp_path / "scoped.csv"
    faq.write_text("id,question,answer,products\ntee-wash,短袖能机洗吗,可以机洗,tee\ninv,能开发票吗,可以开,\n", encoding="utf-8")
    queries = tmp_path / "q.csv"
    queries.write_text("query,gold_id\n能开票吗,inv\n", encoding="utf-8")
    # Alone, the FAQ names a product no catalogue defines: a clear knowledge error.
    assert main(["eval", "--faq", str(faq), "--queries", str(queries)]) != 0
    assert "tee" in capsys.readouterr().err
    # With --knowledge, that directory's catalogue stands beside the FAQ (not its templates).
    assert main(["eval", "--faq", str(faq), "--queries", str(queries), "--knowledge", str(knowledge_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n"] == 1 and data["top1"] == 1.0


def test_ask_does_not_echo_terminal_escapes_or_megabytes(cli_env, capsys, monkeypatch):
    lines = "能开发票吗\x1b]0;pwned\x07\x1b[2J\n".encode() + b"x" * 3000 + b"\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(lines)))
    assert main(["ask", "-", *cli_env]) == 1  # the long line is an error, the first is answered
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\\x1b]0;pwned" in out
    assert "x" * 201 not in out and "3,000 characters" in out
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"x" * 3000 + b"\n")))
    assert main(["ask", "-", "--json", *cli_env]) == 1
    assert len(json.loads(capsys.readouterr().out)["message"]) == 200


@pytest.mark.parametrize("limit", ["0", "-1", "21", "x"])
def test_ask_limit_out_of_range_is_a_usage_error(cli_env, capsys, limit: str):
    with pytest.raises(SystemExit) as exit_info:
        main(["ask", "能开发票吗", "--limit", limit, *cli_env])
    assert exit_info.value.code == 2
    assert "--limit" in capsys.readouterr().err


def test_eval_faq_errors_name_the_users_file(cli_env, capsys, tmp_path: Path):
    faq = tmp_path / "shop.csv"
    faq.write_bytes("id,question,answer\na,能开票吗,可以\n".encode() + "b,能开,可以\n".encode("gbk"))
    queries = tmp_path / "q.csv"
    queries.write_text("query,gold_id\n能开票吗,a\n", encoding="utf-8")
    assert main(["eval", "--faq", str(faq), "--queries", str(queries)]) != 0
    assert f"{faq}:3: not valid UTF-8" in capsys.readouterr().err
    assert main(["eval", "--faq", str(tmp_path / "none.csv"), "--queries", str(queries)]) == 2
    assert "no such file" in capsys.readouterr().err


def one_answer_faq(tmp_path: Path) -> Path:
    faq = tmp_path / "faq.csv"
    faq.write_text("id,question,answer\ninv,能开发票吗,可以开\n", encoding="utf-8")
    return faq


def test_eval_refuses_unknown_gold_ids_and_unknown_platforms(cli_env, capsys, tmp_path: Path):
    """A gold id the knowledge lacks could only count as a miss: a typo quietly lowered the figures."""
    faq = one_answer_faq(tmp_path)
    queries = tmp_path / "q.csv"
    queries.write_text("query,gold_id,platform\n能开票吗,inv,tmall\n在吗,nosuch,pdd\n发票呢,invv,\n", encoding="utf-8")
    assert main(["eval", "--faq", str(faq), "--queries", str(queries)]) == 1
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert err == [f"suggest: {queries}:3: gold_id 'nosuch' is not an answer id of the knowledge evaluated "
                   "(2 such rows, lines 3, 4: invv, nosuch)"]
    assert captured.out == ""  # nothing ranked, no index built
    queries.write_text("query,gold_id,platform\n能开票吗,inv,ebay\n", encoding="utf-8")
    assert main(["eval", "--faq", str(faq), "--queries", str(queries)]) != 0
    assert f"{queries}:2: unknown platform 'ebay'" in capsys.readouterr().err


def test_eval_options_are_checked_before_any_build(cli_env, capsys, tmp_path: Path):
    faq = tmp_path / "faq.csv"
    faq.write_text("id,question,answer\ninv,能开发票吗,可以开\nship,什么时候发货,48小时内\n", encoding="utf-8")
    queries = tmp_path / "q.csv"
    queries.write_text("query,gold_id\n今天天气好,inv\n明天下雨吗,ship\n", encoding="utf-8")
    base = ["eval", "--faq", str(faq), "--queries", str(queries)]
    for platform in ("ebay", ""):
        assert main([*base, "--platform", platform]) == 1
        assert f"unknown platform {platform!r}" in capsys.readouterr().err
    assert main([*base, "--knowledge", str(tmp_path / "missing")]) == 2
    assert "no such directory" in capsys.readouterr().err
    assert main([*base, "--platform", "PDD", "--json", "--misses", "1"]) == 0
    assert len(json.loads(capsys.readouterr().out)["misses"]) == 1


def test_an_empty_platform_is_not_the_default_one(cli_env, capsys):
    assert main(["ask", "在吗", "--platform", "", *cli_env]) != 0
    assert "unknown platform ''" in capsys.readouterr().err


def test_check_refuses_an_unknown_shop(cli_env, capsys):
    assert main(["check", "亲，包邮哦", "--platform", "pdd", "--shop", "nosuch", "--knowledge", cli_env[1]]) == 2
    assert "unknown shop 'nosuch'" in capsys.readouterr().err
    assert main(["check", "亲，包邮哦", "--platform", "pdd", "--shop", "demo", "--knowledge", cli_env[1]]) == 0


def chat(cli_env, capsys, monkeypatch, lines: str) -> str:  # type: ignore[no-untyped-def]
    """What `suggest chat` prints for these lines typed in, ending normally."""
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    assert main(["chat", *cli_env]) == 0
    return capsys.readouterr().out


def test_chat_commands_are_checked_and_a_smiley_is_a_message(cli_env, capsys, monkeypatch):
    lines = ":platform ebay\n:shop nope\n:product ghost\n:debug off\n:debug on\n:debug maybe\n:)在吗\n:quit\n"
    out = chat(cli_env, capsys, monkeypatch, lines)
    assert "unknown platform 'ebay'" in out and "platform stays tmall (default)" in out
    assert "unknown shop 'nope'" in out and "unknown product 'ghost'" in out
    assert out.index("debug = off") < out.index("debug = on") and ":debug takes on or off" in out
    assert "» :)在吗" in out  # answered, not taken for a command


def test_ask_shows_a_flag_that_needs_no_hand_over(cli_env, capsys):
    assert main(["ask", "羽绒服什么时候发货", "--product", "tee", *cli_env]) == 0
    out = capsys.readouterr().out
    assert "⚠ message-names-product:down-jacket" in out and "needs a human" not in out


def test_a_chat_script_starting_with_a_byte_order_mark_runs_its_first_command(cli_env, capsys, monkeypatch):
    out = chat(cli_env, capsys, monkeypatch, "\ufeff:platform pdd\n:platform\n")
    assert "platform = pdd" in out and "platform: pdd" in out and "»" not in out


def test_chat_and_ask_survive_bytes_that_are_not_utf8(cli_env, tmp_path: Path):
    """Under a UTF-8 locale, one bad byte used to stop chat with a UnicodeDecodeError, and ask
    with a UnicodeEncodeError (or print invalid UTF-8 in its JSON)."""
    env = {**os.environ, "LC_ALL": "en_US.UTF-8", "LANG": "en_US.UTF-8", "PYTHONIOENCODING": "",
           "SUGGEST_MODEL": "hash", "SUGGEST_MIN_SCORE": "0.0"}
    command = [sys.executable, "-c", "from suggest.cli import entry; entry()", "chat", *cli_env]
    done = subprocess.run(command, input=b"\xff\xfe\xe4\xb8\n\xe5\x9c\xa8\xe5\x90\x97\n", capture_output=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert "Traceback" not in done.stderr.decode(errors="replace")
    out = done.stdout.decode("utf-8")  # valid UTF-8
    assert "在吗" in out
    ask = [sys.executable, "-c", "from suggest.cli import entry; entry()", "ask", os.fsdecode(b"\xe5\x9c\xa8\xff"), "--json", *cli_env]
    done = subprocess.run(ask, capture_output=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert json.loads(done.stdout.decode("utf-8"))["message"] == "在\ufffd"


def test_a_batch_file_saved_with_a_byte_order_mark_reads_its_first_message_whole():
    from suggest.cli.common import read_lines

    assert list(read_lines(io.BytesIO("\ufeff在吗\r\n\ufeff能开票吗\n".encode()))) == ["在吗", "\ufeff能开票吗"]


def test_chat_keeps_the_product_of_the_conversation_until_new(cli_env, capsys, monkeypatch):
    knowledge = Path(cli_env[1])
    name = next(iter(load_knowledge(knowledge).products.values())).name
    out = chat(cli_env, capsys, monkeypatch, f"{name}有现货吗\n什么时候发货\n:new\n什么时候发货\n")
    scopes = re.findall(r"\[(.*)\]", out)
    product = scopes[0].split(" · ")[-1]
    assert len(scopes) == 3 and product != "tmall"
    assert scopes[1].endswith(product)  # carried from the first message
    assert "(new conversation)" in out and not scopes[2].endswith(product)


def test_chat_reads_messages_until_eof(cli_env, capsys, monkeypatch):
    out = chat(cli_env, capsys, monkeypatch, ":platform pdd\n少发了怎么补偿\n:quit\n")
    assert "platform = pdd" in out and "小额打款" in out


def test_eval_names_the_line_of_an_empty_query(cli_env, capsys, tmp_path: Path):
    """A row with a gold id but no query said `q.csv:2: no queries` of the whole file."""
    faq = one_answer_faq(tmp_path)
    queries = tmp_path / "q.csv"
    queries.write_text("query,gold_id\n能开票吗,inv\n\n,inv\n", encoding="utf-8")
    assert main(["eval", "--faq", str(faq), "--queries", str(queries)]) == 1
    assert capsys.readouterr().err.strip() == f"suggest: {queries}:4: empty query"
    queries.write_text("query,gold_id\n,inv\n", encoding="utf-8")
    assert main(["eval", "--faq", str(faq), "--queries", str(queries)]) == 1
    assert capsys.readouterr().err.strip() == f"suggest: {queries}:2: empty query"
    queries.write_text("query,gold_id\n\n,\n", encoding="utf-8")  # blank lines are no rows
    assert main(["eval", "--faq", str(faq), "--queries", str(queries)]) == 1
    assert capsys.readouterr().err.strip() == f"suggest: {queries}:2: no queries after the header"


def test_chat_refuses_a_platform_the_shop_does_not_sell_on(cli_env, capsys, monkeypatch):
    """`:platform jd` used to answer `platform = jd`, and then every message failed."""
    out = chat(cli_env, capsys, monkeypatch, ":platform jd\n:platform\n能开发票吗\n:platform PDD\n:platform\n")
    assert "  ! no shop sells on jd (demo sells on tmall, pdd); platform stays tmall (default)\n" in out
    assert "platform = jd" not in out and "platform: tmall (default)" in out
    assert "[tmall · demo]" in out and "template:invoice" in out  # the message after it is answered
    assert out.endswith("  platform = pdd\n  platform: pdd\n")


def test_chat_setting_commands_alone_show_the_current_value(cli_env, capsys, monkeypatch):
    lines = ":shop\n:product\n:product ghost\n:product tee\n:product\n:product none\n:product\n"
    out = chat(cli_env, capsys, monkeypatch, lines)
    assert "None" not in out
    assert out.splitlines() == [
        "  shop: demo (default)",
        "  product: none",
        "  ! unknown product 'ghost'; known products: tee, down-jacket; product stays none",
        "  product = tee",
        "  product: tee",
        "  product = none",
        "  product: none",
    ]


def test_chat_an_unknown_command_is_not_sent_as_a_message(cli_env, capsys, monkeypatch):
    out = chat(cli_env, capsys, monkeypatch, ":unknowncmd\n:Shop\n:D\n:)\n:在吗\n:Q\n能开发票吗\n")
    assert "  ! unknown command :unknowncmd; commands: :new, :platform, :product, :shop, :debug, :help, :quit\n" in out
    assert "» :unknowncmd" not in out and "shop: demo (default)" in out
    assert "» :D" in out and "» :)" in out and "» :在吗" in out  # smileys and text are messages
    assert "能开发票吗" not in out  # :Q ended the session


def test_chat_refuses_options_that_would_fail_every_message(cli_env, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("能开发票吗\n"))
    assert main(["chat", "--platform", "jd", *cli_env]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines()[-1] == "suggest: no shop sells on jd (demo sells on tmall, pdd)"
    assert "»" not in captured.out


def test_ask_stdin_json_error_lines_have_the_keys_of_result_lines(cli_env, capsys, monkeypatch):
    """An error line lacked platform, shop, needs_human and flags: a consumer had to tell them apart."""
    lines = "能开发票吗\n\n".encode() + b"x" * 3000 + b"\n"
    for extra in ([], ["--debug"]):
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(lines)))
        assert main(["ask", "-", "--json", "--platform", "pdd", *extra, *cli_env]) == 1
        answered, empty, long = (json.loads(line) for line in capsys.readouterr().out.splitlines())
        assert "error" not in answered
        for failed in (empty, long):
            assert set(failed) == set(answered) | {"error"}
            assert (failed["platform"], failed["shop"], failed["product"]) == ("pdd", "demo", None)
            assert (failed["suggestions"], failed["needs_human"], failed["flags"]) == ([], None, [])
        assert "empty" in empty["error"] and "3000 characters" in long["error"]


def test_chat_a_lone_colon_is_an_incomplete_command(cli_env, capsys, monkeypatch):
    out = chat(cli_env, capsys, monkeypatch, ":\n :  \n能开发票吗\n")
    assert out.count("  ! incomplete command ':'; commands: :new, :platform, :product, :shop, :debug, :help, :quit\n") == 2
    assert "» :" not in out and "» 能开发票吗" in out


def scoped_queries(tmp_path: Path, rows: str) -> Path:
    queries = tmp_path / "q.csv"
    queries.write_text(f"query,gold_id,platform\n{rows}", encoding="utf-8")
    return queries


def test_eval_for_a_shop_ranks_its_own_answers_and_reports_them_apart_without_one(cli_env, capsys, tmp_path: Path,
                                                                                 knowledge_dir: Path):
    """A template limited to one shop is never ranked without a shop: `eval` said it was missed
    every time. Without --shop it is out of scope (said so); with --shop it is measured."""
    templates = knowledge_dir / "templates" / "main.yaml"
    templates.write_text(templates.read_text(encoding="utf-8") + "- id: demo-gift\n  shops: [demo]\n"
                         "  questions: [有赠品吗, 送不送小礼物]\n  answer: 亲，每单都送一双袜子哦。\n", encoding="utf-8")
    queries = scoped_queries(tmp_path, "有赠品吗,demo-gift,\n能开发票吗,invoice,\n")
    base = ["eval", "--queries", str(queries), "--knowledge", str(knowledge_dir)]
    assert main([*base, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n"] == 1 and data["misses"] == []
    assert data["out_of_scope"]["queries"] == [{"query": "有赠品吗", "gold": "demo-gift", "line": 2, "platform": "tmall",
                                                "gold_platforms": [], "shop": None, "gold_shops": ["demo"]}]
    assert main(base) == 0
    assert ("gold out of scope for no shop (give --shop)   1 queries, not in the figures: their gold answer is limited "
            "to other shops\n  有赠品吗  →  want demo-gift (shop demo only)") in capsys.readouterr().out
    assert main([*base, "--shop", "demo", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n"] == 2 and data["top1"] == 1.0 and "out_of_scope" not in data
    assert main([*base, "--shop", "nope"]) == 1
    assert "unknown shop 'nope'" in capsys.readouterr().err


def test_eval_reports_a_gold_out_of_scope_for_the_platform_apart(cli_env, capsys, tmp_path: Path, knowledge_dir: Path):
    """refund-pdd is a Pinduoduo template: ranked for tmall it can only be missed, which lowered
    every figure as if the engine had failed."""
    queries = scoped_queries(tmp_path, "能开发票吗,invoice,\n少发了怎么补偿,refund-pdd,\n能补偿点吗,refund-pdd,pdd\n"
                                       "能补偿点吗,refund-pdd,tmall\n")
    base = ["eval", "--queries", str(queries), "--knowledge", str(knowledge_dir)]
    assert main([*base, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n"] == 2 and data["top1"] == 1.0 and data["misses"] == []
    assert data["out_of_scope"] == {"n": 2, "queries": [
        {"query": "少发了怎么补偿", "gold": "refund-pdd", "line": 3, "platform": "tmall", "gold_platforms": ["pdd"]},
        {"query": "能补偿点吗", "gold": "refund-pdd", "line": 5, "platform": "tmall", "gold_platforms": ["pdd"]},
    ]}
    assert main([*base, "--json", "--misses", "1"]) == 0  # --misses bounds every list, as in the text
    assert json.loads(capsys.readouterr().out)["out_of_scope"]["n"] == 2
    assert main([*base, "--json", "--misses", "1"]) == 0
    assert len(json.loads(capsys.readouterr().out)["out_of_scope"]["queries"]) == 1
    assert main(base) == 0
    out = capsys.readouterr().out
    assert "queries           2\n" in out and "misses" not in out
    assert ("\ngold out of scope for tmall   2 queries, not in the figures: their gold answer is limited to other "
            "platforms\n  少发了怎么补偿  →  want refund-pdd (pdd only)\n") in out
    # The same with a FAQ row limited to a platform; only such rows: no figures to print.
    faq = tmp_path / "faq.csv"
    faq.write_text("id,question,answer,platforms\nmake-up,少发了怎么补偿,小额打款,pdd\n", encoding="utf-8")
    queries = scoped_queries(tmp_path, "少发了怎么补偿,make-up,\n")
    assert main(["eval", "--faq", str(faq), "--queries", str(queries)]) == 0
    assert capsys.readouterr().out.startswith("gold out of scope for tmall   1 queries")
    assert main(["eval", "--faq", str(faq), "--queries", str(queries), "--platform", "pdd", "--json"]) == 0
    assert "out_of_scope" not in json.loads(capsys.readouterr().out)


def test_eval_ranks_a_row_for_its_product_column(cli_env, capsys, tmp_path: Path, knowledge_dir: Path):
    """A template limited to one product (down-care) is only in scope while that product is
    discussed; a query row had no way to say so, so a buyer's question asked on the product's
    card counted as a miss unless the message also named it."""
    queries = tmp_path / "q.csv"
    queries.write_text("query,gold_id,product\n能机洗吗,down-care,down-jacket\n能机洗吗,down-care,tee\n"
                       "能机洗吗,down-care,\n能开发票吗,invoice,tee\n", encoding="utf-8")
    base = ["eval", "--queries", str(queries), "--knowledge", str(knowledge_dir)]
    assert main([*base, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n"] == 3  # the tee row cannot have down-care: out of scope, not a miss
    assert data["misses"] == [{"query": "能机洗吗", "gold": "down-care", "got": data["misses"][0]["got"]}]
    assert "down-care" not in data["misses"][0]["got"]  # no product named, none given: down-care is out
    assert data["out_of_scope"]["queries"] == [{"query": "能机洗吗", "gold": "down-care", "line": 3, "platform": "tmall",
                                                "gold_platforms": [], "product": "tee", "gold_products": ["down-jacket"]}]
    assert main(base) == 0
    assert ("gold out of scope for the row's product   1 queries, not in the figures: their gold answer is limited to "
            "other products\n  能机洗吗  →  want down-care (down-jacket only, row's product tee)") in capsys.readouterr().out
    queries.write_text("query,gold_id,product\n能开发票吗,invoice,\n能机洗吗,down-care,down-jackt\n", encoding="utf-8")
    assert main(base) == 1
    err = capsys.readouterr().err
    assert "q.csv:3: unknown product 'down-jackt' (did you mean 'down-jacket'?)" in err and "embedding" not in err


def test_eval_refuses_a_platform_no_shop_sells_on(cli_env, capsys, tmp_path: Path, knowledge_dir: Path):
    """As ask does: `--platform jd` ranked the demo shop's (tmall and pdd) answers for jd."""
    queries = scoped_queries(tmp_path, "能开发票吗,invoice,\n")
    with_knowledge = ["eval", "--queries", str(queries), "--knowledge", str(knowledge_dir)]
    assert main([*with_knowledge, "--platform", "jd"]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == ["suggest: no shop of the knowledge evaluated sells on jd (its shops sell on tmall, pdd)"]
    assert captured.out == ""
    queries = scoped_queries(tmp_path, "能开发票吗,invoice,tmall\n能开发票吗,invoice,douyin\n")
    assert main(with_knowledge) == 1
    assert f"{queries}:3: no shop of the knowledge evaluated sells on douyin" in capsys.readouterr().err
    # A bare FAQ has the default shop, which sells everywhere: jd is ranked as before...
    faq = one_answer_faq(tmp_path)
    queries = scoped_queries(tmp_path, "能开发票吗,inv,\n")
    assert main(["eval", "--faq", str(faq), "--queries", str(queries), "--platform", "jd", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == 1
    # ...but beside a catalogue, its shops are the ones that sell.
    assert main(["eval", "--faq", str(faq), "--queries", str(queries), "--knowledge", str(knowledge_dir), "--platform", "jd"]) == 1
    assert "sells on jd" in capsys.readouterr().err


def test_eval_shows_its_progress_on_a_terminal_only(cli_env, capsys, monkeypatch, tmp_path: Path):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    faq = one_answer_faq(tmp_path)
    queries = scoped_queries(tmp_path, "能开发票吗,inv,\n在吗,,\n发票呢,inv,pdd\n")
    command = ["eval", "--faq", str(faq), "--queries", str(queries), "--json"]
    assert main(command) == 0
    captured = capsys.readouterr()
    assert "ranking" not in captured.err
    figures = json.loads(captured.out)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(command) == 0
    assert re.search(r"ranking: 100%.* 3/3 ", terminal.getvalue())
    assert json.loads(capsys.readouterr().out) == figures  # stdout unchanged


@pytest.mark.parametrize("command", [["ask", "在吗"], ["build"], ["chat"], ["serve"], ["check", "亲", "--platform", "tmall"]])
def test_a_knowledge_option_that_is_no_directory_is_a_usage_error_everywhere(command: list[str], tmp_path: Path, capsys):
    missing = tmp_path / "missing"
    assert main([*command, "--knowledge", str(missing)]) == 2
    assert f"--knowledge {missing}: no such directory" in capsys.readouterr().err
