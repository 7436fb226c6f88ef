"""What the compliance filter says of real agents' replies, before and after a rule change.

The labelled replies (eval/compliance_replies.csv) are written to probe the rules; real agents'
replies in ../shared/bench/dialog (JDDC, Taobao ECD) are what the rules meet. A rule change
should not start blocking what agents really say, so its verdicts are saved before the change
and compared after it:

    .venv/bin/python scripts/real_reply_verdicts.py save /tmp/before.json   # on the old rules
    .venv/bin/python scripts/real_reply_verdicts.py diff /tmp/before.json   # on the new ones

`diff` lists every text × platform whose rules changed and exits 1 if any reply is newly
blocked or gets a rule it did not have. The benchmark is read in place, never copied.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import BENCH  # noqa: E402

from suggest.compliance import load_rules  # noqa: E402
from suggest.config import PLATFORMS  # noqa: E402

DIALOG = BENCH / "dialog"


def agent_texts() -> list[str]:
    """Every distinct reply text of the dialog sets: JDDC agents' turns and next replies, and the
    Taobao ECD turns and candidates (its words are space-separated: joined back)."""
    return sorted(set(_jddc_chat()) | set(_jddc_answers()) | set(_ecd()))


def _jddc_chat() -> Iterator[str]:
    for line in (DIALOG / "jddc2018_chat_sample.tsv").open(encoding="utf-8"):
        cells = line.rstrip("\n").split("\t")
        if len(cells) >= 7 and cells[2] == "1" and cells[6].strip():  # waiter_send 1: the agent
            yield cells[6].strip()


def _jddc_answers() -> Iterator[str]:
    for name in ("jddc2018_baseline_dev_answers.txt", "jddc2018_baseline_train_answers.txt"):
        for line in (DIALOG / name).open(encoding="utf-8"):
            if line.strip():
                yield line.strip()


def _ecd() -> Iterator[str]:
    for name in ("ecd_test.txt", "ecd_valid.txt"):
        for line in (DIALOG / name).open(encoding="utf-8"):
            for turn in line.rstrip("\n").split("\t")[1:]:
                if (text := turn.replace(" ", "")):
                    yield text


def verdicts(knowledge: Path | None) -> dict[str, list[str]]:
    """"platform\\ttext" → the rules it breaks, for every text that breaks one."""
    book = load_rules(knowledge)
    texts = agent_texts()
    return {f"{platform}\t{text}": list(rules) for platform in PLATFORMS for text in texts
            if (rules := book.check(text, platform).rules)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("save", "diff"))
    parser.add_argument("file", type=Path, help="the saved verdicts (JSON; keep it outside the repository)")
    parser.add_argument("--knowledge", type=Path, metavar="DIR", help="whose rules/ (default: the bundled rules)")
    args = parser.parse_args(argv)
    if not DIALOG.is_dir():
        print(f"real_reply_verdicts: {DIALOG} not found (../shared/bench beside the repository)", file=sys.stderr)
        return 2
    now = verdicts(args.knowledge)
    if args.mode == "save":
        args.file.write_text(json.dumps(now, ensure_ascii=False), encoding="utf-8")
        print(f"{len(now)} text × platform verdicts that break a rule, saved to {args.file}")
        return 0
    before = json.loads(args.file.read_text(encoding="utf-8"))
    stricter = looser = 0
    for key in sorted(set(before) | set(now)):
        old, new = set(before.get(key, ())), set(now.get(key, ()))
        if old == new:
            continue
        platform, text = key.split("\t", 1)
        added, removed = sorted(new - old), sorted(old - new)
        stricter += bool(added)
        looser += bool(removed) and not added
        print(f"{platform}  {text[:80]}  {'+' + ','.join(added) if added else ''} {'-' + ','.join(removed) if removed else ''}")
    print(f"{stricter} verdicts stricter (a rule added), {looser} looser (rules removed only)")
    return 1 if stricter else 0


if __name__ == "__main__":
    sys.exit(main())
