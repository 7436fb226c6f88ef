"""Measuring retrieval quality: top-1, top-3, MRR@5, and what the threshold lets through."""

from suggest.evaluation.metrics import (
    Metrics,
    OutOfScope,
    Query,
    Ranking,
    evaluate_rankings,
    read_queries,
    split_out_of_scope,
)
from suggest.evaluation.ranker import ranker

__all__ = ["Metrics", "OutOfScope", "Query", "Ranking", "evaluate_rankings", "ranker", "read_queries", "split_out_of_scope"]
