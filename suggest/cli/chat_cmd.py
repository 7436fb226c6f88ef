"""`suggest chat`: try messages one after another, interactively.

The messages typed since the last `:new` are one conversation: a product named earlier stays the
product being discussed ("羽绒服有黑色吗", then "什么时候发"), as over HTTP with `history`.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys

from suggest.cli.ask_cmd import add_scope_options, ask, format_result, open_suggester
from suggest.engine import Suggester
from suggest.errors import InputError, ScopeError

HELP = ("Type a customer message and press Enter; the messages since :new are one conversation. "
        "Commands: :new, :platform P, :product ID, :shop ID, :debug [on|off], :help, :quit (or Ctrl-D). "
        "Ctrl-C discards the line.")
# Only these start a command: a buyer's ":)在吗" is a message.
COMMAND = re.compile(r"^:(new|platform|product|shop|debug|help|q|quit|exit)(?:\s+(.*))?$")
# Earlier messages kept as the conversation: the product is looked for in these.
HISTORY = 20
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
        _line_editing()
        print(HELP)
    history: list[str] = []
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
            if _answer(suggester, args, line, history):  # a refused line is not part of the conversation
                history[:] = [*history, line][-HISTORY:]
        elif command.group(1) in ("q", "quit", "exit"):
            return 0
        elif command.group(1) == "new":
            history.clear()
            print("  (new conversation)")
        else:
            _command(suggester, args, command.group(1), (command.group(2) or "").strip() or None)


def _line_editing() -> None:
    """Arrow keys, history (↑) and editing at the prompt, where the platform has readline."""
    with contextlib.suppress(ImportError):  # without it (Windows) plain input() still works
        import readline  # noqa: F401  (importing it is what makes input() use it)


def _answer(suggester: Suggester, args: argparse.Namespace, line: str, history: list[str]) -> bool:
    try:
        print(format_result(ask(suggester, args, line, history), debug=args.debug))
    except (InputError, ScopeError) as exc:
        print(f"  ! {exc}")
    except KeyboardInterrupt:
        print("  (cancelled)")
    else:
        return True
    return False


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
