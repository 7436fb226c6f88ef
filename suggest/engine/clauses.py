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


def clauses(message: str) -> list[str]:
    """The questions of a message that asks several, in order; [] when it asks one."""
    parts = [p.strip(" \t，,。.！!~～、") for p in _BREAK.split(message)]
    parts = [p for p in parts if len(_CJK.findall(p)) >= MIN_CJK]
    return parts[:MAX_PARTS] if len(parts) > 1 else []
