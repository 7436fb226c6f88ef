"""The `suggest` command line: a thin layer over the core.

Each sub-command lives in its own module with `register(subparsers)` and `run(args) -> int`.
Expected errors (`SuggestError`) are turned into one clean line on stderr here, once.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Sequence

from suggest.errors import ConfigError, SuggestError

# Sub-command modules, in the order `suggest --help` lists them.
COMMANDS = ("build", "ask", "chat", "eval", "check", "serve", "report")


class UsageError(SuggestError):
    """Bad command-line usage: exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="suggest",
        description="Reply suggestions for online-shop customer service (Tmall, Taobao, Pinduoduo, Douyin, JD).",
    )
    from suggest import __version__

    parser.add_argument("--version", action="version", version=f"suggest {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"suggest.cli.{name}_cmd")
        except ModuleNotFoundError as exc:
            if exc.name != f"suggest.cli.{name}_cmd":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _lenient_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except UsageError as exc:
        print(f"suggest: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"suggest: configuration: {exc}", file=sys.stderr)
        return 2
    except SuggestError as exc:
        print(f"suggest: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _lenient_streams() -> None:
    """A buyer's message may hold bytes that are not text in the terminal's encoding (pasted from
    anywhere, or a mangled emoji): read them as U+FFFD and write what cannot be encoded escaped,
    rather than stopping the command with a UnicodeError traceback."""
    for stream, errors in ((sys.stdin, "replace"), (sys.stdout, "backslashreplace"), (sys.stderr, "backslashreplace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a stream in use in another mode stays
                reconfigure(errors=errors)


def entry() -> None:
    sys.exit(main())
