"""The engine and the rule filter together: nothing non-compliant is suggested."""

from pathlib import Path

import pytest

from suggest.compliance import load_rules
from suggest.engine import Suggester
from suggest.errors import ComplianceError


def test_a_non_compliant_template_is_refused_at_build_with_file_line_and_rule(settings, embedder, knowledge_dir: Path):
    path = knowledge_dir / "templates" / "bad.yaml"
    path.write_text(
        "- id: stock-bad\n  questions: [还有货吗]\n  answer: 亲，这款已经缺货了哦\n  platforms: [tmall]\n", encoding="utf-8"
    )
    with pytest.raises(ComplianceError) as info:
        Suggester.open(settings, embedder=embedder)
    message = str(info.value)
    assert message.startswith(f"{path}:1: breaks rule ")
    assert "缺货" in message and "tmall" in message


def test_platform_words_are_judged_per_platform(settings, embedder, knowledge_dir: Path):
    # 支付宝 is fine in a Tmall-scoped template but not in one that may be sent on Pinduoduo.
    path = knowledge_dir / "templates" / "pay.yaml"
    path.write_text("- id: pay-alipay\n  questions: [能用支付宝吗]\n  answer: 亲，可以用支付宝付款哦\n  platforms: [tmall]\n", encoding="utf-8")
    Suggester.open(settings, embedder=embedder)
    path.write_text("- id: pay-alipay\n  questions: [能用支付宝吗]\n  answer: 亲，可以用支付宝付款哦\n", encoding="utf-8")
    with pytest.raises(ComplianceError, match="pdd"):
        Suggester.open(settings, embedder=embedder)


def test_a_non_compliant_faq_answer_is_refused_at_build_with_its_row(settings, embedder, knowledge_dir: Path):
    # An FAQ answer is sent as written, like a template: a row that could never be sent is an
    # error the merchant can fix, not a row silently dropped at every request.
    faq = knowledge_dir / "faq.csv"
    rows = faq.read_text(encoding="utf-8").splitlines()
    faq.write_text("\n".join([*rows, "faq-wx,怎么联系你们,亲，加我微信 wx12345 详聊"]) + "\n", encoding="utf-8")
    with pytest.raises(ComplianceError) as info:
        Suggester.open(settings, embedder=embedder)
    assert str(info.value).startswith(f"{faq}:{len(rows) + 1}: breaks rule ") and "微信" in str(info.value)


def test_dropped_candidates_are_shown_for_debugging(settings, embedder, knowledge_dir: Path):
    # The rule book alone (not the knowledge's checked one) lets such a row into the index, as a
    # rule change after the build would: the filter still stops it from being suggested.
    with open(knowledge_dir / "faq.csv", "a", encoding="utf-8") as fh:
        fh.write("faq-wx,怎么联系你们,亲，加我微信 wx12345 详聊\n")
    suggester = Suggester.open(settings, embedder=embedder, reply_filter=load_rules(knowledge_dir))
    result = suggester.suggest("怎么联系你们", platform="pdd", limit=5)
    assert all(s.source.id != "faq-wx" for s in result.suggestions)
    dropped = result.to_dict(debug=True)["dropped"]
    assert any(d["source"]["id"] == "faq-wx" and d["rules"] for d in dropped)
    assert "dropped" not in result.to_dict()


def test_asking_for_wechat_gets_the_compliant_template_first(suggester: Suggester):
    for message in ["能加个薇信吗 方便联系", "你电话多少 我打给你", "给个V信号呗"]:
        result = suggester.suggest(message, platform="pdd")
        assert result.suggestions[0].source.id == "contact-platform", message


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
