"""Measure the compliance filter on the labelled replies in eval/compliance_replies.csv.

Forbidden replies are the positives: precision = blocked forbidden / all blocked, recall =
blocked forbidden / all forbidden. Prints the figures per platform and overall, every miss
(a forbidden reply let through, an allowed reply blocked), and every forbidden reply caught by
another rule than the one labelled; writes the figures into docs/quality-compliance.md.

    .venv/bin/python scripts/eval_compliance.py [--csv FILE] [--knowledge DIR] [--no-write]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from doc_sections import replace_section  # noqa: E402

from suggest.compliance import load_rules  # noqa: E402
from suggest.config import PLATFORMS  # noqa: E402

DEFAULT_CSV = ROOT / "eval" / "compliance_replies.csv"
DOC = ROOT / "docs" / "quality-compliance.md"
START = "<!-- compliance-eval:start -->"
END = "<!-- compliance-eval:end -->"


@dataclass
class Row:
    line: int
    platform: str
    text: str
    allowed: bool
    rule: str


def read_rows(path: Path) -> list[Row]:
    rows = []
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != ["platform", "text", "allowed", "rule"]:
            raise SystemExit(f"{path}: header must be platform,text,allowed,rule, not {reader.fieldnames}")
        for line, rec in enumerate(reader, start=2):
            allowed = rec["allowed"].strip().lower()
            if allowed not in ("true", "false", "1", "0", "yes", "no"):
                raise SystemExit(f"{path}:{line}: allowed must be true or false, not {rec['allowed']!r}")
            rows.append(
                Row(line, rec["platform"].strip(), rec["text"], allowed in ("true", "1", "yes"), rec["rule"].strip())
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--knowledge", type=Path, default=None, help="knowledge directory (default: bundled rules)")
    parser.add_argument("--no-write", action="store_true", help=f"do not update {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)

    book = load_rules(args.knowledge)
    rows = read_rows(args.csv)
    counts = {p: {"tp": 0, "fp": 0, "fn": 0, "tn": 0} for p in PLATFORMS}
    misses: list[str] = []
    other_rule: list[str] = []
    started = time.perf_counter()
    for row in rows:
        result = book.check(row.text, row.platform)
        blocked = not result.ok
        forbidden = not row.allowed
        c = counts[row.platform]
        if forbidden and blocked:
            c["tp"] += 1
            if row.rule and row.rule not in result.rules:
                other_rule.append(
                    f"  line {row.line} [{row.platform}] expected {row.rule}, got {', '.join(result.rules)}: {row.text}"
                )
        elif forbidden:
            c["fn"] += 1
            misses.append(f"  MISSED  line {row.line} [{row.platform}] ({row.rule or '?'}): {row.text}")
        elif blocked:
            c["fp"] += 1
            why = "; ".join(f"{v.rule} 「{row.text[v.span[0] : v.span[1]]}」" for v in result.violations)
            misses.append(f"  BLOCKED line {row.line} [{row.platform}] {why}: {row.text}")
        else:
            c["tn"] += 1
    per_check_ms = (time.perf_counter() - started) * 1000 / max(1, len(rows))

    table = _table(counts)
    print(table)
    print(f"\n{len(rows)} replies, {per_check_ms:.3f} ms per check (incl. CSV loop)")
    print(f"\nmisses ({len(misses)}):" if misses else "\nmisses: none")
    for m in misses:
        print(m)
    if other_rule:
        print(f"\ncaught by another rule than labelled ({len(other_rule)}):")
        for m in other_rule:
            print(m)
    if not args.no_write:
        command = "python scripts/eval_compliance.py" + (f" --csv {args.csv}" if args.csv != DEFAULT_CSV else "")
        _write_doc(table, command, len(rows), misses)
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    return 0 if not misses else 1


def _ratio(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "n/a"


def _table(counts: dict[str, dict[str, int]]) -> str:
    lines = [
        "| platform | replies | forbidden | allowed | precision | recall | missed | wrongly blocked |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    total = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for platform, c in counts.items():
        for k in total:
            total[k] += c[k]
        lines.append(_line(platform, c))
    lines.append(_line("**all**", total))
    return "\n".join(lines)


def _line(name: str, c: dict[str, int]) -> str:
    n = sum(c.values())
    return (
        f"| {name} | {n} | {c['tp'] + c['fn']} | {c['tn'] + c['fp']} | {_ratio(c['tp'], c['tp'] + c['fp'])} "
        f"| {_ratio(c['tp'], c['tp'] + c['fn'])} | {c['fn']} | {c['fp']} |"
    )


def _write_doc(table: str, command: str, n: int, misses: list[str]) -> None:
    section = "\n".join(
        [
            START,
            "## Compliance filter: labelled replies",
            "",
            f"Made by `{command}` on `eval/compliance_replies.csv` ({n} replies written for this set: "
            "forbidden ones of every rule category, evasions, and hard allowed ones). "
            "Forbidden = positive.",
            "",
            table,
            "",
            (
                "Misses:\n\n```\n" + "\n".join(misses) + "\n```"
                if misses
                else "No misses: every forbidden reply is caught and no allowed reply is blocked."
            ),
            END,
        ]
    )
    replace_section(DOC, START, END, section.removeprefix(START + "\n").removesuffix("\n" + END), title="Quality: compliance filter")

if __name__ == "__main__":
    sys.exit(main())
