"""Bounded load test of `POST /v1/suggest`: C concurrent clients send N requests in all.

    .venv/bin/python scripts/load_test.py                         # starts `suggest serve` on a free port
    .venv/bin/python scripts/load_test.py --url http://127.0.0.1:8000   # against a running server
    SUGGEST_MODEL=hash .venv/bin/python scripts/load_test.py --no-write # quick run, docs untouched
    SUGGEST_QUERY_CACHE=0 .venv/bin/python scripts/load_test.py      # every request encodes (48 messages cycle)

Prints requests/s, p50/p90/p99 latency and the error count (0 expected; the exit status is 1
otherwise), and writes the figures into docs/performance.md between
<!-- load_test:start --> and <!-- load_test:end -->, leaving the rest of that file alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import serve_process  # noqa: E402
from doc_sections import replace_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "performance.md"
START, END = "<!-- load_test:start -->", "<!-- load_test:end -->"

# What buyers of the demo shop (轻舟服饰, on tmall and pdd) type: questions the knowledge answers,
# colloquial variants, and a few it does not, so that ranking runs its whole course.
MESSAGES = (
    "在吗", "亲 在不在", "能开发票吗", "发票怎么开啊", "可以开专票吗", "什么时候发货", "今天拍明天能发吗",
    "几天能到", "发什么快递", "能发顺丰吗", "sf能发吗", "包邮吗", "新疆包邮吗", "可以改地址吗",
    "地址填错了怎么办", "能合并发货吗", "七天无理由吗", "不喜欢可以退吗", "退货运费谁出", "怎么换货",
    "换个大一码", "退款多久到账", "有运费险吗", "我165 110斤穿什么码", "T恤会缩水吗", "纯棉的吗",
    "羽绒服怎么洗", "这双鞋偏码吗", "袜子几双一包", "有优惠券吗", "能便宜点吗", "降价了能退差价吗",
    "是正品吗", "有实拍图吗", "快递显示签收了但是我没收到", "包裹破损了", "少发了一件", "发错颜色了",
    "客服几点下班", "你们仓库在哪", "预售什么时候发", "能用花呗吗", "亲，这个牛仔裤有没有黑色的呀？",
    "衣服有线头，质量问题怎么处理", "好的谢谢", "👍", "人工客服", "我要投诉",
)
PLATFORMS = ("tmall", "pdd")


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)  # the first few failures, in full
    seconds: float = 0.0

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if len(self.examples) < 5:
            self.examples.append(f"{kind}: {detail[:300]}")

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000 if ordered else float("nan")

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


async def run_load(url: str, clients: int, requests: int, warmup: int) -> Figures:
    figures = Figures()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        for n in range(warmup):  # first requests pay for lazy caches; they are not measured
            await http.post("/v1/suggest", json=body(n))
        queue = iter(range(requests))

        async def client() -> None:
            for n in queue:  # a shared iterator: the clients take turns until N are sent
                started = time.perf_counter()
                try:
                    response = await http.post("/v1/suggest", json=body(n))
                except httpx.HTTPError as exc:
                    figures.error(type(exc).__name__, repr(exc))
                    continue
                if response.status_code != 200:
                    figures.error(f"HTTP {response.status_code}", response.text)
                    continue
                figures.latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        figures.seconds = time.perf_counter() - started
    return figures


def body(n: int) -> dict[str, str]:
    return {"message": MESSAGES[n % len(MESSAGES)], "platform": PLATFORMS[(n // len(MESSAGES)) % len(PLATFORMS)]}


def start_server(extra: list[str], timeout: float) -> tuple[subprocess.Popen[bytes], str]:
    return serve_process.start_server(extra, timeout, who="load_test")


def write_section(markdown: str) -> None:
    replace_section(DOC, START, END, markdown, title="Performance")


def report(figures: Figures, ready: dict[str, object], args: argparse.Namespace, command: str, load: float) -> str:
    errors = sum(figures.errors.values())
    error_text = ", ".join(f"{k}: {v}" for k, v in sorted(figures.errors.items())) or "none"
    return f"""
## HTTP load test (`scripts/load_test.py`)

Bounded load on `POST /v1/suggest`: {args.clients} concurrent clients, {args.requests} requests in all
({args.warmup} warm-up requests not counted), messages cycled from {len(MESSAGES)} typical buyer questions on
tmall and pdd, against the default knowledge.

| | |
|---|---|
| requests/s | {figures.rate:.1f} |
| p50 latency | {figures.percentile(50):.1f} ms |
| p90 latency | {figures.percentile(90):.1f} ms |
| p99 latency | {figures.percentile(99):.1f} ms |
| errors | {errors} ({error_text}) |
| model | `{ready.get("model")}` ({ready.get("entries")} answers) |
| machine | {os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, Python {platform.python_version()}; clients on the same machine; load average {load:.1f} before the run (other work on it) |
| date | {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")} |

Command: `{command}`

Latency is measured by the clients, end to end over loopback HTTP, so it includes queueing: with
{args.clients} clients and a CPU-bound model, p50 is roughly {args.clients} × the single-request time divided
by the cores doing the work.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: start `suggest serve` on a free port)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--requests", type=int, default=2000, help="requests in all (default 2000)")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests first (default 20)")
    parser.add_argument("--ready-timeout", type=float, default=900, help="seconds to wait for the server to load")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    parser.add_argument("serve_args", nargs="*", help="extra `suggest serve` options, after --")
    args = parser.parse_args()
    command = "python scripts/load_test.py " + shlex.join(sys.argv[1:])
    # The server inherits the environment: the settings that shaped the figures belong in the command.
    given = [f"{k}={shlex.quote(v)}" for k, v in sorted(os.environ.items()) if k.startswith("SUGGEST_") and v]
    command = " ".join([*given, command])

    load = os.getloadavg()[0]
    process = None
    url = args.url
    if url is None:
        process, url = start_server(args.serve_args, args.ready_timeout)
    try:
        ready = httpx.get(f"{url}/readyz", timeout=10).json()
        figures = asyncio.run(run_load(url, args.clients, args.requests, args.warmup))
    finally:
        if process is not None:
            process.terminate()
            process.wait(30)
    markdown = report(figures, ready, args, command.strip(), load)
    print(markdown.strip())
    for example in figures.examples:
        print(f"failure: {example}", file=sys.stderr)
    if not args.no_write:
        write_section(markdown)
        print(f"\nwritten to {DOC.relative_to(REPO)}")
    return 1 if figures.errors else 0


if __name__ == "__main__":
    sys.exit(main())
