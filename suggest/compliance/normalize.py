"""Fold text so that evasions read like the plain words they hide, with a map back to the original.

People who want a contact detail past a filter write 微.信, ①③⑧, 一三八, full-width or traditional
characters, or slip zero-width characters in between. Rules match the *normalised* text; every
normalised character remembers the span of the original it came from, so a violation is reported
(and masked) in the text the agent actually typed.

Two views are produced:

- `joined`: what terms and most patterns see. Separators between characters are removed, so
  微.信 / 微 信 / 1-3-8 read 微信 / 138, and variant spellings (薇信, vx …) are folded to one
  canonical form. Clause punctuation and spaces are kept as a single space unless one side is a
  lone character or both sides are ASCII letters/digits: "发货快，手慢无" must not become "快手".
- `plain`: the same character folding but every separator kept, for patterns that need
  punctuation (URLs, e-mail addresses).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from suggest.compliance.variants import VariantFolder

# Digits written in Chinese (lower and upper case forms) and the spoken "幺" used when dictating
# phone numbers. 十/百 are not digits of a dictated number, so they stay as they are.
_CHINESE_DIGITS = dict(zip("〇零○一幺二三四五六七八九壹贰叁肆伍陆柒捌玖", "0001123456789123456789", strict=True))

# Latin look-alikes from other scripts (Cyrillic, Greek) that NFKC leaves alone: "vх" with a
# Cyrillic х must still read "vx".
_CONFUSABLES = dict(zip("авекмнорстухіјѕԛԝαβεικνορτυχω", "abekmhopctyxijsqwabeikvoptuxw", strict=True))

# Characters that render as nothing (or as blank space) but are letters by category.
_INVISIBLE = frozenset("\u3164\u115f\u1160\uffa0\u2800\u180e")

# Clause punctuation and spaces: between two words of two or more characters they leave one
# BOUNDARY in the joined view; every other separator (- * / | emoji …) is simply removed.
_STRONG = frozenset(" \t\r\n\u3000,，.。!！?？;；:：、…")

# Letters that stand for digits when written between two digits (138o1234567, l38…).
_DIGIT_LOOKALIKES = {"o": "0", "l": "1", "i": "1"}

BOUNDARY = " "

# Emoji that stand for a word in a name people hide: 小🍠 is 小红薯, i.e. 小红书.
_EMOJI_WORDS = {"\U0001f360": "红薯"}

_CIRCLED_TENS = {float(n) for n in range(10, 21)}


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@cache
def fold_char(char: str) -> str:
    """One original character → the characters it stands for (possibly none)."""
    if char.isascii():
        return char.lower() if char.isprintable() or char in "\t\n\r" else ""
    if char in _INVISIBLE:
        return ""
    if char in _EMOJI_WORDS:
        return _EMOJI_WORDS[char]
    out = []
    for ch in unicodedata.normalize("NFKC", char):
        category = unicodedata.category(ch)
        if category in ("Cf", "Mn", "Me", "Cc", "Co"):
            continue  # zero-width joiners, variation selectors, combining marks, private use
        if not ch.isascii():
            digit = unicodedata.digit(ch, None)
            if digit is not None:
                ch = str(digit)  # ❶ ➊ ⓵: circled forms NFKC does not decompose
            elif category == "No" and unicodedata.numeric(ch, 0) in _CIRCLED_TENS:
                ch = str(int(unicodedata.numeric(ch)))  # ❿ ➓: ten written as one sign
            elif category.startswith("L") and unicodedata.normalize("NFKD", ch)[0].isascii():
                ch = unicodedata.normalize("NFKD", ch)[0]  # wēi xìn → wei xin
        ch = ch.lower()
        ch = _CONFUSABLES.get(ch, ch)
        if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff":
            ch = _t2s().convert(ch)
        out.append("".join(_CHINESE_DIGITS.get(c, c) for c in ch))
    return "".join(out)


def fold_pattern(source: str) -> str:
    """A regex written in ordinary Chinese, folded like the text it will run on.

    Only non-ASCII characters are folded: ASCII carries the regex syntax (\\D, [A-Z], …) and the
    patterns are compiled case-insensitively instead. Write CJK ranges as \\u escapes: 一 in
    [一-龥] would be folded to 1.
    """
    return "".join(fold_char(c) if not c.isascii() else c for c in source)


@cache
def is_separator(ch: str) -> bool:
    """True for folded characters that carry no letter or digit: spaces, punctuation, symbols."""
    if ch == "+":
        return False  # "+v" / "+微" mean "add me on"
    category = unicodedata.category(ch)
    return category[0] in "PSZC"


@dataclass(frozen=True)
class View:
    """A normalised text and, per character, the original span it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original span of the normalised characters [start, end)."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def range_of(self, orig_start: int, orig_end: int) -> tuple[int, int]:
        """Normalised characters [i, j) that lie inside the original span (for context checks)."""
        i = bisect_left(self.starts, orig_start)
        j = bisect_right(self.ends, orig_end)
        return i, max(i, j)


@dataclass(frozen=True)
class Normalized:
    original: str
    joined: View
    plain: View


class _FoldTable(dict):
    """ord → folded text, filled on first sight; str.translate then folds at C speed."""

    def __missing__(self, code: int) -> str:
        folded = fold_char(chr(code))
        if len(folded) != 1:
            _IRREGULAR.add(chr(code))
        self[code] = folded
        return folded


class _ClassTable(dict):
    def __missing__(self, code: int) -> str:
        value = _char_class(chr(code))
        self[code] = value
        return value


_IRREGULAR: set[str] = set()  # characters that fold to zero or several characters
_FOLD_TABLE = _FoldTable()
_CLASS_TABLE = _ClassTable()


def normalize(text: str, variants: VariantFolder | None = None) -> Normalized:
    plain_text = text.translate(_FOLD_TABLE)
    if len(plain_text) == len(text) and _IRREGULAR.isdisjoint(text):
        # Every character folded to exactly one: the common case, no per-character bookkeeping.
        plain = View(plain_text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))
    else:
        starts: list[int] = []
        ends: list[int] = []
        for i, char in enumerate(text):
            width = len(fold_char(char))
            starts.extend([i] * width)
            ends.extend([i + 1] * width)
        plain = View(plain_text, tuple(starts), tuple(ends))
    joined = _join(plain)
    if variants is not None:
        joined = variants.fold(joined)
    return Normalized(text, joined, plain)


@cache
def _char_class(ch: str) -> str:
    """c: content, s: clause punctuation or space, w: any other separator."""
    if not is_separator(ch):
        return "c"
    return "s" if ch in _STRONG else "w"


_RUN_RE = re.compile(r"c+|[sw]+")
_LOOKALIKE_RE = re.compile(r"(?<=[0-9])[oli](?=[0-9])")


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _join(plain: View) -> View:
    """Drop separators between characters; keep a clause boundary where one is meant."""
    text = plain.text
    classes = text.translate(_CLASS_TABLE)
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    previous: tuple[int, int] | None = None  # last content run
    strong = False  # clause punctuation since that run?
    for m in _RUN_RE.finditer(classes):
        a, b = m.span()
        if classes[a] != "c":
            strong = strong or "s" in classes[a:b]
            continue
        if previous is not None and strong:
            pa, pb = previous
            lone = (pb - pa == 1) or (b - a == 1)
            # 138 1234 5678, wei xin: ASCII on both sides is one token spaced out.
            ascii_run = _is_ascii_alnum(text[pb - 1]) and _is_ascii_alnum(text[a])
            if not (lone or ascii_run):
                pieces.append(BOUNDARY)
                starts.append(plain.ends[pb - 1])
                ends.append(plain.starts[a])
        pieces.append(text[a:b])
        starts.extend(plain.starts[a:b])
        ends.extend(plain.ends[a:b])
        previous = (a, b)
        strong = False
    joined = "".join(pieces)
    if "o" in joined or "l" in joined or "i" in joined:
        joined = _LOOKALIKE_RE.sub(lambda m: _DIGIT_LOOKALIKES[m.group(0)], joined)
    return View(joined, tuple(starts), tuple(ends))
