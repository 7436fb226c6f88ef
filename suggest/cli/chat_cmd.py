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
from suggest.cli.common import HISTORY_TURNS
from suggest.engine import Suggester
from suggest.errors import InputError, ScopeError

HELP = ("Type a customer message and press Enter; the messages since :new are one conversation. "
        "Commands: :new, :platform [P], :product [ID|none], :shop [ID], :debug [on|off], :help, :quit (or Ctrl-D); "
        ":platform, :product or :shop alone shows the current value, :debug alone switches it. Ctrl-C discards the line.")
COMMANDS = ("new", "platform", "product", "shop", "debug", "help", "quit")
QUIT = ("q", "quit", "exit")
# A command is ':' and a word of ASCII letters: a buyer's ":)在吗", ":D" or ":在吗" is a message.
# One letter is a command only when known (:q), so the smileys :D and :P stay messages.
COMMAND = re.compile(r"^:([A-Za-z][A-Za-z_-]+|[qQ])(?:\s+(.*))?$")
SWITCH = {"on": True, "true": True, "1": True, "off": False, "false": False, "0": False}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("chat", help="interactive mode: try messages one after another")
    add_scope_options(parser)
    parser.add_argument("--debug", action="store_true", help="show candidates the rule filter dropped")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    suggester = open_suggester(args)
    _check_scope(suggester, args)
    interactive = sys.stdin.isatty()
    if interactive:
        _line_editing()
        print(HELP)
    history: list[str] = []
    while True:
        try:
            # A script saved by Windows Notepad starts with a byte-order mark: not part of a command.
            line = input("顾客> " if interactive else "").lstrip("\ufeff").strip()
        except EOFError:
            return 0
        except KeyboardInterrupt:  # as in a shell: the line is dropped, the session goes on
            print()
            continue
        if not line:
            continue
        if line == ":":  # the commands' prefix alone: a command left unfinished, not what the buyer wrote
            _command(suggester, args, "", None, history)
            continue
        command = COMMAND.match(line)
        if command is None:
            if _answer(suggester, args, line, history):  # a refused line is not part of the conversation
                history[:] = [*history, line][-HISTORY_TURNS:]
            continue
        if not _command(suggester, args, command.group(1).lower(), (command.group(2) or "").strip() or None, history):
            return 0


def _command(suggester: Suggester, args: argparse.Namespace, name: str, value: str | None, history: list[str]) -> bool:
    """One `:name value` line; False when it ends the session."""
    if name in QUIT:
        return False
    if name == "new":
        history.clear()
        print("  (new conversation)")
    elif name in ("platform", "product", "shop"):
        _setting(suggester, args, name, value)
    elif name == "debug":
        _debug(args, value)
    elif name == "help":
        print(f"  {HELP}")
    else:  # a typo must not reach the engine as what the buyer wrote
        what = f"unknown command :{name}" if name else "incomplete command ':'"
        print(f"  ! {what}; commands: {', '.join(':' + c for c in COMMANDS)}")
    return True


def _check_scope(suggester: Suggester, args: argparse.Namespace) -> None:
    """The options' scope, checked once: a shop that does not sell on --platform would otherwise
    fail every message of the session."""
    suggester.require_product(args.product, suggester.shop_of(args.shop, suggester.platform_of(args.platform)))


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


def _setting(suggester: Suggester, args: argparse.Namespace, name: str, value: str | None) -> None:
    """Shown without a value; changed only to a scope the engine takes with the others, so a typo
    is said once, not at every later message."""
    if value is None:
        print(f"  {name}: {_current(suggester, args, name)}")
        return
    if name == "product" and value.lower() == "none" and value not in suggester.kb.products:
        value = None  # back to no product: the message or the conversation may name one
    changed = argparse.Namespace(**{**vars(args), name: value})
    try:
        if name == "platform":
            changed.platform = suggester.platform_of(value)
        _check_scope(suggester, changed)
    except ScopeError as exc:
        print(f"  ! {exc}; {name} stays {_current(suggester, args, name)}")
        return
    setattr(args, name, getattr(changed, name))
    print(f"  {name} = {_current(suggester, args, name)}")


def _current(suggester: Suggester, args: argparse.Namespace, name: str) -> str:
    """A setting as the next message will use it: a default is named, not shown as None."""
    value = getattr(args, name)
    if value is not None:
        return str(value)
    if name == "platform":
        return f"{suggester.platform_of(None)} (default)"
    if name == "shop":  # the default shop may depend on the platform
        return f"{suggester.shop_of(None, suggester.platform_of(args.platform))} (default)"
    return "none"


def _debug(args: argparse.Namespace, value: str | None) -> None:
    if value is not None and value.lower() not in SWITCH:
        print("  ! :debug takes on or off")
        return
    args.debug = not args.debug if value is None else SWITCH[value.lower()]
    print(f"  debug = {'on' if args.debug else 'off'}")
