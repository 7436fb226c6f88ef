"""Read a YAML file into plain Python values that remember their line numbers.

Every error in a knowledge or rule file must name the file and the line of the offending entry,
so the file is composed (yaml.compose keeps each node's start mark) instead of loaded, and
mappings and sequences are turned into dict/list subclasses that carry the line of each key and
item.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from suggest.errors import KnowledgeError

# libyaml's parser keeps the same node marks and is much faster; fall back to pure Python.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LDict(dict):
    """A mapping with `line` (its own first line) and `key_lines` (line of each key)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LList(list):
    """A sequence with `line` and `item_lines` (line of each item)."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def read_text(path: Path) -> str:
    """The text of a knowledge file: UTF-8, a byte-order mark allowed."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KnowledgeError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise KnowledgeError(path, line, "not valid UTF-8 text") from exc


def load(path: Path) -> Any:
    """The document in `path`, or KnowledgeError(path, line, reason)."""
    text = read_text(path)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise KnowledgeError(path, _error_line(exc, text), f"invalid YAML: {_problem(exc)}") from exc
    if node is None:
        return None
    return _convert(node, path, SafeConstructor(), _Budget(len(text) + 1000))


class _Budget:
    """Values a file may expand to. Every value takes at least a character of the file unless an
    alias (*name) repeats it, so more values than characters means nested aliases multiplying
    ("billion laughs": a few hundred bytes that would take minutes and gigabytes to read)."""

    def __init__(self, values: int) -> None:
        self.left = values

    def spend(self, path: Path, line: int) -> None:
        self.left -= 1
        if self.left < 0:
            raise KnowledgeError(path, line, "aliases (*name) expand this file far beyond its size; write the values out")


def _problem(exc: yaml.YAMLError) -> str:
    return str(getattr(exc, "problem", None) or getattr(exc, "context", None) or exc)


def _error_line(exc: yaml.YAMLError, text: str) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return None
    # An unclosed bracket is reported at the end of the stream: the last line is nearer the fault.
    return min(mark.line + 1, len(text.splitlines()) or 1)


def _convert(node: yaml.Node, path: Path, constructor: SafeConstructor, budget: _Budget) -> Any:
    line = node.start_mark.line + 1
    budget.spend(path, line)
    if isinstance(node, yaml.MappingNode):
        out = LDict()
        out.line = line
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, path, constructor, budget)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise KnowledgeError(path, key_line, f"keys must be text, not {key!r}")
            if key in out:
                raise KnowledgeError(path, key_line, f"duplicate key {key!r}")
            out[key] = _convert(value_node, path, constructor, budget)
            out.key_lines[key] = key_line
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LList()
        seq.line = line
        seq.item_lines = []
        for item in node.value:
            seq.append(_convert(item, path, constructor, budget))
            seq.item_lines.append(item.start_mark.line + 1)
        return seq
    try:
        return constructor.construct_object(node, deep=True)
    except ConstructorError as exc:
        raise KnowledgeError(path, line, f"cannot read value: {exc.problem}") from exc
