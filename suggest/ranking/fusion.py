"""Fuse the features of a candidate into one calibrated probability of being the right answer.

The weights are a logistic regression fitted by `scripts/calibrate.py` on training data only
(the dev split of our e-commerce set and the odd-id UnionPay questions that the benchmark's
protocol allows as examples), stored in `fusion.json` per model. Because the output is a
probability, one threshold means the same thing for every shop: below it, say nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

import numpy as np

from suggest.errors import ConfigError
from suggest.ranking.features import FEATURES


@dataclass(frozen=True)
class Fusion:
    weights: np.ndarray
    bias: float
    # Probability below which nothing is suggested, and the higher one for sending alone.
    threshold: float
    auto_send_threshold: float
    trained_on: str = ""

    def probability(self, features: np.ndarray) -> np.ndarray:
        if not len(features):
            return np.zeros(0, dtype=np.float32)
        z = features @ self.weights + self.bias
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


def load_fusion(model: str) -> Fusion:
    """The fitted fusion for `model`, or the one fitted for the default model."""
    raw = json.loads(resources.files("suggest.ranking").joinpath("fusion.json").read_text(encoding="utf-8"))
    entry = raw["models"].get(model) or raw["models"][raw["default"]]
    names = tuple(entry["features"])
    if names != FEATURES:
        raise ConfigError(f"fusion.json was fitted on features {names}, the code computes {FEATURES}; re-run scripts/calibrate.py")
    return Fusion(
        weights=np.asarray(entry["weights"], dtype=np.float32),
        bias=float(entry["bias"]),
        threshold=float(entry["threshold"]),
        auto_send_threshold=float(entry["auto_send_threshold"]),
        trained_on=str(entry.get("trained_on", "")),
    )
