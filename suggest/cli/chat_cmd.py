"""`suggest chat`: try messages one after another, interactively."""

from __future__ import annotations

import argparse
import re
import sys

from suggest.cli.ask_cmd import add_scope_options, ask, format_result, open_suggester
from suggest.engine import Suggester
from suggest.errors import InputError, ScopeError

HELP = ("Type a customer message and press Enter. Commands: :platform P, :product ID, :shop ID, "
        ":debug [on|off], :help, :quit (or Ctrl-D). Ctrl-C discards the line.")
# Only these start a command: a buyer's ":)在吗" is a message.
COMMAND = re.compile(r"^:(platform|product|shop|debug|help|q|quit|exit)(?:\s+(.*))?$")
SWITCH = {"on": True, "true": True, "1": True, "off": False, "false": False, "0": False}


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
            line = input("顾客> " if interactive else "").strip()
        except EOFError:
            return 0
        except KeyboardInterrupt:  # as in a shell: the line is dropped, the session goes on
            print()
            continue
        if not line:
            continue
        command = COMMAND.match(line)
        if command is None:
            _answer(suggester, args, line)
        elif command.group(1) in ("q", "quit", "exit"):
            return 0
        else:
            _command(suggester, args, command.group(1), (command.group(2) or "").strip() or None)


def _answer(suggester: Suggester, args: argparse.Namespace, line: str) -> None:
    try:
        print(format_result(ask(suggester, args, line), debug=args.debug))
    except (InputError, ScopeError) as exc:
        print(f"  ! {exc}")
    except KeyboardInterrupt:
        print("  (cancelled)")


def _command(suggester: Suggester, args: argparse.Namespace, name: str, value: str | None) -> None:
    """Scope changes are checked here, so a typo is said once, not at every later message."""
    try:
        if name == "platform":
            value = suggester.platform_of(value) if value else None
        elif name == "shop" and value is not None:
            suggester.shop_of(value, suggester.platform_of(args.platform))
        elif name == "product":
            suggester.require_product(value)
    except ScopeError as exc:
        print(f"  ! {exc}; {name} stays {getattr(args, name)}")
        return
    if name in ("platform", "product", "shop"):
        setattr(args, name, value)
        print(f"  {name} = {value}")
    elif name == "debug":
        if value is not None and value.lower() not in SWITCH:
            print("  ! :debug takes on or off")
            return
        args.debug = not args.debug if value is None else SWITCH[value.lower()]
        print(f"  debug = {'on' if args.debug else 'off'}")
    else:
        print(f"  {HELP}")
