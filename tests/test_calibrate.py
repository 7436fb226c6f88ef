"""scripts/calibrate.py's collector and the evaluation ranker read the engine the same way."""

from __future__ import annotations

import pytest
from script_modules import load_script

from suggest.engine import Suggester
from suggest.evaluation import Query, ranker


@pytest.fixture(scope="module")
def calibrate():
    return load_script("calibrate")


def test_collect_reads_what_the_ranker_ranks(calibrate, suggester: Suggester) -> None:
    # A query file's empty platform cell means the default platform, as in the ranker.
    queries = [Query("能开发票吗", "invoice", platform=""), Query("sf能发吗", "courier-sf", platform="pdd"),
               Query("😀😀", "invoice", platform="")]
    part = calibrate.collect("dev", suggester, queries)
    assert len(part.lists) == 2  # nothing in the emoji-only message to match
    assert [gold >= 0 for _, gold in part.lists] == [True, True]
    rank = ranker(suggester)
    for (features, gold), query in zip(part.lists, queries, strict=False):
        assert features.shape[1] == len(calibrate.FEATURES)
        candidates = suggester.message_candidates(query.text, query.platform)
        ids = [suggester.kb.entries[e].id for e in candidates.entries]
        assert gold == (ids.index(query.gold) if query.gold in ids else -1)
        assert sorted(rank(query).ids) == sorted(ids)
    off_domain = calibrate.collect("bank", suggester, queries[:1], answerable=False)
    assert [gold for _, gold in off_domain.lists] == [-1]
