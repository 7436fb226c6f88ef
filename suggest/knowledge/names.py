"""Product names and aliases that more than one product uses, and FAQ rows scoped by a name.

A message naming such a word names several products, so the product finder takes it as naming
none (suggest/knowledge/product_names.py): "短袖" shared by the T-shirt and a polo shirt makes
"短袖几天发" lose the product's facts. `suggest build` lists these clashes, and the FAQ rows the
loader limited to the one product they name (loader._named_product_scope), so that a merchant
sees why such a row is not suggested for the other products.
"""

from __future__ import annotations

import unicodedata

from suggest.knowledge.model import Entry, KnowledgeBase, Product
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


def named_product_scopes(kb: KnowledgeBase) -> list[str]:
    """One line per FAQ row limited to the product it names (no products column said otherwise)."""
    return [f"{e.file}:{e.line}: FAQ {e.id!r} names {kb.products[next(iter(e.products))].name} and is suggested only "
            f"while it is discussed; a products column in the spreadsheet says otherwise (an empty cell: every product)"
            for e in kb.entries if e.products_implied]


def unread_column_notes(kb: KnowledgeBase) -> list[str]:
    """One line per spreadsheet with columns that are not read (分类, 备注 of a merchant's export)."""
    return [f"{path}:1: column{'s' if len(names) > 1 else ''} {', '.join(repr(n) for n in names)} "
            f"{'are' if len(names) > 1 else 'is'} not read (a FAQ spreadsheet's columns: id, question, answer, "
            "products, platforms, shops)" for path, names in kb.unread_columns.items()]


def shared_questions(kb: KnowledgeBase) -> list[str]:
    """Answers that share a question word for word (width, case, spaces and punctuation aside)
    where both may be suggested: a merchant's export holds such twins under two ids with slightly
    different answers, and they split the probability a message gives one of them, so neither
    clears the threshold alone (helper-44: 在吗 0.60 + 0.38; with one of them deleted, 0.98)."""
    by_question: dict[str, list[Entry]] = {}
    for entry in kb.entries:
        for question in dict.fromkeys(_folded(q) for q in entry.questions):
            if question:
                by_question.setdefault(question, []).append(entry)
    pairs: dict[tuple[str, str], str] = {}
    for question, entries in by_question.items():
        for n, first in enumerate(entries):
            for second in entries[n + 1:]:
                if first.id != second.id and _may_meet(first, second):
                    pairs.setdefault((first.id, second.id), question)
    return [f"{kb.entry(a).file}:{kb.entry(a).line}: {kb.entry(a).kind} {a!r} and {kb.entry(b).kind} {b!r}"
            f" ({kb.entry(b).file}:{kb.entry(b).line}) share the question {question!r}: a buyer asking it gets both,"
            " each with part of the confidence; merge them or delete one" for (a, b), question in pairs.items()]


def _folded(question: str) -> str:
    return "".join(c for c in fold(question) if not (c.isspace() or unicodedata.category(c).startswith("P")))


def _may_meet(a: Entry, b: Entry) -> bool:
    """Whether two entries can be candidates for the same message (their scopes overlap)."""
    return all(not x or not y or x & y for x, y in ((a.platforms, b.platforms), (a.shops, b.shops),
                                                     (a.products, b.products)))
