"""Product names and aliases that more than one product uses.

A message naming such a word names several products, so the product finder takes it as naming
none (suggest/engine/products.py): "短袖" shared by the T-shirt and a polo shirt makes "短袖几天发"
lose the product's facts. `suggest build` lists these clashes.
"""

from __future__ import annotations

from suggest.knowledge.model import KnowledgeBase, Product
from suggest.text.normalize import fold


def shared_names(kb: KnowledgeBase) -> list[str]:
    """One line per name or alias (as the finder compares them: folded) that several products of
    one shop use; products of different shops may share one, the shop tells them apart."""
    owners: dict[str, list[Product]] = {}
    written: dict[str, str] = {}
    for product in kb.products.values():
        for name in product.names:
            key = fold(name)
            written.setdefault(key, name)
            if product not in owners.setdefault(key, []):
                owners[key].append(product)
    found = []
    for key, products in owners.items():
        clashes: dict[tuple[str, ...], list[str]] = {}  # the products sharing it → the shops where they do
        for shop in kb.shops:
            sharing = tuple(p.id for p in products if p.sold_by(shop))
            if len(sharing) > 1:
                clashes.setdefault(sharing, []).append(shop)
        for ids, shops in clashes.items():
            where = "" if len(shops) == len(kb.shops) else f" in shop {', '.join(repr(s) for s in shops)}"
            found.append(f"products {', '.join(repr(p) for p in ids)} share the name {written[key]!r}{where}: "
                         "a message using it is taken as naming no product")
    return found
