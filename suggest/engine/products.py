"""Which product a message is about, when the chat tool did not say."""

from __future__ import annotations

from suggest.knowledge import KnowledgeBase
from suggest.text.normalize import fold


class ProductFinder:
    def __init__(self, kb: KnowledgeBase) -> None:
        self._names = [
            (fold(name), product) for product in kb.products.values() for name in product.names if len(name) >= 2
        ]

    def find(self, message: str, shop: str | None = None) -> str | None:
        """The one product of the shop (any shop when None) the message names; None when it
        names none or several."""
        text = fold(message)
        found = {product.id for name, product in self._names if name in text and product.sold_by(shop)}
        return found.pop() if len(found) == 1 else None
