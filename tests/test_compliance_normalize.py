"""The normaliser: evasions fold to the plain word, and every character maps back to the original."""

from __future__ import annotations

import pytest

from suggest.compliance import default_rulebook, normalize


@pytest.fixture(scope="module")
def book():
    return default_rulebook()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("①③⑧①②③④⑤⑥⑦⑧", "13812345678"),  # circled digits
        ("❶❸❽", "138"),  # negative circled digits NFKC leaves alone
        ("１３８", "138"),  # full-width
        ("一三八一二三四五六七八", "13812345678"),  # Chinese digits
        ("壹叁捌", "138"),  # upper-case Chinese digits
        ("138 1234 5678", "13812345678"),  # spaced digits
        ("138-1234-5678", "13812345678"),
        ("微.信", "微信"),  # separator between characters
        ("微 信", "微信"),
        ("微*信", "微信"),
        ("微\u200b信", "微信"),  # zero-width space
        ("微\u200d信\ufeff号", "微信号"),  # zero-width joiner, BOM
        ("聯繫我的微信號", "联系我的微信号"),  # traditional → simplified, char by char
        ("ＡＢＣ", "abc"),  # full-width letters, case
        ("ⓥⓧ", "vx"),  # circled letters
        ("❿", "10"),  # ten as one circled sign
        ("vх", "vx"),  # Cyrillic х
    ],
)
def test_character_folding(text, expected):
    assert normalize(text).joined.text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("薇信", "微信"),
        ("威信", "微信"),
        ("V信", "微信"),
        ("vx", "微信"),
        ("wx", "微信"),
        ("Ｖ Ｘ", "微信"),
        ("扣扣", "qq"),
        ("支付包", "支付宝"),
        ("某宝", "淘宝"),
        ("拼夕夕", "拼多多"),
        # round 11: pinyin spaced out, 芯 for 信, the veiled 某音
        ("zhi fu bao", "支付宝"),
        ("ZHI付宝", "支付宝"),
        ("薇芯", "微信"),
        ("徽❤芯", "微信"),
        ("某音", "抖音"),
    ],
)
def test_variants_fold_to_the_canonical_word(book, text, expected):
    assert book.normalize(text).joined.text == expected


def test_clause_punctuation_keeps_a_boundary_between_words():
    # "快，手" must not read as the platform name 快手.
    assert normalize("发货快，手慢无").joined.text == "发货快 手慢无"
    # ... but a lone character between separators is an evasion and is joined.
    assert normalize("加微，信").joined.text == "加微信"


def test_the_emoji_for_a_word_of_a_name_reads_as_the_word(book):
    assert book.normalize("小🍠上搜我们").joined.text == "小红书上搜我们"  # 小红薯, i.e. 小红书


@pytest.mark.parametrize("text", ["亲 现在支付 宝贝今天就能发出", "亲 这款真的很美 团购更优惠哦", "稍微 信号不好"])
def test_a_space_between_two_words_is_kept(book, text):
    # Joining names split by a space (淘 宝) was tried in session 19: in chat a space is a comma,
    # and 支付 宝贝, 美 团购, 微 信号 became platform names (helper-49).
    assert " " in book.normalize(text).joined.text


def test_letters_between_digits_read_as_digits():
    assert normalize("138o1234567").joined.text == "13801234567"


def test_every_normalised_character_maps_back_to_its_original_span(book):
    text = "加我 薇\u200b信：①③⑧"
    view = book.normalize(text).joined
    assert view.text == "加我 微信 138"
    # 薇\u200b信 → 微信: both characters map to the whole variant in the original
    start = view.text.index("微信")
    assert view.original_span(start, start + 2) == (3, 6)
    assert text[slice(*view.original_span(start, start + 2))] == "薇\u200b信"
    digits = view.text.index("138")
    assert text[slice(*view.original_span(digits, digits + 3))] == "①③⑧"


def test_plain_view_keeps_separators_for_urls():
    norm = normalize("链接：HTTPS://Item.JD.com/1.html")
    assert "https://item.jd.com/1.html" in norm.plain.text
    assert norm.plain.original_span(0, 2) == (0, 2)
