"""Hybrid ranking: dense and lexical evidence per answer, fused by a calibrated model."""

from suggest.ranking.features import FEATURES, Candidates, gather_candidates
from suggest.ranking.fusion import Fusion, list_confidence, load_fusion, shortlist

__all__ = ["FEATURES", "Candidates", "Fusion", "gather_candidates", "list_confidence", "load_fusion", "shortlist"]
