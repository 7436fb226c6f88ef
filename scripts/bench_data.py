"""Loading the evaluation data: the public benchmark in ../shared/bench and our own sets in eval/.

The public data is read in place and never copied into the repository (its README: research
only, no licence). Split discipline: UnionPay odd-id user questions are the only UnionPay text
used for training/calibration (the protocol allows them as examples); even-id ones are measured.
Our own e-commerce set has a dev file (calibration) and a test file (measuring only).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from suggest.evaluation import Query

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"
if not BENCH.is_dir():
    BENCH = REPO.parent / "shared" / "bench"


@dataclass
class FaqSet:
    rows: list[tuple[str, str, str]]  # id, question, answer — the knowledge, as a merchant CSV
    queries: list[Query]

    def write_csv(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "question", "answer"])
            writer.writerows(self.rows)
        return path


def _clean(cell: str) -> str:
    return cell.replace("\ufeff", "").strip()


UNIONPAY_FILE = BENCH / "faq" / "unionpay_faq.tsv"


def bench_available() -> bool:
    """Whether the public benchmark checkout (../shared/bench) is beside the repository."""
    return UNIONPAY_FILE.is_file()


def unionpay(with_examples: bool, split: str = "test") -> FaqSet:
    """split="test": even-id queries (measured), with the odd-id questions as examples if asked;
    split="train": odd-id queries only (calibration). With examples, the training split is the
    odd ids halved: ids ≡ 1 (mod 4) are the examples, ids ≡ 3 (mod 4) the queries, so a
    calibration sees the with-examples shape without ever reading an even id."""
    path = UNIONPAY_FILE
    std: dict[str, tuple[str, str]] = {}
    users: list[tuple[int, str, str, str]] = []
    with open(path, encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for row in reader:
            qid, user_q, std_id, std_q, _answer_id, answer = (_clean(c) for c in row[:6])
            std.setdefault(std_id, (std_q, answer))
            users.append((int(qid), user_q, std_id, std_q))
    rows = [(sid, q, a) for sid, (q, a) in std.items()]
    train = split != "test"
    is_example = (lambda qid: qid % 4 == 1) if train else (lambda qid: qid % 2 == 1)
    is_query = (lambda qid: qid % 4 == 3) if train and with_examples else (lambda qid: qid % 2 == int(train))
    if with_examples:
        rows += [(sid, uq, "") for qid, uq, sid, sq in users if is_example(qid) and uq != sq]
        rows.sort(key=lambda r: (r[0], r[2] == ""))  # each id's first row carries the answer
    queries = [Query(uq, sid) for qid, uq, sid, sq in users if is_query(qid) and uq and uq != sq]
    return FaqSet(rows, queries)


def read_query_csv(path: Path) -> list[Query]:
    from suggest.evaluation import read_queries

    return read_queries(path)
