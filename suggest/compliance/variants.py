"""Fold variant spellings (薇信, V信, vx, 扣扣 …) to one canonical word in the joined view.

Character folding cannot do this: 威 is a word of its own (权威), only 威信 stands for 微信. The
variants are data (`aliases:` in the rule files); they are matched on already folded text, longest
first, and every character of the canonical word maps to the whole variant in the original.
"""

from __future__ import annotations

from collections.abc import Mapping

import ahocorasick

from suggest.compliance.normalize import View, normalize


class VariantFolder:
    def __init__(self, aliases: Mapping[str, str]) -> None:
        """`aliases` maps a variant to its canonical word, both as written in the rule file."""
        self._automaton: ahocorasick.Automaton | None = None
        table: dict[str, str] = {}
        for variant, canonical in aliases.items():
            key = normalize(variant).joined.text
            value = normalize(canonical).joined.text
            if key and key != value:
                table[key] = value
        if table:
            automaton = ahocorasick.Automaton()
            for key, value in table.items():
                automaton.add_word(key, (len(key), value))
            automaton.make_automaton()
            self._automaton = automaton

    def fold(self, view: View) -> View:
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
