"""The engine's ranking as the metrics want it: ranked answer ids for one labelled query."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from suggest.evaluation.metrics import Query

if TYPE_CHECKING:
    from suggest.engine import Suggester


def ranker(suggester: Suggester, platform: str | None = None) -> Callable[[Query], tuple[list[str], float]]:
    """Ranking without the threshold, scoped to the query's platform (or `platform`)."""

    def rank(query: Query) -> tuple[list[str], float]:
        analysis = suggester.tokenizer.analyze(query.text)
        if not analysis.canonical:
            return [], 0.0
        scope = query.platform or platform or suggester.settings.default_platform
        product = suggester.products.find(query.text)
        scored = suggester.rank(analysis.canonical, analysis.terms, scope, None, product)
        return [suggester.kb.entries[s.entry].id for s in scored], (scored[0].probability if scored else 0.0)

    return rank
