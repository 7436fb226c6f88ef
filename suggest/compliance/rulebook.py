"""The rule book: every platform's rules, compiled once, and the checks run on each candidate."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from suggest.compliance import merge
from suggest.compliance.actions import apply_actions
from suggest.compliance.inbound import analyze
from suggest.compliance.matcher import CompiledRules, on_domains
from suggest.compliance.normalize import Normalized, normalize
from suggest.compliance.results import CheckResult, FilterOutcome, Inbound
from suggest.compliance.rule import Rule
from suggest.compliance.rule_files import RuleSources, has_rule_files, read_rules_dir, read_shop_files
from suggest.compliance.variants import VariantFolder
from suggest.config import PLATFORMS, REPO_ROOT
from suggest.errors import ComplianceError, InputError, KnowledgeError, ScopeError

DEFAULT_RULES_DIR = REPO_ROOT / "knowledge" / "rules"

# A link as buyers paste it, with or without its scheme: host, then anything up to a space or a
# Chinese character. Only from the start of a run of letters, digits and dots (tried from every
# position inside "a.a.a.…" it took 34 ms on 2,000 characters).
_LINK_RE = re.compile(r"(?<![a-z0-9.-])(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?::[0-9]+)?(?:[/?#][^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]*)?", re.IGNORECASE)


class RuleBook:
    def __init__(self, sources: RuleSources, platforms: Iterable[str] = tuple(PLATFORMS)) -> None:
        self.sources = sources
        self.platforms = tuple(platforms)
        self.variants = VariantFolder(sources.aliases)
        self._key_cache: dict[str, str] = {}
        merge.validate(sources, self.platforms)
        self._base = {p: merge.platform_rules(sources, p) for p in self.platforms}
        self._compiled: dict[tuple[str, str | None], CompiledRules] = {}
        for platform in self.platforms:
            self._compiled[(platform, None)] = self._compile(platform, None)
        for shop in sources.shops:
            for platform in self.platforms:
                self._compiled[(platform, shop)] = self._compile(platform, shop)
        self._own_domains = {p: tuple(d.lstrip(".") for d in sources.platforms[p].own_domains) for p in self.platforms}
        entries = sources.inbound.entries if sources.inbound else ()
        self._inbound = CompiledRules(entries, self.variants, key_cache=self._key_cache)
        # A shop's own hand-overs (a kettle shop's 烫伤, 漏电) read its buyers' messages only.
        self._shop_inbound = {
            shop: CompiledRules((*entries, *spec.escalation), self.variants, key_cache=self._key_cache)
            for shop, spec in sources.shops.items() if spec.escalation
        }

    def _compile(self, platform: str, shop: str | None) -> CompiledRules:
        spec = self.sources.platforms[platform]
        rules = self.rules_for(platform, shop)
        return CompiledRules(rules, self.variants, spec.own_names, spec.own_domains, self._key_cache)

    def require_platform(self, platform: str) -> str:
        if platform not in self.platforms:
            raise ScopeError(f"unknown platform {platform!r}: expected one of {', '.join(self.platforms)}")
        return platform

    def rules_for(self, platform: str, shop: str | None = None) -> tuple[Rule, ...]:
        """The rules that apply to `platform` (and `shop`, when it has an override file)."""
        rules = self._base[self.require_platform(platform)]
        if shop is not None and shop in self.sources.shops:
            rules = merge.shop_rules(rules, self.sources.shops[shop], platform)
        return tuple(rules.values())

    def normalize(self, text: str) -> Normalized:
        return normalize(_text(text), self.variants)

    def check(self, text: str, platform: str, shop: str | None = None) -> CheckResult:
        self.require_platform(platform)
        key = (platform, shop if shop in self.sources.shops else None)
        violations = self._compiled[key].find(self.normalize(text))
        return CheckResult(tuple(violations))

    def apply(self, text: str, platform: str, shop: str | None = None) -> FilterOutcome:
        """What to do with a candidate reply: None (dropped), masked text, or text + needs_human."""
        return apply_actions(text, self.check(text, platform, shop).violations)

    def without_own_links(self, message: str, platform: str) -> str:
        """`message` without its links to the platform's own pages (an item's page on Tmall, sent
        on Tmall): they point at a product, they ask nothing, and their letters outweighed the
        question ("https://detail.tmall.com/item.htm?id=6234 这个有货吗" got no suggestion).
        Links elsewhere stay: that the buyer sent one is what the reply answers."""
        domains = self._own_domains[self.require_platform(platform)]
        if "." not in message or not domains:
            return message
        return _LINK_RE.sub(lambda m: " " if on_domains(m.group(), domains) else m.group(), message)

    def analyze_inbound(self, message: str, platform: str, shop: str | None = None) -> Inbound:
        """inbound.yaml's verdict on a customer's message, with `shop`'s own escalations if it has any."""
        self.require_platform(platform)
        compiled = self._inbound
        spec = self.sources.shops.get(shop or "")
        if spec is not None and spec.escalation and (spec.platforms is None or platform in spec.platforms):
            compiled = self._shop_inbound[spec.shop]  # as its rules, on the platforms its file covers
        return analyze(self.normalize(message), compiled, platform)

    def require_compliant(
        self, text: str, platforms: Iterable[str], *, path: Path | str, line: int | None, shop: str | None = None
    ) -> None:
        """Raise ComplianceError (file, line, rule) if `text` breaks a rule of any of `platforms`.

        For whoever builds the knowledge base: a template must pass the rules of every platform
        it is scoped to."""
        for platform in platforms:
            result = self.check(text, platform, shop)
            if not result.ok:
                v = result.violations[0]
                quoted = text[v.span[0] : v.span[1]]
                raise ComplianceError(path, line, f"breaks rule {v.rule} on {platform} at 「{quoted}」: {v.message}", quoted)


def _text(text: object) -> str:
    if not isinstance(text, str):
        raise InputError(f"expected text, not {type(text).__name__}")
    return text


def load_rules(knowledge_dir: Path | str | None = None) -> RuleBook:
    """The rule book of a knowledge directory.

    Its `rules/` is used when it holds rule files; otherwise the defaults shipped in the
    repository's knowledge/rules apply, with the directory's own `rules/shops/` overrides if any.
    """
    known = tuple(PLATFORMS)
    default_inbound = DEFAULT_RULES_DIR / "inbound.yaml"
    if knowledge_dir is None:
        return RuleBook(read_rules_dir(DEFAULT_RULES_DIR, known, default_inbound), known)
    directory = Path(knowledge_dir)
    if not directory.is_dir():
        raise KnowledgeError(directory, None, "no such knowledge directory")
    rules_dir = directory / "rules"
    if has_rule_files(rules_dir):
        return RuleBook(read_rules_dir(rules_dir, known, default_inbound), known)
    sources = read_rules_dir(DEFAULT_RULES_DIR, known, default_inbound)
    shops = read_shop_files(rules_dir / "shops", known, sources.inbound)
    return RuleBook(
        RuleSources(sources.directory, sources.common, sources.platforms, shops, sources.aliases, sources.inbound),
        known,
    )


@lru_cache(maxsize=1)
def default_rulebook() -> RuleBook:
    """The repository's default rules, loaded once per process."""
    return load_rules(None)


def analyze_inbound(message: str, platform: str) -> Inbound:
    """`RuleBook.analyze_inbound` with the default rules."""
    return default_rulebook().analyze_inbound(message, platform)
