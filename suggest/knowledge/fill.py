"""Fill a template's `{variables}` from the facts of the product, then of the shop.

A variable is a bare name. Python's format mini-language (`{x!r}`, `{x:>99999999}`, `{x.attr}`)
is refused when the knowledge loads, and filling never goes through `str.format`: a reply goes to
a customer as the merchant wrote it, with facts put in, and nothing else.

A part in double square brackets is optional: `亲，这款{price}哦～[[另外{coupons}。]]` is sent
without its last sentence by a shop that has no coupons, where a variable outside the brackets
would keep the whole template from being suggested.
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Iterator, Mapping

_FORMATTER = string.Formatter()
OPEN, CLOSE = "[[", "]]"


def _segments(template: str) -> Iterator[tuple[str, bool]]:
    """(text, optional) in order; ValueError on a `[[` never closed, a `]]` never opened, or nesting."""
    rest = template
    while rest:
        start, stop = rest.find(OPEN), rest.find(CLOSE)
        if stop != -1 and (start == -1 or stop < start):
            raise ValueError(f"'{CLOSE}' closes no '{OPEN}' (an optional part is written [[…]])")
        if start == -1:
            yield rest, False
            return
        stop = rest.find(CLOSE, start + len(OPEN))
        if stop == -1:
            raise ValueError(f"'{OPEN}' is never closed with '{CLOSE}'")
        inner = rest[start + len(OPEN) : stop]
        if OPEN in inner:
            raise ValueError("optional parts [[…]] cannot be nested")
        yield rest[:start], False
        yield inner, True
        rest = rest[stop + len(CLOSE) :]


def _pieces(text: str) -> Iterator[tuple[str, str | None]]:
    """(literal text, variable name or None); ValueError on unbalanced braces or a conversion or
    format spec. What a name may be is the loader's to say."""
    for literal, name, spec, conversion in _FORMATTER.parse(text):
        if name is not None and (conversion is not None or spec):
            field = name + ("!" + conversion if conversion else "") + (":" + spec if spec else "")
            raise ValueError(f"{{{field}}} is not a plain variable; write {{{name}}}")
        yield literal, name


def variables(template: str) -> list[str]:
    """Every variable name of a template, optional parts included; raises ValueError on
    unbalanced braces or brackets, `!r` or `:spec`."""
    return [name for text, _ in _segments(template) for _, name in _pieces(text) if name is not None]


def required_variables(template: str) -> list[str]:
    """The variables outside optional parts: without one of them the template is not sent."""
    return [name for text, optional in _segments(template) if not optional
            for _, name in _pieces(text) if name is not None]


def without_variables(template: str) -> str:
    """The template's own words: variables and the brackets of optional parts left out."""
    return "".join(literal for text, _ in _segments(template) for literal, _ in _pieces(text))


def fill(template: str, *layers: Mapping[str, str]) -> str | None:
    """The filled text, or None when a variable outside optional parts has no value in any
    layer; an optional part with such a variable is left out."""
    out: list[str] = []
    for text, optional in _segments(template):
        filled = _fill_part(text, layers)
        if filled is None and not optional:
            return None
        out.append(filled or "")
    return "".join(out)


def _fill_part(text: str, layers: tuple[Mapping[str, str], ...]) -> str | None:
    out: list[str] = []
    for literal, name in _pieces(text):
        out.append(literal)
        if name is None:
            continue
        value = next((layer[name] for layer in layers if str(layer.get(name, "")).strip()), None)
        if value is None:
            return None
        out.append(str(value).strip())
    return "".join(out)


def did_you_mean(name: str, known: set[str]) -> str:
    """" (did you mean {size_advice}?)" for a misspelt fact name, else ""."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
    return f" (did you mean {{{close[0]}}}?)" if close else ""
