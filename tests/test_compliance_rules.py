"""The default rules: every category, every evasion, the context cases, spans and actions."""

from __future__ import annotations

import pytest

from suggest.compliance import CheckResult, FilterOutcome, default_rulebook
from suggest.errors import ScopeError


@pytest.fixture(scope="module")
def book():
    return default_rulebook()


def rules_of(book, text, platform):
    return book.check(text, platform).rules


@pytest.mark.parametrize(
    ("platform", "text", "rule"),
    [
        # invoices
        ("tmall", "亲，这款是特价商品，不开发票的哦", "invoice-refuse"),
        ("pdd", "发票不能开，我们小本生意", "invoice-refuse"),
        ("tmall", "开发票需要另外加6个点的税点哦", "invoice-charge"),
        ("taobao", "发票可以开，快递费到付", "invoice-postage"),
        ("tmall", "亲，财务这几天休假，发票要等她回来才能开", "invoice-delay"),
        ("taobao", "本月额度用完了，下个月给您开", "invoice-delay"),
        ("jd", "发票我们只开公司抬头，个人不能开", "invoice-company-only"),
        ("taobao", "发票只能开办公用品，不能开衣服", "invoice-other-content"),
        ("jd", "只能给您开个收据", "invoice-receipt-instead"),
        # stock, free shipping, orders, payment
        ("tmall", "亲，这款暂时缺货，要等一周", "out-of-stock-wording"),
        ("douyin", "这款不包邮，运费需要您自己出", "free-shipping-contradiction"),
        ("taobao", "我帮您把订单取消掉，您重新拍", "close-order-for-buyer"),
        ("tmall", "不好意思，我们店不支持信用卡付款", "refuse-credit-or-instalment"),
        ("jd", "这款不支持分期，只能全款", "refuse-credit-or-instalment"),
        ("douyin", "转账到我银行卡，给您打九折", "offline-payment"),
        ("taobao", "给您发个微信红包作为补偿", "offplatform-compensation"),
        # outside contact
        ("tmall", "加我微信吧，发您更多款式", "contact-wechat"),
        ("tmall", "我们的QQ是 12345678，售后找我", "contact-qq"),
        ("taobao", "您把手机号发我一下，我让仓库直接联系您", "contact-phone"),
        ("tmall", "有事打 13912345678", "phone-number"),
        ("taobao", "加个好友，以后有新款第一时间通知您", "contact-other"),
        ("jd", "我们的官网 www.xxx-home.com 有更多型号", "link-outside"),
        ("tmall", "您去拼多多搜一下同款", "other-platform-name"),
        # buyer data, rudeness, promises
        ("tmall", "亲，您朋友的订单已经发货了，单号是YT1234567890", "leak-buyer-data"),
        ("taobao", "你有病吧，问了八百遍", "insult"),
        ("tmall", "说了多少遍了，尺码表自己看详情", "rude-phrasing"),
        ("tmall", "亲，保证明天一定能送到您手上", "promise-delivery-date"),
        ("tmall", "吊牌剪了也能退，放心买", "promise-refund-beyond-policy"),
        # platform-specific
        ("tmall", "我给您改个价，便宜10块", "tmall-no-price-change"),
        ("pdd", "亲，可以用支付宝付款的", "pdd-forbidden-words"),
        ("pdd", "给您发京东快递，更快一些", "pdd-forbidden-words"),
        ("pdd", "就在我们实体店，来店里拿也行", "pdd-offline-pickup"),
        ("pdd", "您到杭州市余杭区文一西路588号门口取一下就行", "pdd-pickup-address"),
    ],
)
def test_each_category_is_caught(book, platform, text, rule):
    assert rule in rules_of(book, text, platform)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("加我①③⑧①②③④⑤⑥⑦⑧", "phone-number"),
        ("电话一三八一二三四五六七八", "phone-number"),
        ("电话：壹叁玖 壹贰叁肆 伍陆柒捌", "phone-number"),
        ("加我微.信", "contact-wechat"),
        ("加我微 信", "contact-wechat"),
        ("加我薇信", "contact-wechat"),
        ("加我V信", "contact-wechat"),
        ("加 vx：shop888", "contact-wechat"),
        ("加我 wx 有优惠", "contact-wechat"),
        ("加我威信", "contact-wechat"),
        ("聯繫我們的微信號", "contact-wechat"),
        ("加我微\u200b信", "contact-wechat"),
        ("ＶＸ：ｓｈｏｐ６６６", "contact-wechat"),
        ("扣扣 3456789012", "contact-qq"),
        ("淘.宝.上也有", "other-platform-name"),
        ("淘\u200c宝上搜店名", "other-platform-name"),
        ("轉賬到我的支付寶，不用走平台", "offline-payment"),
    ],
)
def test_evasions_are_caught(book, text, rule):
    platform = "jd"  # none of these names is JD's own
    assert rule in rules_of(book, text, platform)


@pytest.mark.parametrize(
    ("platform", "text"),
    [
        ("tmall", "您可以用支付宝付款"),
        ("taobao", "支付宝付款和花呗都可以"),
        ("tmall", "运费我们承担，发票随后补寄"),
        ("pdd", "只能在拼多多平台下单哦"),
        ("tmall", "亲，我们天猫店铺全国包邮，偏远地区除外"),
        ("jd", "京东物流，211限时达"),
        ("douyin", "您好，我们抖音小店所有商品都支持七天无理由退货"),
        ("tmall", "我们默认发中通，需要顺丰的话补差价10元"),
        ("taobao", "三通一达都可以发，默认中通"),
        ("tmall", "这款支持花呗分期，下单时选择分期就行"),
        ("tmall", "白色XL断码了，3天内补货，您可以先收藏"),
        ("tmall", "身高170体重65，建议拍L码，这款价格是139元"),
        ("jd", "您的订单号是 2875634198723451234，已安排出库"),
        ("tmall", "已经有1200多位买家购买了这款"),
        ("douyin", "可以用微信支付或者支付宝，在抖音下单页选择就行"),
        ("douyin", "咱们家发货很快，手慢无哦"),
        ("pdd", "今天猫粮满两袋有优惠"),
        ("tmall", "亲，订单需要下单账号来咨询哦，为了保护隐私不能查询他人订单"),
        ("tmall", "我们这边没法帮您取消订单哦，需要您用下单账号自己申请"),
        ("pdd", "https://mobile.yangkeduo.com/goods.html?goods_id=123 这是我们店的宝贝链接"),
        # warnings against going off-platform are the compliant reply
        ("tmall", "为了您的账户安全，请不要私下转账"),
        ("tmall", "请不要添加任何自称客服的微信，谨防诈骗"),
        ("pdd", "亲，我们是工厂直发，没有线下门店"),
        # negations and policy that contain a trigger word
        ("tmall", "这个不是缺货，是断码，L码下周到"),
        ("tmall", "质量问题的话用过也可以退"),
        ("tmall", "没有发票抬头的话默认开个人"),
        ("douyin", "物流的权威信息以快递官网为准"),
        ("jd", "亲，USB充电线长1.5米"),
    ],
)
def test_hard_allowed_replies_pass(book, platform, text):
    result = book.check(text, platform)
    assert result.ok, result.to_dict()


def test_alipay_depends_on_platform_and_context(book):
    assert book.check("您可以用支付宝付款", "tmall").ok
    assert not book.check("您可以用支付宝付款", "pdd").ok
    assert "offline-payment" in rules_of(book, "转账到我的支付宝，不用走平台", "tmall")


def test_own_platform_name_is_fine_other_names_are_not(book):
    text = "只能在拼多多平台下单哦"
    assert book.check(text, "pdd").ok
    for platform in ("tmall", "taobao", "douyin", "jd"):
        assert "other-platform-name" in rules_of(book, text, platform)


def test_courier_named_after_a_platform_is_forbidden_only_on_pdd(book):
    assert book.check("京东快递也可以发，需要补差价", "taobao").ok
    assert "pdd-forbidden-words" in rules_of(book, "京东快递也可以发，需要补差价", "pdd")


def test_postage_is_forbidden_only_when_charged_for_the_invoice(book):
    for platform in ("tmall", "pdd"):
        assert "invoice-postage" in rules_of(book, "亲，开发票需要另外支付邮费10元", platform)
        assert "invoice-charge" in rules_of(book, "亲，开发票价格要另算", platform)
        assert book.check("偏远地区需要另外支付邮费", platform).ok
    assert book.check("发票随后补寄，不需要您另外支付邮费", "tmall").ok


def test_refusing_wechat_is_fine_except_on_pdd_where_the_word_is_forbidden(book):
    for text in ("亲，不能加微信哦", "我们不加微信哦，有问题在这里留言就好", "不方便加微信哦"):
        for platform in ("tmall", "taobao"):
            assert book.check(text, platform).ok, (text, platform)
        assert "pdd-forbidden-words" in rules_of(book, text, "pdd")
    # a bare 不加 near 微信 is no refusal
    assert "contact-wechat" in rules_of(book, "我们这边不加价，加我微信吧", "tmall")
    assert "contact-wechat" in rules_of(book, "不加微信的话就领不了福利哦", "tmall")


def test_gun_is_an_insult_only_as_a_word_of_its_own(book):
    for text in ("亲，您滚吧", "亲，你滚", "亲，赶紧滚", "滚一边去"):
        assert "insult" in rules_of(book, text, "tmall"), text
    for text in ("滚筒洗衣机", "领口是滚边设计", "往下滚动就能看到", "静音滚轮", "宝宝打滚", "圆滚滚的小熊", "滚烫的水"):
        assert book.check(text, "tmall").ok, text


def test_gun_said_of_the_parcel_is_rude_wording_not_an_insult(book):
    # 滚 for the parcel on its way reads as "get lost": dropped, with the wording rule's message
    for text in ("亲，宝贝很快就滚到您手里啦", "快递明早就能滚到家", "包裹已经滚过去啦，请留意物流", "这就给您滚过去"):
        result = book.check(text, "tmall")
        assert "rude-gun-wording" in result.rules, text
        assert "insult" not in result.rules, text  # 很快 is "soon", not the command 快滚
    # 滚蛋 and its variants stay insults
    for text in ("滚蛋吧你", "滚滚滚", "不爱买就滚出本店", "你给我滚回去"):
        assert "insult" in rules_of(book, text, "taobao"), text
    # ordinary words with 滚, a ball that rolls, scrolling, water at a full boil
    for text in (
        "滚筒洗衣机可以洗羽绒服",
        "裙摆有一圈滚边",
        "手指上下滚动就能看大图",
        "翻滚的时候也不会走光",
        "皮球滚到床底下了也好找",
        "往下滚到底部有尺码表",
        "水壶里的水滚开以后再泡",
        "不要用滚开水烫洗",
        "烘干时衣服在滚筒里滚来滚去",
    ):
        assert book.check(text, "tmall").ok, text


def test_a_refusal_excuses_only_the_contact_it_refuses(book):
    # a refusal of something else, then an invitation to talk off the platform
    for text, rule in (
        ("不能加急的，您加我微信，我帮您问仓库", "contact-wechat"),
        ("这边没办法加价，您加个QQ我们细谈", "contact-qq"),
        ("不方便加运费险，加我好友私下补您", "contact-other"),
        ("QQ这边不能加，加我微信吧", "contact-wechat"),
        ("不能加您QQ，不过可以加我微信", "contact-wechat"),
        ("请不要着急，加个微信我帮您跟进", "contact-wechat"),
        ("请不要担心，您的电话是多少我打给您", "contact-phone"),
    ):
        for platform in ("tmall", "taobao"):
            assert rule in rules_of(book, text, platform), (text, platform)
    # refusing (or warning against) the contact itself stays fine
    for text in (
        "不好意思，我们这边不能加您微信哦",
        "微信这边是不能加的，您在这里留言就好",
        "QQ和微信我们都不方便提供哈",
        "客服不会主动加您好友",
        "请不要添加自称客服的QQ",
        "不方便给您留电话，在这里沟通更有保障",
    ):
        for platform in ("tmall", "taobao"):
            assert book.check(text, platform).ok, (text, platform, book.check(text, platform).to_dict())


def test_baitiao_is_jds_credit_product_and_names_jd_elsewhere(book):
    for platform in ("pdd", "tmall", "taobao", "douyin"):
        assert "other-platform-name" in rules_of(book, "这款可以用白条分3期", platform), platform
    assert book.check("这款可以用白条分3期", "jd").ok
    # stripes, a white stripe, a plucked chicken are not the payment
    for text in ("黑白条纹的海魂衫", "蓝白条那款偏大一码", "袖子上有两条白条装饰", "白条鸭真空包装"):
        for platform in ("pdd", "tmall"):
            assert book.check(text, platform).ok, (text, platform)


def test_own_domain_links_are_fine(book):
    assert book.check("https://detail.tmall.com/item.htm?id=1", "tmall").ok
    assert "link-outside" in rules_of(book, "https://detail.tmall.com/item.htm?id=1", "pdd")


def test_spans_are_in_original_text_coordinates(book):
    text = "亲～有问题加我 薇\u200b信：abc123 哦"
    result = book.check(text, "tmall")
    [violation] = [v for v in result.violations if v.rule == "contact-wechat"]
    start, end = violation.span
    assert text[start:end].startswith("薇\u200b信")
    phone = "电话①③⑧①②③④⑤⑥⑦⑧，谢谢"
    [number] = [v for v in book.check(phone, "jd").violations if v.rule == "phone-number"]
    assert phone[number.span[0] : number.span[1]] == "①③⑧①②③④⑤⑥⑦⑧"


def test_to_dict_has_the_documented_shape(book):
    result = book.check("加我微信", "pdd")
    data = result.to_dict()
    assert set(data) == {"ok", "violations"}
    assert data["ok"] is False
    for v in data["violations"]:
        assert {"rule", "message", "span"} <= set(v)
        assert isinstance(v["span"], list) and len(v["span"]) == 2
    assert CheckResult().to_dict() == {"ok": True, "violations": []}


def test_apply_drops_masks_and_flags(book):
    dropped = book.apply("加我微信吧", "tmall")
    assert isinstance(dropped, FilterOutcome)
    assert dropped.text is None and dropped.dropped
    assert "contact-wechat" in dropped.dropped_by

    masked = book.apply("您的收件电话13812345678已核对", "tmall")
    assert masked.text == "您的收件电话***********已核对"
    assert not masked.dropped and not masked.needs_human

    flagged = book.apply("亲，保证明天一定能送到您手上", "tmall")
    assert flagged.text == "亲，保证明天一定能送到您手上"
    assert flagged.needs_human

    fine = book.apply("亲，我们发顺丰哦", "tmall")
    assert fine.text == "亲，我们发顺丰哦" and not fine.needs_human and not fine.violations


def test_unknown_platform_names_the_known_ones(book):
    with pytest.raises(ScopeError) as exc:
        book.check("你好", "kuaishou")
    for platform in ("tmall", "taobao", "pdd", "douyin", "jd"):
        assert platform in str(exc.value)


def test_require_compliant_names_file_line_and_rule(book):
    from suggest.errors import ComplianceError

    book.require_compliant("亲，我们发顺丰哦", ["tmall", "pdd"], path="templates/a.yaml", line=3)
    with pytest.raises(ComplianceError) as exc:
        book.require_compliant("可以用支付宝付款", ["tmall", "pdd"], path="templates/a.yaml", line=7)
    assert str(exc.value).startswith("templates/a.yaml:7:")
    assert "pdd-forbidden-words" in str(exc.value) and "pdd" in str(exc.value)


def test_empty_text_is_ok(book):
    assert book.check("", "tmall").ok


@pytest.mark.parametrize(
    ("text", "platform", "ok"),
    [
        ("亲，这款付款后10天内发货哦", "tmall", False),
        ("下单后5个工作日内发出", "taobao", False),
        ("大概一周后才能发出", "tmall", False),
        ("付款后十五天内发货", "tmall", False),
        ("付款后96小时内发货", "tmall", False),
        ("付款后72小时内发货", "tmall", True),
        ("现货付款后48小时内发货", "taobao", True),
        ("这款是预售款，付款后15天内按付款先后顺序发货", "tmall", True),
        ("断码的颜色在补货，7天左右到仓，到货后给您发货", "tmall", True),
        ("签收后7天内可以申请退货", "tmall", True),
        ("付款后10天内发货哦", "pdd", True),  # the 72-hour rule is Tmall's and Taobao's (DOMAIN.md)
    ],
)
def test_a_ship_time_beyond_72_hours_needs_a_reason_on_tmall_and_taobao(book, text: str, platform: str, ok: bool):
    result = book.check(text, platform)
    assert result.ok == ok, result.rules
    if not ok:
        assert result.rules == ["ship-beyond-72-hours"]
        assert book.apply(text, platform).needs_human  # a flag: an agent may have agreed it with the buyer


def test_a_warning_excuses_only_the_payment_it_warns_against(book):
    # a warning or a refusal of something else, then an invitation to pay outside the platform
    for text in (
        "请不要着急，转账到我支付宝就行",
        "亲别担心哈，不会让您多花一分钱，直接转账给我就好",
        "请勿拍下，私下轉賬給我更划算",
        "亲，请认准我们家，支付宝转账给我就能优惠",
        "不会要求您多付的，定金打到我个人银行卡就可以",
        "不用担心安全问题，转我zfb就行",
    ):
        for platform in ("tmall", "taobao", "douyin"):
            assert "offline-payment" in rules_of(book, text, platform), (text, platform)
    # warning against (or refusing) the payment itself stays fine
    for text in (
        "请不要私下转账给任何人，付款都在平台完成哦",
        "客服不会让您转账到个人支付宝，请认准页面下单",
        "请勿相信任何让您直接转账的消息",
        "我们不支持线下付款哦，在页面拍下就可以",
        "私下转账是不可以的哈，平台付款才有保障",
        "不接受汇款的亲，直接拍下用支付宝付就行",
        "请不要私下交易，平台上也有优惠",
    ):
        assert book.check(text, "tmall").ok, (text, book.check(text, "tmall").to_dict())
    assert book.check("不能面交哦亲，我们只在平台下单发货", "pdd").ok


def test_a_list_refused_as_a_whole_must_open_its_clause(book):
    for text in ("您可以加我们售后微信，QQ都不能加", "加我们售后的微信，电话和QQ都不方便给"):
        assert "contact-wechat" in rules_of(book, text, "tmall"), text
    for text in ("微信、QQ都不能加哦，有问题在这里留言就好", "QQ和微信我们这边都不方便留的，您在这里说就行"):
        assert book.check(text, "tmall").ok, text


def test_an_invitation_to_mine_after_naming_the_contact_is_caught(book):
    for text in ("请勿添加任何陌生微信，加我的就行", "别加其他人的vx，只加我这个就好", "平台上不方便说，你加我們的LINE私聊"):
        assert "contact-other" in rules_of(book, text, "taobao"), text
    for text in ("请勿添加任何陌生微信，有问题直接在旺旺找我就行", "微信不用加，有问题联系我这边的客服就行", "这款是A-line裙"):
        assert book.check(text, "taobao").ok, text


def test_meituan_eleme_and_dianping_are_other_platforms(book):
    for text in ("您也可以去美团下单", "支持美团月付，先用后付很方便", "饿了么上也能买到", "大众点评上有我们门店的评价", "某团上也有"):
        for platform in ("tmall", "pdd", "douyin", "jd"):
            assert "other-platform-name" in rules_of(book, text, platform), (text, platform)
    for text in ("下单就送精美团扇一把哦", "这件旗袍是精美团花刺绣的", "我们的设计团队很专业", "完美团购价"):
        assert book.check(text, "pdd").ok, text


def test_wechat_fenfu_is_forbidden_on_pdd_but_not_partial_payment(book):
    for text in ("付款的时候选分付，可以分三期", "亲，分付、月付都支持哈"):
        assert "pdd-forbidden-words" in rules_of(book, text, "pdd"), text
    for text in ("定金是部分付款，尾款到时候再付就行", "部分付款不支持哦，需要一次付清", "积分付款可以抵扣2元", "订单可以用多多月付"):
        assert book.check(text, "pdd").ok, text


def test_a_review_bought_with_money_a_gift_or_a_refund_is_forbidden(book):
    for text in (
        "亲，收到后给个五星好评，联系客服返您5元",
        "好评截图发给我，给您退3块钱哈",
        "给个好评吧亲，好评后给您退部分货款",
        "帮忙带图好评一下，送您一个小礼品",
        "您把差评改成好评，我们马上给您补偿10元",
        "亲亲五星好评后找我领取3元红包哦",
        "给个五星好评，我马上给您退款",
    ):
        for platform in ("tmall", "taobao", "pdd"):
            assert "review-for-reward" in rules_of(book, text, platform), (text, platform)
    assert "review-for-reward" in rules_of(book, "五星好评加晒图，我们给您小额打款8元", "pdd")
    # asking for a review with nothing in exchange, or saying there is no reward
    for text in (
        "收到宝贝如果满意的话，麻烦给个五星好评哦，谢谢亲",
        "我们店没有好评返现，您如实评价就好",
        "本店不做好评返现，有问题请先联系客服处理",
        "您给不给好评都不影响退款，放心申请",
        "麻烦给个好评哦，有问题随时找我退款",
    ):
        for platform in ("tmall", "pdd"):
            assert book.check(text, platform).ok, (text, platform, book.check(text, platform).to_dict())


def test_a_multiple_of_the_price_is_a_promise_to_flag(book):
    for text, platform in (
        ("我们保证正品，假一赔十，放心拍", "tmall"),
        ("假一罚十，支持专柜验货", "taobao"),
        ("坏一赔十，放心买", "douyin"),
        ("如有质量问题十倍赔偿", "jd"),  # the quality-problem exception is about using the item
    ):
        result = book.check(text, platform)
        assert result.rules == ["promise-compensation-multiple"], (text, result.rules)
        assert book.apply(text, platform).needs_human
    # the law's 退一赔三, Tmall's 假一赔四 and Pinduoduo's own 假一赔十
    assert book.check("如果收到的是假货，可以申请退一赔三，这是法律规定的", "jd").ok
    assert book.check("天猫正品保障，假一赔四是平台的服务", "tmall").ok
    assert book.check("亲，我们是正品，支持假一赔十", "pdd").ok


def test_asking_to_withdraw_a_complaint_is_forbidden(book):
    for text in (
        "您先把投诉撤了，我们马上给您退款",
        "只要您撤销平台介入，我们多补您20",
        "亲，你把举报撤回去，我们这边立刻给你补发",
        "麻烦您先关闭纠纷，不然我们这边没法给您处理",
        "您撤销一下维权申请，我们再商量赔偿的事",
    ):
        assert "pressure-withdraw-complaint" in rules_of(book, text, "tmall"), text
    for text in (
        "您的投诉我们已经收到了，会尽快给您一个满意的答复",
        "如果您想撤销退款申请，在订单详情里点撤销就可以",
        "纠纷我们会积极处理的，您不用撤销",
        "我们不会要求您撤销投诉",
        "平台介入后我们会配合提供凭证，请您放心",
    ):
        assert book.check(text, "tmall").ok, text


def test_confirming_receipt_before_the_parcel_arrives_is_forbidden(book):
    for text in (
        "亲，麻烦先点下确认收货，货明天就到了",
        "还没收到也没关系，您先确认收货，我们保证给您送到",
        "先確認收貨吧，東西肯定會到的",
        "快递还在路上，您先确认收货一下",
    ):
        assert "confirm-receipt-early" in rules_of(book, text, "taobao"), text
    for text in (
        "收到货检查没问题后再确认收货哦",
        "还没收到货的话千万不要点确认收货哦",
        "签收后满意的话麻烦确认收货，谢谢亲",
        "还在路上的话，到了您再确认收货",
        "快递已经到了，麻烦您确认收货",
        "系统会在签收10天后自动确认收货",
    ):
        assert book.check(text, "taobao").ok, text


def test_inviting_to_a_fake_order_is_forbidden_naming_it_is_not(book):
    assert "fake-order" in rules_of(book, "帮我们刷一单吧，本金加佣金马上返给您", "jd")
    assert "fake-order" in rules_of(book, "可以帮忙刷个好评吗", "tmall")
    for text in ("我们从不刷单，评价都是真实的", "为了防止商家刷单，安装费分摊在订单金额里", "是有其他人员联系您刷单的吗"):
        assert book.check(text, "tmall").ok, text


def test_the_next_clause_does_not_excuse_closing_an_order_or_telling_a_friends_order(book):
    assert "close-order-for-buyer" in rules_of(book, "我帮您把这单取消了，您自己重新拍一下就行", "tmall")
    for text in ("我们建议您自己取消订单，再重新拍", "我这边给您申请取消订单，您看可以吗", "订单这边客服取消不了哦，您自己在订单页申请取消就可以"):
        assert book.check(text, "tmall").ok, text
    assert "leak-buyer-data" in rules_of(book, "您朋友的订单已经签收了，具体地址不方便透露哦", "taobao")
    for text in ("您朋友的订单是不方便查询的", "抱歉亲，为了保护买家隐私，您朋友的订单需要下单账号来问哦"):
        assert book.check(text, "taobao").ok, text


def test_a_transfer_straight_to_the_buyer_is_offplatform_compensation(book):
    assert "offplatform-compensation" in rules_of(book, "不用申请退款了，我直接转您20块，比走售后快", "douyin")
    assert book.check("给您小额打款5元作为补偿", "pdd").ok


# Round 11: an exception excuses what it is about, in the clause it is said in, not whatever lies
# within a window of it (docs/quality-compliance.md). The CSV rows say blocked or not; these say
# WHICH part of the reply is still a violation once its neighbour's exception no longer covers it.


@pytest.mark.parametrize(
    ("platform", "text", "rule", "caught"),
    [
        # the exception is about another thing, in another clause: the violation is still there
        ("tmall", "运费免费的，开发票要另外加6个点", "invoice-charge", "发票要另外加6个点"),
        ("pdd", "商品包邮，发票要另付邮费哦", "invoice-postage", "发票要另付邮费"),
        ("tmall", "这款不包邮的，顺丰中通都要您自己付运费", "free-shipping-contradiction", "不包邮"),
        ("taobao", "退货运费我们承担，不过这单不包邮，要补8元邮费", "free-shipping-contradiction", "不包邮"),
        ("tmall", "领取的优惠券用不了的话，我给您发个红包补偿", "offplatform-compensation", "发个红包"),
        ("tmall", "没有质量问题也没关系，穿过洗过都能退", "promise-refund-beyond-policy", "洗过都能退"),
        ("taobao", "超过7天也没事，不管什么原因都给您退", "promise-unconditional-refund", "不管什么原因都给您退"),
        ("tmall", "谨防诈骗，有问题加我微信", "contact-wechat", "微信"),
        ("tmall", "这款不支持花呗，免息券也用不了", "refuse-credit-or-instalment", "不支持花呗"),
        ("tmall", "运费险没有，我给您改个价便宜10块", "tmall-no-price-change", "我给您改个价"),
    ],
)
def test_an_exception_in_another_clause_leaves_the_violation_in_place(book, platform, text, rule, caught):
    spans = [text[v.span[0] : v.span[1]] for v in book.check(text, platform).violations if v.rule == rule]
    assert any(caught in s for s in spans), (text, spans)


@pytest.mark.parametrize(
    ("platform", "text"),
    [
        # the same exceptions where they govern the charge, the promise or the contact
        ("tmall", "开发票不需要您另外加钱，税点我们承担"),
        ("tmall", "发票随后补寄，不需要您另外支付邮费"),
        ("tmall", "新疆不包邮，需要补10元运费"),
        ("tmall", "满99包邮，您这单还差20，不然要补8元运费"),
        ("tmall", "质量问题的话，用过也可以退"),
        ("tmall", "7天内，不管什么原因都可以退"),
        ("tmall", "陌生人让您加微信，一定是骗子"),
        ("tmall", "亲，这款不支持花呗免息，但是可以正常分期"),
        ("tmall", "我帮您把运费改低一点"),
        ("tmall", "这款是预售，付款后15天内发货"),
    ],
)
def test_an_exception_still_excuses_its_own_clause(book, platform, text):
    result = book.check(text, platform)
    assert result.ok, result.to_dict()


def test_a_denied_reason_excuses_no_ship_time_beyond_72_hours(book):
    for text in ("这款不是预售，是现货，付款后10天内发货", "不用等补货，现货付款后7天内发出", "非预售商品，付款后7天内发货"):
        assert book.check(text, "tmall").rules == ["ship-beyond-72-hours"], text
    assert book.check("这款是预售，付款后10天内发货", "tmall").ok


def test_saying_a_date_cannot_be_promised_is_no_promise(book):
    for text in ("不能保证明天一定到哦", "这个谁也不敢打包票明天到", "我不能跟您承诺周五前收到", "明天不一定能到哦"):
        assert book.check(text, "tmall").ok, text
    # the negation must govern the promise, in its clause
    for text in ("不用担心，保证明天到", "不能加急，但保证后天到", "放心，包您明儿就到", "下单后三天内必到"):
        assert book.check(text, "tmall").rules == ["promise-delivery-date"], text


def test_absolute_claims_are_flagged_for_a_person_and_a_shop_may_override_them(book):
    for text in ("我们家的面料是全网最好的", "这款销量全网第一，放心拍", "国家级质检认证，品质有保障", "史上最低价"):
        outcome = book.apply(text, "douyin")
        assert outcome.needs_human and not outcome.dropped, text
        assert [v.rule for v in outcome.violations] == ["absolute-claim"], text
    # advice, order words and plain facts are no claim
    for text in ("您最好先量一下腰围再拍", "有货了第一时间通知您", "第一件原价，第二件半价", "面料符合国家标准",
                 "这个已经是最低价了，真的不能再少了", "全国最快明天就能到"):
        assert book.check(text, "douyin").ok, text
    [rule] = [r for r in book.rules_for("tmall") if r.id == "absolute-claim"]
    assert rule.overridable and rule.action == "flag"


def test_promised_efficacy_or_safety_is_flagged_for_a_person(book):
    """A cosmetics shop's FAQ said 美白祛斑效果特别好，7天见效 and was sent alone at night (helper-39)."""
    for text in ("亲，美白祛斑效果特别好，7天见效", "三天就能去痘印，无任何副作用", "亲，孕妇也可以放心用，零添加无刺激",
                 "这款口红成分温和，孕期用是没问题的", "用了马上见效", "能根治痘痘"):
        outcome = book.apply(text, "douyin")
        assert outcome.needs_human and not outcome.dropped, text
        assert "efficacy-claim" in {v.rule for v in outcome.violations} <= {"efficacy-claim", "health-claim"}, text
    for text in ("孕妇慎用哦，建议咨询医生", "宝宝穿也可以放心", "一般3天到货", "洗3次就会软很多", "支持7天无理由退换",
                 "效果因人而异，建议坚持使用", "孕妇能用吗"):
        assert book.check(text, "douyin").ok, text
    [rule] = [r for r in book.rules_for("jd") if r.id == "efficacy-claim"]
    assert rule.overridable and rule.action == "flag"


def test_a_food_claiming_to_cure_or_slim_is_flagged_for_a_person(book):
    """A snack shop's FAQ said 吃了可以减肥降血糖，三高人群也能放心吃: no rule saw it, and it was sent
    alone at night (helper-40)."""
    for text in ("亲，我们的坚果可以降血糖，糖尿病人也能放心吃", "吃一个月就能瘦5斤", "常吃能增强免疫力", "吃了治便秘",
                 "坚果能补脑，小孩吃了更聪明", "吃了能抗癌哦", "零添加，健康无负担", "芒果干能改善睡眠", "三高人群随便吃"):
        outcome = book.apply(text, "jd")
        assert outcome.needs_human and not outcome.dropped, text
        assert {v.rule for v in outcome.violations} == {"health-claim"}, text
    # the claim said not to hold, a doctor's advice, and the same verbs about clothes or an order
    for text in ("亲，这是普通食品，不能代替药物，也不能降血糖哦", "糖尿病人请先咨询医生哦", "如有不适请及时就医",
                 "不能减肥哦亲", "这款面料可以预防起球", "可以帮您改善一下包装", "宝宝穿也可以放心", "这个颜色是治愈系的",
                 "每天一小包刚好", "吃了能减肥吗"):
        assert book.check(text, "douyin").ok, text
    [rule] = [r for r in book.rules_for("douyin") if r.id == "health-claim"]
    assert rule.overridable and rule.action == "flag"


def test_other_platforms_orders_are_sent_back_without_naming_one(book):
    text = "其他平台的订单需要在下单平台处理"
    for platform in ("tmall", "taobao", "pdd", "douyin", "jd"):
        assert book.check(text, platform).ok, platform
    assert "other-platform-name" in rules_of(book, "淘寶的訂單需要在淘寶處理哦", "pdd")
    assert book.check("淘宝的订单需要在淘宝处理哦", "tmall").ok


# helper-42's red-team pass: what real replies say to get past a filter, rule by rule
EVASIONS = [
    ("tmall", "加我维芯qz2026kf", "contact-wechat"),
    ("tmall", "我的微：qz2026kf", "contact-other"),
    ("tmall", "晚上可以加我私人号，qz2026kf", "contact-other"),
    ("tmall", "扣：1234567，有事找我", "contact-other"),
    ("tmall", "您长按识别图中二维码就能领券", "contact-other"),
    ("tmall", "关注我们的gzh领券", "contact-other"),
    ("tmall", "拼哆哆上都是假的", "other-platform-name"),
    ("tmall", "亲，拍下后不用付款，支付宝扫码给我就行，可以便宜10元", "offline-payment"),
    ("tmall", "您直接给我转款，我这边安排发货", "offline-payment"),
    ("tmall", "不在平台下单的话可以给您优惠", "offline-payment"),
    ("tmall", "补差价直接转我5元就好", "offline-payment"),
    ("tmall", "亲，您把钱转到这个账户：6222 0212 3456 7890", "offline-payment"),
    ("tmall", "亲给个5星，给您返5元", "review-for-reward"),
    ("tmall", "您把差评删了，我们给您全额退款", "review-for-reward"),
    ("tmall", "好评后联系客服有惊喜哦", "review-for-reward"),
    ("tmall", "写个好评，下次来买给您便宜10块", "review-for-reward"),
    ("tmall", "亲，投诉撤销后我们马上安排退款", "pressure-withdraw-complaint"),
    ("tmall", "亲，不要找平台了，我们直接给您退", "pressure-withdraw-complaint"),
    ("tmall", "亲，快递在路上了，您先帮忙点个收货哦", "confirm-receipt-early"),
    ("tmall", "亲，这款目前无现货哦，可以看看其他款", "out-of-stock-wording"),
    ("tmall", "亲，今天下单明天必达哦", "promise-delivery-date"),
    ("tmall", "质量绝对是最好的", "absolute-claim"),
    ("tmall", "敏感肌放心用，绝对不过敏", "efficacy-claim"),
    ("tmall", "糖友也能放心吃的", "health-claim"),
    ("tmall", "爱买就买，不买算了", "rude-phrasing"),
]


@pytest.mark.parametrize(("platform", "text", "rule"), EVASIONS)
def test_the_wordings_a_red_team_got_past_the_filter_are_caught(book, platform: str, text: str, rule: str):
    assert rule in {v.rule for v in book.check(text, platform).violations}, text


@pytest.mark.parametrize("text", ["微信这边不能加哦，亲", "QQ也不能加哦，亲", "麻烦您先确认收货地址，还没发货可以改",
                                  "快递明天就到，请您先确认收货人信息", "收据和发票都可以提供", "付款后会有电子收据，发票也可以开",
                                  "亲，我们不搞返现，谢谢理解", "家里天花板装这个灯很合适", "把差价链接发我，我拍一下",
                                  "扫吊牌上的二维码可以查真伪", "这款是小号，偏小一码", "满300扣50的活动",
                                  "您的订单号是3428812390012345678，我帮您查一下"])
def test_the_compliant_replies_it_had_blocked_pass(book, text: str):
    assert book.check(text, "tmall").ok, text


def test_a_text_hitting_one_rule_many_times_is_no_refusal(book):
    """Excusing each of thousands of hits took seconds (10,000 characters of 微信或QQ或电话或: 4 s); a
    text that names the contact that often is reported, whatever refusal words it holds."""
    assert book.check("微信这边不能加哦", "tmall").ok
    many = book.check("微信这边不能加哦 " * 30, "tmall").violations
    assert len([v for v in many if v.rule == "contact-wechat"]) == 30
    assert len(book.check(("微信或QQ或电话或" * 1250)[:10000], "tmall").violations) > 1000
    # what excuses without a pattern still does: the platform's own name, an allow phrase
    assert book.check("天猫，" * 30, "tmall").ok and book.check("微信支付，" * 30, "douyin").ok
