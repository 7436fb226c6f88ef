"""Fuse the features of the candidates into calibrated probabilities of being the right answer.

The model is listwise (a conditional logit): each candidate gets a score w·f, and a "none of
them" option gets a fitted score of its own, so

    P(candidate i is right) = exp(s_i) / (exp(s_none) + Σ_j exp(s_j))

It is fitted by `scripts/calibrate.py` on training data only (our e-commerce dev split, the
odd-id UnionPay questions the benchmark's protocol allows as examples, and off-domain questions
that no answer fits), maximising the likelihood of the right answer — or of "none" when no
candidate is right — and stored in `fusion.json` per model. Because the output is a probability
that includes the chance that nothing fits, one threshold means the same thing for every shop:
below it, say nothing.

The threshold is on the list an agent is shown, not on its first line. Exactly one answer is
right (or none), so the probabilities of different candidates add up: the chance that the right
reply is among the shown ones is their sum. When two answers both fit ("能开票吗" → how to get an
invoice, or what it can say), each may stay under the threshold while the pair clears it, and
the agent picks. A line is only shown with at least `item_floor` of the probability.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from suggest.errors import ConfigError
from suggest.ranking.features import FEATURES

# A line of the list has at least a 1 in 20 chance of being the right reply: lower ones add
# reading, not answers (on the dev set, 0.05 gave lists of 1.9 lines, 0.1 of 1.6 at 15 points
# less coverage).
ITEM_FLOOR = 0.05


@dataclass(frozen=True)
class Fusion:
    weights: np.ndarray
    null_score: float
    # Probability below which nothing is suggested, and the higher one for sending alone.
    threshold: float
    auto_send_threshold: float
    trained_on: str = ""
    item_floor: float = ITEM_FLOOR
    # The model whose vectors the weights and thresholds were fitted on.
    model: str = ""

    def scores(self, features: np.ndarray) -> np.ndarray:
        return np.asarray(features, dtype=np.float64) @ self.weights

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(each candidate is the right answer), the candidates of one message together."""
        if not len(features):
            return np.zeros(0, dtype=np.float32)
        return listwise_probability(self.scores(features), self.null_score).astype(np.float32)


def shortlist(probabilities: Sequence[float], limit: int, floor: float) -> int:
    """How many of the best-first `probabilities` make the list: at most `limit`, each ≥ `floor`."""
    n = 0
    for p in probabilities:
        if n >= limit or p < floor:
            break
        n += 1
    return n


def list_confidence(probabilities: Sequence[float]) -> float:
    """P(the right answer is one of these): their sum, capped (a lifted candidate counts twice)."""
    return min(1.0, float(sum(probabilities)))


def listwise_probability(scores: np.ndarray, null_score: float) -> np.ndarray:
    top = max(float(scores.max()), null_score)
    exp = np.exp(scores - top)
    return exp / (np.exp(null_score - top) + exp.sum())


def load_fusion(model: str) -> Fusion:
    """The fitted fusion for `model`, or the one fitted for the default model (its `model` then
    says so: another model's cosines spread differently, so its scores and threshold are only
    a guess until scripts/calibrate.py fits that model)."""
    raw = json.loads(resources.files("suggest.ranking").joinpath("fusion.json").read_text(encoding="utf-8"))
    fitted_for = model if model in raw["models"] else raw["default"]
    entry = raw["models"][fitted_for]
    names = tuple(entry["features"])
    if names != FEATURES:
        raise ConfigError(f"fusion.json was fitted on features {names}, the code computes {FEATURES}; re-run scripts/calibrate.py")
    return Fusion(
        weights=np.asarray(entry["weights"], dtype=np.float64),
        null_score=float(entry["null_score"]),
        threshold=float(entry["threshold"]),
        auto_send_threshold=float(entry["auto_send_threshold"]),
        trained_on=str(entry.get("trained_on", "")),
        item_floor=float(entry.get("item_floor", ITEM_FLOOR)),
        model=fitted_for,
    )
