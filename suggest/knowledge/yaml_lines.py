"""Read a YAML file into plain Python values that remember their line numbers.

Every error in a knowledge or rule file must name the file and the line of the offending entry,
so the file is composed (yaml.compose keeps each node's start mark) instead of loaded, and
mappings and sequences are turned into dict/list subclasses that carry the line of each key and
item.

Numbers are resolved as in YAML 1.2, not 1.1: `12:00` is the text "12:00", not the sexagesimal
integer 720 (a `message_window: 12:00` would silently mean 12 minutes), and `0571` is the text
"0571", not the octal 377 (an area code or postcode in a fact).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from suggest.errors import KnowledgeError
from suggest.knowledge.csv_text import NOT_UTF8, not_utf8_text

# libyaml's parser keeps the same node marks and is much faster; fall back to pure Python.
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
# PyYAML's YAML 1.1 patterns without the sexagesimal (1:30:00) and old-style octal (0571) forms.
_INT_RE = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+)$""",
    re.X,
)
_FLOAT_RE = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)


class _Loader(_BASE_LOADER):
    """The safe loader with YAML 1.2 numbers (see the module docstring)."""

    yaml_implicit_resolvers = {
        first: [(tag, {_INT: _INT_RE, _FLOAT: _FLOAT_RE}.get(tag, regexp)) for tag, regexp in resolvers]
        for first, resolvers in _BASE_LOADER.yaml_implicit_resolvers.items()
    }


class LDict(dict):
    """A mapping with `line` (its own first line) and `key_lines` (line of each key)."""

    line: int = 0
    key_lines: dict[str, int]
    # How each value that YAML did not read as text was written (no, 0x1f, 2026-03-01).
    written: Mapping[str, str] = MappingProxyType({})

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def written_of(self, key: str) -> str | None:
        """The source of a scalar value that is not a string (for messages, and numbers as text)."""
        return self.written.get(key)


class LList(list):
    """A sequence with `line` and `item_lines` (line of each item)."""

    line: int = 0
    item_lines: list[int]
    written: Mapping[int, str] = MappingProxyType({})

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line

    def written_of(self, index: int) -> str | None:
        return self.written.get(index)


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
        raise KnowledgeError(path, line, NOT_UTF8 + not_utf8_text(raw, exc.start, path.name)) from exc


def load(path: Path) -> Any:
    """The document in `path`, or KnowledgeError(path, line, reason)."""
    text = read_text(path)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        if (opened := _unclosed_at(exc)) is not None:
            raise KnowledgeError(path, opened, f"invalid YAML: {_unclosed(exc, text)}") from exc
        raise KnowledgeError(path, _error_line(exc, text), f"invalid YAML: {_problem(exc)}") from exc
    if node is None:
        return None
    return _convert(node, path, SafeConstructor(), _Budget(len(text) + 1000), text.splitlines())


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


# Errors inside a quote or a bracket: where it was opened is where the fix is; the parser only
# notices at the next thing it cannot take, often many lines on or at the end of the file
# (helper-41: an unclosed quote on line 25 was reported at line 152, the last).
_OPENED = ("quoted scalar", "flow sequence", "flow mapping")


def _unclosed_at(exc: yaml.YAMLError) -> int | None:
    context, mark = getattr(exc, "context", None) or "", getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None and any(kind in context for kind in _OPENED) else None


def _unclosed(exc: yaml.YAMLError, text: str) -> str:
    what = {"quoted scalar": "a quote", "flow sequence": "a [", "flow mapping": "a {"}
    opened = next(name for kind, name in what.items() if kind in (getattr(exc, "context", "") or ""))
    return (f"{opened} opened on this line is not closed where it should be (the reader gave up at line"
            f" {_error_line(exc, text)}: {_problem(exc)})")


def _problem(exc: yaml.YAMLError) -> str:
    return str(getattr(exc, "problem", None) or getattr(exc, "context", None) or exc)


def _error_line(exc: yaml.YAMLError, text: str) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        # The reader's errors (a NUL or other forbidden character) carry an offset only: into the
        # UTF-8 bytes for libyaml, into the characters for the pure-Python reader.
        position = getattr(exc, "position", None)
        if not isinstance(position, int):
            return None
        source: str | bytes = text.encode("utf-8") if _BASE_LOADER is not yaml.SafeLoader else text
        return source[:position].count("\n" if isinstance(source, str) else b"\n") + 1
    # An unclosed bracket is reported at the end of the stream: the last line is nearer the fault.
    return min(mark.line + 1, len(text.splitlines()) or 1)


def _convert(node: yaml.Node, path: Path, constructor: SafeConstructor, budget: _Budget, lines: list[str]) -> Any:
    line = node.start_mark.line + 1
    budget.spend(path, line)
    if isinstance(node, yaml.MappingNode):
        out = LDict()
        out.line = line
        out.key_lines = {}
        out.written = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, path, constructor, budget, lines)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise KnowledgeError(path, key_line, f"keys must be text, not {key!r}")
            if key in out:
                raise KnowledgeError(path, key_line, f"duplicate key {key!r}")
            out[key] = _convert(value_node, path, constructor, budget, lines)
            out.key_lines[key] = key_line
            if _not_text(value_node, out[key]):
                out.written[key] = value_node.value
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LList()
        seq.line = line
        seq.item_lines = []
        seq.written = {}
        for item in node.value:
            seq.append(_convert(item, path, constructor, budget, lines))
            seq.item_lines.append(item.start_mark.line + 1)
            if _not_text(item, seq[-1]):
                seq.written[len(seq) - 1] = item.value
        return seq
    _refuse_list_read_as_text(node, path, lines)
    try:
        return constructor.construct_object(node, deep=True)
    except ConstructorError as exc:
        raise KnowledgeError(path, line, f"cannot read value: {exc.problem}") from exc
    except Exception as exc:  # PyYAML's constructors fail with ValueError, KeyError… on what they cannot read
        raise KnowledgeError(path, line, _unreadable(node, exc)) from exc


def _refuse_list_read_as_text(node: yaml.Node, path: Path, lines: list[str]) -> None:
    """`questions: 能开发票吗` followed by indented `- ...` lines is valid YAML: one plain text
    running on over those lines, dashes and all ("能开发票吗 - 亲 可以开票不 - ..."), so fourteen
    example questions silently became one. No text of a knowledge file continues with a line
    that starts with "- "; such a line was meant as a list item."""
    if not isinstance(node, yaml.ScalarNode) or node.style or node.end_mark.line <= node.start_mark.line:  # plain: None or ""
        return
    for number in range(node.start_mark.line + 1, min(node.end_mark.line, len(lines) - 1) + 1):
        stripped = lines[number].lstrip()
        if stripped == "-" or stripped.startswith("- "):
            raise KnowledgeError(
                path, number + 1,
                f"this '- ' line is read as more of the text begun on line {node.start_mark.line + 1}, not as a list "
                "item: for a list, leave nothing after the colon on that line and put each item on its own '- ' line",
            )


def _not_text(node: yaml.Node, value: Any) -> bool:
    return isinstance(node, yaml.ScalarNode) and not isinstance(value, str)


def _unreadable(node: yaml.Node, exc: Exception) -> str:
    """Why a scalar that YAML (or an explicit !!tag) says is a date, number or yes/no is none."""
    kind = node.tag.rsplit(":", 1)[-1]
    if kind == "timestamp":
        return f"{node.value} is not a date ({exc}); write dates as YYYY-MM-DD, and other text in quotes"
    return f"cannot read {node.value!r} as !!{kind}; remove the tag, or write the value in quotes"
