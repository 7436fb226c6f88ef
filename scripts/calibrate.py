"""Fit the fusion of dense and lexical evidence, and its thresholds, on training data only.

    .venv/bin/python scripts/calibrate.py [--model NAME]

Training data: eval/ecommerce_dev.csv against the default knowledge (full templates and the
one-question CSV form, so the fusion does not lean on paraphrases only merchants never write),
and the odd-id UnionPay user questions against the 745 standard questions (the protocol allows
them as examples; even-id questions stay for measuring). Test files are never read here.

A logistic regression over the candidate features gives the probability that a candidate is
the right answer. Thresholds are then read off the dev set: the suggestion threshold keeps
precision-when-answered at or above --precision, the auto-send one at or above
--auto-precision. The result is written into suggest/ranking/fusion.json for that model.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import REPO, read_query_csv, unionpay  # noqa: E402
from quality import open_engine, reduce_to_csv  # noqa: E402

from suggest.config import Settings  # noqa: E402
from suggest.embedding import load_embedder  # noqa: E402
from suggest.engine import Suggester  # noqa: E402
from suggest.evaluation import Query  # noqa: E402
from suggest.knowledge import load_knowledge  # noqa: E402
from suggest.ranking import FEATURES  # noqa: E402

FUSION_FILE = REPO / "suggest" / "ranking" / "fusion.json"


def collect(engine: Suggester, queries: Sequence[Query], group_offset: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate features, labels (1 = the gold answer) and the query each row belongs to."""
    xs, ys, groups = [], [], []
    ids = [e.id for e in engine.kb.entries]
    for n, q in enumerate(queries):
        analysis = engine.tokenizer.analyze(q.text)
        if not analysis.canonical:
            continue
        platform = q.platform or engine.settings.default_platform
        cands = engine.candidates(analysis.canonical, analysis.terms, platform, None, engine.products.find(q.text))
        if not len(cands.entries):
            continue
        xs.append(cands.features)
        ys.append(np.array([ids[e] == q.gold for e in cands.entries], dtype=np.int8))
        groups.append(np.full(len(cands.entries), group_offset + n))
    return np.vstack(xs), np.concatenate(ys), np.concatenate(groups)


def top1_probability(p: np.ndarray, y: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per query: the probability of the top candidate and whether it is right."""
    best_p, best_right = [], []
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        top = rows[np.argmax(p[rows])]
        best_p.append(p[top])
        best_right.append(y[top])
    return np.array(best_p), np.array(best_right)


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
    from sklearn.linear_model import LogisticRegression

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="embedding model (default: the configured one)")
    parser.add_argument("--dev", type=Path, default=REPO / "eval" / "ecommerce_dev.csv")
    parser.add_argument("--precision", type=float, default=0.90)
    parser.add_argument("--auto-precision", type=float, default=0.98)
    parser.add_argument("--no-unionpay", action="store_true")
    args = parser.parse_args(argv)

    settings = Settings.load(model=args.model)
    embedder = load_embedder(settings.model, settings.cache_dir)
    dev = read_query_csv(args.dev)
    parts = []
    with tempfile.TemporaryDirectory(prefix="suggest-calibrate-") as tmp:
        work = Path(tmp)
        knowledge = REPO / "knowledge"
        full = open_engine(knowledge, embedder, work, settings)
        parts.append(("e-commerce dev, full", *collect(full, dev, 0)))
        reduce_to_csv(load_knowledge(knowledge), work / "reduced" / "faq.csv")
        reduced = open_engine(work / "reduced", embedder, work, settings)
        parts.append(("e-commerce dev, one question", *collect(reduced, dev, 100_000)))
        if not args.no_unionpay:
            data = unionpay(with_examples=False, split="train")
            data.write_csv(work / "unionpay" / "faq.csv")
            engine = open_engine(work / "unionpay", embedder, work, settings)
            parts.append(("UnionPay odd-id", *collect(engine, data.queries, 200_000)))

    x = np.vstack([p[1] for p in parts])
    y = np.concatenate([p[2] for p in parts])
    groups = np.concatenate([p[3] for p in parts])
    # Each query weighs the same whatever its number of candidates; each source weighs the same.
    weights = np.ones(len(y))
    for _, _, py, pg in parts:
        mask = np.isin(groups, np.unique(pg))
        weights[mask] = 1.0 / max(len(np.unique(pg)), 1)
    clf = LogisticRegression(C=1.0, max_iter=2000)
    clf.fit(x, y, sample_weight=weights * len(np.unique(groups)))
    p = clf.predict_proba(x)[:, 1]

    # Thresholds from the e-commerce dev queries only: that is the traffic they apply to.
    ecommerce = groups < 200_000
    top_p, top_right = top1_probability(p[ecommerce], y[ecommerce], groups[ecommerce])
    threshold = threshold_for(args.precision, top_p, top_right)
    auto = max(threshold_for(args.auto_precision, top_p, top_right), threshold)
    for name, px, py, pg in parts:
        mask = np.isin(groups, np.unique(pg))
        tp, tr = top1_probability(p[mask], y[mask], groups[mask])
        answered = tp >= threshold
        print(
            f"{name:32s} queries {len(tp):5d}  top-1 {tr.mean():.3f}  answered {answered.mean():.3f}  "
            f"precision {tr[answered].mean() if answered.any() else 0:.3f}",
            file=sys.stderr,
        )
    raw = json.loads(FUSION_FILE.read_text(encoding="utf-8"))
    raw["models"][embedder.name] = {
        "features": list(FEATURES),
        "weights": [round(float(w), 5) for w in clf.coef_[0]],
        "bias": round(float(clf.intercept_[0]), 5),
        "threshold": round(threshold, 4),
        "auto_send_threshold": round(auto, 4),
        "trained_on": "scripts/calibrate.py: " + ", ".join(f"{name} ({len(np.unique(pg))} queries)" for name, _, _, pg in parts),
    }
    FUSION_FILE.write_text(json.dumps(raw, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"threshold {threshold:.3f}, auto-send {auto:.3f}; weights {dict(zip(FEATURES, np.round(clf.coef_[0], 2)))}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
