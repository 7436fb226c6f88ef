"""Find rule violations in normalised text: one Aho-Corasick pass plus each rule's regexes.

Built once per (platform, shop) at load; a check is then one automaton pass over the joined
view, the rules' patterns, and a few interval tests for the contexts. A hit is dropped when

- it lies inside an allow phrase of its rule (京东 inside 京东快递), inside a match of one of
  its allow patterns (微信 inside 不能加您的微信, but not the 微信 of 不能加急，加微信), or
  inside one of the platform's own names (拼多多 on Pinduoduo),
- the rule has `near` phrases and none is within `window` characters,
- one of the rule's `unless_near` phrases is within `window` characters,
- it is a URL on one of the platform's own domains and the rule allows that.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import accumulate

import ahocorasick

from suggest.compliance.normalize import Normalized, normalize
from suggest.compliance.prefilter import required_sets
from suggest.compliance.results import Violation
from suggest.compliance.rule import Rule
from suggest.compliance.variants import VariantFolder

TERM, ALLOW, NEAR, UNLESS, OWN, GATE = range(6)
_KIND_FIELDS = ((TERM, "terms"), (ALLOW, "allow"), (NEAR, "near"), (UNLESS, "unless_near"))

_HOST_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?([^/\s?#:]+)")

Span = tuple[int, int]

# More hits of one rule than this in one text and its allow patterns are not run (see find).
MAX_EXCUSABLE_HITS = 24


class CompiledRules:
    def __init__(
        self,
        rules: Sequence[Rule],
        variants: VariantFolder | None,
        own_names: Iterable[str] = (),
        own_domains: Iterable[str] = (),
        key_cache: dict[str, str] | None = None,
    ) -> None:
        self.rules = tuple(rules)
        # Phrases normalised once per rule book, not once per platform and shop.
        self._key_cache = key_cache if key_cache is not None else {}
        self.variants = variants
        self.own_domains = tuple(d.lower().lstrip(".") for d in own_domains)
        self._gate_owner: list[int] = []  # gate part id → gated pattern number
        keys: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for index, rule in enumerate(self.rules):
            for kind, name in _KIND_FIELDS:
                for phrase in getattr(rule, name):
                    keys[self._key(phrase)].append((kind, index))
        for name in own_names:
            keys[self._key(name)].append((OWN, -1))
        # One alternation per rule and view: a rule's overlapping hits are merged into one
        # violation anyway, and one regex scan per rule instead of one per pattern is what keeps
        # a check well under a millisecond.
        # Each joined-view pattern runs only when one string of each of its literal parts was
        # seen in the same automaton pass (prefilter.py): most replies open no pattern at all.
        self._ungated: list[tuple[int, re.Pattern[str]]] = []
        self._gated: list[tuple[int, re.Pattern[str]]] = []
        self._need: list[int] = []  # per gated pattern: how many parts must be seen
        # Plain-view patterns (URLs, e-mail) are few: their parts are checked with `in`.
        self._plain: list[tuple[int, re.Pattern[str], list[frozenset[str]]]] = []
        gate_id = 0
        for index, rule in enumerate(self.rules):
            for pattern in rule.patterns:
                if pattern.view == "plain":
                    self._plain.append((index, pattern.regex, required_sets(pattern.regex.pattern)))
                    continue
                parts = required_sets(pattern.regex.pattern)
                if not parts:
                    self._ungated.append((index, pattern.regex))
                    continue
                number = len(self._gated)
                self._gated.append((index, pattern.regex))
                self._need.append(len(parts))
                for part in parts:
                    for literal in part:
                        keys[literal].append((GATE, gate_id))
                    self._gate_owner.append(number)
                    gate_id += 1
        self._automaton: ahocorasick.Automaton | None = None
        if keys:
            # Per key, its entries pre-sorted by kind, so the scan loop does little per match.
            automaton = ahocorasick.Automaton()
            for key, entries in keys.items():
                terms = tuple(i for k, i in entries if k == TERM)
                gates = tuple(i for k, i in entries if k == GATE)
                contexts = tuple((k, i) for k, i in entries if k in (ALLOW, NEAR, UNLESS))
                is_own = any(k == OWN for k, _ in entries)
                automaton.add_word(key, (len(key), terms, gates, contexts, is_own))
            automaton.make_automaton()
            self._automaton = automaton

    def _key(self, phrase: str) -> str:
        key = self._key_cache.get(phrase)
        if key is None:
            key = self._key_cache[phrase] = normalize(phrase, self.variants).joined.text
        return key

    def find(self, norm: Normalized) -> list[Violation]:
        joined = norm.joined
        occurrences: dict[tuple[int, int], list[Span]] = defaultdict(list)
        own: list[Span] = []
        # rule index → [(joined span, original span, matched plain text or None)]
        hits: dict[int, list[tuple[Span, Span, str | None]]] = defaultdict(list)
        seen_parts: set[int] = set()
        text = joined.text
        if self._automaton is not None and text:
            for last, (length, terms, gates, contexts, is_own) in self._automaton.iter(text):
                if gates:
                    seen_parts.update(gates)
                if terms or contexts or is_own:
                    span = (last - length + 1, last + 1)
                    for index in terms:
                        hits[index].append((span, joined.original_span(*span), None))
                    for key in contexts:
                        occurrences[key].append(span)
                    if is_own:
                        own.append(span)
        parts_per_pattern: dict[int, int] = defaultdict(int)
        for part in seen_parts:
            parts_per_pattern[self._gate_owner[part]] += 1
        opened = [self._gated[n] for n, count in parts_per_pattern.items() if count == self._need[n]]
        for index, regex in self._ungated + opened:
            for m in regex.finditer(text):
                if m.end() > m.start():
                    span = (m.start(), m.end())
                    hits[index].append((span, joined.original_span(*span), None))
        plain = norm.plain
        for index, regex, parts in self._plain:
            if not all(any(literal in plain.text for literal in part) for part in parts):
                continue
            for m in regex.finditer(plain.text):
                if m.end() > m.start():
                    original = plain.original_span(m.start(), m.end())
                    hits[index].append((joined.range_of(*original), original, m.group(0)))
        violations: list[Violation] = []
        for index in sorted(hits):
            rule = self.rules[index]
            # Allow patterns run only for a rule that was hit: they excuse, they never find. A text
            # hitting one rule many times is no refusal or warning, and the patterns cost a scan per
            # hit's clause: 10,000 characters of "微信或QQ或电话或" took 4 s (helper-42). Its allow
            # phrases, own names and near words still count: they are found in the one scan above.
            many = len(hits[index]) > MAX_EXCUSABLE_HITS
            allowed = [] if many else [
                (m.start(), m.end()) for p in rule.allow_patterns for m in p.regex.finditer(text) if m.end() > m.start()
            ]
            excuses = _Excuses(occurrences, own, allowed, index)
            kept: list[Span] = []
            for joined_span, original, url_text in hits[index]:
                if excuses.excuse(rule, joined_span):
                    continue
                if url_text is not None and rule.allow_own_domains and self._own_domain(url_text):
                    continue
                kept.append(original)
            for span in _merge(kept):
                violations.append(Violation(rule.id, rule.message, span, rule.severity, rule.action))
        violations.sort(key=lambda v: (v.span, v.rule))
        return violations

    def _own_domain(self, url: str) -> bool:
        return on_domains(url, self.own_domains)


def on_domains(url: str, domains: Sequence[str]) -> bool:
    """Whether `url`'s host is one of `domains` or under one of them."""
    m = _HOST_RE.match(url.strip().lower())
    if not m:
        return False
    host = m.group(1).rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


class _Spans:
    """Spans sorted by start, with the furthest end so far: whether one of them contains a span,
    or comes near it, in a bisection rather than a pass over all of them per hit."""

    def __init__(self, spans: Iterable[Span]) -> None:
        ordered = sorted(spans)
        self.starts = [c for c, _ in ordered]
        self.reach = list(accumulate((d for _, d in ordered), max))

    def contain(self, a: int, b: int) -> bool:
        n = bisect_right(self.starts, a)  # the spans starting at or before a
        return n > 0 and self.reach[n - 1] >= b

    def meet(self, low: int, high: int) -> bool:
        """A span with c < high and d > low."""
        n = bisect_left(self.starts, high)
        return n > 0 and self.reach[n - 1] > low


class _Excuses:
    """What excuses one rule's hits in one text: its allow phrases and patterns and the platform's
    own names around a hit, or its near words missing, or an unless-near word present."""

    def __init__(self, occurrences: dict[tuple[int, int], list[Span]], own: list[Span], allowed: list[Span],
                 index: int) -> None:
        self.inside = _Spans([*occurrences.get((ALLOW, index), ()), *allowed, *own])
        self.near = _Spans(occurrences.get((NEAR, index), ()))
        self.unless = _Spans(occurrences.get((UNLESS, index), ()))

    def excuse(self, rule: Rule, span: Span) -> bool:
        a, b = span
        if b > a and self.inside.contain(a, b):
            return True
        w = rule.window
        if rule.near and not self.near.meet(a - w, b + w):
            return True
        return bool(rule.unless_near) and self.unless.meet(a - w, b + w)


def _merge(spans: list[Span]) -> list[Span]:
    """Overlapping hits of one rule become one violation (微信 and 微信号 in the same place)."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
