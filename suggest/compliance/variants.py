"""Fold variant spellings (薇信, V信, vx, 扣扣 …) to one canonical word in the joined view.

Character folding cannot do this: 威 is a word of its own (权威), only 威信 stands for 微信. The
variants are data (`aliases:` in the rule files); they are matched on already folded text, longest
first, and every character of the canonical word maps to the whole variant in the original.

The same words are the ones people split with a space to get past a filter (淘 宝, 拼多 多, 某 宝):
a boundary the joined view kept between two runs of several characters is removed where it cuts
one of them in two and what separated them was only spaces or dots. A comma or a full stop ends a
clause ("祝您购物愉快，手机用户请…" must not read 快手); the allow phrases written for the
lone-character joins (快手慢无, 快手机) excuse what a space still joins.
"""

from __future__ import annotations

from collections.abc import Mapping

import ahocorasick

from suggest.compliance.normalize import BOUNDARY, View, normalize

# What may stand between the two halves of a split name: spaces and dots, not clause punctuation.
_BRIDGEABLE = frozenset(" \t\u3000.…·")


class VariantFolder:
    def __init__(self, aliases: Mapping[str, str]) -> None:
        """`aliases` maps a variant to its canonical word, both as written in the rule file."""
        self._automaton: ahocorasick.Automaton | None = None
        table: dict[str, str] = {}
        words: set[str] = set()
        for variant, canonical in aliases.items():
            key = normalize(variant).joined.text
            value = normalize(canonical).joined.text
            if key and key != value:
                table[key] = value
            words.update(w for w in (key, value) if len(w) >= 2 and BOUNDARY not in w)
        # (left part, right part) of every way to cut each word in two.
        self._halves = frozenset((w[:k], w[k:]) for w in words for k in range(1, len(w)))
        self._longest = max((len(w) for w in words), default=0)
        if table:
            automaton = ahocorasick.Automaton()
            for key, value in table.items():
                automaton.add_word(key, (len(key), value))
            automaton.make_automaton()
            self._automaton = automaton

    def fold(self, view: View, original: str) -> View:
        if self._halves and BOUNDARY in view.text:
            view = self._bridge(view, original)
        if self._automaton is None or not view.text:
            return view
        matches = list(self._automaton.iter_long(view.text))
        if not matches:
            return view
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        for last, (length, canonical) in matches:
            first = last - length + 1
            chars.append(view.text[pos:first])
            starts.extend(view.starts[pos:first])
            ends.extend(view.ends[pos:first])
            span_start, span_end = view.starts[first], view.ends[last]
            chars.append(canonical)
            starts.extend([span_start] * len(canonical))
            ends.extend([span_end] * len(canonical))
            pos = last + 1
        chars.append(view.text[pos:])
        starts.extend(view.starts[pos:])
        ends.extend(view.ends[pos:])
        return View("".join(chars), tuple(starts), tuple(ends))

    def _bridge(self, view: View, original: str) -> View:
        """The view without the boundaries that cut an alias word in two."""
        text = view.text
        cuts = []
        for p, ch in enumerate(text):
            if ch != BOUNDARY or not _BRIDGEABLE.issuperset(original[view.starts[p]:view.ends[p]]):
                continue
            for k in range(1, self._longest):
                left = text[max(0, p - k):p]
                if len(left) < k:
                    break
                if any((left, text[p + 1:p + 1 + j]) in self._halves for j in range(1, self._longest - k + 1)):
                    cuts.append(p)
                    break
        if not cuts:
            return view
        cut = set(cuts)
        keep = [i for i in range(len(text)) if i not in cut]
        return View("".join(text[i] for i in keep), tuple(view.starts[i] for i in keep),
                    tuple(view.ends[i] for i in keep))
