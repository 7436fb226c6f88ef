"""YAML loading that remembers on which line every mapping starts.

Validation errors must name the file and the line a person should open. PyYAML knows the
position of every node while composing; this loader keeps it as a `__line__` key on each mapping.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from suggest.errors import KnowledgeError

LINE = "__line__"


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
    keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise yaml.MarkedYAMLError(problem=f"duplicate key {sorted(duplicates)[0]!r}", problem_mark=node.start_mark)
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KnowledgeError(path, None, f"cannot read: {exc.strerror}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise KnowledgeError(path, line, "not valid UTF-8 text") from exc


def load_yaml(path: Path) -> Any:
    text = read_text(path)
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        last = len(text.splitlines()) or 1
        if line is not None and line > last:
            # An unclosed bracket is reported at the end of the stream; where it opened helps more.
            line = min(exc.context_mark.line + 1 if exc.context_mark else last, last)
        raise KnowledgeError(path, line, f"invalid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(path, None, f"invalid YAML: {exc}") from exc


def line_of(item: Any) -> int | None:
    return item.get(LINE) if isinstance(item, dict) else None
