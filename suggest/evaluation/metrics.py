"""Ranking metrics over labelled queries."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from suggest.config import PLATFORMS
from suggest.errors import KnowledgeError
from suggest.knowledge import KnowledgeBase
from suggest.knowledge.csv_text import read_csv_text
from suggest.knowledge.faq_csv import csv_records


@dataclass(frozen=True)
class Query:
    text: str
    gold: str  # an entry id; "" means no answer in the knowledge is right
    line: int = 0
    platform: str = ""  # optional column: the platform the message came from
    product: str = ""  # optional column: the product the buyer is looking at (its card)


@dataclass(frozen=True)
class Ranking:
    """One system's answer to one query: every answer id, best first; for the engine also the
    probability that the list an agent would be shown (its first `shown` ids) holds the right one."""

    ids: list[str]
    confidence: float = 0.0
    shown: int = 1

    def answered(self, threshold: float) -> bool:
        """Whether an agent would be shown a list at this threshold."""
        return bool(self.ids) and self.confidence >= threshold


@dataclass
class Miss:
    query: str
    gold: str
    got: list[str]

    def to_dict(self) -> dict[str, object]:
        return {"query": self.query, "gold": self.gold, "got": self.got}


@dataclass
class Metrics:
    n: int = 0
    top1: float = 0.0
    top3: float = 0.0
    mrr5: float = 0.0
    # With the threshold: how many queries got a suggestion list, how often its first line was
    # right, and how often the right answer was somewhere in it.
    answered: float = 0.0
    precision_answered: float = 0.0
    in_list_answered: float = 0.0
    misses: list[Miss] = field(default_factory=list)

    def to_dict(self, with_misses: bool = False) -> dict[str, object]:
        out: dict[str, object] = {
            "n": self.n,
            "top1": round(self.top1, 4),
            "top3": round(self.top3, 4),
            "mrr5": round(self.mrr5, 4),
            "answered": round(self.answered, 4),
            "precision_answered": round(self.precision_answered, 4),
            "in_list_answered": round(self.in_list_answered, 4),
        }
        if with_misses:
            out["misses"] = [m.to_dict() for m in self.misses]
        return out


@dataclass(frozen=True)
class OutOfScope:
    """A labelled query whose gold answer is limited to other platforms than the one it is ranked
    on, to shops other than the one it is ranked for (none without `suggest eval --shop`), or to
    products other than the row's: no ranking can put it first there, so it is a label (or a
    scope) to fix, not a miss."""

    query: Query
    platform: str  # the platform the query is ranked on
    gold_platforms: tuple[str, ...]  # the platforms its gold answer is limited to (empty: any)
    shop: str | None = None  # the shop it is ranked for
    gold_shops: tuple[str, ...] = ()  # the shops its gold answer is limited to, when that is why
    product: str = ""  # the row's product, when the gold answer is limited to others
    gold_products: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"query": self.query.text, "gold": self.query.gold, "line": self.query.line,
                                  "platform": self.platform, "gold_platforms": list(self.gold_platforms)}
        if self.gold_shops:
            out.update(shop=self.shop, gold_shops=list(self.gold_shops))
        if self.gold_products:
            out.update(product=self.product, gold_products=list(self.gold_products))
        return out


def split_out_of_scope(
    queries: Sequence[Query], kb: KnowledgeBase, platform: str, shop: str | None = None
) -> tuple[list[Query], list[OutOfScope]]:
    """The queries whose gold answer is in scope on the platform they are ranked on (their own,
    else `platform`), for `shop` and for the row's product, and the others. Without a product of
    the row a product-scoped answer is in scope: the message may name its product, and finding
    that is part of what is measured."""
    kept: list[Query] = []
    out: list[OutOfScope] = []
    for q in queries:
        entry = kb.find(q.gold) if q.gold else None
        ranked_on = q.platform or platform
        if entry is not None and entry.platforms and ranked_on not in entry.platforms:
            out.append(OutOfScope(q, ranked_on, tuple(p for p in PLATFORMS if p in entry.platforms)))
        elif entry is not None and entry.shops and shop not in entry.shops:
            out.append(OutOfScope(q, ranked_on, tuple(p for p in PLATFORMS if p in entry.platforms), shop,
                                  tuple(sorted(entry.shops))))
        elif entry is not None and entry.products and q.product and q.product not in entry.products:
            out.append(OutOfScope(q, ranked_on, tuple(p for p in PLATFORMS if p in entry.platforms),
                                  product=q.product, gold_products=tuple(sorted(entry.products))))
        else:
            kept.append(q)
    return kept, out


OPTIONAL_COLUMNS = ("platform", "product")


def read_queries(path: Path) -> list[Query]:
    """A CSV with the header `query,gold_id`, optionally followed by `platform` and `product`
    columns (either order).

    Read as strictly as a FAQ file (suggest.knowledge.faq_csv.csv_records): a quote that is never
    closed is reported at the line it opens on, and a column this reader would ignore (`shop`, a
    misspelt `platfrom`) is refused rather than silently left out of the figures.
    """
    records = csv_records(Path(path), read_csv_text(Path(path)))
    _, first = next(records, (1, []))
    header = [h.strip().lower() for h in first]
    if header[:2] != ["query", "gold_id"]:
        raise KnowledgeError(path, 1, "header must start with query,gold_id")
    for name in header[2:]:
        if name not in OPTIONAL_COLUMNS or header.count(name) > 1:
            raise KnowledgeError(path, 1, f"unexpected column {name!r}: the header is query,gold_id, "
                                          "optionally followed by platform and product")
    where = {name: header.index(name) for name in OPTIONAL_COLUMNS if name in header}

    def cell(row: list[str], name: str) -> str:
        at = where.get(name)
        return row[at].strip() if at is not None and at < len(row) else ""

    queries = []
    for line, row in records:
        if not any(c.strip() for c in row):  # a blank line (or one of bare commas) is no row
            continue
        if not row[0].strip():  # a row with a gold id but no query lost a cell: say so, do not skip it
            raise KnowledgeError(path, line, "empty query")
        if len(row) < 2:
            raise KnowledgeError(path, line, "expected query,gold_id")
        queries.append(Query(row[0].strip(), row[1].strip(), line, cell(row, "platform").lower(), cell(row, "product")))
    if not queries:
        raise KnowledgeError(path, 2, "no queries after the header")
    return queries


def evaluate_rankings(
    queries: Sequence[Query],
    rank: Callable[[Query], Ranking],
    threshold: float | None = None,
) -> Metrics:
    """Ranking metrics; with `threshold`, also what a list shown at that confidence gives."""
    m = Metrics(n=len(queries))
    answered = first_right = in_list = 0
    for q in queries:
        ranking = rank(q)
        ids = ranking.ids
        position = ids.index(q.gold) + 1 if q.gold in ids else None
        if position == 1:
            m.top1 += 1
        else:
            m.misses.append(Miss(q.text, q.gold, ids[:3]))
        if position is not None and position <= 3:
            m.top3 += 1
        if position is not None and position <= 5:
            m.mrr5 += 1.0 / position
        if threshold is not None and ranking.answered(threshold):
            answered += 1
            first_right += position == 1
            in_list += position is not None and position <= ranking.shown
    if m.n:
        m.top1 /= m.n
        m.top3 /= m.n
        m.mrr5 /= m.n
        m.answered = answered / m.n
        m.precision_answered = first_right / answered if answered else 0.0
        m.in_list_answered = in_list / answered if answered else 0.0
    return m
