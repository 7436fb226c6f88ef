"""Which product a message is about, when the chat tool did not say."""

from __future__ import annotations

from suggest.knowledge import KnowledgeBase
from suggest.text import Tokenizer
from suggest.text.normalize import fold


class ProductFinder:
    def __init__(self, kb: KnowledgeBase, tokenizer: Tokenizer | None = None) -> None:
        """`tokenizer`: whose words a name must start and end on (the knowledge's, which knows the
        product names); without one, any occurrence counts."""
        self._names = [
            (fold(name), product) for product in kb.products.values() for name in product.names if len(name) >= 2
        ]
        self._tokenizer = tokenizer

    def find(self, message: str, shop: str | None = None) -> str | None:
        """The one product of the shop (any shop when None) the message names; None when it
        names none or several. A name inside a longer word is not the product: the jeans' alias
        牛仔 in "牛仔裙多少钱" named the jeans, and the buyer got their price."""
        text = fold(message)
        found: set[str] = set()
        boundaries: set[int] | None = None
        for name, product in self._names:
            if name not in text or not product.sold_by(shop) or product.id in found:
                continue
            if self._tokenizer is not None:
                boundaries = self._tokenizer.boundaries(text) if boundaries is None else boundaries
                if not _on_words(text, name, boundaries):
                    continue
            found.add(product.id)
        return found.pop() if len(found) == 1 else None


def _on_words(text: str, name: str, boundaries: set[int]) -> bool:
    start = text.find(name)
    while start >= 0:
        if start in boundaries and start + len(name) in boundaries:
            return True
        start = text.find(name, start + 1)
    return False
