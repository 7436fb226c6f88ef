"""The engine and the rule filter together: nothing non-compliant is suggested."""

from pathlib import Path

import pytest

from suggest.cli import main
from suggest.compliance import load_rules
from suggest.engine import Suggester, SuggestResult
from suggest.errors import ComplianceError


def test_a_non_compliant_template_is_refused_at_build_with_file_line_and_rule(settings, embedder, knowledge_dir: Path):
    path = knowledge_dir / "templates" / "bad.yaml"
    path.write_text(
        "- id: stock-bad\n  questions: [还有货吗]\n  answer: 亲，这款已经缺货了哦\n  platforms: [tmall]\n", encoding="utf-8"
    )
    with pytest.raises(ComplianceError) as info:
        Suggester.open(settings, embedder=embedder)
    message = str(info.value)
    assert message.startswith(f"{path}:3: template 'stock-bad' breaks rule ")  # the answer's line
    assert "缺货" in message and "tmall" in message


def test_a_product_fact_that_breaks_a_rule_is_blamed_on_the_product_line(settings, embedder, knowledge_dir: Path):
    products = knowledge_dir / "products" / "items.yaml"
    text = products.read_text(encoding="utf-8")
    products.write_text(text.replace("ship_time: 付款后24小时内发货", "ship_time: 付款后24小时内发货，缺货的颜色晚几天"), encoding="utf-8")
    with pytest.raises(ComplianceError) as info:
        Suggester.open(settings, embedder=embedder)
    message = str(info.value)
    assert (info.value.path, info.value.line) == (str(products), 5), message
    assert "fact 'ship_time' of product 'tee' breaks rule " in message and "缺货" in message
    assert "in template 'ship-time'" in message  # where it would have been sent


def test_a_ship_time_beyond_72_hours_is_refused_for_an_item_in_stock_only(settings, embedder, knowledge_dir: Path):
    # Tmall and Taobao want shipping within 72 hours of payment unless presale (or custom-made):
    # the reply text cannot tell, the product's facts can, so the fact line is where it is said.
    products = knowledge_dir / "products" / "items.yaml"
    text = products.read_text(encoding="utf-8")
    products.write_text(text.replace("ship_time: 付款后24小时内发货", "ship_time: 付款后10天内发货"), encoding="utf-8")
    with pytest.raises(ComplianceError) as info:
        Suggester.open(settings, embedder=embedder)
    assert (info.value.path, info.value.line) == (str(products), 5), str(info.value)
    assert "breaks rule ship-beyond-72-hours" in str(info.value)
    products.write_text(text.replace("ship_time: 付款后24小时内发货", "ship_time: 预售款，付款后10天内发货"), encoding="utf-8")
    Suggester.open(settings, embedder=embedder)


def test_platform_words_are_judged_per_platform(settings, embedder, knowledge_dir: Path):
    # 支付宝 is fine in a Tmall-scoped template but not in one that may be sent on Pinduoduo.
    path = knowledge_dir / "templates" / "pay.yaml"
    path.write_text("- id: pay-alipay\n  questions: [能用支付宝吗]\n  answer: 亲，可以用支付宝付款哦\n  platforms: [tmall]\n", encoding="utf-8")
    Suggester.open(settings, embedder=embedder)
    path.write_text("- id: pay-alipay\n  questions: [能用支付宝吗]\n  answer: 亲，可以用支付宝付款哦\n", encoding="utf-8")
    with pytest.raises(ComplianceError, match="pdd"):
        Suggester.open(settings, embedder=embedder)


def test_suggest_build_lists_faq_rows_that_break_a_rule(settings, knowledge_dir: Path, capsys):
    # A merchant's spreadsheet is imported as it is (a bank's FAQ mentions 微信支付 in good faith);
    # the rows that can never be suggested on a platform are listed, with file, line and rule.
    faq = knowledge_dir / "faq.csv"
    rows = faq.read_text(encoding="utf-8").splitlines()
    faq.write_text("\n".join([*rows, "faq-wx,怎么联系你们,亲，加我微信 wx12345 详聊",
                              "faq-date,明天能到吗,亲，保证明天一定到，放心拍"]) + "\n", encoding="utf-8")
    index = settings.index_dir
    assert main(["build", "--knowledge", str(knowledge_dir), "--index", str(index), "--model", "hash"]) == 0
    err = capsys.readouterr().err
    assert f"warning: {faq}:{len(rows) + 1}: FAQ 'faq-wx' breaks contact-wechat + pdd-forbidden-words on pdd, contact-wechat on tmall; not suggested there\n" in err
    # A rule that flags rather than drops: the row is shown, marked for a person (helper-36: the
    # warning said "not suggested there" and agents were shown it first)
    assert (f"warning: {faq}:{len(rows) + 2}: FAQ 'faq-date' breaks promise-delivery-date on pdd, "
            "promise-delivery-date on tmall; suggested there only marked for a person (⚠ needs a human), "
            "never sent alone\n") in err
    assert err.count(": FAQ ") == 2  # one row, one line


def test_dropped_candidates_are_shown_for_debugging(settings, embedder, knowledge_dir: Path):
    # A merchant FAQ row is imported as it is; the filter stops its answer from being suggested.
    with open(knowledge_dir / "faq.csv", "a", encoding="utf-8") as fh:
        fh.write("faq-wx,怎么联系你们,亲，加我微信 wx12345 详聊，或者加v wx678\n")
    suggester = Suggester.open(settings, embedder=embedder)
    result = suggester.suggest("怎么联系你们", platform="pdd", limit=5)
    assert all(s.source.id != "faq-wx" for s in result.suggestions)
    dropped = result.to_dict(debug=True)["dropped"]
    [rules] = [d["rules"] for d in dropped if d["source"]["id"] == "faq-wx"]
    assert "contact-wechat" in rules and len(rules) == len(set(rules))  # each rule once, however often it hit
    assert "dropped" not in result.to_dict()


def test_asking_for_wechat_gets_the_compliant_template_first(suggester: Suggester):
    for message in ["能加个薇信吗 方便联系", "你电话多少 我打给你", "给个V信号呗"]:
        result = suggester.suggest(message, platform="pdd")
        assert result.suggestions[0].source.id == "contact-platform", message


def test_the_template_for_a_matched_topic_is_shown_even_under_the_threshold(settings, embedder):
    """The inbound rules matched the buyer's words ("电话多少"): their template is the reply, even
    when the likeness alone would show nothing (it did on pdd) or retrieval missed it."""
    # 0.7 as float32 is 0.69999999: a template lifted to that fell under the threshold (helper-36,
    # at the default fit's 0.4847: "你电话多少" on pdd got nothing at all); 0.99 rounds up.
    for min_score in (0.99, 0.7):
        strict = Suggester.open(settings.with_(min_score=min_score), embedder=embedder)
        assert strict.suggest("几天发货", platform="pdd").suggestions == []  # the threshold holds elsewhere
        for message in ["你电话多少", "老板你们qq号多少"]:
            result = strict.suggest(message, platform="pdd")
            assert [s.source.id for s in result.suggestions][:1] == ["contact-platform"], (message, min_score)
            assert result.suggestions[0].score >= min_score


def test_a_topic_no_template_answers_goes_to_a_person(settings, embedder, knowledge_dir: Path):
    """A shop whose own templates hold none for the topic: what retrieval finds instead answers
    another question ("便宜点" → the price reply, the WeChat request ignored)."""
    message = "加你微信私聊可以吗 便宜点"
    answered = Suggester.open(settings, embedder=embedder).suggest(message, platform="pdd")
    assert not any(f.startswith("unanswered-topic:") for f in answered.flags)
    main = knowledge_dir / "templates" / "main.yaml"
    main.write_text(main.read_text(encoding="utf-8").replace("  topics: [contact_request]\n", ""), encoding="utf-8")
    result = Suggester.open(settings, embedder=embedder).suggest(message, platform="pdd")
    assert result.needs_human and "unanswered-topic:contact_request" in result.flags


def test_complaints_raise_the_human_flag(suggester: Suggester):
    result = suggester.suggest("再不给我退款我就打12315投诉你们", platform="tmall")
    assert result.needs_human
    assert result.flags
    assert not suggester.suggest("什么时候发货", platform="tmall").needs_human


def test_every_suggestion_passes_the_rules(suggester: Suggester):
    book = load_rules(None)
    for message in ["在吗", "能开发票吗", "sf能发吗", "少发了怎么补偿", "加个vx", "什么时候发货"]:
        for platform in ("tmall", "pdd"):
            for s in suggester.suggest(message, platform=platform, limit=5).suggestions:
                assert book.check(s.text, platform).ok, (platform, s.text)


def test_a_refused_row_does_not_keep_the_right_answer_under_the_threshold(settings, embedder, knowledge_dir: Path):
    """A merchant's FAQ row offering 返现 for the very question a compliant answer takes: the row
    is dropped, and the others' probabilities are taken given that it is not the answer (an
    acceptance pass: the row had 0.73, the template refusing 返现 0.26, under the threshold)."""
    with open(knowledge_dir / "faq.csv", "a", encoding="utf-8") as fh:
        fh.write("faq-cash,好评有返现吗,亲，好评返现5元\nfaq-honest,好评有返现吗,亲，欢迎您如实评价\n")
    suggester = Suggester.open(settings.with_(min_score=0.5), embedder=embedder)
    at = {e.id: i for i, e in enumerate(suggester.kb.entries)}
    result = SuggestResult(message="好评有返现吗", suggestions=[], platform="pdd", shop="demo")
    shown, _ = suggester._shortlist([at["faq-cash"], at["faq-honest"]], [0.70, 0.26], "pdd", "demo", None, 3, result)
    assert [d.source.id for d in result.dropped] == ["faq-cash"]
    assert [(s.source.id, round(s.score, 4)) for s in shown] == [("faq-honest", round(0.26 / 0.30, 4))]


def test_a_shops_own_hand_overs_reach_its_suggestions(settings, embedder, knowledge_dir: Path):
    """rules/shops/<shop>.yaml's escalation entries read that shop's buyers' messages."""
    shop_rules = knowledge_dir / "rules" / "shops" / "demo.yaml"
    shop_rules.parent.mkdir(parents=True)
    shop_rules.write_text("shop: demo\nescalation:\n  - id: kettle-burn\n    reason: 顾客说被烫到了，请立即人工处理\n"
                          "    terms: [被烫到]\n", encoding="utf-8")
    result = Suggester.open(settings, embedder=embedder).suggest("倒水的时候被烫到了", platform="tmall", shop="demo")
    assert result.needs_human and "顾客说被烫到了，请立即人工处理" in result.flags
