"""How long one compliance check takes (the filter runs on every candidate reply).

    .venv/bin/python scripts/bench_compliance.py [--repeat N]

Checks every reply of eval/compliance_replies.csv on its platform N times and prints the mean
and the 99th percentile per check. Target: well under 1 ms. Not a test: timings depend on the
machine.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from suggest.compliance import load_rules  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description="time the compliance check")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    started = time.perf_counter()
    book = load_rules(None)
    load_ms = (time.perf_counter() - started) * 1000
    with (ROOT / "eval" / "compliance_replies.csv").open(encoding="utf-8", newline="") as f:
        rows = [(r["platform"], r["text"]) for r in csv.DictReader(f)]
    for platform, text in rows:  # warm the per-character caches, as a running service has
        book.check(text, platform)
    timings = []
    for _ in range(args.repeat):
        for platform, text in rows:
            t = time.perf_counter()
            book.check(text, platform)
            timings.append(time.perf_counter() - t)
    # CPU time as well as wall time: on a busy machine the wall clock also counts waiting for a core.
    cpu_started = time.process_time()
    for platform, text in rows * args.repeat:
        book.check(text, platform)
    cpu_us = (time.process_time() - cpu_started) / (len(rows) * args.repeat) * 1e6
    timings.sort()
    mean_us = sum(timings) / len(timings) * 1e6
    p99_us = timings[int(len(timings) * 0.99)] * 1e6
    chars = sum(len(t) for _, t in rows) / len(rows)
    print(f"load: {load_ms:.0f} ms; {len(timings)} checks of replies averaging {chars:.0f} characters")
    print(f"per check (wall): mean {mean_us:.0f} µs, p99 {p99_us:.0f} µs, max {timings[-1] * 1e6:.0f} µs")
    print(f"per check (CPU):  mean {cpu_us:.0f} µs")
    long = rows[0][1] * 8
    t = time.process_time()
    for _ in range(200):
        book.check(long, "tmall")
    print(f"a {len(long)}-character reply: {(time.process_time() - t) / 200 * 1e6:.0f} µs CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
