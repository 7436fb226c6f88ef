"""Round 12 of the compliance rules (docs/quality-compliance.md): what changed, and its nearest allowed case."""

from __future__ import annotations

import pytest

from suggest.compliance import default_rulebook


@pytest.fixture(scope="module")
def book():
    return default_rulebook()


def test_a_fraud_warning_excuses_no_invitation_to_the_shop_in_its_own_clause(book):
    for text, rule in [
        ("谨防诈骗加我微信", "contact-wechat"),
        ("有问题加我微信谨防诈骗", "contact-wechat"),
        ("为了避免被骗可以加客服vx核实", "contact-wechat"),
        ("谨防诈骗加客服QQ验证", "contact-qq"),
        ("谨防诈骗付款直接转账给我", "offline-payment"),
        ("谨防诈骗帮我们刷一单", "fake-order"),
    ]:
        assert rule in book.check(text, "tmall").rules, text
    assert "contact-phone" in book.check("诈骗太多了直接打我电话吧", "pdd").rules
    # what a scammer asks for is still a warning, also when it names 客服
    for text in [
        "谨防诈骗，客服不会让您加微信",
        "凡是让您加客服微信的都是骗子",
        "有人冒充客服加您QQ的话，千万别信",
        "有人让您私下转账的话，那是诈骗",
    ]:
        assert book.check(text, "tmall").ok, text


def test_a_refused_cashback_excuses_no_red_packet_for_adding_the_shop(book):
    for text in [
        "没有返现，不过加我有红包",
        "好评不返现哦，加我领红包",
        "我们不返现，私下加我送您红包",
        "红包我私下发您",
        "我私下补您10块钱",
    ]:
        assert "offplatform-compensation" in book.check(text, "tmall").rules, text
    assert not book.check("没有返现，不过加我有红包", "pdd").ok
    # refusing the cashback itself, and the page's own red packets
    for text in [
        "好评不返现哦",
        "晒图没有返现的，感谢支持",
        "我们不做晒图返现",
        "平台规定好评返现属于违规行为",
        "平台禁止诱导好评，所以我们不会给好评返现",
        "没有返现哦，店铺红包在首页可以领",
        "关注店铺领红包",
    ]:
        assert book.check(text, "tmall").ok, text


def test_a_review_bought_in_other_words(book):
    for text in ["五星好评截图给我，返您两块钱", "差评删了我们就给您退款", "追评一下送您5元无门槛券"]:
        assert "review-for-reward" in book.check(text, "tmall").rules, text
    assert book.check("满意的话麻烦给个五星好评哦", "tmall").ok


def test_pdds_own_guarantee_passes_in_either_wording(book):
    # 假一赔十 is Pinduoduo's own guarantee (an own name in pdd.yaml, see test_compliance_rules.py);
    # "假货一赔十" says the same and passed nowhere. Elsewhere it is a promise beyond policy.
    assert book.check("亲，我们是正品，支持假一赔十", "pdd").ok
    assert book.check("假货一赔十，放心买", "pdd").ok
    assert list(book.check("假货一赔十，放心买", "tmall").rules) == ["promise-compensation-multiple"]
    assert "promise-compensation-multiple" in book.check("收到有质量问题赔您两倍货款", "jd").rules
    assert book.check("退一赔三是法律规定的，收到假货可以申请", "tmall").ok


@pytest.mark.parametrize(
    ("platform", "text", "rule"),
    [
        ("taobao", "亲，投诉能不能先撤一下，我们马上处理", "pressure-withdraw-complaint"),
        ("tmall", "快递明天才到，麻烦先确认一下收货哈", "confirm-receipt-early"),
        ("pdd", "帮我们拍一单，钱我们全额退回", "fake-order"),
        ("taobao", "可以帮忙做个单吗，佣金另算", "fake-order"),
        ("tmall", "我们家品质绝对是行业天花板", "absolute-claim"),
        ("tmall", "吊牌剪了没关系，照样给您退", "promise-refund-beyond-policy"),
        ("taobao", "一个月内都可以无理由退", "promise-refund-beyond-policy"),
        ("tmall", "下单后大概两周才能发", "ship-beyond-72-hours"),
        ("taobao", "这批货要下个月中旬才发", "ship-beyond-72-hours"),
        ("jd", "这款只能一次性付清哦", "refuse-credit-or-instalment"),
        ("tmall", "订单先别付款，我发您二维码转账便宜点", "offline-payment"),
        ("douyin", "可以直接转到我们公户，给您便宜", "offline-payment"),
        ("jd", "付定金就行，尾款见面给我", "offline-payment"),
        ("tmall", "这单我们后台直接作废，您重新下单", "close-order-for-buyer"),
        ("douyin", "您姐姐的订单已经签收了哦", "leak-buyer-data"),
        ("tmall", "方便的话把您的联系电话发一下", "contact-phone"),
        ("pdd", "黑色现在是零库存", "out-of-stock-wording"),
        ("taobao", "L码库存为0了亲", "out-of-stock-wording"),
        ("douyin", "运费您自己掏一下哈", "free-shipping-contradiction"),
        ("tmall", "眼睛不好使就别买", "insult"),
        ("pdd", "你这智商也是没谁了", "insult"),
        ("jd", "跟你说了八百遍了，详情页有", "rude-phrasing"),
        ("taobao", "您自己量错了还怪我们？", "rude-phrasing"),
    ],
)
def test_round12_forbidden_wordings_are_caught(book, platform, text, rule):
    assert rule in book.check(text, platform).rules


@pytest.mark.parametrize(
    ("platform", "text"),
    [
        ("taobao", "投诉可以在订单页撤销"),
        ("taobao", "您可以自己决定是否撤销投诉，我们都会处理好"),
        ("tmall", "快递明天到，到了您再确认一下收货"),
        ("tmall", "帮我们拍一单补运费差价就行"),
        ("tmall", "家里天花板装这个灯很合适"),
        ("tmall", "吊牌剪了没关系，只要不影响二次销售就行"),
        ("taobao", "有质量问题的话，一年内都可以换"),
        ("tmall", "这款是预售，下个月中旬才发"),
        ("tmall", "这边需要作废您新订单中使用的优惠券可以吗"),
        ("pdd", "为了保护隐私，您姐姐的订单需要她用下单账号来问哦"),
        ("jd", "快递员会打您收货时留的电话"),
        ("douyin", "不用您自己掏运费"),
        ("tmall", "老人家眼神不好使的话，可以选大字版"),
        ("tmall", "不好意思，这个确实怪我们没说清楚"),
        ("pdd", "快递到了会放快递柜，您用取件码自取就行"),
    ],
)
def test_round12_look_alikes_pass(book, platform, text):
    assert book.check(text, platform).ok, book.check(text, platform).to_dict()


def test_a_locker_excuses_pick_up_only_without_a_shop_in_the_clause(book):
    assert "pdd-offline-pickup" in book.check("快递放驿站，您也可以来门店自提", "pdd").rules
    assert "pdd-offline-pickup" in book.check("取件码发您了，直接来店里自取", "pdd").rules
