"""Fill a template's `{variables}` from the facts of the product, then of the shop."""

from __future__ import annotations

import string
from collections.abc import Mapping

_FORMATTER = string.Formatter()


def variables(template: str) -> list[str]:
    """The variable names of a template; raises ValueError on unbalanced braces."""
    return [name for _, name, _, _ in _FORMATTER.parse(template) if name is not None]


def fill(template: str, *layers: Mapping[str, str]) -> str | None:
    """The filled text, or None when a variable has no value in any layer."""
    values: dict[str, str] = {}
    for name in variables(template):
        value = next((layer[name] for layer in layers if str(layer.get(name, "")).strip()), None)
        if value is None:
            return None
        values[name] = str(value).strip()
    return template.format_map(values) if values else template.replace("{{", "{").replace("}}", "}")
