"""The metrics of scripts/bench_pairs.py on hand-computed examples: no model, no benchmark data.

A wrong ROC-AUC, threshold or R10@k would go straight into docs/quality-pairs.md unnoticed,
since nothing else checks those figures.
"""

from __future__ import annotations

import numpy as np
import pytest
from script_modules import load_script

bp = load_script("bench_pairs")


def test_roc_auc_counts_ordered_pairs_and_half_a_tie():
    # positives 0.35, 0.8 against negatives 0.1, 0.4: 3 of 4 pairs ordered right.
    assert bp.roc_auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    # positives 0.5, 0.9 against negatives 0.5, 0.1: 1 + 1 + 1 + ½ (the tie) of 4.
    assert bp.roc_auc([0.5, 0.5, 0.9, 0.1], [1, 0, 1, 0]) == pytest.approx(0.875)
    with pytest.raises(ValueError):
        bp.roc_auc([0.2, 0.3], [1, 1])


def test_threshold_is_where_dev_accuracy_peaks_and_carries_over():
    scores, labels = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0, 0, 1, 1, 0, 1]
    # ">= 0.3" gets 5 of 6 right (only 0.5 wrong); every other cut gets at most 4.
    threshold, accuracy = bp.best_threshold(scores, labels)
    assert threshold == pytest.approx(0.25) and accuracy == pytest.approx(5 / 6)
    assert bp.accuracy_at([0.26, 0.24, 0.9], [1, 0, 0], threshold) == pytest.approx(2 / 3)
    # With no positives, "nothing matches" is the best rule: above every score.
    threshold, accuracy = bp.best_threshold([0.3, 0.7], [0, 0])
    assert threshold > 0.7 and accuracy == 1.0


def test_recall_at_k_ranks_within_each_context_and_shares_ties():
    scores = np.array([[0.9, 0.1, 0.5], [0.2, 0.8, 0.3]])
    assert bp.recall_at_k(scores, [0, 2], 1) == pytest.approx(0.5)  # the second right one is 2nd
    assert bp.recall_at_k(scores, [0, 2], 2) == pytest.approx(1.0)
    flat = np.zeros((1, 10))  # a scorer with no opinion earns what random choice would
    assert [bp.recall_at_k(flat, [3], k) for k in (1, 2, 5)] == pytest.approx([0.1, 0.2, 0.5])


def test_ecd_words_are_rejoined_with_a_space_only_between_ascii_words():
    assert bp.unsegment(["iphone", "7", "怎么", "卖", "ok", "吗"]) == "iphone 7怎么卖ok吗"
