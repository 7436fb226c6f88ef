"""The engine's ranking as the metrics want it: ranked answer ids for one labelled query."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from suggest.evaluation.metrics import Query, Ranking
from suggest.ranking import list_confidence, shortlist

if TYPE_CHECKING:
    from suggest.engine import Suggester


def ranker(suggester: Suggester, platform: str | None = None, shop: str | None = None) -> Callable[[Query], Ranking]:
    """Ranking without the threshold, scoped to the query's platform (or `platform`), to `shop`
    (None: no shop, so answers limited to some shops are not ranked) and to the query's product
    (none: the product the message names, if any); the list
    an agent would see is cut as `Suggester.suggest` cuts it (before templates and the rule
    filter, which rarely change it)."""

    def rank(query: Query) -> Ranking:
        scored = suggester.rank_message(query.text, query.platform or platform, shop, query.product or None)
        probabilities = [s.probability for s in scored]
        shown = shortlist(probabilities, suggester.settings.limit, suggester.item_floor)
        ids = [suggester.kb.entries[s.entry].id for s in scored]
        return Ranking(ids, list_confidence(probabilities[:shown]), shown)

    return rank
