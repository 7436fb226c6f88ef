"""What an acceptance pass as a pdd/douyin shoe shop found (session 16): a gift named by what it
is bought a review unflagged, and buyers' complaints worded otherwise than the rules knew."""

from __future__ import annotations

import pytest

from suggest.compliance import default_rulebook


@pytest.fixture(scope="module")
def book():
    return default_rulebook()


@pytest.mark.parametrize("text", ["亲，五星好评送袜子一双", "好评送小礼品哦", "给个好评送鞋垫", "好评就送运费险"])
def test_a_gift_for_a_review_is_refused(book, text: str):
    assert "review-for-reward" in book.check(text, "pdd").rules


@pytest.mark.parametrize("text", ["满意的话麻烦给个五星好评哦", "好评不送礼品哦", "我们不能因为好评送您礼品",
                                  "记得给个好评 送货上门的哦", "亲 我们没有好评送礼品的活动哦"])
def test_asking_for_a_review_or_refusing_the_gift_passes(book, text: str):
    assert book.check(text, "pdd").ok, book.check(text, "pdd").to_dict()


@pytest.mark.parametrize("message", ["发错颜色了 我要的是黑色", "发错码了", "收到的鞋子有异味 很冲",
                                     "你们客服死哪去了 一直不回", "怎么没人回"])
def test_these_complaints_go_to_a_person(book, message: str):
    assert book.analyze_inbound(message, "pdd").needs_human, message


@pytest.mark.parametrize("message", ["鞋子有异味吗", "会不会有异味", "这款鞋子有没有异味"])
def test_asking_about_a_smell_before_buying_is_no_complaint(book, message: str):
    assert not book.analyze_inbound(message, "douyin").needs_human, message
