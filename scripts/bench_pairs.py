"""Question matching and reply selection on the public benchmark, side by side; writes docs/quality-pairs.md.

    nice -n 10 .venv/bin/python scripts/bench_pairs.py     # the full measurement, one run
    .venv/bin/python scripts/bench_pairs.py --quick        # a smoke run on small subsamples

The two protocols of ../shared/bench/README.md that scripts/quality.py does not cover:
- pairs/: ROC-AUC of the matching score on each test file, and accuracy at the threshold that
  maximises accuracy on the dev file of the same domain (afqmc ← atec_train, lcqmc ← lcqmc_dev,
  bq ← bq_dev). Test files are only ever scored, never used to choose anything.
- dialog/ecd_test.txt: R10@1, R10@2, R10@5 of the right reply among ten candidates;
  ecd_valid.txt alone picks between the two context variants (last turn, whole context).
Systems: cosine of the model on the raw text, cosine on the text the engine really encodes
(Tokenizer().analyze(text).canonical), and lexical baselines over jieba words.
The data is read in place; only figures reach the repository (the bench README: research only).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import re
import shlex
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import BENCH, REPO  # noqa: E402

from suggest.config import Settings  # noqa: E402
from suggest.embedding import Embedder, load_embedder  # noqa: E402
from suggest.text.tokenize import Tokenizer  # noqa: E402

PAIRS = BENCH / "pairs"
DIALOG = BENCH / "dialog"
# test file → the dev file of the same domain its threshold is chosen on.
DOMAINS = (
    ("afqmc", "afqmc_dev.jsonl", "atec_train.tsv"),
    ("lcqmc", "lcqmc_test.tsv", "lcqmc_dev.tsv"),
    ("bq", "bq_test.csv", "bq_dev.csv"),
)
# At most this many pairs of each file, a seeded sample: encoding is the run's whole cost (about
# 100-250 short texts/s on 2 shared cores) and a one-number threshold needs few pairs to be set.
TEST_PAIRS = 5000
DEV_PAIRS = 2000
QUICK_PAIRS = 300  # --quick: this many pairs of every file, test and dev
QUICK_DIALOGS = 20  # --quick: this many ECD test contexts
SEED = 20240601
# The model reads 512 tokens; a longer context would be cut at its end, i.e. the latest turns.
# Oldest turns are dropped first so that the joined context stays below this many characters.
CONTEXT_CHARS = 480
KS = (1, 2, 5)

Pair = tuple[str, str, int]


# ---------------------------------------------------------------------------------------------
# Metrics: pure functions, tested in tests/test_bench_pairs.py.


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing their mean rank (what the Mann–Whitney statistic needs)."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return ((ends - counts + 1 + ends) / 2.0)[inverse]


def roc_auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Probability that a random positive outscores a random negative, ties counting half.

    Computed from ranks, so it needs nothing beyond numpy and is exact with tied scores."""
    s, y = np.asarray(scores, dtype=np.float64), np.asarray(labels, dtype=bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("ROC-AUC needs both positive and negative pairs")
    rank_sum = float(average_ranks(s)[y].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def best_threshold(scores: Sequence[float], labels: Sequence[int]) -> tuple[float, float]:
    """The threshold (score >= t means "same meaning") with the highest accuracy, and that accuracy.

    Every cut between two distinct scores is tried, plus "nothing matches"; the threshold is
    placed midway between the two scores it separates, so that it does not sit on a dev score.
    Of equally good cuts the highest wins."""
    s, y = np.asarray(scores, dtype=np.float64), np.asarray(labels, dtype=bool)
    order = np.argsort(-s, kind="stable")
    s_desc, y_desc = s[order], y[order]
    last = np.flatnonzero(np.r_[s_desc[1:] != s_desc[:-1], True])  # last place of each distinct score
    values = s_desc[last]
    true_pos = np.cumsum(y_desc)[last]
    n_neg = int((~y).sum())
    correct = true_pos + n_neg - (last + 1 - true_pos)
    best = int(np.argmax(correct))
    if correct[best] <= n_neg:  # predicting "no match" for everything is at least as good
        return float(values[0]) + 1.0, n_neg / len(s)
    lower = values[best + 1] if best + 1 < len(values) else values[best] - 1.0
    return float((values[best] + lower) / 2.0), float(correct[best]) / len(s)


def accuracy_at(scores: Sequence[float], labels: Sequence[int], threshold: float) -> float:
    s, y = np.asarray(scores, dtype=np.float64), np.asarray(labels, dtype=bool)
    return float(np.mean((s >= threshold) == y))


def recall_at_k(scores: np.ndarray, positive: Sequence[int], k: int) -> float:
    """Rn@k: share of contexts whose right candidate is among the k best of its row.

    Ties are broken at random in expectation (the right one's place is uniform among the tied),
    so a scorer that gives every candidate 0 earns k/n, not 1 and not 0."""
    scores = np.asarray(scores, dtype=np.float64)
    rows = np.arange(len(scores))
    right = scores[rows, np.asarray(positive)][:, None]
    higher = (scores > right).sum(axis=1)
    tied_others = (scores == right).sum(axis=1) - 1
    return float(np.mean(np.clip((k - higher) / (tied_others + 1), 0.0, 1.0)))


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """|A ∩ B| / |A ∪ B| of two term sets; 0 when both are empty."""
    sa, sb = set(a), set(b)
    union = len(sa | sb)
    return len(sa & sb) / union if union else 0.0


# ---------------------------------------------------------------------------------------------
# Data: read in place, never copied.


def _clean(cell: str) -> str:
    return cell.replace("\ufeff", "").strip()


def read_pairs(path: Path) -> list[Pair]:
    """(sentence1, sentence2, label) of one pairs/ file, whatever its format.

    .jsonl: sentence1/sentence2/label fields; .tsv and .csv: three columns, header optional
    (lcqmc has none); BOMs stripped from every cell (one lcqmc_test cell starts with one)."""
    if path.suffix == ".jsonl":
        with open(path, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        return [(_clean(r["sentence1"]), _clean(r["sentence2"]), int(r["label"])) for r in rows]
    delimiter, quoting = ("\t", csv.QUOTE_NONE) if path.suffix == ".tsv" else (",", csv.QUOTE_MINIMAL)
    with open(path, encoding="utf-8", newline="") as fh:
        cells = [[_clean(c) for c in row] for row in csv.reader(fh, delimiter=delimiter, quoting=quoting) if row]
    if cells and cells[0][2] == "label":
        cells = cells[1:]
    return [(a, b, int(label)) for a, b, label in cells]


def subsample(items: Sequence[Pair], n: int | None, seed: int = SEED) -> list[Pair]:
    """At most n items, the same ones on every run (a seeded sample, original order kept)."""
    if n is None or len(items) <= n:
        return list(items)
    keep = sorted(random.Random(seed).sample(range(len(items)), n))
    return [items[i] for i in keep]


def unsegment(words: Sequence[str]) -> str:
    """ECD text is pre-segmented with spaces; the model and jieba want running text. A space
    is kept only between two ASCII words ("iphone 7"), as the engine's own join does."""
    out: list[str] = []
    for word in words:
        if out and out[-1][-1:].isascii() and out[-1][-1:].isalnum() and word[:1].isascii() and word[:1].isalnum():
            out.append(" ")
        out.append(word)
    return "".join(out)


@dataclass(frozen=True)
class Dialog:
    turns: tuple[str, ...]
    candidates: tuple[str, ...]
    positive: int

    def query(self, variant: str) -> str:
        """The text matched against the candidates: the last turn, or the context joined."""
        if variant == "last":
            return self.turns[-1]
        turns = list(self.turns)
        while len(turns) > 1 and len(" ".join(turns)) > CONTEXT_CHARS:
            turns.pop(0)
        return " ".join(turns)


def read_ecd(path: Path) -> list[Dialog]:
    """Rows label \\t turn ... \\t candidate; consecutive rows with the same context are one
    dialog (10 candidates in test, 2 in valid), with exactly one label 1."""
    groups: list[tuple[tuple[str, ...], list[tuple[str, int]]]] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            cells = [_clean(c) for c in line.rstrip("\n").split("\t")]
            if len(cells) < 3:
                continue
            context = tuple(unsegment(c.split()) for c in cells[1:-1])
            if not groups or groups[-1][0] != context:
                groups.append((context, []))
            groups[-1][1].append((unsegment(cells[-1].split()), int(cells[0])))
    dialogs = []
    for context, rows in groups:
        labels = [label for _, label in rows]
        if labels.count(1) != 1:
            raise ValueError(f"{path.name}: a context with {labels.count(1)} right replies")
        dialogs.append(Dialog(context, tuple(text for text, _ in rows), labels.index(1)))
    return dialogs


# ---------------------------------------------------------------------------------------------
# Scorers.


class Vectors:
    """Every distinct text encoded once per prompt, in one call: the encoder sorts a call's texts
    by length, so one big call pads least; and raw and canonical forms often coincide."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._known: dict[tuple[str, str], np.ndarray] = {}
        self.encoded = 0

    def warm(self, texts: Iterable[str], prompt: str) -> None:
        todo = sorted({t for t in texts if (prompt, t) not in self._known})
        if not todo:
            return
        encode = self.embedder.encode_queries if prompt == "query" else self.embedder.encode_documents
        start = time.perf_counter()
        vectors = encode(todo, batch_size=64)
        seconds = time.perf_counter() - start
        self.encoded += len(todo)
        print(
            f"  encoded {len(todo)} texts ({prompt}) in {seconds:.0f}s, {len(todo) / max(seconds, 1e-9):.0f}/s",
            file=sys.stderr,
        )
        self._known.update({(prompt, t): v for t, v in zip(todo, vectors, strict=True)})

    def __call__(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        return np.stack([self._known[(prompt, t)] for t in texts])


def cosine_pairs(vectors: Vectors, pairs: Sequence[Pair], view: Callable[[str], str]) -> np.ndarray:
    """Cosine of the two sides, both as queries (e5's advice for symmetric matching)."""
    a = vectors([view(p[0]) for p in pairs], "query")
    b = vectors([view(p[1]) for p in pairs], "query")
    return np.einsum("ij,ij->i", a, b)  # rows are L2-normalised


def jieba_words(text: str) -> list[str]:
    """Plain jieba words, lower-cased, whitespace and punctuation dropped: no synonyms, no domain
    dictionary, no stop-words, as in the project's BM25-over-jieba baseline."""
    import jieba

    return [w for w in jieba.lcut(text.lower()) if w.strip() and not _PUNCT_ONLY.fullmatch(w)]


_PUNCT_ONLY = re.compile(r"[\W_]+")


def bm25_rows(dialogs: Sequence[Dialog], variant: str) -> np.ndarray:
    """BM25 (bm25s defaults) of each candidate for its dialog's query. IDF is taken over the
    file's whole candidate pool: ten documents alone give it nothing to count."""
    import bm25s

    pool = [jieba_words(c) or ["\x00"] for d in dialogs for c in d.candidates]
    index = bm25s.BM25()
    index.index(pool, show_progress=False)
    vocab = set(index.vocab_dict)
    out = np.zeros((len(dialogs), len(dialogs[0].candidates)))
    start = 0
    for row, dialog in enumerate(dialogs):
        width = len(dialog.candidates)
        terms = [t for t in jieba_words(dialog.query(variant)) if t in vocab]
        if terms:
            out[row] = index.get_scores(terms)[start : start + width]
        start += width
    return out


def cosine_rows(vectors: Vectors, dialogs: Sequence[Dialog], variant: str) -> np.ndarray:
    """Cosine of the query ("query: ") with each candidate reply ("passage: ", an answer)."""
    queries = vectors([d.query(variant) for d in dialogs], "query")
    return np.stack([vectors(list(d.candidates), "passage") @ q for d, q in zip(dialogs, queries, strict=True)])


# ---------------------------------------------------------------------------------------------
# The two protocols.


@dataclass
class PairSystem:
    name: str
    score: Callable[[Sequence[Pair]], np.ndarray]


def pair_systems(vectors: Vectors, tokenizer: Tokenizer) -> list[PairSystem]:
    def canonical(text: str) -> str:
        return tokenizer.analyze(text).canonical

    def raw(text: str) -> str:
        return text

    def lexical(pairs: Sequence[Pair], cut: Callable[[str], Iterable[str]]) -> np.ndarray:
        return np.array([jaccard(cut(a), cut(b)) for a, b, _ in pairs])

    return [
        PairSystem("model cosine, raw text", lambda pairs: cosine_pairs(vectors, pairs, raw)),
        PairSystem(
            "model cosine, engine text (`analyze().canonical`)", lambda pairs: cosine_pairs(vectors, pairs, canonical)
        ),
        PairSystem("Jaccard over jieba words (baseline)", lambda pairs: lexical(pairs, jieba_words)),
        PairSystem(
            "Jaccard over engine terms (`analyze().terms`)",
            lambda pairs: lexical(pairs, lambda t: tokenizer.analyze(t).terms),
        ),
    ]


@dataclass(frozen=True)
class Sample:
    """The pairs of one file that are measured, and how many the file holds."""

    name: str
    pairs: list[Pair]
    of: int

    @classmethod
    def read(cls, name: str, n: int) -> Sample:
        pairs = read_pairs(PAIRS / name)
        return cls(name, subsample(pairs, n), len(pairs))

    @property
    def labels(self) -> list[int]:
        return [p[2] for p in self.pairs]

    @property
    def texts(self) -> set[str]:
        return {s for a, b, _ in self.pairs for s in (a, b)}


def measure_pairs(vectors: Vectors, tokenizer: Tokenizer, quick: bool) -> list[dict[str, object]]:
    """Every system on every domain; the dev sample fixes each system's threshold, the test
    sample is only scored."""
    files = [
        (
            domain,
            Sample.read(test, QUICK_PAIRS if quick else TEST_PAIRS),
            Sample.read(dev, QUICK_PAIRS if quick else DEV_PAIRS),
        )
        for domain, test, dev in DOMAINS
    ]
    texts = set().union(*(s.texts for _, test, dev in files for s in (test, dev)))
    print(f"pairs: {len(texts)} distinct texts", file=sys.stderr)
    vectors.warm(texts, "query")
    vectors.warm((tokenizer.analyze(t).canonical for t in texts), "query")
    rows = []
    for domain, test, dev in files:
        changed = np.mean([tokenizer.analyze(t).canonical != t for t in test.texts])
        for system in pair_systems(vectors, tokenizer):
            threshold, dev_acc = best_threshold(system.score(dev.pairs), dev.labels)
            scores = system.score(test.pairs)
            row = {
                "domain": domain,
                "test": test.name,
                "n_test": len(test.pairs),
                "n_test_file": test.of,
                "test_positive": float(np.mean(test.labels)),
                "dev": dev.name,
                "n_dev": len(dev.pairs),
                "n_dev_file": dev.of,
                "dev_positive": float(np.mean(dev.labels)),
                "canonical_changed": float(changed),
                "system": system.name,
                "auc": roc_auc(scores, test.labels),
                "threshold": threshold,
                "dev_accuracy": dev_acc,
                "accuracy": accuracy_at(scores, test.labels, threshold),
            }
            print(
                f"{domain:6s} {system.name:50s} AUC {row['auc']:.3f} acc {row['accuracy']:.3f} (t={threshold:.3f})",
                file=sys.stderr,
            )
            rows.append(row)
    return rows


def measure_dialog(vectors: Vectors, quick: bool) -> dict[str, object]:
    valid, test = read_ecd(DIALOG / "ecd_valid.txt"), read_ecd(DIALOG / "ecd_test.txt")
    test = test[:QUICK_DIALOGS] if quick else test
    for variant in ("last", "context"):
        vectors.warm((d.query(variant) for d in (*valid, *test)), "query")
    vectors.warm((c for d in (*valid, *test) for c in d.candidates), "passage")
    systems: dict[str, Callable[[Sequence[Dialog]], np.ndarray]] = {
        "model cosine, last turn → reply": lambda ds: cosine_rows(vectors, ds, "last"),
        "model cosine, whole context → reply": lambda ds: cosine_rows(vectors, ds, "context"),
        "BM25 over jieba, last turn → reply (baseline)": lambda ds: bm25_rows(ds, "last"),
        "BM25 over jieba, whole context → reply (baseline)": lambda ds: bm25_rows(ds, "context"),
    }
    rows = []
    for name, score in systems.items():
        valid_r = recall_at_k(score(valid), [d.positive for d in valid], 1)
        test_scores = score(test)
        recalls = {k: recall_at_k(test_scores, [d.positive for d in test], k) for k in KS}
        rows.append({"system": name, "valid_r2_1": valid_r, **{f"r10_{k}": r for k, r in recalls.items()}})
        print(f"ecd    {name:50s} valid R2@1 {valid_r:.3f} test R10@1 {recalls[1]:.3f}", file=sys.stderr)
    for family in ("model", "BM25"):  # within each family, the context variant the valid file prefers
        mine = [r for r in rows if str(r["system"]).startswith(family)]
        max(mine, key=lambda r: r["valid_r2_1"])["chosen"] = True  # first one wins a tie
    truncated = sum(d.query("context") != " ".join(d.turns) for d in test)
    return {
        "rows": rows,
        "n_valid": len(valid),
        "n_test": len(test),
        "candidates": len(test[0].candidates),
        "truncated": truncated,
    }


# ---------------------------------------------------------------------------------------------
# Report.


def machine() -> str:
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    return f"nproc {len(os.sched_getaffinity(0))}, {cpu or 'unknown CPU'}, Python {platform.python_version()}, niceness {os.nice(0)}"


def command_line(argv: Sequence[str]) -> str:
    """The command as typed from the repository root, `nice` included when the run was niced."""
    python = Path(sys.executable)
    exe = str(python.relative_to(REPO)) if python.is_relative_to(REPO) else "python"
    cmd = shlex.join([exe, "scripts/bench_pairs.py", *argv])
    niceness = os.nice(0)
    return f"nice -n {niceness} {cmd}" if niceness else cmd


def pairs_markdown(rows: list[dict[str, object]], quick: bool) -> list[str]:
    domains = list(dict.fromkeys(str(r["domain"]) for r in rows))
    systems = list(dict.fromkeys(str(r["system"]) for r in rows))
    by = {(r["domain"], r["system"]): r for r in rows}
    head = "| system | " + " | ".join(f"{d} AUC | {d} acc" for d in domains) + " |"
    lines = ["## Question matching (pairs/)", "", head, "|---|" + "---|---|" * len(domains)]
    for system in systems:
        cells = [f"{by[d, system]['auc']:.3f} | {by[d, system]['accuracy']:.3f}" for d in domains]
        lines.append(f"| {system} | " + " | ".join(cells) + " |")
    majority = ", ".join(
        f"{d} {max(by[d, systems[0]]['test_positive'], 1 - by[d, systems[0]]['test_positive']):.3f}" for d in domains
    )
    lines += ["", f"Accuracy of always answering the majority class of the test file, for scale: {majority}.", ""]
    lines += [
        "| test file (pairs measured of file, positive share) | dev file (pairs used of file, positive share) | engine text ≠ raw | system | threshold | dev acc | test acc | ROC-AUC |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['test']} ({r['n_test']} of {r['n_test_file']}, {r['test_positive']:.2f}) | {r['dev']} ({r['n_dev']} of {r['n_dev_file']}, {r['dev_positive']:.2f}) "
            f"| {r['canonical_changed']:.0%} | {r['system']} | {r['threshold']:.3f} | {r['dev_accuracy']:.3f} | {r['accuracy']:.3f} | {r['auc']:.3f} |"
        )
    sample = (
        f"{QUICK_PAIRS} pairs of every file (--quick)"
        if quick
        else f"each test file subsampled to at most {TEST_PAIRS} pairs, each dev file to at most {DEV_PAIRS}"
    )
    lines += ["", f"Sampling: {sample}, seed {SEED}.", ""]
    return lines


def dialog_markdown(result: dict[str, object]) -> list[str]:
    lines = [
        f"## Reply selection (dialog/ecd_test.txt: {result['n_test']} contexts × {result['candidates']} candidates)",
        "",
        f"| system | ecd_valid R2@1 ({result['n_valid']} contexts) | R10@1 | R10@2 | R10@5 |",
        "|---|---|---|---|---|",
    ]
    for r in result["rows"]:  # type: ignore[attr-defined]
        mark = " **(chosen on valid)**" if r.get("chosen") else ""
        lines.append(
            f"| {r['system']}{mark} | {r['valid_r2_1']:.3f} | {r['r10_1']:.3f} | {r['r10_2']:.3f} | {r['r10_5']:.3f} |"
        )
    lines += [
        "",
        "Random choice: R10@1 0.100, R10@2 0.200, R10@5 0.500. Whole context: the turns joined by spaces, oldest turns dropped",
        f"beyond {CONTEXT_CHARS} characters so the model's 512-token cut never removes the latest ones ({result['truncated']} test contexts shortened).",
        "ECD words are re-joined (a space kept only between two ASCII words) before the model or jieba reads them.",
        "",
    ]
    return lines


def write_report(path: Path, body: list[str], command: str, model: str, seconds: float, encoded: int) -> str:
    lines = [
        "# Question matching and reply selection on the public benchmark",
        "",
        f"Produced by `{command}` on {time.strftime('%Y-%m-%d')}; machine: {machine()};",
        f"model `{model}`; run time {seconds / 60:.1f} min ({encoded} distinct texts encoded).",
        "",
        "How to read it: every figure is on a file that nothing was tuned on. The only choices made",
        "from data are the accuracy threshold of each system, taken where accuracy peaks on the dev",
        "file of the same domain (afqmc ← atec_train.tsv, lcqmc ← lcqmc_dev.tsv, bq ← bq_dev.csv; the",
        "bench README marks these calibration-only), and, for reply selection, which context variant",
        "counts as each family's pick, decided on ecd_valid.txt (R2@1: its contexts have two candidates).",
        "afqmc_dev.jsonl, lcqmc_test.tsv, bq_test.csv and ecd_test.txt are only scored. ROC-AUC needs no",
        "threshold; accuracy also pays for how well a dev file's threshold carries over (its positive share",
        "differs from the test file's). *engine text* is what the engine encodes for a message:",
        "`Tokenizer().analyze(text).canonical` (punctuation and clause-final particles dropped, spelling",
        "variants written out), without a knowledge base, so no product names are masked. Jaccard: |A∩B|/|A∪B|",
        "of the two sides' word sets. Produced by scripts/bench_pairs.py; the benchmark text itself is not",
        "copied here (research-only data).",
        "",
        *body,
    ]
    text = "\n".join(lines)
    path.write_text(text, encoding="utf-8")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="embedding model (default: the configured one)")
    parser.add_argument(
        "--quick", action="store_true", help=f"smoke run: {QUICK_PAIRS} pairs per file, {QUICK_DIALOGS} ECD contexts"
    )
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "quality-pairs.md")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    settings = Settings.load(model=args.model)
    # No LRU cache in front: Vectors already encodes each distinct text once.
    vectors = Vectors(load_embedder(settings.model, settings.cache_dir, query_cache=0))
    tokenizer = Tokenizer()
    body = pairs_markdown(measure_pairs(vectors, tokenizer, args.quick), args.quick)
    body += dialog_markdown(measure_dialog(vectors, args.quick))
    text = write_report(
        args.out, body, command_line(argv), vectors.embedder.name, time.perf_counter() - start, vectors.encoded
    )
    print(text)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
