"""A message that asks two things ("能开票吗顺便问下几天发货").

Ranked whole, such a message gets the answers to one of its questions: the likeness of the
whole is closest to one part, and the other part's answer may not make the list at all. Split
at the words buyers use to start another question, each part's best answer joins the list after
the whole message's best.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u4e00-\u9fff]")
# Where a second question starts: "顺便问下", "另外", "对了", "还有个问题", "再问一下" (the last
# three only after a pause, as "另外一个颜色" is one question), or a question mark with more after it.
_BREAK = re.compile(
    r"顺便(?:问(?:一|1)?下|问问|说(?:一|1)?下)?"
    r"|(?:^|(?<=[\s，,。.！!？?~～、]))(?:另外(?:问(?:一|1)?下)?|对了|还有(?:个|一个)?问题|还想问(?:一|1)?下?|再问(?:一|1)?下|再问问)"
    r"|[？?]+(?=[^？?]{2,})"
)
MIN_CJK = 2  # a part with less is a particle or a pleasantry ("嗯", "亲"), not a question
MAX_PARTS = 3  # each part costs one more encode

# A greeting or a thanks around a question ("在吗? 我的快递没收到", "备注有用吗? 谢谢了哈") is no
# question of its own: answered alone it is certain (在吗 → 在的, 0.97) and would lead the list
# while the question it wraps is the buyer's point. Such a part is made of these words only
# (坏了, 小了, 人工客服 are questions: no single particle is dropped from inside a part).
_PLEASANTRY = re.compile(
    r"(?:请问|客服|老板|掌柜|店家|亲爱的|亲亲|亲|你好|您好|哈喽|hello|hi|嗨|还在吗|还在么|在吗|在么|在嘛|在不在|在不|在的吗|在没|有人吗|有人在吗|有没有人"
    r"|谢谢了|谢谢你|谢谢您|谢谢|谢了|多谢|感谢|麻烦了|麻烦你了|麻烦您了|辛苦了|拜托了|好的|好吧|嗯+|哦+|噢|啊|呀|哈+|啦|呢|哟|哒|滴|哇|吧|[\s,，.。!！?？~～]+)+",
    re.IGNORECASE,
)


def is_pleasantry(part: str) -> bool:
    """A part that holds nothing but greetings, thanks and particles."""
    return _PLEASANTRY.fullmatch(part) is not None


def clauses(message: str) -> list[str]:
    """The questions of a message that asks several, in order; [] when it asks one."""
    parts = [p.strip(" \t，,。.！!~～、") for p in _BREAK.split(message)]
    parts = [p for p in parts if len(_CJK.findall(p)) >= MIN_CJK and not is_pleasantry(p)]
    return parts[:MAX_PARTS] if len(parts) > 1 else []
