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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("可以去淘 宝搜索", "可以去淘宝搜索"),  # a name split by a space
        ("去淘.宝搜索", "去淘宝搜索"),
        ("去拼多 多下单", "去拼多多下单"),
        ("去某 宝买", "去淘宝买"),  # a variant split, then folded
        ("小🍠上搜我们", "小红书上搜我们"),  # the emoji for 红薯
    ],
)
def test_a_name_split_by_spaces_or_dots_is_joined_back(book, text, expected):
    assert book.normalize(text).joined.text == expected


def test_a_split_name_keeps_its_boundary_after_clause_punctuation(book):
    # "愉快，手机" ends a clause: no 快手 there; spaces keep unrelated words apart.
    assert book.normalize("祝您购物愉快，手机用户").joined.text == "祝您购物愉快 手机用户"
    assert book.normalize("发货很快 质量也好").joined.text == "发货很快 质量也好"
    norm = book.normalize("可以去淘 宝搜")
    start = norm.joined.text.index("淘宝")
    assert norm.original[slice(*norm.joined.original_span(start, start + 2))] == "淘 宝"


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
