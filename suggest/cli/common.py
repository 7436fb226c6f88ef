"""Options and helpers shared by several sub-commands."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from suggest.config import DEFAULT_MODEL, PLATFORMS, Settings
from suggest.text.display import printable


def add_knowledge_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--knowledge", type=Path, metavar="DIR", help="knowledge directory (default: the bundled demo shop)")
    parser.add_argument("--index", type=Path, metavar="DIR",
                        help="index directory (default: index/ of the repository for the bundled knowledge, "
                             "a folder of its own under index/knowledge/ for any other --knowledge)")
    parser.add_argument("--model", metavar="NAME",
                        help=f"sentence-transformers model name or path (default: {DEFAULT_MODEL}, the bundled e5-small)")


def add_platform_option(parser: argparse.ArgumentParser, required: bool = False) -> None:
    parser.add_argument(
        "--platform",
        required=required,
        metavar="P",
        help=f"one of {', '.join(PLATFORMS)}",
    )


def require_knowledge_dir(args: argparse.Namespace) -> None:
    """A --knowledge that is no directory is a usage error (exit 2) for every command: it is what
    was typed, not what a knowledge file says."""
    from suggest.cli import UsageError

    knowledge = getattr(args, "knowledge", None)
    if knowledge is not None and not Path(knowledge).is_dir():
        raise UsageError(f"--knowledge {knowledge}: no such directory")


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings with the command's options (require_knowledge_dir first)."""
    require_knowledge_dir(args)
    return Settings.load(
        knowledge_dir=getattr(args, "knowledge", None),
        index_dir=getattr(args, "index", None),
        model=getattr(args, "model", None),
    )


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def read_lines(stream: Any = None) -> Any:
    """Lines of standard input, decoded leniently: garbage bytes must not crash a batch. A file
    saved by Windows tools starts with a byte-order mark, which is not part of the first message."""
    stream = stream or sys.stdin.buffer
    for number, raw in enumerate(stream):
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        yield line.removeprefix("\ufeff") if number == 0 else line


ECHO_CHARS = 200
# Earlier messages of a conversation (`chat`, `ask - --auto`) kept: the product is looked for in these.
HISTORY_TURNS = 20


def echo(message: str, limit: int = ECHO_CHARS) -> str:
    """A buyer's message as the CLI repeats it (see suggest.text.display.printable)."""
    return printable(message, limit)


def argv_text(value: str) -> str:
    """A message given on the command line as text: bytes that are not UTF-8 reach Python as lone
    surrogates (which no encoder writes back out), so they become U+FFFD, as on standard input."""
    return os.fsencode(value).decode("utf-8", errors="replace")


def int_option(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (no upper bound when None)."""

    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
        if n < low or (high is not None and n > high):
            bound = f"between {low} and {high}" if high is not None else f"{low} or more"
            raise argparse.ArgumentTypeError(f"must be {bound}, not {n}")
        return n

    return parse
