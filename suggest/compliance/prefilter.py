"""Literal strings a regex cannot match without: a cheap gate before running it.

Most replies break no rule, and scanning every rule's regexes over every candidate is what
would cost most of a check. From each pattern's parse tree we take its mandatory parts that are
literals or alternations of literals (保证|1定|肯定 …, then 到|送到 …); the pattern can only match
text that contains one string of EACH part. The strings go into the same Aho-Corasick pass as
the terms, so a pattern runs only when every one of its parts was seen.

Uses the regex parser of the standard library (re._parser); a pattern it cannot analyse simply
has no gate and always runs.
"""

from __future__ import annotations

from functools import lru_cache

try:  # Python 3.11+
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

_MAX_CLASS = 12  # a character class of more literals than this is no useful gate


@lru_cache(maxsize=4096)
def required_sets(source: str) -> tuple[frozenset[str], ...]:
    """Every top-level mandatory part of `source` that is a set of literal strings."""
    try:
        parsed = P.parse(source)
    except Exception:  # noqa: BLE001 - an unanalysable pattern just runs ungated
        return ()
    out: list[frozenset[str]] = []
    run = ""
    for op, arg in list(parsed):
        if op is C.LITERAL:
            run += chr(arg)
            continue
        if run:
            out.append(frozenset({run.lower()}))
            run = ""
        lits = _item(op, arg)
        if lits:
            out.append(frozenset(s.lower() for s in lits))
    if run:
        out.append(frozenset({run.lower()}))
    return tuple(out)


def _score(lits: set[str]) -> tuple[int, int]:
    return (min(len(s) for s in lits), -len(lits))


def _sequence(items: list) -> set[str] | None:
    """Best gate among the mandatory items of a sequence (runs of literals count as one)."""
    best: set[str] | None = None
    run = ""

    def consider(candidate: set[str] | None) -> None:
        nonlocal best
        if candidate and (best is None or _score(candidate) > _score(best)):
            best = candidate

    for op, arg in items:
        if op is C.LITERAL:
            run += chr(arg)
            continue
        if run:
            consider({run})
            run = ""
        consider(_item(op, arg))
    if run:
        consider({run})
    return best


def _item(op, arg) -> set[str] | None:
    if op is C.SUBPATTERN:
        return _sequence(list(arg[-1]))
    if op is C.BRANCH:
        out: set[str] = set()
        for alternative in arg[1]:
            lits = _sequence(list(alternative))
            if not lits:
                return None
            out |= lits
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        low, _high, sub = arg
        return _sequence(list(sub)) if low >= 1 else None
    if op is C.IN:
        chars = set()
        for sub_op, sub_arg in arg:
            if sub_op is not C.LITERAL:
                return None
            chars.add(chr(sub_arg))
        return chars if 0 < len(chars) <= _MAX_CLASS else None
    return None
