"""`suggest report`: acceptance per template and the gaps in the knowledge, from agents' feedback,
and the replies the off-hours auto-reply sent without an agent."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from suggest.cli.common import echo, int_option, print_json
from suggest.config import Settings
from suggest.errors import SuggestError

if TYPE_CHECKING:
    from suggest.compliance import RuleBook
    from suggest.feedback.report import Report


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "report",
        help="acceptance rate per template, messages with no usable suggestion, and replies sent without an agent",
    )
    parser.add_argument("--db", type=Path, metavar="FILE",
                        help="feedback database, only read (default: <data_dir>/feedback.sqlite3, data_dir from "
                             "SUGGEST_DATA_DIR)")
    parser.add_argument("--knowledge", type=Path, metavar="DIR",
                        help="knowledge whose platform rules agents' own replies are checked against "
                             "(default: SUGGEST_KNOWLEDGE_DIR, else the bundled knowledge/)")
    parser.add_argument("--gaps", type=int_option(0), default=20, metavar="N", help="show the N most frequent gaps (default 20)")
    parser.add_argument("--auto-replies", type=int_option(0), default=10, metavar="N",
                        help="show the N latest replies sent without an agent (default 10)")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from suggest.feedback import FeedbackStore, build_report, default_path, format_report

    settings = Settings.load(knowledge_dir=args.knowledge)
    path = args.db or default_path(settings)
    # Read only: opening it to write would turn a mistyped path or an empty file into an empty
    # database that reports "no feedback" (NoFeedbackDatabase: one line, exit 1).
    store = FeedbackStore.open_readonly(path)
    try:
        rules, problem = rule_book(settings.knowledge_dir, required=args.knowledge is not None)
        report = build_report(store, max_gaps=args.gaps, max_auto_replies=args.auto_replies, rules=rules,
                              rules_problem=problem)
    finally:
        store.close()
    if args.json:
        print_json(report.to_dict())
    else:
        print(format_report(shortened(report)))
    return 0


def rule_book(knowledge_dir: Path, required: bool) -> tuple[RuleBook | None, str | None]:
    """The rules agents' replies are checked against, or None and why. A --knowledge named on
    the command line must load; the default one may be missing (a report read on another
    machine) and the report then says the replies were not checked."""
    from suggest.compliance import load_rules

    try:
        return load_rules(knowledge_dir), None
    except (SuggestError, OSError) as exc:
        if required:
            raise
        return None, f"cannot load the rules of {knowledge_dir}: {exc}"


def shortened(report: Report) -> Report:
    """The report as a terminal shows it: a 3,000-character message or reply pasted into a chat is
    cut, as `ask` echoes one, so the list stays readable (--json keeps every text whole)."""
    gaps = [replace(g, message=echo(g.message), agent_reply=g.agent_reply and echo(g.agent_reply))
            for g in report.gaps]
    latest = [replace(r, message=echo(r.message), text=echo(r.text)) for r in report.auto_replies.latest]
    return replace(report, gaps=gaps, auto_replies=replace(report.auto_replies, latest=latest))
