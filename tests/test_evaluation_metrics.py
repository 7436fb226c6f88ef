"""The ranking metrics and the shown-list figures that docs/quality.md reports."""

import pytest

from suggest.evaluation import Query, Ranking, evaluate_rankings
from suggest.ranking import list_confidence, shortlist


def test_shortlist_stops_at_the_limit_and_at_the_floor():
    assert shortlist([0.5, 0.3, 0.1, 0.06], limit=3, floor=0.05) == 3
    assert shortlist([0.5, 0.3, 0.04, 0.3], limit=5, floor=0.05) == 2
    assert shortlist([0.01], limit=3, floor=0.05) == 0
    assert shortlist([], limit=3, floor=0.0) == 0


def test_list_confidence_adds_the_lines_and_caps_at_one():
    assert list_confidence([0.5, 0.25]) == pytest.approx(0.75)
    assert list_confidence([0.9, 0.9]) == 1.0
    assert list_confidence([]) == 0.0


def test_answered_first_right_and_in_list():
    rankings = {
        "a": Ranking(["x", "gold", "y"], confidence=0.9, shown=3),  # answered, right one second
        "b": Ranking(["gold", "x"], confidence=0.2, shown=2),  # right first, but not answered
        "c": Ranking(["x", "y", "gold"], confidence=0.95, shown=2),  # answered, right one not shown
        "d": Ranking(["gold"], confidence=0.7, shown=1),  # answered and right
    }
    queries = [Query(text, "gold") for text in rankings]
    m = evaluate_rankings(queries, lambda q: rankings[q.text], threshold=0.5)
    assert m.top1 == pytest.approx(2 / 4)
    assert m.top3 == pytest.approx(4 / 4)
    assert m.mrr5 == pytest.approx((1 / 2 + 1 + 1 / 3 + 1) / 4)
    assert m.answered == pytest.approx(3 / 4)
    assert m.precision_answered == pytest.approx(1 / 3)
    assert m.in_list_answered == pytest.approx(2 / 3)
    assert [miss.query for miss in m.misses] == ["a", "c"]


def test_without_a_threshold_nothing_counts_as_answered():
    m = evaluate_rankings([Query("q", "gold")], lambda q: Ranking(["gold"], confidence=1.0))
    assert (m.top1, m.answered, m.in_list_answered) == (1.0, 0.0, 0.0)
