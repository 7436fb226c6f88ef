"""Loading rule files: defaults, fallbacks, shop overrides, and errors that name file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from suggest.compliance import DEFAULT_RULES_DIR, load_rules
from suggest.errors import KnowledgeError


def copy_rules(tmp_path: Path) -> Path:
    """A knowledge directory whose rules/ is a copy of the defaults."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_RULES_DIR, knowledge / "rules")
    return knowledge


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def add_rule(knowledge: Path, platform: str, rule_yaml: str) -> Path:
    """Append one rule (YAML text indented for a list item) to a platform file; return its path."""
    path = knowledge / "rules" / f"{platform}.yaml"
    text = path.read_text(encoding="utf-8")
    if "\nrules:" not in text:
        text += "\nrules:\n"
    path.write_text(text.rstrip("\n") + "\n" + rule_yaml, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_defaults_load_for_every_platform():
    book = load_rules(None)
    assert book.platforms == ("tmall", "taobao", "pdd", "douyin", "jd")
    for platform in book.platforms:
        ids = [r.id for r in book.rules_for(platform)]
        assert "contact-wechat" in ids and len(ids) == len(set(ids))
    assert "pdd-forbidden-words" in [r.id for r in book.rules_for("pdd")]
    assert "pdd-forbidden-words" not in [r.id for r in book.rules_for("tmall")]


def test_knowledge_dir_without_rules_falls_back_to_defaults(tmp_path):
    (tmp_path / "faq").mkdir()
    book = load_rules(tmp_path)
    assert not book.check("加我微信", "tmall").ok


def test_knowledge_dir_with_rules_uses_them(tmp_path):
    knowledge = copy_rules(tmp_path)
    add_rule(
        knowledge,
        "jd",
        "  - id: jd-no-gift-promise\n    message: 不要承诺赠品\n    severity: minor\n    action: flag\n    terms: [送赠品]\n",
    )
    book = load_rules(knowledge)
    assert book.check("下单送赠品", "jd").rules == ["jd-no-gift-promise"]
    assert book.check("下单送赠品", "tmall").ok


def test_missing_knowledge_dir_is_an_error(tmp_path):
    with pytest.raises(KnowledgeError):
        load_rules(tmp_path / "nowhere")


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    knowledge = copy_rules(tmp_path)
    path = write(knowledge / "rules" / "jd.yaml", "platform: jd\nown_names: [京东\nrules: []\n")
    with pytest.raises(KnowledgeError) as exc:
        load_rules(knowledge)
    assert exc.value.path == str(path)
    assert exc.value.line in (2, 3)
    assert str(exc.value).startswith(f"{path}:{exc.value.line}:")


def test_unknown_key_names_its_line(tmp_path):
    knowledge = copy_rules(tmp_path)
    path = add_rule(
        knowledge,
        "douyin",
        "  - id: douyin-x\n    message: 测试\n    severity: minor\n    action: flag\n    term: [测试词]\n",
    )
    with pytest.raises(KnowledgeError) as exc:
        load_rules(knowledge)
    assert exc.value.line == line_of(path, "term: [测试词]")
    assert "did you mean 'terms'" in str(exc.value)
    assert str(exc.value).startswith(f"{path}:{exc.value.line}:")


def test_bad_regex_names_the_pattern_line(tmp_path):
    knowledge = copy_rules(tmp_path)
    path = add_rule(
        knowledge,
        "tmall",
        "  - id: tmall-x\n    message: 测试\n    severity: minor\n    action: flag\n"
        "    patterns:\n      - '发票'\n      - '(未闭合'\n",
    )
    with pytest.raises(KnowledgeError) as exc:
        load_rules(knowledge)
    assert exc.value.line == line_of(path, "(未闭合")
    assert "not a valid regex" in str(exc.value)


def test_allow_patterns_excuse_only_hits_inside_their_match(tmp_path):
    knowledge = copy_rules(tmp_path)
    add_rule(
        knowledge,
        "jd",
        "  - id: jd-no-gift-promise\n    message: 不要承诺赠品\n    severity: minor\n    action: flag\n"
        "    terms: [赠品]\n    allow_patterns: ['(没有|不送)[^ ]{0,4}赠品']\n",
    )
    book = load_rules(knowledge)
    assert book.check("这款没有任何赠品哦", "jd").ok
    # the refusal is about something else: the 赠品 after it is outside the match
    assert book.check("不送运费险 下单有赠品", "jd").rules == ["jd-no-gift-promise"]
    [rule] = [r for r in book.rules_for("jd") if r.id == "jd-no-gift-promise"]
    assert [p.source for p in rule.allow_patterns] == ["(没有|不送)[^ ]{0,4}赠品"]


def test_bad_allow_pattern_names_its_line(tmp_path):
    knowledge = copy_rules(tmp_path)
    path = add_rule(
        knowledge,
        "jd",
        "  - id: jd-x\n    message: 测试\n    severity: minor\n    action: flag\n    terms: [测试]\n"
        "    allow_patterns:\n      - '不(测试'\n",
    )
    with pytest.raises(KnowledgeError) as exc:
        load_rules(knowledge)
    assert exc.value.line == line_of(path, "不(测试")
    assert "allow_patterns item 1 is not a valid regex" in str(exc.value)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("severity", "fatal", "severity must be one of"),
        ("action", "delete", "action must be one of"),
    ],
)
def test_bad_enum_values_name_their_line(tmp_path, field, value, message):
    knowledge = copy_rules(tmp_path)
    rule = {"severity": "minor", "action": "flag"}
    rule[field] = value
    path = add_rule(
        knowledge,
        "taobao",
        f"  - id: taobao-x\n    message: 测试\n    severity: {rule['severity']}\n    action: {rule['action']}\n    terms: [测试]\n",
    )
    with pytest.raises(KnowledgeError) as exc:
        load_rules(knowledge)
    assert exc.value.line == line_of(path, f"{field}: {value}")
    assert message in str(exc.value)


def test_rule_without_matchers_and_duplicate_ids(tmp_path):
    knowledge = copy_rules(tmp_path)
    path = add_rule(knowledge, "jd", "  - id: jd-x\n    message: 测试\n    severity: minor\n    action: flag\n")
    with pytest.raises(KnowledgeError) as exc:
        load_rules(knowledge)
    assert exc.value.line == line_of(path, "id: jd-x")
    assert "neither 'terms' nor 'patterns'" in str(exc.value)

    knowledge = copy_rules(tmp_path / "again")
    rule = "  - id: jd-y\n    message: 测试\n    severity: minor\n    action: flag\n    terms: [测试]\n"
    path = add_rule(knowledge, "jd", rule + rule)
    with pytest.raises(KnowledgeError) as exc:
        load_rules(knowledge)
    assert "already used" in str(exc.value)
    assert exc.value.path == str(path)


def test_variant_under_two_words_names_its_line(tmp_path):
    knowledge = copy_rules(tmp_path)
    path = knowledge / "rules" / "common.yaml"
    text = path.read_text(encoding="utf-8").replace("  qq: [扣扣,", "  qq: [薇信, 扣扣,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as exc:
        load_rules(knowledge)
    assert exc.value.line == line_of(path, "qq: [薇信")
    assert "already an alias" in str(exc.value)


def test_missing_platform_file_is_an_error(tmp_path):
    knowledge = copy_rules(tmp_path)
    (knowledge / "rules" / "jd.yaml").unlink()
    with pytest.raises(KnowledgeError) as exc:
        load_rules(knowledge)
    assert "jd.yaml is missing" in str(exc.value)


def test_platform_file_must_name_its_platform(tmp_path):
    knowledge = copy_rules(tmp_path)
    path = knowledge / "rules" / "jd.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("platform: jd", "platform: pdd"), encoding="utf-8")
    with pytest.raises(KnowledgeError) as exc:
        load_rules(knowledge)
    assert exc.value.line == line_of(path, "platform: pdd")


def test_shop_file_adds_and_disables_overridable_rules(tmp_path):
    knowledge = tmp_path / "knowledge"
    write(
        knowledge / "rules" / "shops" / "demo.yaml",
        "shop: demo\ndisable: [promise-delivery-date]\nrules:\n"
        "  - id: demo-brand\n    message: 提到竞品\n    severity: minor\n    action: flag\n    terms: [竞品牌]\n",
    )
    book = load_rules(knowledge)  # no rule files of its own: defaults + its shop overrides
    promise = "亲，保证明天一定能送到您手上"
    assert not book.check(promise, "tmall").ok
    assert book.check(promise, "tmall", shop="demo").ok
    assert book.check("竞品牌也不错", "tmall", shop="demo").rules == ["demo-brand"]
    assert book.check("竞品牌也不错", "tmall").ok
    assert book.check("竞品牌也不错", "tmall", shop="someone-else").ok


def test_a_shop_file_adds_hand_overs_of_its_own_for_its_buyers_only(tmp_path):
    """An appliance shop's buyers write 被烫到了: without replacing the whole rule set there was no
    way to hand that to a person (helper-36)."""
    knowledge = tmp_path / "knowledge"
    write(knowledge / "rules" / "shops" / "demo.yaml",
          "shop: demo\nescalation:\n  - id: kettle-burn\n    reason: 顾客说被烫到了，请立即人工处理\n    terms: [被烫到]\n")
    book = load_rules(knowledge)
    mine = book.analyze_inbound("倒水的时候被烫到了", "tmall", "demo")
    assert mine.needs_human and mine.escalations == ("kettle-burn",) and mine.reasons == ("顾客说被烫到了，请立即人工处理",)
    assert not book.analyze_inbound("倒水的时候被烫到了", "tmall").needs_human  # another shop's buyers: not theirs
    assert not book.analyze_inbound("倒水的时候被烫到了", "tmall", "someone-else").needs_human
    assert book.analyze_inbound("我要去12315投诉", "tmall", "demo").escalations == ("complaint",)  # the defaults stay
    write(knowledge / "rules" / "shops" / "demo.yaml",
          "shop: demo\nplatforms: [jd]\nescalation:\n  - id: kettle-burn\n    reason: 被烫到\n    terms: [被烫到]\n")
    book = load_rules(knowledge)  # a file limited to some platforms: its hand-overs too
    assert book.analyze_inbound("倒水的时候被烫到了", "jd", "demo").needs_human
    assert not book.analyze_inbound("倒水的时候被烫到了", "tmall", "demo").needs_human


@pytest.mark.parametrize(("text", "needle", "message"), [
    ("shop: demo\nescalation:\n  - id: complaint\n    reason: 投诉\n    terms: [投诉你]\n", "id: complaint",
     "is one of inbound.yaml's: a shop adds entries of its own, it cannot replace one"),
    ("shop: demo\nescalation: 被烫到\n", "escalation:", "'escalation' must be a list"),
    ("shop: demo\nescalation:\n  - id: burn\n    terms: [被烫到]\n", "id: burn", "reason"),
])
def test_a_shop_files_hand_overs_are_checked_with_their_line(tmp_path, text, needle, message):
    knowledge = tmp_path / "knowledge"
    path = write(knowledge / "rules" / "shops" / "demo.yaml", text)
    with pytest.raises(KnowledgeError, match=message) as exc:
        load_rules(knowledge)
    assert (exc.value.path, exc.value.line) == (str(path), line_of(path, needle))


def test_shop_cannot_disable_a_platform_rule(tmp_path):
    knowledge = tmp_path / "knowledge"
    path = write(
        knowledge / "rules" / "shops" / "demo.yaml",
        "shop: demo\ndisable:\n  - out-of-stock-wording\n  - contact-wechat\n",
    )
    with pytest.raises(KnowledgeError) as exc:
        load_rules(knowledge)
    assert exc.value.path == str(path)
    assert exc.value.line == line_of(path, "- out-of-stock-wording")
    assert "not marked overridable" in str(exc.value)


def test_shop_disabling_an_unknown_rule_names_its_line(tmp_path):
    knowledge = tmp_path / "knowledge"
    path = write(knowledge / "rules" / "shops" / "demo.yaml", "shop: demo\ndisable: [no-such-rule]\n")
    with pytest.raises(KnowledgeError) as exc:
        load_rules(knowledge)
    assert exc.value.line == line_of(path, "no-such-rule")


def test_default_demo_shop_override_loads():
    book = load_rules(None)
    assert "qingzhou-competitor-brands" in [r.id for r in book.rules_for("tmall", "qingzhou")]
    assert "qingzhou-competitor-brands" not in [r.id for r in book.rules_for("jd", "qingzhou")]


def test_missing_common_file_is_an_error(tmp_path):
    # Without it every shared rule (WeChat, phone numbers) would silently stop applying.
    knowledge = copy_rules(tmp_path)
    (knowledge / "rules" / "common.yaml").unlink()
    with pytest.raises(KnowledgeError) as exc:
        load_rules(knowledge)
    assert exc.value.path == str(knowledge / "rules") and "no common.yaml" in str(exc.value)


def test_empty_common_file_is_an_error_but_an_explicit_empty_rule_list_is_not(tmp_path):
    knowledge = copy_rules(tmp_path)
    path = write(knowledge / "rules" / "common.yaml", "# 暂无\n")
    with pytest.raises(KnowledgeError) as exc:
        load_rules(knowledge)
    assert exc.value.path == str(path) and exc.value.line == 1 and "rules: []" in str(exc.value)
    write(path, "rules: []\n")
    assert load_rules(knowledge).check("加我微信", "tmall").ok


@pytest.mark.parametrize(
    ("text", "line"), [("", 1), ("# 以后再写\n", 1), ("escalation: []\n", 1), ("topics: {}\nescalation:\n", 2)]
)
def test_inbound_file_without_escalations_is_an_error(tmp_path, text, line):
    # It would switch off every hand-over to a person.
    knowledge = copy_rules(tmp_path)
    path = write(knowledge / "rules" / "inbound.yaml", text)
    with pytest.raises(KnowledgeError) as exc:
        load_rules(knowledge)
    assert exc.value.path == str(path) and exc.value.line == line
    assert "no escalation entries" in str(exc.value)


def test_missing_inbound_file_falls_back_to_the_default(tmp_path):
    knowledge = copy_rules(tmp_path)
    (knowledge / "rules" / "inbound.yaml").unlink()
    assert load_rules(knowledge).analyze_inbound("我要投诉你们", "tmall").needs_human
