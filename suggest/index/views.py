"""The texts an answer is found by: each example question, and the answer itself.

Questions and answers are indexed as separate views because a buyer's message resembles a
question far more than the reply to it; the ranking learns how much each view counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from suggest.knowledge import KnowledgeBase, fill
from suggest.knowledge.fill import without_variables
from suggest.knowledge.product_names import product_tokenizer
from suggest.text import Tokenizer

QUESTION = "q"
ANSWER = "a"
# The opening of an answer says what it is about; encoding the rest of a long FAQ answer costs
# build time (attention is quadratic) and adds little to matching.
ANSWER_VIEW_CHARS = 200


@dataclass(frozen=True)
class View:
    entry: int  # position of the entry in KnowledgeBase.entries
    kind: str  # QUESTION | ANSWER
    text: str  # what the model reads
    terms: tuple[str, ...]  # what BM25 reads

    def to_json(self) -> dict[str, object]:
        # Not dataclasses.asdict: its deep copy of every field took 4 s of a 10k-answer build.
        return {"entry": self.entry, "kind": self.kind, "text": self.text, "terms": list(self.terms)}


def answer_text(kb: KnowledgeBase, index: int) -> str:
    """The answer as a shop would send it when no product is known: filled from the first shop
    (in the knowledge's order) that has its facts, else its fallback, else variables left out.
    One view serves every shop; taking only the first shop's facts left a template that shop
    cannot fill with no words to match, so a second shop's buyers lost it (an SF answer on JD
    because the first shop, on pdd, has no SF surcharge)."""
    entry = kb.entries[index]
    if entry.kind == "faq":
        return entry.answer
    in_scope = [s for s in kb.shops.values() if (not entry.shops or s.id in entry.shops)
                and (not entry.platforms or entry.platforms & set(s.platforms))]
    for shop in [*in_scope, kb.default_shop]:
        if (filled := fill(entry.answer, shop.facts)) is not None:
            return filled
    filled = fill(entry.fallback, kb.default_shop.facts) if entry.fallback else None
    return without_variables(entry.answer) if filled is None else filled


def product_answer_text(kb: KnowledgeBase, index: int) -> str | None:
    """The template's answer filled from the first product (in the knowledge's order) that can
    fill it, for an answer that is nothing but product facts ("亲，{wide_feet}～", the everyday
    quick-reply style): without a product it has no words at all, so its answer view was empty,
    its answer-side evidence zero, and it was never suggested, not even for its own example
    question."""
    entry = kb.entries[index]
    for product in kb.products.values():
        if entry.products and product.id not in entry.products:
            continue
        for shop in [*kb.shops.values(), kb.default_shop]:
            if product.sold_by(shop.id) and (filled := fill(entry.answer, product.facts, shop.facts)) is not None:
                return filled
    return None


def make_views(kb: KnowledgeBase, tokenizer: Tokenizer) -> list[View]:
    views = []
    for i, entry in enumerate(kb.entries):
        for question in entry.questions:
            analysis = tokenizer.analyze(question)
            if analysis.canonical:
                views.append(View(i, QUESTION, analysis.canonical, analysis.terms))
        answer = tokenizer.analyze(answer_text(kb, i)[:ANSWER_VIEW_CHARS])
        if not answer.canonical and (filled := product_answer_text(kb, i)):
            answer = tokenizer.analyze(filled[:ANSWER_VIEW_CHARS])
        if answer.canonical:
            views.append(View(i, ANSWER, answer.normalized, answer.terms))
    return views


def knowledge_tokenizer(kb: KnowledgeBase) -> Tokenizer:
    """jieba with the product names as words, and those names masked for matching."""
    return product_tokenizer(kb.products.values())
