"""Product names and aliases that more than one product uses.

A message naming such a word names several products, so the product finder takes it as naming
none (suggest/engine/products.py): "短袖" shared by the T-shirt and a polo shirt makes "短袖几天发"
lose the product's facts. `suggest build` lists these clashes.
"""

from __future__ import annotations

from suggest.knowledge.model import KnowledgeBase
from suggest.text.normalize import fold


def shared_names(kb: KnowledgeBase) -> list[str]:
    """One line per name or alias (as the finder compares them: folded) that several products use."""
    owners: dict[str, list[str]] = {}
    written: dict[str, str] = {}
    for product in kb.products.values():
        for name in product.names:
            key = fold(name)
            written.setdefault(key, name)
            if product.id not in owners.setdefault(key, []):
                owners[key].append(product.id)
    return [
        f"products {', '.join(repr(p) for p in ids)} share the name {written[key]!r}: a message using it "
        "is taken as naming no product"
        for key, ids in owners.items()
        if len(ids) > 1
    ]
