"""A message asking two things gets an answer to each."""

import pytest

from suggest.engine import Suggester
from suggest.engine.clauses import clauses


@pytest.mark.parametrize(("message", "parts"), [
    ("能开票吗顺便问下几天发货", ["能开票吗", "几天发货"]),
    ("发什么快递，另外能开票吗", ["发什么快递", "能开票吗"]),
    ("能便宜点吗？包邮吗？", ["能便宜点吗", "包邮吗？"]),
    ("谢谢 对了运费险赔的钱退到哪", []),  # a thanks is no question of its own
    ("在吗? 我这个订单好像没收到货噢", []),  # nor is a greeting
    ("备注留言有用吗? 谢谢了哈", []),
    ("亲 在吗？能开发票吗？几天发货？", ["能开发票吗", "几天发货？"]),
    ("在吗? 在的话回一下", []),
    ("尺码选错了吗？小了？能换大一码吗", ["尺码选错了吗", "小了", "能换大一码吗"]),  # 小了 is no pleasantry
    ("能退吗？人工客服", ["能退吗", "人工客服"]),
    ("另外一个颜色有吗", []),  # 另外 inside one question
    ("这个和另外那个哪个好", []),
    ("有货吗？", []),
    ("顺便问下能开票吗", []),  # one question after the connector
    ("啊？ 什么意思", []),  # a part of one character is no question
])
def test_clauses(message: str, parts: list[str]):
    assert clauses(message) == parts


def test_each_question_gets_its_answer_at_the_head_most_probable_first(suggester: Suggester):
    message = "能开发票吗顺便问下什么时候发货"
    result = suggester.suggest(message, platform="tmall", limit=2)
    assert {s.source.id for s in result.suggestions} == {"ship-time", "invoice"} and result.questions == 2
    assert [s.score for s in result.suggestions] == sorted((s.score for s in result.suggestions), reverse=True)


def test_a_greeting_around_a_question_does_not_lead_the_list(suggester: Suggester):
    result = suggester.suggest("在吗? 什么时候发货", platform="tmall")
    assert result.questions == 1
    assert "greeting" not in [s.source.id for s in result.suggestions][:1]


def test_a_dispute_asked_second_still_needs_a_person(suggester: Suggester):
    """refund-pdd is a hand-over template: asked after another question, it still is."""
    result = suggester.suggest("能开发票吗？另外少发了怎么补偿", platform="pdd")
    assert result.questions == 2
    assert "hand-over:refund-pdd" in result.flags and result.needs_human
