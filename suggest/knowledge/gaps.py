"""Facts a template needs that a product or a shop does not have.

A template whose variable cannot be filled is not suggested (with a product discussed, its
fallback, which asks which item the buyer means, is not used either). A merchant who adds a
product with five facts, or a second shop without an SF surcharge, would otherwise only notice
by the silence; `suggest build` lists these gaps.
"""

from __future__ import annotations

from collections.abc import Mapping

from suggest.knowledge.fill import did_you_mean, required_variables
from suggest.knowledge.model import Entry, KnowledgeBase, Shop


def fact_gaps(kb: KnowledgeBase) -> list[str]:
    """One line per product or shop that lacks facts some in-scope template needs: which facts,
    and which templates are therefore not suggested for it. A fact that no product has is a
    shop's fact: it is reported on the shops that lack it, not on every product. A fact that
    products and some shop both carry (returns, warranty …) is reported on a shop without it too:
    its buyers get that template only when they name a product that has it."""
    templates = [e for e in kb.entries if e.kind == "template"]
    product_level = {name for p in kb.products.values() for name in p.facts if _has(p.facts, name)}
    shop_level = {name for s in kb.shops.values() for name in s.facts if _has(s.facts, name)}
    known = product_level | {name for s in kb.shops.values() for name in s.facts}  # for typos
    found = []
    for product in kb.products.values():
        gaps: dict[str, list[str]] = {}
        for entry in templates:
            if entry.products and product.id not in entry.products:
                continue
            shops = [s for s in _shops(kb, entry) if product.sold_by(s.id)]
            if not shops:
                continue
            for name in required_variables(entry.answer):
                # A fact written blank on purpose (presale: "" for an item in stock) is no gap.
                if name in product_level and name not in product.facts and not any(_has(s.facts, name) for s in shops):
                    gaps.setdefault(name, []).append(entry.id)
        if gaps:
            found.append(_line(f"product {product.id!r}", gaps, "for it"))
    for shop in kb.shops.values():
        gaps, without_product = {}, {}
        for entry in templates:
            if shop not in _shops(kb, entry):
                continue
            for name in required_variables(entry.answer):
                if name in shop.facts:  # blank on purpose is no gap either
                    continue
                if name not in product_level:
                    gaps.setdefault(name, []).append(entry.id)
                elif name in shop_level:
                    without_product.setdefault(name, []).append(entry.id)
        if gaps:
            found.append(_line(f"shop {shop.id!r}", gaps, "to its buyers", known))
        if without_product:
            found.append(_line(f"shop {shop.id!r}", without_product,
                               "to its buyers unless they name a product that has it"))
    return found


def unanswered_topics(kb: KnowledgeBase) -> list[str]:
    """One line per shop with inbound topics (rules/inbound.yaml) that no template is written for
    on some platform it sells on: the engine flags such messages for a person
    (`unanswered-topic:`), since whatever it retrieves instead answers another question."""
    from suggest.compliance.inbound import TOPICS  # here: compliance reads its files with this package

    found = []
    for shop in kb.shops.values():
        missing: dict[str, list[str]] = {}
        for platform in shop.platforms:
            covered = {t for e in kb.entries if e.topics and (not e.platforms or platform in e.platforms)
                       and (not e.shops or shop.id in e.shops) for t in e.topics}
            for topic in TOPICS:
                if topic not in covered:
                    missing.setdefault(topic, []).append(platform)
        if missing:
            topics = [t if len(on) == len(shop.platforms) else f"{t} (on {', '.join(on)})" for t, on in missing.items()]
            found.append(f"shop {shop.id!r} has no template for the topics {', '.join(topics)}"
                         ": its buyers' messages on them are flagged for a person"
                         " (a template in templates/*.yaml names its `topics`; docs/knowledge-format.md)")
    return found


def _shops(kb: KnowledgeBase, entry: Entry) -> list[Shop]:
    """The shops whose buyers the template may reach: in its shop scope, selling on one of its platforms."""
    shops = [kb.shops[s] for s in entry.shops if s in kb.shops] if entry.shops else list(kb.shops.values())
    return [s for s in shops if not entry.platforms or entry.platforms & set(s.platforms)]


def _has(facts: Mapping[str, str], name: str) -> bool:
    return bool(str(facts.get(name, "")).strip())  # as fill reads a fact: blank is missing


def _line(owner: str, gaps: dict[str, list[str]], whom: str, known: set[str] = frozenset()) -> str:
    """`known`: the facts some shop or product has; a missing name close to one is likely a typo."""
    ids = sorted({i for entry_ids in gaps.values() for i in entry_ids})
    names = [f"{name}{did_you_mean(name, known)}" if name not in known else name for name in sorted(gaps)]
    return (f"{owner} has no fact {', '.join(names)}: templates {', '.join(ids)} are not suggested {whom}")
