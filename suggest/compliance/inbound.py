"""The customer's message: does it need a human, and does it ask for something the rules forbid?

Read from rules/inbound.yaml:

    escalation:              # any match → needs_human, with the entry's reason
      - id: complaint
        reason: 顾客提到投诉/举报，请主管或人工跟进
        terms: [投诉, 12315]
    topics:                  # fixed names; the ranking puts the template written for it first
      contact_request: {terms: [...], patterns: [...]}
      others_order: {...}
      offplatform_pay: {...}
      other_platform_order: {...}   # bought on another platform: kept only if it names another one
      withdrawn_request: {...}      # "发票不用开了", "不退了": the similarity reads the request, not the 不
      wrong_item_received: {...}    # "我要的L码 发来的是M码": sizes lead the similarity to stock answers

Entries use the same matchers as rules (terms, patterns, allow, allow_patterns, near, unless_near,
window) and the same normaliser, so a customer's "加个vx" is read as 加个微信.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from suggest.compliance.matcher import CompiledRules
from suggest.compliance.normalize import Normalized
from suggest.compliance.parse_rules import ID_RE, MATCHER_KEYS, check_keys, parse_matcher, require_mapping, text_field
from suggest.compliance.results import Inbound
from suggest.compliance.rule import Rule
from suggest.errors import KnowledgeError
from suggest.knowledge.yaml_lines import LDict

TOPICS = (
    "contact_request",
    "others_order",
    "offplatform_pay",
    "other_platform_order",
    "withdrawn_request",
    "wrong_item_received",
)

# A buyer who bought on Taobao asks a Pinduoduo shop to handle it: only this shop's platform can.
# The topic's match must name a platform; naming the one the shop is asked on (or its sibling:
# Tmall shops live in the Taobao app) is an ordinary order.
OTHER_PLATFORM = "other_platform_order"
PLATFORM_NAMES = {
    "tmall": ("天猫", "淘宝", "taobao", "tmall", "tb", "tm", "某宝", "手淘"),
    "taobao": ("天猫", "淘宝", "taobao", "tmall", "tb", "tm", "某宝", "手淘"),
    "pdd": ("拼多多", "pdd", "多多", "拼夕夕", "拼团"),
    "douyin": ("抖音", "douyin", "dy", "抖店", "抖音商城", "直播间"),
    "jd": ("京东", "jd", "狗东", "京东商城"),
}

_ESCALATION_PREFIX = "escalation:"
_TOPIC_PREFIX = "topic:"


@dataclass(frozen=True)
class InboundSpec:
    path: str
    entries: tuple[Rule, ...]  # ids "escalation:<id>" and "topic:<name>"; message = reason


def parse_inbound(doc: LDict, path: Path) -> InboundSpec:
    check_keys(doc, ("escalation", "topics"), path, "inbound.yaml")
    entries: list[Rule] = []
    escalation = doc.get("escalation") or []
    if not isinstance(escalation, list):
        raise KnowledgeError(path, doc.line_of("escalation"), "'escalation' must be a list")
    if not escalation:
        # Easy to do by accident (an emptied file), and it switches off every hand-over to a person.
        raise KnowledgeError(
            path, doc.line_of("escalation"), "no escalation entries: complaints, threats and disputes would never be"
            " handed over to a person; list them under 'escalation:', or delete inbound.yaml to use the default one"
        )
    entries.extend(parse_escalations(escalation, path))
    topics = doc.get("topics") or LDict()
    topics = require_mapping(topics, path, doc.line_of("topics"), "'topics'")
    for name in topics:
        if name not in TOPICS:
            raise KnowledgeError(path, topics.line_of(name), f"unknown topic {name!r} (known: {', '.join(TOPICS)})")
        entry = require_mapping(topics[name], path, topics.line_of(name), f"topic {name!r}")
        check_keys(
            entry,
            MATCHER_KEYS,
            path,
            f"topic {name!r}",
        )
        entries.append(_as_rule(_TOPIC_PREFIX + name, name, entry, path))
    return InboundSpec(str(path), tuple(entries))


def parse_escalations(escalation: list[object], path: Path, taken: frozenset[str] = frozenset()) -> list[Rule]:
    """The entries of an `escalation:` list (inbound.yaml's, or a shop rule file's, where `taken`
    holds the ids of the entries it adds to: a shop adds hand-overs, it cannot replace one)."""
    entries = []
    seen: set[str] = set()
    for i, item in enumerate(escalation):
        entry = require_mapping(item, path, escalation.line_of(i), "an escalation entry")  # type: ignore[attr-defined]
        check_keys(
            entry,
            ("id", "reason", *MATCHER_KEYS),
            path,
            "an escalation entry",
        )
        entry_id = text_field(entry, "id", path, "an escalation entry") or ""
        if not ID_RE.match(entry_id):
            raise KnowledgeError(path, entry.line_of("id"), f"id {entry_id!r} must be lower-case a-z, 0-9 and '-'")
        if entry_id in seen:
            raise KnowledgeError(path, entry.line_of("id"), f"escalation id {entry_id!r} is used twice")
        if entry_id in taken:
            raise KnowledgeError(path, entry.line_of("id"), f"escalation id {entry_id!r} is one of inbound.yaml's: "
                                                            "a shop adds entries of its own, it cannot replace one")
        seen.add(entry_id)
        reason = text_field(entry, "reason", path, f"escalation {entry_id!r}") or ""
        entries.append(_as_rule(_ESCALATION_PREFIX + entry_id, reason, entry, path))
    return entries


def escalation_ids(spec: InboundSpec | None) -> frozenset[str]:
    if spec is None:
        return frozenset()
    return frozenset(e.id[len(_ESCALATION_PREFIX):] for e in spec.entries if e.id.startswith(_ESCALATION_PREFIX))


def _as_rule(rule_id: str, message: str, entry: LDict, path: Path) -> Rule:
    return Rule(
        id=rule_id,
        message=message,
        severity="major",
        action="flag",
        path=str(path),
        line=entry.line,
        **parse_matcher(entry, path, rule_id),
    )


def analyze(norm: Normalized, compiled: CompiledRules, platform: str) -> Inbound:
    reasons: list[str] = []
    escalations: list[str] = []
    topics: set[str] = set()
    for violation in compiled.find(norm):
        if violation.rule.startswith(_TOPIC_PREFIX):
            topic = violation.rule[len(_TOPIC_PREFIX) :]
            if topic == OTHER_PLATFORM and _names_own_platform(norm.original[slice(*violation.span)], platform):
                continue
            topics.add(topic)
        else:
            entry_id = violation.rule[len(_ESCALATION_PREFIX) :]
            if entry_id not in escalations:
                escalations.append(entry_id)
                reasons.append(violation.message)
    return Inbound(bool(escalations), tuple(reasons), frozenset(topics), tuple(escalations))


def _names_own_platform(matched: str, platform: str) -> bool:
    """Whether the words matched for other_platform_order name the platform being asked on, or
    name none at all (a topic pattern that forgot to): not another platform's order then."""
    text = matched.lower()
    if not any(name in text for names in PLATFORM_NAMES.values() for name in names):
        return True
    return any(name in text for name in PLATFORM_NAMES.get(platform, ()))
