"""Measuring retrieval quality: top-1, top-3, MRR@5, and what the threshold lets through."""

from suggest.evaluation.metrics import Metrics, Query, Ranking, evaluate_rankings, read_queries
from suggest.evaluation.ranker import ranker

__all__ = ["Metrics", "Query", "Ranking", "evaluate_rankings", "ranker", "read_queries"]
