"""What a knowledge file's values may be: text where text goes to a buyer, dates that exist,
durations that are durations, one file per shop id, FAQ spreadsheets as Excel writes them.

Every refusal is a KnowledgeError naming the file and the line, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from suggest.errors import KnowledgeError
from suggest.knowledge import load_knowledge

DEMO_SHOP = "id: demo\nname: 测试服饰店\nplatforms: [tmall, pdd]\n"
SHOP_FACTS = "facts:\n  ship_time: 付款后48小时内发货\n  couriers: 中通、圆通\n  invoice: 可以开电子普通发票\n"
HOURS = "hours:\n  weekly: {daily: [09:00-18:00]}\n"


def write(knowledge_dir: Path, name: str, text: str) -> Path:
    path = knowledge_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def product(facts: str) -> str:
    """A products/extra.yaml next to the catalogue of tests/data, with these facts from line 4."""
    return "- id: socks\n  name: 纯棉短袜\n  facts:\n" + facts


def template(body: str) -> str:
    return "- id: greeting\n" + body


def refused(knowledge_dir: Path, name: str, text: str) -> KnowledgeError:
    path = write(knowledge_dir, name, text)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(knowledge_dir)
    assert info.value.path == str(path), str(info.value)
    return info.value


# ------------------------------------------------------- text that reaches a buyer
NOT_TEXT = [
    # YAML 1.1 reads these words as booleans: the buyer would read "False" / "True".
    ("products/extra.yaml", product("    presale: no\n"), 4, "YAML reads no as false", "presale: 'no'"),
    ("shops/demo.yaml", DEMO_SHOP + "facts:\n  invoice: yes\n", 5, "YAML reads yes as true", "invoice: 'yes'"),
    ("templates/main.yaml", template("  questions: [在吗]\n  answer: yes\n"), 3, "YAML reads yes as true", "answer: 'yes'"),
    ("templates/main.yaml", template("  questions:\n    - 在吗\n    - no\n  answer: 在的\n"), 4,
     "item 2 of 'questions': YAML reads no as false", "- 'no'"),
    ("templates/main.yaml", template("  intent: !!binary ''\n  questions: [在吗]\n  answer: 在的\n"), 2,
     "'intent' must be text, not binary data", ""),
    ("products/extra.yaml", product("    price: [[1, 2], {a: b}]\n"), 4, "fact 'price' item 1 must be text, not a list", ""),
    ("products/extra.yaml", product("    price:\n      a: b\n"), 4, "fact 'price' must be text, not a mapping", ""),
    ("products/extra.yaml", product("    restock: 2026-03-01\n"), 4, "YAML reads 2026-03-01 as a date", "restock: '2026-03-01'"),
    ("products/extra.yaml", product("    restock: 2026-03-01 10:00:00\n"), 4, "as a date and time", ""),
    ("templates/main.yaml", template("  questions: [在吗]\n  answer:\n"), 1, "missing or empty 'answer'", ""),
    # A fact goes into a reply word for word, braces and all.
    ("products/extra.yaml", product("    price: '现价{vip_price}元'\n"), 4, "fact 'price' contains a brace", ""),
    ("shops/demo.yaml", DEMO_SHOP + "facts:\n  invoice: 会员价{{member}}\n", 5, "fact 'invoice' contains a brace", ""),
    ("products/extra.yaml", product("    sizes: [S, '{size}']\n"), 4, "fact 'sizes' contains a brace", ""),
    # A pasted document is not a reply.
    ("templates/main.yaml", template("  questions: [在吗]\n  answer: " + "亲" * 2001 + "\n"), 3,
     "'answer' is 2001 characters long; at most 2000", ""),
    ("templates/main.yaml", template("  questions:\n    - 在吗\n    - " + "啊" * 5000 + "\n  answer: 在的\n"), 4,
     "item 2 of 'questions' is 5000 characters long", ""),
    ("shops/demo.yaml", DEMO_SHOP + HOURS + "  off_hours_message: " + "亲" * 3000 + "\n", 6,
     "'off_hours_message' is 3000 characters long", ""),
    # A list under a key that already has a text: YAML reads one text running on, dashes and all.
    ("templates/main.yaml", template("  questions: 能开发票吗\n    - 可以开票不\n    - 发票怎么开\n  answer: 可以\n"), 3,
     "read as more of the text begun on line 2", "leave nothing after the colon"),
]


def test_a_text_running_over_lines_without_dashes_is_still_one_text(knowledge_dir: Path):
    write(knowledge_dir, "templates/main.yaml",
          template("  questions:\n    - 能开发票吗\n  answer: 亲，可以开票的，\n    付款后在订单页申请 - 电子发票\n"))
    kb = load_knowledge(knowledge_dir)
    entry = next(e for e in kb.entries if e.id == "greeting")
    assert entry.answer == "亲，可以开票的， 付款后在订单页申请 - 电子发票"


@pytest.mark.parametrize(("name", "text", "line", "message", "fix"), NOT_TEXT)
def test_values_that_are_not_text_are_refused(knowledge_dir: Path, name: str, text: str, line: int, message: str, fix: str):
    error = refused(knowledge_dir, name, text)
    assert error.line == line, str(error)
    assert message in error.reason and fix in error.reason, str(error)


def test_numbers_and_flat_lists_stay_text_as_written(knowledge_dir: Path):
    write(knowledge_dir, "products/extra.yaml", product(
        "    price: 79.90\n    area_code: 0571\n    sizes: [S, M, 41]\n    stock: 12\n    presale:\n"
        "    service_hours: 9:30\n"
    ))
    facts = load_knowledge(knowledge_dir).products["socks"].facts
    # YAML would make these 79.9, the octal 377 and the sexagesimal 570.
    assert (facts["price"], facts["area_code"], facts["service_hours"]) == ("79.90", "0571", "9:30")
    assert (facts["sizes"], facts["stock"], facts["presale"]) == ("S、M、41", "12", "")


def test_an_faq_answer_with_a_brace_is_refused(knowledge_dir: Path):
    error = refused(knowledge_dir, "faq.csv", "id,question,answer\nq1,在吗,在的\nq2,有尺码表吗,亲，详情页第{chart_page}张图哦～\n")
    assert error.line == 3 and "contains a brace" in error.reason


def test_an_faq_row_longer_than_any_chat_message_is_refused(knowledge_dir: Path):
    error = refused(knowledge_dir, "faq.csv", "id,question,answer\nq1,在吗,在的\nq2,有尺码表吗," + "亲" * 2500 + "\n")
    assert error.line == 3 and "the answer of id 'q2' is 2500 characters long" in error.reason
    write(knowledge_dir, "faq.csv", "id,question,answer\nq1,在吗,在的\nq2,有尺码表吗," + "亲" * 2000 + "\n")
    assert len(load_knowledge(knowledge_dir).entry("q2").answer) == 2000


# ------------------------------------------------------------ malformed values
MALFORMED = [
    ("templates/main.yaml", template("  intent: 2026-13-01\n  questions: [在吗]\n  answer: 在的\n"), 2, "2026-13-01 is not a date"),
    ("products/extra.yaml", product("    restock: 2026-02-30\n"), 4, "2026-02-30 is not a date"),
    ("shops/demo.yaml", DEMO_SHOP + HOURS + "  holidays:\n    - 2026-02-30\n", 7, "2026-02-30 is not a date"),
    ("templates/main.yaml", template("  intent: !!int abc\n  questions: [在吗]\n  answer: 在的\n"), 2, "cannot read 'abc' as !!int"),
    ("templates/main.yaml", template("  intent: !!float abc\n  questions: [在吗]\n  answer: 在的\n"), 2, "as !!float"),
    ("templates/main.yaml", template("  intent: !!bool maybe\n  questions: [在吗]\n  answer: 在的\n"), 2, "as !!bool"),
    ("shops/demo.yaml", DEMO_SHOP + "hours:\n  timezone: Asia\n  weekly: {daily: [09:00-18:00]}\n", 5, "unknown timezone 'Asia'"),
    ("shops/demo.yaml", DEMO_SHOP + HOURS + "  message_window: 99999999999999999\n", 6, "at most 30 days"),
    ("shops/demo.yaml", DEMO_SHOP + HOURS + "  message_window: 99999999999999h\n", 6, "at most 30 days"),
    ("shops/demo.yaml", DEMO_SHOP + HOURS + "  fallback: {after: 99999999999999999999}\n", 6, "at most 24h"),
    ("shops/demo.yaml", DEMO_SHOP + HOURS + "  message_window: '²'\n", 6, "not a duration"),
    # YAML 1.1 would read these as 720 (12 minutes) and 5400 seconds.
    ("shops/demo.yaml", DEMO_SHOP + HOURS + "  message_window: 12:00\n", 6, "write hours and minutes as 12h"),
    ("shops/demo.yaml", DEMO_SHOP + HOURS + "  fallback: {after: 1:30:00}\n", 6, "'1:30:00' is not a duration"),
]


@pytest.mark.parametrize(("name", "text", "line", "message"), MALFORMED)
def test_malformed_values_name_the_file_and_line(knowledge_dir: Path, name: str, text: str, line: int, message: str):
    error = refused(knowledge_dir, name, text)
    assert error.line == line, str(error)
    assert message in error.reason, str(error)


def test_a_window_under_the_cap_is_taken(knowledge_dir: Path):
    shop = (knowledge_dir / "shops" / "demo.yaml").read_text(encoding="utf-8")
    write(knowledge_dir, "shops/demo.yaml", shop + HOURS + "  message_window: 720h\n")
    hours = load_knowledge(knowledge_dir).shops["demo"].hours
    assert hours is not None and hours.message_window.days == 30


# ------------------------------------------------------------------------- shops
def test_a_shop_id_defined_twice_is_refused(knowledge_dir: Path):
    write(knowledge_dir, "shops/demo.yml", DEMO_SHOP.replace("[tmall, pdd]", "[jd]") + SHOP_FACTS)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(knowledge_dir)
    first = knowledge_dir / "shops" / "demo.yaml"
    assert info.value.path == str(knowledge_dir / "shops" / "demo.yml") and info.value.line == 1
    assert f"shop id 'demo' is already defined at {first}:1" in info.value.reason


def test_an_empty_shop_file_is_explained(knowledge_dir: Path):
    error = refused(knowledge_dir, "shops/demo.yaml", "# 还没写\n")
    assert error.line == 1
    assert error.reason.startswith("the shop file is empty; a shop file is a mapping such as id: demo, name:")
    assert "NoneType" not in error.reason


# ------------------------------------------------------------------ FAQ spreadsheets
def test_an_upper_case_csv_is_read(tmp_path: Path):
    write(tmp_path, "faq/SHOP.CSV", "id,question,answer\nQ001,能开发票吗,亲，可以开的。\n")
    kb = load_knowledge(tmp_path)
    assert [e.id for e in kb.entries] == ["Q001"]
    before = kb.digest
    write(tmp_path, "faq/SHOP.CSV", "id,question,answer\nQ001,能开发票吗,亲，可以开电子发票。\n")
    assert load_knowledge(tmp_path).digest != before  # and an edit rebuilds the index


def test_an_unclosed_quote_is_reported_where_it_opens(knowledge_dir: Path):
    error = refused(knowledge_dir, "faq.csv", 'id,question,answer\nq1,"能开发票吗,亲，可以开的。\nq2,在吗,在的\n')
    assert error.line == 2 and "not closed" in error.reason and "end of the file" in error.reason
    # Closed by a quote further down: still the line where it opened.
    error = refused(knowledge_dir, "faq.csv", 'id,question,answer\nq1,"能开发票吗,亲，可以开的。\nq2,"在吗",在的\n')
    assert error.line == 2 and "not closed" in error.reason and "line 3" in error.reason


def test_a_quoted_cell_may_span_lines(knowledge_dir: Path):
    write(knowledge_dir, "faq.csv", 'id,question,answer\nq1,能开发票吗,"亲，可以开的。\n确认收货后申请"\nq2,在吗,在的\n')
    entries = {e.id: e for e in load_knowledge(knowledge_dir).entries}
    assert entries["q1"].answer == "亲，可以开的。\n确认收货后申请" and entries["q2"].line == 4


@pytest.mark.parametrize(
    ("entry_id", "message"),
    [("发票 id", "contains a space"), ("q\u200b1", "control character U+200B"), ("q\x071", "U+0007"),
     ("q" * 65, "65 characters long")],
)
def test_faq_ids_must_be_one_word(knowledge_dir: Path, entry_id: str, message: str):
    error = refused(knowledge_dir, "faq.csv", f"id,question,answer\nq1,在吗,在的\n{entry_id},能开发票吗,亲，可以开的。\n")
    assert error.line == 3 and message in error.reason, str(error)


def test_merchants_own_faq_ids_stay_valid(knowledge_dir: Path):
    write(knowledge_dir, "faq.csv", "id,question,answer\nQ001,在吗,在的\n12,能开发票吗,亲，可以开的。\n发票-1,开专票吗,亲，可以的。\n")
    ids = {e.id for e in load_knowledge(knowledge_dir).entries if e.kind == "faq"}
    assert ids == {"Q001", "12", "发票-1"}
