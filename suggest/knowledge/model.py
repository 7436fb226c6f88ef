"""What the knowledge base holds, as small immutable records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from suggest.config import PLATFORMS
from suggest.errors import KnowledgeError
from suggest.knowledge.hours import ShopHours


@dataclass(frozen=True)
class Shop:
    id: str
    name: str
    platforms: tuple[str, ...]
    facts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # Working hours, for the off-hours auto-reply; None: not configured, nothing is sent alone.
    hours: ShopHours | None = None
    # Where each fact is written (file, line), for errors that a fact causes in a reply.
    fact_lines: Mapping[str, tuple[str, int | None]] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    aliases: tuple[str, ...]
    facts: Mapping[str, str]
    fact_lines: Mapping[str, tuple[str, int | None]] = field(default_factory=lambda: MappingProxyType({}))
    # The shops that sell it; empty: every shop. A merchant with a kitchenware shop and an
    # electronics shop must not have one shop's buyers matched to the other's products.
    shops: frozenset[str] = frozenset()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def sold_by(self, shop: str | None) -> bool:
        """Whether the shop sells it; None (no shop known, as in evaluation) counts as any shop."""
        return not self.shops or shop is None or shop in self.shops


AUTO_REPLY = ("answer", "notice", "hand-over")


@dataclass(frozen=True)
class Entry:
    """One answer the service can suggest: a quick-reply template or a merchant FAQ row group."""

    id: str
    kind: str  # "template" | "faq"
    questions: tuple[str, ...]
    answer: str
    intent: str = ""
    stage: str = "general"
    fallback: str = ""
    platforms: frozenset[str] = frozenset()  # empty: every platform
    products: frozenset[str] = frozenset()
    # The products scope was read off the product a FAQ row names, not written (loader._named_product_scope).
    products_implied: bool = False
    shops: frozenset[str] = frozenset()
    # Inbound topics (suggest.compliance.TOPICS) this answer is the compliant reply to.
    topics: frozenset[str] = frozenset()
    # What the off-hours auto-reply does when this is the top answer (AUTO_REPLY): send it, send
    # the off-hours notice instead (it claims someone is there or promises a person's action
    # now), or hand over (a dispute: the holding message, and a person answers the substance).
    auto_reply: str = "answer"
    file: str = ""
    line: int = 0
    # Where the answer and the fallback are written (0: unknown, e.g. a FAQ row: its line).
    answer_line: int = 0
    fallback_line: int = 0

    def in_scope(self, platform: str, shop: str | None, product: str | None) -> bool:
        if self.platforms and platform not in self.platforms:
            return False
        if self.shops and shop not in self.shops:
            return False
        # A product-scoped answer is only right when that product is being discussed.
        return not self.products or product in self.products


@dataclass(frozen=True)
class KnowledgeBase:
    root: str
    shops: Mapping[str, Shop]
    products: Mapping[str, Product]
    entries: tuple[Entry, ...]
    digest: str
    rules_dir: str | None = None
    # Spreadsheet columns that are not read, by file (a merchant's export keeps its 分类, 备注):
    # accepted, and named by `suggest build` so nobody believes they scope anything.
    unread_columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def entry(self, entry_id: str) -> Entry:
        return self._by_id[entry_id]

    def find(self, entry_id: str) -> Entry | None:
        """The entry with this id, None if the knowledge has none (an id from outside: a request,
        a label, an older knowledge)."""
        return self._by_id.get(entry_id)

    @property
    def _by_id(self) -> dict[str, Entry]:
        cache = self.__dict__.get("_by_id_cache")
        if cache is None:
            cache = {e.id: e for e in self.entries}
            object.__setattr__(self, "_by_id_cache", cache)
        return cache

    @property
    def default_shop(self) -> Shop:
        return next(iter(self.shops.values()))


def platform_scope(path: Path | str, line: int | None, names: Iterable[str]) -> frozenset[str]:
    """Platform ids as a template or FAQ row names them (any case); the first unknown one is a
    KnowledgeError at `path`:`line`."""
    platforms = frozenset(name.lower() for name in names)
    unknown = sorted(platforms - set(PLATFORMS))
    if unknown:
        raise KnowledgeError(path, line, f"unknown platform {unknown[0]!r} (known: {', '.join(PLATFORMS)})")
    return platforms
