"""`suggest ask MESSAGE` (or `-` for one message per line on stdin).

With `--auto --conversation ID [--at TIME]`: what the off-hours auto-reply would send alone,
the object of `POST /v1/auto-reply` (docs/autoreply.md), recorded in the same conversation state.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from suggest.cli.common import (
    ECHO_CHARS,
    HISTORY_TURNS,
    add_knowledge_options,
    add_platform_option,
    argv_text,
    echo,
    int_option,
    print_json,
    read_lines,
    settings_from,
)
from suggest.engine import Suggester, SuggestResult
from suggest.errors import InputError

if TYPE_CHECKING:
    from suggest.autoreply import AutoReplier, Decision
    from suggest.feedback import FeedbackStore


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("ask", help="suggest replies for a customer message")
    parser.add_argument("message", help="the customer's message, or - to read one message per line from stdin")
    add_scope_options(parser)
    parser.add_argument("--json", action="store_true", help="print JSON (one object per message)")
    parser.add_argument("--debug", action="store_true", help="also show candidates the rule filter dropped")
    auto = parser.add_argument_group("off-hours auto-reply (docs/autoreply.md)")
    auto.add_argument("--auto", action="store_true",
                      help="decide what to send without an agent ({send, text, reason}) instead of listing suggestions")
    auto.add_argument("--conversation", metavar="ID", help="conversation id (required with --auto)")
    auto.add_argument("--at", metavar="TIME",
                      help="the message's time, ISO 8601 (default: now); without an offset it is the shop's local time")
    auto.add_argument("--unanswered-since", metavar="TIME",
                      help="since when the customer has waited for an agent (default: --at), for the on-duty fallback")
    auto.add_argument("--db", type=Path, metavar="FILE",
                      help="conversation state and log (default: <data_dir>/feedback.sqlite3, as the service)")
    parser.set_defaults(run=run)


def add_scope_options(parser: argparse.ArgumentParser) -> None:
    add_platform_option(parser)
    parser.add_argument("--shop", metavar="ID", help="shop id (default: the first shop, by file name, that sells on the platform)")
    parser.add_argument("--product", metavar="ID", help="product being discussed")
    # 1-20, as the HTTP API accepts: 0 would have meant the default and -1 an empty list.
    parser.add_argument("--limit", type=int_option(1, 20), metavar="N", help="at most N suggestions, 1-20 (default 3)")
    add_knowledge_options(parser)


def open_suggester(args: argparse.Namespace) -> Suggester:
    return Suggester.open(settings_from(args), progress=True)


def run(args: argparse.Namespace) -> int:
    args.message = argv_text(args.message)
    if args.auto or _auto_options(args):
        return run_auto(args)
    suggester = open_suggester(args)
    if args.message != "-":
        result = ask(suggester, args, args.message)
        if args.json:
            print_json(result.to_dict(debug=args.debug))
        else:
            print(format_result(result, debug=args.debug))
        return 0
    status = 0
    for line in read_lines():
        try:
            result = ask(suggester, args, line)
        except InputError as exc:
            # One bad line must not lose the rest of a batch.
            status = 1
            print_json(error_line(suggester, args, line, exc)) if args.json else print(f"» {echo(line)}\n  ! {exc}")
            continue
        print_json(result.to_dict(debug=args.debug)) if args.json else print(format_result(result, args.debug))
    return status


def ask(suggester: Suggester, args: argparse.Namespace, message: str, history: Sequence[str] = ()) -> SuggestResult:
    return suggester.suggest(message, platform=args.platform, shop=args.shop, product=args.product, limit=args.limit,
                             history=history)


def error_line(suggester: Suggester, args: argparse.Namespace, message: str, exc: InputError) -> dict[str, object]:
    """The JSON line of a message that could not be answered: the keys of a result line, so a
    consumer reads every line alike, plus `error`. The scope is the one the other lines have (an
    InputError comes after it was settled); what depends on the message is unknown: null."""
    platform = suggester.platform_of(args.platform)
    out: dict[str, object] = {
        "message": message[:ECHO_CHARS],
        "suggestions": [],
        "platform": platform,
        "shop": suggester.shop_of(args.shop, platform),
        "product": args.product,
        "needs_human": None,
        "flags": [],
        "error": str(exc),
    }
    if args.debug:
        out["dropped"] = []
    return out


def format_result(result: SuggestResult, debug: bool = False) -> str:
    lines = [f"» {echo(result.message)}"]
    scope = f"{result.platform}" + (f" · {result.shop}" if result.shop else "") + (f" · {result.product}" if result.product else "")
    lines.append(f"  [{scope}]")
    if result.needs_human:
        lines.append(f"  ⚠ needs a human: {', '.join(result.flags)}")
    elif result.flags:  # e.g. message-names-product:<id>: worth a look, not a hand-over
        lines.append(f"  ⚠ {', '.join(result.flags)}")
    if not result.suggestions:
        lines.append("  (no suggestion is confident enough)")
    for n, s in enumerate(result.suggestions, 1):
        lines.append(f"  {n}. {_indented(s.text, '     ')}")
        lines.append(f"     {s.score:.2f} · {s.source.kind}:{s.source.id}")
    if debug:
        for d in result.dropped:
            lines.append(f"  ✗ dropped {d.source.kind}:{d.source.id} by {', '.join(d.rules)}: {d.text}")
    return "\n".join(lines)


def _indented(text: str, margin: str) -> str:
    """A reply's own line breaks under its first line, so that an answer's "1. …" / "2. …" do not
    read as suggestions 1 and 2 (helper-44)."""
    return text.replace("\n", "\n" + margin)


# ---------------------------------------------------------------------- --auto
def _auto_options(args: argparse.Namespace) -> list[str]:
    given = [("--conversation", args.conversation), ("--at", args.at),
             ("--unanswered-since", args.unanswered_since), ("--db", args.db)]
    return [name for name, value in given if value is not None]


def run_auto(args: argparse.Namespace) -> int:
    from suggest.autoreply import AutoReplier
    from suggest.cli import UsageError
    from suggest.feedback import FeedbackStore, default_path

    if not args.auto:
        given = _auto_options(args)
        raise UsageError(f"{', '.join(given)} only {'makes' if len(given) == 1 else 'make'} sense with --auto")
    if not args.conversation:
        raise UsageError("--auto needs --conversation ID: notices go once per conversation")
    if args.limit is not None or args.debug:
        raise UsageError("--limit and --debug list suggestions; --auto decides on the top one only")
    suggester = open_suggester(args)
    replier = AutoReplier(suggester)
    store = FeedbackStore(args.db or default_path(suggester.settings))
    try:
        messages = [args.message] if args.message != "-" else read_lines()
        status = 0
        earlier: list[str] = []  # the batch is one conversation: its earlier lines are the history
        for message in messages:
            try:
                decision = ask_auto(replier, store, args, message, earlier[-HISTORY_TURNS:])
            except InputError as exc:
                if args.message != "-":
                    raise
                status = 1  # one bad line must not lose the rest of a batch
                if args.json:  # the keys of a decision line, so every line reads alike
                    print_json({"send": False, "text": None, "reason": None, "message": message[:ECHO_CHARS],
                                "error": str(exc)})
                else:
                    print(f"» {echo(message)}\n  ! {exc}")
                continue
            earlier.append(message)
            print_json(decision.to_dict()) if args.json else print(format_decision(message, decision))
        return status
    finally:
        store.close()


def ask_auto(replier: AutoReplier, store: FeedbackStore, args: argparse.Namespace, message: str,
             history: list[str]) -> Decision:
    return replier.reply(store, message, args.platform, args.shop, args.conversation, at=args.at,
                         unanswered_since=args.unanswered_since, product=args.product, history=history)


def format_decision(message: str, decision: Decision) -> str:
    from suggest.autoreply import REASONS

    lines = [f"» {echo(message)}"]
    if decision.send:
        lines.append(f"  → send ({decision.reason}): {_indented(decision.text, '    ')}")
    else:
        lines.append(f"  · nothing sent ({decision.reason}): {REASONS[decision.reason]}")
    return "\n".join(lines)
