"""Hybrid ranking: dense and lexical evidence per answer, fused by a calibrated model."""

from suggest.ranking.features import FEATURES, Candidates, gather_candidates
from suggest.ranking.fusion import Fusion, load_fusion

__all__ = ["FEATURES", "Candidates", "Fusion", "gather_candidates", "load_fusion"]
