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


def _queries_file(tmp_path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "queries.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_quote_never_closed_in_a_queries_file_is_reported_where_it_opens(tmp_path):
    import pytest

    from suggest.errors import KnowledgeError
    from suggest.evaluation import read_queries

    path = _queries_file(tmp_path, 'query,gold_id\n"能开票不,invoice\n有色差吗,color\n')
    with pytest.raises(KnowledgeError, match=r"queries\.csv:2: a quote .* is not closed"):
        read_queries(path)


def test_a_queries_column_that_would_be_ignored_is_refused_and_rows_keep_their_first_line(tmp_path):
    import pytest

    from suggest.errors import KnowledgeError
    from suggest.evaluation import read_queries

    for header in ("query,gold_id,shop,platform", "query,gold_id,prodcut", "query,gold_id,platform,platform",
                   "query,gold_id,product,platform,product"):
        with pytest.raises(KnowledgeError, match=r":1: unexpected column"):
            read_queries(_queries_file(tmp_path, f"{header}\n有券吗,coupon-pdd,pdd,pdd\n"))
    queries = read_queries(_queries_file(tmp_path, 'query,gold_id,platform\n"两行\n的消息",invoice,PDD\n有券吗,coupon,\n'))
    assert [(q.text, q.line, q.platform) for q in queries] == [("两行\n的消息", 2, "pdd"), ("有券吗", 4, "")]


def test_a_gold_answer_limited_to_other_platforms_is_split_off():
    from pathlib import Path

    from suggest.evaluation import split_out_of_scope
    from suggest.knowledge import load_knowledge

    kb = load_knowledge(Path(__file__).parent / "data" / "knowledge")  # refund-pdd: pdd only
    queries = [Query("少发了", "refund-pdd"), Query("少发了", "refund-pdd", platform="pdd"),
               Query("少发了", "refund-pdd", platform="tmall"), Query("能开票吗", "invoice"), Query("哦", "")]
    kept, out = split_out_of_scope(queries, kb, "tmall")
    assert kept == [queries[1], queries[3], queries[4]]
    assert [(o.query, o.platform, o.gold_platforms) for o in out] == [(queries[0], "tmall", ("pdd",)), (queries[2], "tmall", ("pdd",))]
    assert split_out_of_scope(queries, kb, "pdd") == ([queries[0], queries[1], queries[3], queries[4]], out[1:])


def test_a_queries_file_may_name_the_product_of_each_row_in_either_column_order(tmp_path):
    from suggest.evaluation import read_queries

    for header, row in (("query,gold_id,product,platform", "能机洗吗,down-care,down-jacket,PDD"),
                        ("query,gold_id,platform,product", "能机洗吗,down-care,pdd, down-jacket")):
        [q] = read_queries(_queries_file(tmp_path, f"{header}\n{row}\n"))
        assert (q.platform, q.product) == ("pdd", "down-jacket")
    [q] = read_queries(_queries_file(tmp_path, "query,gold_id,product\n能开票吗,invoice\n"))  # a short row: no product
    assert (q.platform, q.product) == ("", "")


def test_a_gold_answer_limited_to_other_products_than_the_rows_is_split_off():
    from pathlib import Path

    from suggest.evaluation import split_out_of_scope
    from suggest.knowledge import load_knowledge

    kb = load_knowledge(Path(__file__).parent / "data" / "knowledge")  # down-care: down-jacket only
    queries = [Query("能机洗吗", "down-care"), Query("能机洗吗", "down-care", product="down-jacket"),
               Query("能机洗吗", "down-care", product="tee"), Query("能开票吗", "invoice", product="tee")]
    kept, out = split_out_of_scope(queries, kb, "tmall")
    assert kept == [queries[0], queries[1], queries[3]]  # without a product the message may name it
    assert [(o.query, o.product, o.gold_products) for o in out] == [(queries[2], "tee", ("down-jacket",))]
    assert out[0].to_dict()["gold_products"] == ["down-jacket"]
