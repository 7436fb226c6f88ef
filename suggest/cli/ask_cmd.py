"""`suggest ask MESSAGE` (or `-` for one message per line on stdin)."""

from __future__ import annotations

import argparse

from suggest.cli.common import add_knowledge_options, add_platform_option, print_json, read_lines, settings_from
from suggest.engine import Suggester, SuggestResult
from suggest.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("ask", help="suggest replies for a customer message")
    parser.add_argument("message", help="the customer's message, or - to read one message per line from stdin")
    add_scope_options(parser)
    parser.add_argument("--json", action="store_true", help="print JSON (one object per message)")
    parser.add_argument("--debug", action="store_true", help="also show candidates the rule filter dropped")
    parser.set_defaults(run=run)


def add_scope_options(parser: argparse.ArgumentParser) -> None:
    add_platform_option(parser)
    parser.add_argument("--shop", metavar="ID", help="shop id (default: the first shop of the knowledge)")
    parser.add_argument("--product", metavar="ID", help="product being discussed")
    parser.add_argument("--limit", type=int, metavar="N", help="at most N suggestions (default 3)")
    add_knowledge_options(parser)


def open_suggester(args: argparse.Namespace) -> Suggester:
    return Suggester.open(settings_from(args), progress=True)


def run(args: argparse.Namespace) -> int:
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
            out = {"message": line, "error": str(exc), "suggestions": []}
            print_json(out) if args.json else print(f"{line}\n  ! {exc}")
            continue
        print_json(result.to_dict(debug=args.debug)) if args.json else print(format_result(result, args.debug))
    return status


def ask(suggester: Suggester, args: argparse.Namespace, message: str) -> SuggestResult:
    return suggester.suggest(message, platform=args.platform, shop=args.shop, product=args.product, limit=args.limit)


def format_result(result: SuggestResult, debug: bool = False) -> str:
    lines = [f"» {result.message}"]
    scope = f"{result.platform}" + (f" · {result.shop}" if result.shop else "") + (f" · {result.product}" if result.product else "")
    lines.append(f"  [{scope}]")
    if result.needs_human:
        lines.append(f"  ⚠ needs a human: {', '.join(result.flags)}")
    if not result.suggestions:
        lines.append("  (no suggestion is confident enough)")
    for n, s in enumerate(result.suggestions, 1):
        lines.append(f"  {n}. {s.text}")
        lines.append(f"     {s.score:.2f} · {s.source.kind}:{s.source.id}")
    if debug:
        for d in result.dropped:
            lines.append(f"  ✗ dropped {d.source.kind}:{d.source.id} by {', '.join(d.rules)}: {d.text}")
    return "\n".join(lines)
