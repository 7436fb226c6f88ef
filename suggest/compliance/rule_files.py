"""Read a rules directory: common.yaml, one file per platform, inbound.yaml, shops/<shop>.yaml.

    rules/
      common.yaml          platforms: [...], aliases: {...}, rules: [...]  (what every platform forbids)
      <platform>.yaml      platform, own_names, own_domains, disable: [...], rules: [...]
      inbound.yaml         escalation: [...], topics: {...}   (the customer's message)
      shops/<shop>.yaml    shop, platforms, disable: [...], rules: [...], escalation: [...]
                           (per-shop overrides; escalation entries add to inbound.yaml's)

The format is documented in docs/compliance.md. Every platform of config.PLATFORMS needs its
file: a missing one would silently let that platform's own name count as "another platform".
common.yaml is required too: without it every shared rule (WeChat, phone numbers, …) silently
disappears, and the platform files' `disable:` lists name its ids, so the defaults cannot stand
in for it. A missing inbound.yaml falls back to the default one, which depends on no other file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from suggest.compliance.inbound import InboundSpec, escalation_ids, parse_escalations, parse_inbound
from suggest.compliance.parse_rules import (
    check_keys,
    parse_rule_list,
    phrases,
    require_mapping,
    text_field,
    text_list,
)
from suggest.compliance.rule import Rule
from suggest.errors import KnowledgeError
from suggest.knowledge import yaml_lines
from suggest.knowledge.yaml_lines import LDict, LList

SHOP_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class PlatformFile:
    platform: str
    path: str
    own_names: tuple[str, ...]
    own_domains: tuple[str, ...]
    disable: tuple[tuple[str, int], ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class ShopFile:
    shop: str
    path: str
    platforms: frozenset[str] | None
    disable: tuple[tuple[str, int], ...]
    rules: tuple[Rule, ...]
    # Hand-overs of its own, added to inbound.yaml's for this shop's buyers' messages.
    escalation: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class RuleSources:
    directory: Path
    common: tuple[Rule, ...]
    platforms: dict[str, PlatformFile]
    shops: dict[str, ShopFile] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # variant → canonical
    inbound: InboundSpec | None = None


def has_rule_files(directory: Path) -> bool:
    return directory.is_dir() and any(p.suffix in (".yaml", ".yml") for p in directory.iterdir() if p.is_file())


def read_rules_dir(
    directory: Path, known_platforms: tuple[str, ...], inbound_fallback: Path | None = None
) -> RuleSources:
    files = {p.stem: p for p in sorted(directory.iterdir()) if p.is_file() and p.suffix in (".yaml", ".yml")}
    for stem, path in files.items():
        if stem not in ("common", "inbound") and stem not in known_platforms:
            raise KnowledgeError(
                path,
                None,
                f"unknown rule file: expected common.yaml, inbound.yaml or one of "
                f"{', '.join(p + '.yaml' for p in known_platforms)}",
            )
    if "common" not in files:
        raise KnowledgeError(
            directory, None, "no common.yaml: the rules every platform shares (contact details, phone numbers,"
            " stock wording …) would not apply; copy the default knowledge/rules/common.yaml here"
        )
    common, aliases = _read_common(files["common"], known_platforms)
    platforms = {}
    for name in known_platforms:
        if name not in files:
            raise KnowledgeError(directory, None, f"no rule file for platform {name!r} ({name}.yaml is missing)")
        platforms[name] = _read_platform(files[name], name, known_platforms)
    inbound_path = files.get("inbound") or inbound_fallback
    inbound = None
    if inbound_path is not None and inbound_path.is_file():
        inbound = parse_inbound(_document(inbound_path), inbound_path)
    shops = read_shop_files(directory / "shops", known_platforms, inbound)
    return RuleSources(directory, common, platforms, shops, aliases, inbound)


def read_shop_files(directory: Path, known_platforms: tuple[str, ...],
                    inbound: InboundSpec | None = None) -> dict[str, ShopFile]:
    """`inbound`: the escalations a shop file's own add to (their ids are taken)."""
    if not directory.is_dir():
        return {}
    shops = {}
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.suffix in (".yaml", ".yml"):
            shop = _read_shop(path, known_platforms, escalation_ids(inbound))
            shops[shop.shop] = shop
    return shops


def _document(path: Path) -> LDict:
    doc = yaml_lines.load(path)
    if doc is None:
        doc = LDict()
        doc.line = 1
        doc.key_lines = {}
    return require_mapping(doc, path, 1, "a rule file")


def _platform_scope(doc: LDict, path: Path, known_platforms: tuple[str, ...]) -> tuple[str, ...] | None:
    """The file's `platforms:` list, checked; None when it has none."""
    if "platforms" not in doc:
        return None
    items = text_list(doc, "platforms", path)
    for name, line in items:
        if name not in known_platforms:
            raise KnowledgeError(path, line, f"unknown platform {name!r} (known: {', '.join(known_platforms)})")
    return tuple(name for name, _ in items)


def _read_common(path: Path, known_platforms: tuple[str, ...]) -> tuple[tuple[Rule, ...], dict[str, str]]:
    doc = _document(path)
    if not doc:
        raise KnowledgeError(
            path, 1, "common.yaml is empty: no rule would apply on every platform; write rules: [] if that is meant"
        )
    check_keys(doc, ("platforms", "aliases", "rules"), path, "common.yaml")
    scope = _platform_scope(doc, path, known_platforms)
    if scope is None:
        scope = known_platforms
    rules = parse_rule_list(doc, path, known_platforms, may_scope=True)
    scoped = []
    for rule in rules:
        platforms = rule.platforms if rule.platforms is not None else frozenset(scope)
        outside = sorted(platforms - set(scope))
        if outside:
            raise KnowledgeError(
                path, rule.line, f"rule {rule.id!r} names {', '.join(outside)}, which this file does not cover"
            )
        scoped.append(_with_platforms(rule, platforms))
    return tuple(scoped), _read_aliases(doc, path)


def _with_platforms(rule: Rule, platforms: frozenset[str]) -> Rule:
    from dataclasses import replace

    return replace(rule, platforms=platforms)


def _read_aliases(doc: LDict, path: Path) -> dict[str, str]:
    if "aliases" not in doc or doc["aliases"] is None:
        return {}
    table = require_mapping(doc["aliases"], path, doc.line_of("aliases"), "'aliases'")
    out: dict[str, str] = {}
    lines: dict[str, int] = {}
    for canonical in table:
        variants = phrases(table, canonical, path)
        for i, variant in enumerate(variants):
            line = table[canonical].line_of(i) if isinstance(table[canonical], LList) else table.line_of(canonical)
            if variant in out and out[variant] != canonical:
                raise KnowledgeError(
                    path, line, f"variant {variant!r} is already an alias of {out[variant]!r} (line {lines[variant]})"
                )
            out[variant] = canonical
            lines[variant] = line
    return out


def _read_platform(path: Path, platform: str, known_platforms: tuple[str, ...]) -> PlatformFile:
    doc = _document(path)
    check_keys(doc, ("platform", "own_names", "own_domains", "disable", "rules"), path, f"{platform}.yaml")
    declared = text_field(doc, "platform", path, f"{path.name}")
    if declared != platform:
        raise KnowledgeError(
            path, doc.line_of("platform"), f"platform is {declared!r} but the file is named {path.name}"
        )
    own_domains = tuple(d.lower() for d, _ in text_list(doc, "own_domains", path))
    return PlatformFile(
        platform=platform,
        path=str(path),
        own_names=phrases(doc, "own_names", path),
        own_domains=own_domains,
        disable=_disable_list(doc, path),
        rules=parse_rule_list(doc, path, known_platforms, may_scope=False),
    )


def _read_shop(path: Path, known_platforms: tuple[str, ...], taken: frozenset[str] = frozenset()) -> ShopFile:
    doc = _document(path)
    check_keys(doc, ("shop", "platforms", "disable", "rules", "escalation"), path, "a shop rule file")
    shop = text_field(doc, "shop", path, path.name)
    if shop != path.stem:
        raise KnowledgeError(path, doc.line_of("shop"), f"shop is {shop!r} but the file is named {path.name}")
    if not SHOP_ID_RE.match(shop or ""):
        raise KnowledgeError(path, doc.line_of("shop"), f"shop id {shop!r} must be lower-case a-z, 0-9, '-' and '_'")
    scope = _platform_scope(doc, path, known_platforms)
    platforms = frozenset(scope) if scope is not None else None
    rules = parse_rule_list(doc, path, known_platforms, may_scope=True)
    if platforms is not None:
        for rule in rules:
            if rule.platforms is not None and not rule.platforms <= platforms:
                raise KnowledgeError(path, rule.line, f"rule {rule.id!r} names platforms this shop file does not cover")
    escalation = doc.get("escalation") or []
    if not isinstance(escalation, list):
        raise KnowledgeError(path, doc.line_of("escalation"), "'escalation' must be a list")
    return ShopFile(shop or "", str(path), platforms, _disable_list(doc, path), rules,
                    tuple(parse_escalations(escalation, path, taken)))


def _disable_list(doc: LDict, path: Path) -> tuple[tuple[str, int], ...]:
    return text_list(doc, "disable", path)
