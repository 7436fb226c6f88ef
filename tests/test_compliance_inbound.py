"""The customer's message: escalation words ask for a human; some requests pick the compliant template."""

from __future__ import annotations

import pytest

from suggest.compliance import TOPICS, analyze_inbound, default_rulebook
from suggest.errors import ScopeError


@pytest.mark.parametrize(
    "message",
    [
        "再不处理我就去投诉你们",
        "我要打12315",
        "找消协评理",
        "不给退就给差评",
        "不退款我就报警",
        "我已经找工商了",
        "我会请律师起诉你们",
        "小二介入吧",
        "已经向消费者协会反映了",
        "不给我退款我就给你们打一星",
        "我要曝光你们",
        "你们这是欺诈，退一赔三",
    ],
)
def test_escalation_words_need_a_human(message):
    inbound = analyze_inbound(message, "tmall")
    assert inbound.needs_human
    assert inbound.reasons


@pytest.mark.parametrize(
    "message",
    [
        "这件有M码吗",
        "什么时候发货",
        "能开发票吗",
        "我想退货",
        "衣服收到了，很喜欢",
        "我给了五星好评",
        "可以用花呗吗",
        "运费谁出",
        "尺码偏大还是偏小",
        "身高165 体重110斤选多大",  # 110 is a weight here, not the police
        "这件315元贵了",
        "能直接买吗 不想拼",
    ],
)
def test_ordinary_messages_do_not(message):
    inbound = analyze_inbound(message, "tmall")
    assert not inbound.needs_human
    assert inbound.topics == frozenset()


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("加个微信吧", "contact_request"),
        ("有vx吗", "contact_request"),
        ("你们电话多少", "contact_request"),
        ("老板加个好友，以后直接找你买", "contact_request"),
        ("QQ多少", "contact_request"),
        ("加个v", "contact_request"),
        ("留个手机号给我", "contact_request"),
        ("帮我朋友查一下订单", "others_order"),
        ("我老婆拍的那单到哪了", "others_order"),
        ("我换了个账号，之前的订单帮我看看", "others_order"),
        ("之前那个号不用了", "others_order"),
        ("我用我妈的号下的单", "others_order"),
        ("帮我查一下这个手机号下的订单", "others_order"),
        ("能不能私下转账便宜点", "offplatform_pay"),
        ("我微信付款给你行吗", "offplatform_pay"),
        ("直接转给你可以吗", "offplatform_pay"),
        ("不走平台便宜点吗", "offplatform_pay"),
        ("我发红包给你", "offplatform_pay"),
        ("能用美团月付吗", "offplatform_pay"),
        ("PayPal可以吗", "offplatform_pay"),
    ],
)
def test_topics(message, topic):
    inbound = analyze_inbound(message, "pdd")
    assert topic in inbound.topics
    assert inbound.topics <= set(TOPICS)


def test_buying_for_someone_is_not_another_accounts_order():
    assert "others_order" not in analyze_inbound("给我老婆买的，她穿大了想换", "tmall").topics


def test_topics_survive_evasion():
    assert "contact_request" in analyze_inbound("加个薇.信", "tmall").topics


@pytest.mark.parametrize(("message", "topic"), [
    # real JD buyers' messages (helper-46): their own number changed, a courier's number asked,
    # a payment made with WeChat Pay or a bank card on the platform
    ("留的电话号码可以改吗", "contact_request"),
    ("我要解绑电话号码", "contact_request"),
    ("把电话号码给更换一下", "contact_request"),
    ("可以改下联系方式吗 换一个电话号码", "contact_request"),
    ("京东快递电话多少", "contact_request"),
    ("您帮忙查下配送站的联系方式", "contact_request"),
    ("我用微信支付的 原路退回吗", "offplatform_pay"),
    ("我用的招商银行支付的 拦截不成功还是会送货么", "offplatform_pay"),
    ("我只记得原来的号码的手机尾号", "others_order"),
    ("订单上的手机号不用了 能改成新的吗", "others_order"),  # a phone number out of use, not an account
    # the buyer's own number given, a promised or missed call
    ("我现在的电话是 13812345678", "contact_request"),
    ("收货人:张三 联系方式:13812345678 地址:北京", "contact_request"),
    ("你们客服怎么还没给我打电话呀", "contact_request"),
    ("请问刚才给我打电话我没接到是有什么事情吗", "contact_request"),
])
def test_order_and_courier_matters_are_not_topics(message, topic):
    assert topic not in analyze_inbound(message, "jd").topics


@pytest.mark.parametrize(("message", "topic"), [
    # real Taobao buyers' messages (helper-47)
    ("可不可以发其他的快递啊", "others_order"),  # 其他的快递 is no 他的快递
    ("给家里妈妈买的", "others_order"),  # bought for her
    ("我不懂帮别人买的", "others_order"),
    ("那我退货算了", "withdrawn_request"),  # settles for the return
    ("还是退了算了", "withdrawn_request"),
])
def test_taobao_buyers_requests_are_not_these_topics(message, topic):
    assert topic not in analyze_inbound(message, "tmall").topics


def test_asking_for_the_shops_number_or_a_call_is_still_a_contact_request():
    for message in ("你们电话多少", "给我打电话", "加个微信呗", "快递太慢电话给我", "厂家的电话给我"):
        assert "contact_request" in analyze_inbound(message, "jd").topics, message


@pytest.mark.parametrize(("message", "abusive"), [
    ("妈的 还不发货", True), ("不发飚当老娘好欺负吗", True), ("我看你怎么收场", True),
    ("我妈的衣服小了", False), ("这件是给我妈的", False), ("我妈的比较胖 选哪个码", False),
    ("妈的生日快到了 有礼盒包装吗", False), ("妈的B", True),
])
def test_abuse_opening_a_clause_is_for_a_person(message, abusive):
    assert analyze_inbound(message, "tmall").needs_human is abusive


def test_taobao_buyers_topics_still_found():
    assert "others_order" in analyze_inbound("我妈妈买的 帮我查下", "tmall").topics
    assert "withdrawn_request" in analyze_inbound("退货就算了", "tmall").topics
    assert not analyze_inbound("帮我挑一下味道不要太重", "tmall").needs_human  # a wish, not a fault
    assert analyze_inbound("味道太重了", "tmall").needs_human
    assert analyze_inbound("不给退就让淘宝来介入", "tmall").needs_human


def test_alipay_payment_question_is_not_off_platform_on_tmall():
    assert "offplatform_pay" not in analyze_inbound("可以用支付宝付款吗", "tmall").topics


@pytest.mark.parametrize(("message", "platform", "left"), [
    ("https://detail.tmall.com/item.htm?id=6234 这个有货吗", "tmall", " 这个有货吗"),
    ("detail.tmall.com/item.htm?id=1 几天发货", "tmall", " 几天发货"),
    ("https://item.jd.com/100012.html这个有货吗", "jd", " 这个有货吗"),
    # another platform's or site's link is what the buyer sent, and stays
    ("https://item.jd.com/100012.html 这个有货吗", "tmall", "https://item.jd.com/100012.html 这个有货吗"),
    ("http://t.cn/A6xYz 一样吗", "tmall", "http://t.cn/A6xYz 一样吗"),
    ("穿1.5kg的羽绒服", "tmall", "穿1.5kg的羽绒服"),
])
def test_links_to_the_platforms_own_pages_ask_nothing(message, platform, left):
    assert default_rulebook().without_own_links(message, platform).split() == left.split()


def test_unknown_platform():
    with pytest.raises(ScopeError):
        default_rulebook().analyze_inbound("你好", "kuaishou")


def test_to_dict():
    data = analyze_inbound("不给退就给差评，加你微信", "tmall").to_dict()
    assert data["needs_human"] is True
    assert "contact_request" in data["topics"]


@pytest.mark.parametrize("message", ["发票不用开了", "不用开发票了谢谢", "不退了", "算了不换了", "那算了", "专票就不开了",
                                     "还是不退了，你们又涨价了", "电子发票也不用开了", "算了不要发票了", "不用给我开发票",
                                     "退款不要了", "换货就算了", "退货不用了 谢谢", "退款申请我撤了"])
def test_a_request_taken_back_is_a_topic(message):
    assert "withdrawn_request" in analyze_inbound(message, "tmall").topics


@pytest.mark.parametrize("message", [
    "怎么不退了",  # a complaint about the shop, not the buyer taking it back
    "不退了吗",  # a question
    "不换了，退款吧",  # another request instead: the similarity answers that one
    "不退了 换一件",
    "鞋子有点脏 就不退了 给个补偿",
    "能不能不开发票",
    "不开发票能便宜点吗",
    "算了，那我换个颜色吧",
    "不用了，谢谢",  # the end of a conversation: the thank-you template
    "我不要了",  # wants to cancel
    "有点小瑕疵 补偿一下我就不退了",  # compensation instead of a return: that is the request
    "少发了一件 不退了 给我补发",
    "不要发票能便宜点吗",
    "退款申请被撤销了",  # by someone else: a complaint
])
def test_a_request_or_question_is_not_taken_back(message):
    assert "withdrawn_request" not in analyze_inbound(message, "tmall").topics


@pytest.mark.parametrize(("message", "platform", "expected"), [
    ("我在淘宝买的能在这退吗", "pdd", True),
    ("京东上买的能退吗", "pdd", True),
    ("jd上拍的能开发票吗", "douyin", True),
    ("拼多多的订单能在这查吗", "jd", True),
    ("我在淘宝买的能在这退吗", "tmall", False),  # a Tmall shop lives in the Taobao app
    ("在天猫旗舰店买的", "taobao", False),
    ("我在拼多多买的 几天能到", "pdd", False),
    ("我在你们店买的能退吗", "pdd", False),
])
def test_an_order_from_another_platform_is_a_topic_on_the_other_platforms_only(message, platform, expected):
    assert ("other_platform_order" in analyze_inbound(message, platform).topics) is expected


@pytest.mark.parametrize(("message", "expected"), [
    ("收到就开线了 怎么处理", True),  # worded unlike quality-issue's examples: no suggestion, still a person's
    ("收到的衣服有个洞", True),
    ("发错货了", True),
    ("洗了一次就掉色", True),
    ("会不会开线啊", False),  # a question before buying
    ("这款会起球吗", False),
    ("质量怎么样", False),
])
def test_a_fault_in_what_arrived_needs_a_person(message: str, expected: bool):
    inbound = analyze_inbound(message, "pdd")
    assert inbound.needs_human is expected and (("product-fault" in inbound.escalations) is expected)



@pytest.mark.parametrize(("message", "escalation"), [
    ("你们家衣服质量真好啊 穿一次就破了", "product-fault"),  # sarcasm
    ("袜子穿一天就破了", "product-fault"),
    ("裤子线头开了", "product-fault"),
    ("我要的L码 发来的是M码", "product-fault"),
    ("这衣服是不是穿过的 有味道还有头发", "product-fault"),
    ("羽绒服跑绒严重", "product-fault"),
    ("你们发货可真快啊，一个礼拜了还没动", "delay-complaint"),
    ("真是服了 下单五天了还不发货", "delay-complaint"),
    ("等了半个月还没到", "delay-complaint"),
    ("已经申请退款了 商家一直不处理", "delay-complaint"),
])
def test_complaints_worded_as_statements_need_a_person(message: str, escalation: str):
    assert escalation in analyze_inbound(message, "tmall").escalations


@pytest.mark.parametrize("message", ["什么时候发货", "两天能发货吗", "一个星期能到吗", "五天能到北京吗", "羽绒服会跑绒吗",
                                     "洗了会缩水吗", "线头多吗", "买的L码 能换M码吗", "我要买的是L码，能发M码吗"])
def test_questions_about_the_same_things_do_not(message: str):
    assert not analyze_inbound(message, "tmall").needs_human


@pytest.mark.parametrize(("message", "expected"), [
    ("我要的L码 发来的是M码", True),
    ("拍的xl发的l", True),
    ("下单选的40码 寄来的是41码", True),
    ("发来的是42码 我要的43", True),
    ("我要的黑色 发来的是白色", True),
    ("我要的L码什么时候发", False),  # a size and a shipping question, no second size
    ("我买的白色什么时候发货", False),
    ("我买的衣服收到是坏的", False),  # a fault, not another size or colour
    ("我要的40码有货吗 收到要几天", False),
    ("拍的m码 发的时候能送袜子吗", False),
])
def test_another_size_or_colour_than_ordered_is_a_topic(message, expected):
    assert ("wrong_item_received" in analyze_inbound(message, "tmall").topics) is expected


@pytest.mark.parametrize(("message", "expected"), [
    ("你电话多少", True),
    ("给我你的电话号码", True),
    ("留个电话", True),
    ("电话号码少打了一位 帮我改下", False),  # the buyer's own number on the order
    ("我手机号写错了", False),
    ("寄回的地址跟收件人电话给我一下", False),  # the return address, on the platform
    ("退货地址和电话发我", False),
])
def test_an_order_phone_number_is_no_contact_request(message, expected):
    assert ("contact_request" in analyze_inbound(message, "tmall").topics) is expected


@pytest.mark.parametrize(("message", "escalation"), [
    # not clothing only: a cosmetics and an electronics shop's buyers
    ("盒子压坏了", "product-fault"),
    ("精华漏液了", "product-fault"),
    ("收到的快过期了", "product-fault"),
    ("和图片不一样", "product-fault"),
    ("右耳没声音了", "product-fault"),
    ("充电宝充不进电了", "product-fault"),
    ("你们家东西都是假的吧 我在专柜验过", "product-fault"),
    ("这是假货", "product-fault"),
    ("怎么还没发货！！！都两天了", "delay-complaint"),
    ("咋还不发货啊 说好24小时", "delay-complaint"),
    ("快递三天没动了", "delay-complaint"),
    ("快递一直不动 是不是丢了", "delay-complaint"),
])
def test_faults_and_delays_of_any_kind_of_goods_need_a_person(message, escalation):
    assert escalation in analyze_inbound(message, "jd").escalations


@pytest.mark.parametrize("message", ["是正品吗 别是假货", "不会是假货吧", "是不是假货", "保质期多久 不会过期吧",
                                     "敏感肌会过敏吗", "怎么还没发货", "3天能到吗"])
def test_questions_before_buying_need_no_person(message):
    assert not analyze_inbound(message, "jd").needs_human


@pytest.mark.parametrize(("message", "escalation"), [
    # harm or a hazard: an appliance shop's FAQ answered a burn with 不会过热伤发 (helper-36)
    ("我朋友用你们家的吹风机把头发烫伤了", "safety"),
    ("吹风机有焦味 还冒火花", "safety"),
    ("吹风机用着用着冒烟了 差点着火", "safety"),
    ("充电宝鼓包了 差点爆炸", "safety"),
    ("用的时候被电了一下", "safety"),
    ("烧水壶烧水有糊味正常吗", "safety"),
    # small appliances' faults and goods that arrived broken or other than bought
    ("热水壶漏水 桌子都湿了", "product-fault"),
    ("牙刷用了三天就不震了 退货", "product-fault"),
    ("吹风机不出热风", "product-fault"),
    ("东西坏了能退吗", "product-fault"),
    ("我买的吹风机 寄来个充电宝", "product-fault"),
    # a cosmetics shop's (helper-39): hurt by it, empty, used, not as shown, or doubted after arriving
    ("卸妆水用了眼睛刺痛 睁不开", "safety"),
    ("我是敏感肌 用完火辣辣的疼", "safety"),
    ("用了烂脸了", "safety"),
    ("打开是空的", "product-fault"),
    ("口红是用过的 有口红印", "product-fault"),
    ("收到的口红颜色跟直播间不一样", "product-fault"),
    ("面霜里有异物 黑色的颗粒", "product-fault"),
    ("批号查不到 假的吧", "product-fault"),
    ("直播间说送化妆棉 我没收到 骗人", "abuse"),
    ("你们客服都死了吗", "delay-complaint"),
    # a snack shop's (helper-40): unwell after eating, something in it, spoilt, blown up or melted
    ("我老公吃了食物中毒了 你们等着", "safety"),
    ("吃完鸭脖肚子疼了一晚上", "safety"),
    ("孩子吃了拉肚子了", "safety"),
    ("吃了过敏了 起疹子", "safety"),
    ("肉脯里有根塑料丝", "product-fault"),
    ("坚果里吃出头发 恶心死了", "product-fault"),
    ("芒果干长毛了", "product-fault"),
    ("肉脯漏气了 袋子是鼓的", "product-fault"),
    ("鸭脖到了冰袋都化了", "product-fault"),
    ("快递箱子都压烂了 铁盒瘪了", "product-fault"),
    ("过期了还卖？？", "product-fault"),
    # a night of red-team messages (helper-45): hurt or unwell from wearing it, faults said in passing,
    # money that did not come, threats and abuse
    ("衣服有很刺鼻的味道 闻了头晕", "safety"),
    ("帆布鞋磨脚磨出血了", "safety"),
    ("衣服上有根针 扎到我手了", "safety"),
    ("拉链头掉下来被孩子吞了怎么办", "safety"),
    ("穿了你们的衣服身上起红疹子了", "safety"),
    ("跑鞋鞋底太滑 我下雨天摔了一跤", "safety"),
    ("穿过一次 有点起球 还能退吗", "product-fault"),
    ("吊牌我剪了 但是衣服有问题 能退吗", "product-fault"),
    ("裤子裆裂了", "product-fault"),
    ("衣服掉色把我其他衣服都染了 怎么赔", "product-fault"),
    ("就是少了一只袜子", "product-fault"),
    ("运费险一直没到账", "refund-dispute"),
    ("我被扣了两次款", "refund-dispute"),
    ("价保说好退差价 结果不给退", "refund-dispute"),
    ("都一个月了", "delay-complaint"),
    ("这又过了两天还是没收到", "delay-complaint"),
    ("呵呵 你们等着", "abuse"),
    ("sb客服", "abuse"),
])
def test_harm_hazards_and_appliance_faults_need_a_person(message, escalation):
    assert escalation in analyze_inbound(message, "jd").escalations


@pytest.mark.parametrize("message", ["会不会漏电", "有漏电保护吗", "不会漏电吧", "新的有没有漏电的情况", "会鼓包吗",
                                     "充电宝会不会爆炸", "防烫伤吗", "会烫伤吗", "用久了会冒烟吗", "有没有焦味",
                                     "这个会不会有焦味", "没有焦味吧", "会不会漏水", "容易坏吗", "壶身烫手吗",
                                     "吹风机有没有过热保护", "收到了 挺好用的", "会不会刺痛", "刺痛感强吗",
                                     "敏感肌用了会红肿吗", "不会烂脸吧", "用过的人都说好吗", "这个颜色和图片一样吗",
                                     "可以查批号吗", "防伪码在哪里", "吃了会不会拉肚子", "孕妇吃了会过敏吗",
                                     "有没有花生 我家娃花生过敏", "肉脯有大豆吗 过敏", "里面有什么口味", "坚果有没有虫蛀的",
                                     "容易拉肚子吗", "吃多了会上火吗", "巧克力夏天会化吗",
                                     "过了7天了能换不", "运费险多久到账", "退款没到账怎么办", "会不会起球",
                                     "穿着会不会磨脚", "这个鞋穿了会不会脚疼", "衣服有没有问题啊 我想买", "穿着痒不痒",
                                     "宝宝穿了会过敏吗", "少了优惠吗", "这款面料起球吗"])  # the return window, not a wait (helper-43)
def test_the_same_hazards_asked_about_before_buying_need_no_person(message):
    assert not analyze_inbound(message, "jd").needs_human
