"""`suggest chat`: try messages one after another, interactively."""

from __future__ import annotations

import argparse
import sys

from suggest.cli.ask_cmd import add_scope_options, ask, format_result, open_suggester
from suggest.errors import InputError, ScopeError

HELP = "Type a customer message and press Enter. Commands: :platform P, :product ID, :shop ID, :debug, :quit"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("chat", help="interactive mode: try messages one after another")
    add_scope_options(parser)
    parser.add_argument("--debug", action="store_true", help="show candidates the rule filter dropped")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    suggester = open_suggester(args)
    interactive = sys.stdin.isatty()
    if interactive:
        print(HELP)
    while True:
        try:
            line = input("顾客> " if interactive else "")
        except EOFError:
            return 0
        line = line.strip()
        if not line:
            continue
        if line in (":q", ":quit", ":exit"):
            return 0
        if line.startswith(":"):
            _command(args, line)
            continue
        try:
            print(format_result(ask(suggester, args, line), debug=args.debug))
        except (InputError, ScopeError) as exc:
            print(f"  ! {exc}")


def _command(args: argparse.Namespace, line: str) -> None:
    name, _, value = line[1:].partition(" ")
    value = value.strip() or None
    if name in ("platform", "product", "shop"):
        setattr(args, name, value)
        print(f"  {name} = {value}")
    elif name == "debug":
        args.debug = not args.debug
        print(f"  debug = {args.debug}")
    else:
        print(f"  {HELP}")
