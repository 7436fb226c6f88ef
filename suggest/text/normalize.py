"""Normalise a customer's message before matching.

Buyers type fast: full-width letters, traditional characters, emoji, Taobao emoticon codes such
as [微笑], filler particles and repeated punctuation. None of that carries the question, and all
of it splits the vocabulary, so it is folded away here. The same function is applied to example
questions when the index is built, so both sides meet in the same form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Keep these out of NFKC: it would turn the wave dash into ASCII "~", which is fine, but the
# others below carry meaning for us only in their original form.
_EMOTICON = re.compile(r"\[[\u4e00-\u9fff]{1,4}\]|/:[^\s]{1,6}|\(\s*[\^oO>_<;TㅠㅜQ.~-]+\s*\)")
# Particles and address forms that never change what is asked. Removed only at the end of a
# clause, where they are particles, so that words such as 吧台 or 呢子 survive. Not 么 or 额:
# at a clause's end they mostly close a word (什么, 怎么, 金额, 余额), and 么 there asks like 吗,
# which stays too; so does 嘛 (在嘛, 能发顺丰嘛: read as 吗, synonyms.tsv; 在嘛 had become 在).
_FILLER_CHARS = "啊呀呢吧哈啦哦噢喔呐哒呗哟咯嘞诶欸呃嗯"
_FILLER_END = re.compile(rf"[{_FILLER_CHARS}]+(?=$|\s)")
# Words that end in a particle character and are not particles: "能用花呗" must keep its 花呗.
_ENDS_LIKE_A_FILLER = frozenset({"花呗", "借呗", "毛呢", "酒吧", "网吧", "贴吧"})
_ADDRESS = re.compile(r"(^|[\s,.!?;:])(亲爱的|亲亲|亲|宝宝|宝子|美女|帅哥|老板|掌柜|客服|小姐姐|小哥哥)(?=[\s,.!?;:]|$)")
_PUNCT = re.compile(r"[\s\u3000,，.。!！?？;；:：、~～…·\"'“”‘’()（）【】\[\]<>《》{}|/\\_=+*&^%$#@`-]+")
# "好好好好" → "好好"; digits are a quantity, not emphasis ("满1000减100" was 满100减100).
_REPEAT = re.compile(r"([^0-9])\1{2,}")


@lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    if all(ord(c) < 0x3400 for c in text):
        return text
    return str(_t2s().convert(text))


def _is_symbol(ch: str) -> bool:
    # Emoji, pictographs, dingbats and variation selectors: category So/Sk/Cs/Co/Cn, or
    # format characters such as zero-width joiners.
    cat = unicodedata.category(ch)
    return cat in ("So", "Sk", "Cs", "Co", "Cn", "Cf", "Mn", "Me") or 0x1F000 <= ord(ch) <= 0x1FAFF


def fold(text: str) -> str:
    """Width, compatibility forms, case, traditional characters, emoji: no meaning lost.

    Short texts are cached: one message is folded by the product finder and by the tokenizer
    (0.1 ms each, mostly OpenCC); long ones are rare and would make the cache large."""
    return _fold_cached(text) if len(text) <= 256 else _fold(text)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if _is_symbol(c) or unicodedata.category(c) == "Cc" else c for c in text)
    return to_simplified(text.lower())


_fold_cached = lru_cache(maxsize=4096)(_fold)


def normalize(text: str) -> str:
    """The form used for matching: folded, emoticons and fillers removed, punctuation as spaces."""
    text = _EMOTICON.sub(" ", unicodedata.normalize("NFKC", text))
    text = fold(text)
    # Punctuation first becomes a clause boundary, so fillers can be found at clause edges.
    text = _PUNCT.sub(" ", text)
    text = _REPEAT.sub(r"\1\1", text)
    previous = None
    while previous != text:
        previous = text
        text = _ADDRESS.sub(r"\1", text)
        text = _FILLER_END.sub(_drop_filler, text)
    return " ".join(text.split())


def _drop_filler(match: re.Match[str]) -> str:
    """The particles at a clause's end, up to the last character that closes a word."""
    run, start = match.group(), match.start()
    keep = 0
    for k, ch in enumerate(run):
        if match.string[start + k - 1 : start + k] + ch in _ENDS_LIKE_A_FILLER:
            keep = k + 1
    return run[:keep]
