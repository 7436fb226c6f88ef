"""Fit the fusion of dense and lexical evidence, and its thresholds, on training data only.

    .venv/bin/python scripts/calibrate.py [--model NAME]

Training data: eval/ecommerce_dev.csv against the default knowledge (full templates and the
one-question CSV form, so the fusion does not lean on paraphrases only merchants never write),
the odd-id UnionPay user questions against the 745 standard questions, alone and with half of
the odd-id questions as examples (the protocol allows them as examples; even-id questions stay
for measuring), and two kinds of traffic no answer fits: eval/ecommerce_dev_unanswerable.csv
(other shops' products, platform account problems, chat, noise) and some of those bank
questions sent to the clothing shop. Test files are never read here.

A listwise model (suggest/ranking/fusion.py) gives each candidate the probability that it is
the right answer, with a "none fits" option; it is fitted in two stages (ranking, then the
"none" score) so calibration never costs ranking. Thresholds are then read off the shop traffic
(the dev set and the off-domain questions): the suggestion threshold, on the summed probability
of the list an agent is shown (up to --limit lines, each with at least the floor), keeps the
right answer in the shown lists at least --precision of the time; the auto-send one, on the
first suggestion alone, keeps it right at least --auto-precision of the time. The result is written into suggest/ranking/fusion.json for that model.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import BENCH, REPO, bench_available, read_query_csv, unionpay  # noqa: E402
from quality import open_engine, reduce_to_csv  # noqa: E402

from suggest.config import Settings  # noqa: E402
from suggest.embedding import Embedder, load_embedder  # noqa: E402
from suggest.engine import Suggester  # noqa: E402
from suggest.evaluation import Query  # noqa: E402
from suggest.knowledge import load_knowledge  # noqa: E402
from suggest.ranking import FEATURES  # noqa: E402
from suggest.ranking.fusion import ITEM_FLOOR, list_confidence, listwise_probability, shortlist  # noqa: E402

FUSION_FILE = REPO / "suggest" / "ranking" / "fusion.json"


@dataclass
class Part:
    """The candidate lists of one training source: per query, features and the gold's row (-1: none)."""

    name: str
    lists: list[tuple[np.ndarray, int]]
    answerable: bool = True  # False: off-domain traffic, where every suggestion is wrong


def collect(name: str, engine: Suggester, queries: Sequence[Query], answerable: bool = True) -> Part:
    ids = [e.id for e in engine.kb.entries]
    lists = []
    for q in queries:
        cands = engine.message_candidates(q.text, q.platform)
        if cands is None or not len(cands.entries):
            continue
        gold = [i for i, e in enumerate(cands.entries) if ids[e] == q.gold] if answerable else []
        lists.append((cands.features.astype(np.float64), gold[0] if gold else -1))
    return Part(name, lists, answerable)


def fit_listwise(parts: list[Part], l2: float = 1e-5) -> tuple[np.ndarray, float]:
    """Two stages, so that calibration never costs ranking:

    1. the weights maximise the likelihood of the gold candidate among the candidates, over
       the lists that contain it (a pure ranking objective; each source weighs the same);
    2. with the weights fixed, the score of "none fits" maximises the likelihood of the gold
       candidate, or of "none" when no candidate is right, over every list.
    The L2 penalty is kept small: cosine similarities of e5 live in a narrow band, so the dense
    weights must be large for the softmax to be sharp."""
    from scipy.optimize import minimize, minimize_scalar

    ranked = [(x, gold, 1.0 / len(part.lists)) for part in parts if part.answerable for x, gold in part.lists if gold >= 0]

    def rank_loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for x, gold, weight in ranked:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            total -= weight * np.log(max(p[gold], 1e-12))
            p[gold] -= 1.0  # d(-log p_gold)/d s_j = p_j - [j is gold]
            grad += weight * (x.T @ p)
        return total + l2 * float(w @ w), grad + 2 * l2 * w

    weights = minimize(rank_loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B").x
    every = [(x @ weights, gold, 1.0 / len(part.lists)) for part in parts for x, gold in part.lists]

    def null_loss(null: float) -> float:
        # In log space: -log P(gold) = LSE(none, s) - s_gold and -log P(none) = LSE(none, s) - none,
        # both convex in `none`. Clipping probabilities instead left a flat plateau (1 - ΣP rounds
        # to 0) on which the bounded search once stopped, far below the optimum.
        total = 0.0
        for s, gold, weight in every:
            lse = np.logaddexp(null, np.logaddexp.reduce(s))
            total += weight * (lse - (s[gold] if gold >= 0 else null))
        return total

    top = max(float(s.max()) for s, _, _ in every)
    null = minimize_scalar(null_loss, bounds=(top - 200.0, top + 50.0), method="bounded").x
    return weights, float(null)


@dataclass
class Shown:
    """Per query of a part: what the agent's list and the first line would give."""

    confidence: np.ndarray  # the shown list's summed probability
    in_list: np.ndarray  # the right answer is in it
    top_p: np.ndarray  # the first line's probability
    top_right: np.ndarray  # the first line is the right answer


def shown_lists(part: Part, weights: np.ndarray, null: float, limit: int, floor: float = ITEM_FLOOR) -> Shown:
    confidence, in_list, top_p, top_right = [], [], [], []
    for x, gold in part.lists:
        p = listwise_probability(x @ weights, null)
        order = np.argsort(-p, kind="stable")
        n = max(shortlist(p[order].tolist(), limit, floor), 1)
        confidence.append(list_confidence(p[order[:n]].tolist()))
        in_list.append(gold in order[:n].tolist())
        top_p.append(p[order[0]])
        top_right.append(order[0] == gold)
    return Shown(*(np.array(a) for a in (confidence, in_list, top_p, top_right)))


def threshold_for(precision: float, p: np.ndarray, right: np.ndarray) -> float:
    """The lowest threshold at which the answered queries are right at least `precision` often."""
    order = np.argsort(-p)
    hits = np.cumsum(right[order])
    answered = np.arange(1, len(order) + 1)
    ok = np.flatnonzero(hits / answered >= precision)
    if not len(ok):
        return 0.99
    # The deepest cut-off that still meets the precision, measured from the top.
    return float(p[order][ok[-1]])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="embedding model (default: the configured one)")
    parser.add_argument("--dev", type=Path, default=REPO / "eval" / "ecommerce_dev.csv")
    parser.add_argument("--dev-unanswerable", type=Path, default=REPO / "eval" / "ecommerce_dev_unanswerable.csv",
                        help="shop messages no answer fits (empty gold_id)")
    parser.add_argument("--precision", type=float, default=0.90)
    parser.add_argument("--auto-precision", type=float, default=0.98)
    parser.add_argument("--limit", type=int, default=Settings.limit, help="lines in the list the threshold is fitted for")
    parser.add_argument("--unionpay-queries", type=int, default=600,
                        help="odd-id UnionPay questions to use; 0 fits on this repository's own data alone "
                             "(also what happens when ../shared/bench is not there)")
    parser.add_argument("--cache", type=Path, help="keep the collected candidate features in this file (pickle)")
    parser.add_argument("--fusion-file", type=Path, default=FUSION_FILE,
                        help="the fusion.json to add the fit to (default: the package's own)")
    args = parser.parse_args(argv)

    settings = Settings.load(model=args.model)
    embedder = load_embedder(settings.model, settings.cache_dir)
    # The features are the model's cosines on this knowledge and these query files: a cache
    # collected for another model or knowledge would be fitted under this model's name.
    key = (embedder.name, load_knowledge(settings.knowledge_dir).digest, str(args.dev), str(args.dev_unanswerable),
           args.unionpay_queries)
    cached = pickle.loads(args.cache.read_bytes()) if args.cache and args.cache.exists() else None
    if isinstance(cached, dict) and cached.get("key") == key:
        parts = cached["parts"]
    else:
        if cached is not None:
            print(f"calibrate: {args.cache} was collected for another model, knowledge or query set: collecting again",
                  file=sys.stderr)
        parts = collect_parts(args, settings, embedder)
        if args.cache:
            args.cache.write_bytes(pickle.dumps({"key": key, "parts": parts}))
    return fit_and_write(args, parts, embedder.name)


def collect_parts(args: argparse.Namespace, settings: Settings, embedder: Embedder) -> list[Part]:
    dev = read_query_csv(args.dev)
    nothing_fits = read_query_csv(args.dev_unanswerable)
    with_bank = args.unionpay_queries > 0 and bench_available()
    if not with_bank:
        # A shop fitting its own model has no benchmark checkout: the fit then sees our knowledge
        # in its two shapes only, which is still that model's cosines, unlike a borrowed fit.
        print(f"calibrate: fitting without UnionPay ({BENCH} {'skipped' if args.unionpay_queries <= 0 else 'not found'}):"
              " e-commerce dev only", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="suggest-calibrate-") as tmp:
        work = Path(tmp)
        knowledge = REPO / "knowledge"
        full = open_engine(knowledge, embedder, work, settings)
        reduce_to_csv(load_knowledge(knowledge), work / "reduced" / "faq.csv")
        reduced = open_engine(work / "reduced", embedder, work, settings)
        parts = [
            collect("e-commerce dev, full templates", full, dev),
            collect("e-commerce dev, one question per answer", reduced, dev),
            # Shop traffic no answer fits: without it the threshold only ever saw easy negatives.
            collect("e-commerce dev, none fits", full, nothing_fits, answerable=False),
        ]
        if with_bank:
            union = unionpay(with_examples=False, split="train")
            union_queries = union.queries[: args.unionpay_queries]
            union.write_csv(work / "unionpay" / "faq.csv")
            bank = open_engine(work / "unionpay", embedder, work, settings)
            examples = unionpay(with_examples=True, split="train")
            examples.write_csv(work / "unionpay-examples" / "faq.csv")
            bank_examples = open_engine(work / "unionpay-examples", embedder, work, settings)
            parts[2:2] = [
                collect("UnionPay odd-id", bank, union_queries),
                collect("UnionPay odd-id, with examples", bank_examples, examples.queries[: args.unionpay_queries]),
            ]
            # Off-domain traffic: questions about bank cards sent to a clothing shop. Nothing fits.
            parts.append(collect("bank questions to the shop (none fits)", full, union_queries[:200], answerable=False))
    return parts


def fit_and_write(args: argparse.Namespace, parts: list[Part], model_name: str) -> int:
    weights, null = fit_listwise(parts)
    shown = {p.name: shown_lists(p, weights, null, args.limit) for p in parts}
    shop = [shown[p.name] for p in parts if p.name.startswith("e-commerce") or not p.answerable]
    threshold = threshold_for(args.precision, np.concatenate([s.confidence for s in shop]), np.concatenate([s.in_list for s in shop]))
    auto = threshold_for(args.auto_precision, np.concatenate([s.top_p for s in shop]), np.concatenate([s.top_right for s in shop]))
    auto = max(auto, threshold)
    for part in parts:
        s = shown[part.name]
        answered = s.confidence >= threshold
        right = s.in_list[answered].mean() if answered.any() else 0
        first = s.top_right[answered].mean() if answered.any() else 0
        print(
            f"{part.name:42s} queries {len(s.top_p):4d}  top-1 {s.top_right.mean():.3f}  answered {answered.mean():.3f}  "
            f"in list {right:.3f}  first right {first:.3f}  sent alone {(s.top_p >= auto).mean():.3f}",
            file=sys.stderr,
        )
    raw = json.loads(args.fusion_file.read_text(encoding="utf-8"))
    raw["models"][model_name] = {
        "features": list(FEATURES),
        "weights": [round(float(w), 5) for w in weights],
        "null_score": round(null, 5),
        "threshold": round(threshold, 4),
        "auto_send_threshold": round(auto, 4),
        "item_floor": ITEM_FLOOR,
        "trained_on": "scripts/calibrate.py: " + ", ".join(f"{p.name} ({len(p.lists)} queries)" for p in parts),
    }
    args.fusion_file.write_text(json.dumps(raw, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"threshold {threshold:.3f}, auto-send {auto:.3f}, none {null:.2f}; weights {dict(zip(FEATURES, np.round(weights, 2), strict=True))}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
