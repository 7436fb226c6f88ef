"""`suggest check`: does a reply break a platform rule?

    suggest check TEXT --platform P [--shop S] [--json] [--knowledge DIR]
    suggest check - --platform P --json      one reply per line on standard input

Exit status 0 when every text is ok, 1 when any is not or cannot be checked (empty, too long,
binary: refused as `suggest ask` refuses such a message, since nothing in it could break a rule
and "ok" would be a lie), 2 for usage errors (an unknown platform is one: it is what the user
typed, not what the text says).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from suggest.cli.common import add_platform_option, argv_text, echo, print_json, read_lines, require_knowledge_dir
from suggest.compliance import CheckResult, check_text, load_rules
from suggest.config import Settings
from suggest.errors import InputError, ScopeError
from suggest.knowledge import shop_ids


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check a reply against the platform's rules",
        description="Check a reply against the platform's compliance rules. Exit status 0 when ok, 1 when not.",
    )
    parser.add_argument(
        "text", metavar="TEXT", help="the reply to check, or - to read one reply per line from standard input"
    )
    add_platform_option(parser)
    parser.add_argument("--shop", metavar="S", help="shop id, for its rule overrides (knowledge rules/shops/S.yaml)")
    parser.add_argument(
        "--json", action="store_true", help='print {"ok": ..., "violations": [...]} (one object per line with -)'
    )
    parser.add_argument(
        "--knowledge", type=Path, metavar="DIR",
        help="knowledge directory whose rules/ apply (default: SUGGEST_KNOWLEDGE_DIR, else the bundled knowledge)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from suggest.cli import UsageError

    require_knowledge_dir(args)
    settings = Settings.load()
    # The rules and the shops of one directory: SUGGEST_KNOWLEDGE_DIR's shop checked against the
    # bundled rules passed what its own rules/ forbid.
    knowledge = args.knowledge or settings.knowledge_dir
    book = load_rules(knowledge)
    platform = (settings.default_platform if args.platform is None else args.platform).strip().lower()
    try:
        book.require_platform(platform)
    except ScopeError as exc:
        raise UsageError(str(exc)) from exc
    if args.shop is not None:
        # A mistyped shop would silently be checked without its own rules, and pass.
        known = {*shop_ids(knowledge), *book.sources.shops}
        if args.shop not in known:
            raise UsageError(f"unknown shop {args.shop!r}; known shops: {', '.join(sorted(known))}")
    args.text = argv_text(args.text)
    if args.text != "-":
        result = book.check(check_text(args.text), platform, args.shop)
        _print(result, args.text, args.json, None)
        return 0 if result.ok else 1
    all_ok = True
    for number, line in enumerate(read_lines(), start=1):
        try:
            result = book.check(check_text(line), platform, args.shop)
        except InputError as exc:
            # One bad line must not lose the rest of a batch, nor shift the answers to the lines
            # after it (one output per input line, as `suggest ask -`); it is not ok (exit 1).
            all_ok = False
            _print_refusal(exc, args.json, number)
            continue
        all_ok = all_ok and result.ok
        _print(result, line, args.json, number)
    return 0 if all_ok else 1


def _print_refusal(exc: InputError, as_json: bool, number: int) -> None:
    if as_json:
        print_json({"ok": False, "violations": [], "error": str(exc)})
    else:
        sys.stdout.write(f"{number}: error: {exc}\n")
        sys.stdout.flush()


def _print(result: CheckResult, text: str, as_json: bool, number: int | None) -> None:
    if as_json:
        print_json(result.to_dict())
        return
    prefix = f"{number}: " if number is not None else ""
    if result.ok:
        sys.stdout.write(f"{prefix}ok\n")
        return
    count = len(result.violations)
    sys.stdout.write(f"{prefix}not ok: {count} violation{'s' if count > 1 else ''}\n")
    for v in result.violations:
        quoted = echo(text[v.span[0] : v.span[1]])
        sys.stdout.write(f"  {v.rule} [{v.severity}, {v.action}] {v.span[0]}-{v.span[1]} 「{quoted}」 {v.message}\n")
    sys.stdout.flush()
