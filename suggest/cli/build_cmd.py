"""`suggest build`: (re)build the index from the knowledge."""

from __future__ import annotations

import argparse
import sys

from suggest.cli.common import add_knowledge_options, settings_from
from suggest.embedding import load_embedder
from suggest.index import build_index
from suggest.knowledge import load_knowledge
from suggest.knowledge.gaps import fact_gaps, unanswered_topics
from suggest.knowledge.names import named_product_scopes, shared_names, shared_questions, unread_column_notes

SHOWN_WARNINGS = 10


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("build", help="build the index from the knowledge directory")
    parser.add_argument("--all-warnings", action="store_true",
                        help=f"list every FAQ row a rule refuses or marks (without it: the first {SHOWN_WARNINGS})")
    add_knowledge_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    kb = load_knowledge(settings.knowledge_dir)  # validated before anything is replaced
    from suggest.engine.filters import faq_warnings, knowledge_rulebook

    # The rules must load, and the templates and the shops' off-hours notices pass them, before a build.
    book = knowledge_rulebook(kb)
    warnings = faq_warnings(kb, book)
    shown = len(warnings) if args.all_warnings else SHOWN_WARNINGS
    for warning in warnings[:shown]:
        print(f"suggest: warning: {warning}", file=sys.stderr)
    if len(warnings) > shown:
        print(f"suggest: warning: … and {len(warnings) - shown} more FAQ rows like these"
              " (suggest build --all-warnings lists them all)", file=sys.stderr)
    for warning in (*fact_gaps(kb), *unanswered_topics(kb), *shared_names(kb), *named_product_scopes(kb),
                    *unread_column_notes(kb), *shared_questions(kb)):
        print(f"suggest: warning: {warning}", file=sys.stderr)
    embedder = load_embedder(settings.model, settings.cache_dir, threads=settings.model_threads)
    index = build_index(kb, embedder, settings.index_dir, progress=True)
    print(
        f"suggest: built {settings.index_dir} — {index.meta.entries} answers, {index.meta.views} texts, "
        f"model {index.meta.model}, knowledge {index.meta.knowledge_digest}",
    )  # the result, on stdout as every command's (cli.md); warnings and the progress went to stderr
    return 0
