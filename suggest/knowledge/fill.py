"""Fill a template's `{variables}` from the facts of the product, then of the shop.

A variable is a bare name. Python's format mini-language (`{x!r}`, `{x:>99999999}`, `{x.attr}`)
is refused when the knowledge loads, and filling never goes through `str.format`: a reply goes to
a customer as the merchant wrote it, with facts put in, and nothing else.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping

_FORMATTER = string.Formatter()


def _pieces(template: str) -> Iterator[tuple[str, str | None]]:
    """(literal text, variable name or None); ValueError on unbalanced braces or a conversion or
    format spec. What a name may be is the loader's to say."""
    for literal, name, spec, conversion in _FORMATTER.parse(template):
        if name is not None and (conversion is not None or spec):
            field = name + ("!" + conversion if conversion else "") + (":" + spec if spec else "")
            raise ValueError(f"{{{field}}} is not a plain variable; write {{{name}}}")
        yield literal, name


def variables(template: str) -> list[str]:
    """The variable names of a template; raises ValueError on unbalanced braces, `!r` or `:spec`."""
    return [name for _, name in _pieces(template) if name is not None]


def fill(template: str, *layers: Mapping[str, str]) -> str | None:
    """The filled text, or None when a variable has no value in any layer."""
    out: list[str] = []
    for literal, name in _pieces(template):
        out.append(literal)
        if name is None:
            continue
        value = next((layer[name] for layer in layers if str(layer.get(name, "")).strip()), None)
        if value is None:
            return None
        out.append(str(value).strip())
    return "".join(out)
