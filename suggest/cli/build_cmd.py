"""`suggest build`: (re)build the index from the knowledge."""

from __future__ import annotations

import argparse
import sys

from suggest.cli.common import add_knowledge_options, settings_from
from suggest.embedding import load_embedder
from suggest.index import build_index
from suggest.knowledge import load_knowledge


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("build", help="build the index from the knowledge directory")
    add_knowledge_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    kb = load_knowledge(settings.knowledge_dir)  # validated before anything is replaced
    from suggest.engine.suggester import default_filter

    # The rules must load, and the answers and the shops' off-hours notices pass them, before a build.
    default_filter(kb)
    embedder = load_embedder(settings.model, settings.cache_dir, threads=settings.model_threads)
    index = build_index(kb, embedder, settings.index_dir, progress=True)
    print(
        f"suggest: built {settings.index_dir} — {index.meta.entries} answers, {index.meta.views} texts, "
        f"model {index.meta.model}, knowledge {index.meta.knowledge_digest}",
        file=sys.stderr,
    )
    return 0
