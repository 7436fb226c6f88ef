"""Validate one rule entry (or a matcher entry of the inbound file) read by suggest.knowledge.yaml_lines.

Errors name the file and the line of the key or list item at fault: rule files are edited by
hand, and "rules/pdd.yaml:41: pattern 3 is not a valid regex" is what lets someone fix it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from suggest.compliance.normalize import BOUNDARY, fold_pattern, normalize
from suggest.compliance.rule import ACTIONS, DEFAULT_WINDOW, SEVERITIES, Pattern, Rule
from suggest.errors import KnowledgeError
from suggest.knowledge.yaml_lines import LDict, LList

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

MATCHER_KEYS = ("terms", "patterns", "plain_patterns", "allow", "allow_patterns", "near", "unless_near", "window")
RULE_KEYS = ("id", "message", "severity", "action", "platforms", "overridable", "allow_own_domains") + MATCHER_KEYS


def require_mapping(value: Any, path: Path, line: int, what: str) -> LDict:
    if not isinstance(value, LDict):
        raise KnowledgeError(path, getattr(value, "line", None) or line, f"{what} must be a mapping")
    return value


def check_keys(entry: LDict, allowed: tuple[str, ...], path: Path, what: str) -> None:
    for key in entry:
        if key not in allowed:
            hint = _closest(key, allowed)
            more = f" (did you mean {hint!r}?)" if hint else f" (known keys: {', '.join(allowed)})"
            raise KnowledgeError(path, entry.line_of(key), f"unknown key {key!r} in {what}{more}")


def text_field(entry: LDict, key: str, path: Path, what: str, required: bool = True) -> str | None:
    if key not in entry:
        if required:
            raise KnowledgeError(path, entry.line, f"{what} has no {key!r}")
        return None
    value = entry[key]
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeError(path, entry.line_of(key), f"{key!r} must be non-empty text, not {value!r}")
    return value.strip()


def text_list(entry: LDict, key: str, path: Path) -> tuple[tuple[str, int], ...]:
    """A list of non-empty strings, each with its line."""
    if key not in entry or entry[key] is None:
        return ()
    value = entry[key]
    if isinstance(value, str):
        value_list = LList([value])
        value_list.line = entry.line_of(key)
        value_list.item_lines = [entry.line_of(key)]
        value = value_list
    if not isinstance(value, LList):
        raise KnowledgeError(path, entry.line_of(key), f"{key!r} must be a list of text")
    out = []
    for i, item in enumerate(value):
        line = value.line_of(i)
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)  # 12315 written without quotes
        if not isinstance(item, str) or not item.strip():
            raise KnowledgeError(path, line, f"item {i + 1} of {key!r} must be non-empty text, not {item!r}")
        out.append((item.strip(), line))
    return tuple(out)


def phrases(entry: LDict, key: str, path: Path) -> tuple[str, ...]:
    """Terms and context phrases: they must still say something once normalised."""
    out = []
    for text, line in text_list(entry, key, path):
        folded = normalize(text).joined.text
        if not folded:
            raise KnowledgeError(path, line, f"{key} entry {text!r} is empty once normalised (only punctuation?)")
        if BOUNDARY in folded:
            raise KnowledgeError(
                path, line, f"{key} entry {text!r} has a space or clause punctuation inside; use a pattern instead"
            )
        out.append(text)
    return tuple(out)


def compile_patterns(entry: LDict, key: str, view: str, path: Path) -> tuple[Pattern, ...]:
    out = []
    for i, (source, line) in enumerate(text_list(entry, key, path)):
        try:
            regex = re.compile(fold_pattern(source), re.IGNORECASE)
        except re.error as exc:
            raise KnowledgeError(path, line, f"{key} item {i + 1} is not a valid regex: {exc}") from exc
        if regex.match(""):
            raise KnowledgeError(path, line, f"{key} item {i + 1} matches the empty string")
        out.append(Pattern(source, regex, view, line))
    return tuple(out)


def parse_matcher(entry: LDict, path: Path, what: str) -> dict[str, Any]:
    terms = phrases(entry, "terms", path)
    patterns = compile_patterns(entry, "patterns", "joined", path) + compile_patterns(
        entry, "plain_patterns", "plain", path
    )
    if not terms and not patterns:
        raise KnowledgeError(path, entry.line, f"{what} has neither 'terms' nor 'patterns': it would never match")
    window = entry.get("window", DEFAULT_WINDOW)
    if isinstance(window, bool) or not isinstance(window, int) or not 0 <= window <= 200:
        raise KnowledgeError(path, entry.line_of("window"), f"'window' must be a whole number 0–200, not {window!r}")
    return {
        "terms": terms,
        "patterns": patterns,
        "allow": phrases(entry, "allow", path),
        "allow_patterns": compile_patterns(entry, "allow_patterns", "joined", path),
        "near": phrases(entry, "near", path),
        "unless_near": phrases(entry, "unless_near", path),
        "window": window,
    }


def parse_rule(entry: Any, path: Path, line: int, known_platforms: tuple[str, ...], may_scope: bool) -> Rule:
    entry = require_mapping(entry, path, line, "a rule")
    check_keys(entry, RULE_KEYS, path, "a rule")
    rule_id = text_field(entry, "id", path, "a rule")
    assert rule_id is not None
    if not ID_RE.match(rule_id):
        raise KnowledgeError(path, entry.line_of("id"), f"rule id {rule_id!r} must be lower-case a-z, 0-9 and '-'")
    what = f"rule {rule_id!r}"
    message = text_field(entry, "message", path, what)
    severity = text_field(entry, "severity", path, what)
    if severity not in SEVERITIES:
        raise KnowledgeError(
            path, entry.line_of("severity"), f"severity must be one of {', '.join(SEVERITIES)}, not {severity!r}"
        )
    action = text_field(entry, "action", path, what)
    if action not in ACTIONS:
        raise KnowledgeError(
            path, entry.line_of("action"), f"action must be one of {', '.join(ACTIONS)}, not {action!r}"
        )
    platforms = None
    if "platforms" in entry:
        if not may_scope:
            raise KnowledgeError(
                path,
                entry.line_of("platforms"),
                f"{what}: a platform file's rules apply to that platform only; drop 'platforms'",
            )
        items = text_list(entry, "platforms", path)
        for name, item_line in items:
            if name not in known_platforms:
                raise KnowledgeError(
                    path, item_line, f"unknown platform {name!r} (known: {', '.join(known_platforms)})"
                )
        platforms = frozenset(name for name, _ in items)
    flags = {}
    for key in ("overridable", "allow_own_domains"):
        value = entry.get(key, False)
        if not isinstance(value, bool):
            raise KnowledgeError(path, entry.line_of(key), f"{key!r} must be true or false, not {value!r}")
        flags[key] = value
    return Rule(
        id=rule_id,
        message=message or "",
        severity=severity or "",
        action=action or "",
        platforms=platforms,
        path=str(path),
        line=entry.line,
        **flags,
        **parse_matcher(entry, path, what),
    )


def parse_rule_list(doc: LDict, path: Path, known_platforms: tuple[str, ...], may_scope: bool) -> tuple[Rule, ...]:
    if "rules" not in doc or doc["rules"] is None:
        return ()
    items = doc["rules"]
    if not isinstance(items, LList):
        raise KnowledgeError(path, doc.line_of("rules"), "'rules' must be a list of rules")
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        rule = parse_rule(item, path, items.line_of(i), known_platforms, may_scope)
        if rule.id in seen:
            raise KnowledgeError(path, rule.line, f"rule id {rule.id!r} is already used at line {seen[rule.id]}")
        seen[rule.id] = rule.line
        rules.append(rule)
    return tuple(rules)


def _closest(key: str, allowed: tuple[str, ...]) -> str | None:
    import difflib

    match = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return match[0] if match else None
