"""Which rules apply to a platform, and to a shop on that platform.

Layering, each layer by rule id:
  common.yaml (rules scoped to the platform)
  → <platform>.yaml: `disable` removes common rules, a rule with a common rule's id replaces it,
    any other rule is added
  → shops/<shop>.yaml (when it covers the platform): may disable or replace only rules marked
    `overridable: true`, and may add rules of its own.
Platform rules cost the shop money when broken, so a shop cannot switch them off by accident.
"""

from __future__ import annotations

from suggest.compliance.rule import Rule
from suggest.compliance.rule_files import RuleSources, ShopFile
from suggest.errors import KnowledgeError


def platform_rules(sources: RuleSources, platform: str) -> dict[str, Rule]:
    """Common rules for `platform` with the platform file applied, in file order."""
    spec = sources.platforms[platform]
    rules = {r.id: r for r in sources.common if r.platforms is None or platform in r.platforms}
    for rule_id, line in spec.disable:
        if rule_id not in rules:
            raise KnowledgeError(spec.path, line, f"disable: no common rule {rule_id!r} applies to {platform}")
        del rules[rule_id]
    for rule in spec.rules:
        rules[rule.id] = rule
    return rules


def shop_rules(base: dict[str, Rule], shop: ShopFile, platform: str) -> dict[str, Rule]:
    """`base` (a platform's rules) with one shop file applied; unchanged if it does not cover it."""
    if shop.platforms is not None and platform not in shop.platforms:
        return base
    rules = dict(base)
    for rule_id, line in shop.disable:
        if rule_id in rules:
            _require_overridable(rules[rule_id], shop, line, "disable")
            del rules[rule_id]
    for rule in shop.rules:
        if rule.platforms is not None and platform not in rule.platforms:
            continue
        if rule.id in rules:
            _require_overridable(rules[rule.id], shop, rule.line, "replace")
        rules[rule.id] = rule
    return rules


def validate(sources: RuleSources, platforms: tuple[str, ...]) -> None:
    """Raise KnowledgeError now for any layering mistake that would otherwise show up per request."""
    per_platform = {p: platform_rules(sources, p) for p in platforms}
    for shop in sources.shops.values():
        covered = [p for p in platforms if shop.platforms is None or p in shop.platforms]
        for rule_id, line in shop.disable:
            if not any(rule_id in per_platform[p] for p in covered):
                raise KnowledgeError(shop.path, line, f"disable: no rule {rule_id!r} applies to this shop's platforms")
        for p in covered:
            shop_rules(per_platform[p], shop, p)


def _require_overridable(rule: Rule, shop: ShopFile, line: int, verb: str) -> None:
    if not rule.overridable:
        raise KnowledgeError(
            shop.path,
            line,
            f"cannot {verb} rule {rule.id!r} ({rule.where}): it is a platform rule not marked overridable",
        )
