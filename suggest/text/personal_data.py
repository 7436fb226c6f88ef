"""Phone numbers and addresses in customer text, masked: for the logs (suggest.api.privacy) and
for anything else that shows what buyers or agents wrote (the feedback report); and left out of
what is matched (suggest.text.tokenize): "我电话13812345678 能发顺丰吗" matched nothing.

Masking errs on the side of hiding too much: a line that loses a few extra characters costs
nothing, a leaked address does.
"""

from __future__ import annotations

import re

_DIGIT = "0-9０-９"
# Seven or more digits, possibly grouped by spaces or dashes: mobile numbers (138 1234 5678),
# landlines (0571-88886666), +86 prefixes. Order numbers are masked too, which is harmless.
_NUMBER = re.compile(rf"(?<![{_DIGIT}])[{_DIGIT}](?:[ \-]?[{_DIGIT}]){{6,}}(?![{_DIGIT}])")

_CJK = "\u4e00-\u9fff"
_ADMIN = "省|自治区|特别行政区|市|自治州|州|盟|地区|区|县|旗|镇|乡|街道"
_STREET = "大道|路|街|巷|弄|胡同"
_PLACE = "小区|花园|公寓|大厦|广场|家园|新村|村|苑|园区"
_UNIT = "号楼|号院|号|栋|幢|座|单元|室|楼|层|户"
_DETAIL = rf"[{_CJK}A-Za-z{_DIGIT}#\-]*"
_ADDRESSES = (
    # Two or more administrative or street units in a row: 浙江省杭州市西湖区文三路…
    re.compile(rf"(?:[{_CJK}]{{1,7}}?(?:{_ADMIN}|{_STREET})){{2,}}{_DETAIL}"),
    # A street with a house number: 文三路100号…
    re.compile(rf"[{_CJK}]{{1,8}}?(?:{_STREET})[{_DIGIT}]+{_DETAIL}"),
    # A residential compound with a building or room: 阳光花园3栋2单元501…
    re.compile(rf"[{_CJK}]{{1,8}}?(?:{_PLACE})[A-Za-z{_DIGIT}#\-]*[{_DIGIT}]+(?:{_UNIT}){_DETAIL}"),
    # A bare building and room: 3栋2单元501室
    re.compile(rf"[{_DIGIT}]+(?:栋|幢|号楼|单元)(?:[A-Za-z{_DIGIT}#\-]*(?:{_UNIT}))*[A-Za-z{_DIGIT}#\-]*"),
)
ADDRESS_MASK = "[地址]"
# Dates and times in log lines (2026-11-23) are not phone numbers.
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
# Nor are hex digests (the knowledge digest 3327642ae4250ccb, build and request ids): digits inside
# a run of at least this many hex characters with a letter among them. A phone number with a few
# letters stuck to it (13812345678asap) is in a short run and stays masked.
_HEX = frozenset("0123456789abcdefABCDEF")
_MIN_DIGEST = 16


def _in_hex_digest(match: re.Match[str]) -> bool:
    text, start, end = match.string, match.start(), match.end()
    if not match.group().isascii() or not match.group().isdigit():  # grouped by spaces or dashes
        return False
    while start > 0 and text[start - 1] in _HEX:
        start -= 1
    while end < len(text) and text[end] in _HEX:
        end += 1
    run = text[start:end]
    return len(run) >= _MIN_DIGEST and not run.isdigit()


def _mask_number(match: re.Match[str]) -> str:
    if _DATE.fullmatch(match.group()) or _in_hex_digest(match):
        return match.group()
    digits = [c for c in match.group() if c not in " -"]
    if len(digits) >= 11:  # a mobile number keeps the usual 138****5678 shape
        return "".join(digits[:3]) + "*" * (len(digits) - 7) + "".join(digits[-4:])
    return "*" * (len(digits) - 2) + "".join(digits[-2:])


def mask_personal_data(text: str) -> str:
    """`text` with addresses replaced by [地址] and long digit runs (phone numbers) masked."""
    for pattern in _ADDRESSES:
        text = pattern.sub(ADDRESS_MASK, text)
    return _NUMBER.sub(_mask_number, text)


# A parcel's tracking number: a courier's letters then ten or more digits (YT1234567890123, SF…).
_TRACKING = re.compile(rf"(?<![A-Za-z])[A-Za-z]{{1,4}}[{_DIGIT}]{{10,}}(?![{_DIGIT}])")
# What is left out of matching is narrower than what is masked: a mobile or landline number and
# order, card or account numbers (twelve digits or more). A seven-digit code is often what is
# asked about (a payment error 1000075), and stays.
_MOBILE = re.compile(rf"(?<![{_DIGIT}])(?:\+?86[ \-]?)?1[3-9][0-9](?:[ \-]?[0-9]){{8}}(?![{_DIGIT}])")
_LANDLINE = re.compile(rf"(?<![{_DIGIT}])0[0-9]{{2,3}}-[0-9]{{7,8}}(?![{_DIGIT}])")
_LONG = re.compile(rf"(?<![{_DIGIT}])[{_DIGIT}](?:[ \-]?[{_DIGIT}]){{11,}}(?![{_DIGIT}])")


# The order card a chat tool puts before the buyer's words ("咨询订单号:… 订单金额:… 下单时间:…"): its
# labels pulled "…收件地址可以更改么" to the answer about looking up orders, and its values are noise.
_CARD_FIELD = re.compile(
    r"(?:咨询)?(?:订单号|订单编号|订单号码|订单金额|实付金额|付款金额|下单时间|付款时间|成交时间|创建时间|商品编号|商品id|订单状态)"
    r"\s*[:：] ?(?:\[[^\]\s]*\]|[^\s,，。;；\[\u4e00-\u9fff])*",
    re.IGNORECASE,
)
# What anonymised chat logs put where personal data was ([订单x], [数字x], [姓名x] in the public JD
# sessions; [地址] in ours): it stands for what is left out above.
_PLACEHOLDER = re.compile(r"\[(?:订单|数字|金额|日期|时间|姓名|地址|电话|手机|站点|组织机构|邮箱|身份证|账号)x?\]")


def without_personal_data(text: str) -> str:
    """`text` with addresses, tracking numbers, phone numbers and long (order, card) numbers
    left out: they say nothing about what is asked, and to the model and the lexical side they
    are noise that outweighs a short question. So is an order card's labels and values."""
    for pattern in (*_ADDRESSES, _CARD_FIELD, _TRACKING, _MOBILE, _LANDLINE, _LONG, _PLACEHOLDER):
        text = pattern.sub(" ", text)
    return text
