"""Which product a text names: a buyer's message when the chat tool did not say, or a merchant's
FAQ row written about one product.

Here, beside the catalogue, because the loader needs it too (a FAQ row with no products column
that names one product is about that product) and the engine builds on the knowledge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from suggest.knowledge.model import Product
from suggest.text import Tokenizer
from suggest.text.normalize import fold
from suggest.text.tokenize import item_nouns


def product_tokenizer(products: Iterable[Product]) -> Tokenizer:
    """jieba with the product names as words, and those names masked for matching."""
    words = [name for product in products for name in product.names]
    return Tokenizer(extra_words=words, masked_names=words)


class ProductFinder:
    def __init__(self, products: Mapping[str, Product], tokenizer: Tokenizer | None = None) -> None:
        """`tokenizer`: whose words a name must start and end on (product_tokenizer, which knows
        the product names); without one, any occurrence counts."""
        self._names = [
            (fold(name), product) for product in products.values() for name in product.names if len(name) >= 2
        ]
        # All of a product's names in one string: an item noun one of them holds (外套 in the
        # down jacket's 羽绒外套) is the product's own kind, not another item.
        self._own_words = {product.id: " ".join(fold(name) for name in product.names) for product in products.values()}
        self._tokenizer = tokenizer

    def find(self, message: str, shop: str | None = None) -> str | None:
        """The one product of the shop (any shop when None) the message names; None when it
        names none or several. A name inside a longer word is not the product: the jeans' alias
        牛仔 in "牛仔裙多少钱" named the jeans, and the buyer got their price. Nor is a name
        followed by another kind of item: "牛仔外套" is a denim jacket, "卫衣裙" a dress."""
        text = fold(message)
        found: set[str] = set()
        words: dict[int, str] | None = None
        for name, product in self._names:
            if name not in text or not product.sold_by(shop) or product.id in found:
                continue
            if self._tokenizer is not None:
                words = self._tokenizer.words_at(text) if words is None else words
                if not self._stands_alone(text, name, words, self._own_words[product.id]):
                    continue
            found.add(product.id)
        return found.pop() if len(found) == 1 else None

    @staticmethod
    def _stands_alone(text: str, name: str, words: dict[int, str], own_words: str) -> bool:
        """Some occurrence of `name` starts and ends on words, and the word after it (past any
        spaces) names no other kind of item than the product's own."""
        nouns = item_nouns()
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if start in words and end in words:
                after = words[end]
                while after.isspace():
                    end += len(after)
                    after = words[end]
                if after not in nouns or after in own_words:
                    return True
            start = text.find(name, start + 1)
        return False
