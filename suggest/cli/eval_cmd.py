"""`suggest eval --faq F.csv --queries Q.csv`: how well does the engine find the right answer?"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from suggest.cli.common import echo, int_option, print_json, settings_from
from suggest.config import require_platform
from suggest.engine import Suggester
from suggest.errors import KnowledgeError, ScopeError
from suggest.evaluation import Query, evaluate_rankings, ranker, read_queries
from suggest.knowledge import load_knowledge

CATALOGUE = ("products", "shops", "rules")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("eval", help="measure top-1, top-3 and MRR@5 of labelled queries against a FAQ")
    parser.add_argument(
        "--faq", type=Path,
        help="FAQ spreadsheet (id,question,answer[,products][,platforms][,shops]); default: the knowledge directory",
    )
    parser.add_argument("--queries", type=Path, required=True, help="CSV with the header query,gold_id[,platform] (platform: where each message was asked; empty: --platform)")
    parser.add_argument(
        "--knowledge", type=Path, metavar="DIR",
        help="knowledge directory; with --faq, only its catalogue (products, shops, rules) is used beside the FAQ",
    )
    parser.add_argument("--model", metavar="NAME", help="embedding model")
    parser.add_argument("--platform", metavar="P", help="platform to rank for (default tmall)")
    parser.add_argument("--json", action="store_true", help="print the figures and misses as JSON")
    parser.add_argument("--misses", type=int_option(0), default=20, metavar="N", help="list at most N misses (default 20)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from suggest.cli import UsageError

    if args.knowledge is not None and not args.knowledge.is_dir():  # with --faq it is only the catalogue
        raise UsageError(f"--knowledge {args.knowledge}: no such directory")
    if args.platform is not None:  # before any index is built; "" is no platform, not the default
        args.platform = require_platform(args.platform.strip().lower())
    queries = read_queries(args.queries)
    for q in queries:  # before any index is built: an unknown one would silently scope nothing
        if q.platform:
            try:
                require_platform(q.platform)
            except ScopeError as exc:
                raise KnowledgeError(args.queries, q.line, str(exc)) from exc
    with tempfile.TemporaryDirectory(prefix="suggest-eval-") as tmp:
        knowledge = args.knowledge
        if args.faq is not None:
            if not args.faq.is_file():
                raise UsageError(f"--faq {args.faq}: no such file")
            knowledge = Path(tmp) / "knowledge"
            knowledge.mkdir()
            shutil.copy(args.faq, knowledge / "faq.csv")
            if args.knowledge is not None:
                # The FAQ's products column names the catalogue's products; its templates stay out.
                for part in CATALOGUE:
                    if (args.knowledge / part).is_dir():
                        shutil.copytree(args.knowledge / part, knowledge / part)
        catalogue, args.knowledge = args.knowledge, knowledge
        settings = settings_from(args).with_(index_dir=Path(tmp) / "index")
        try:
            # The knowledge read first, so a gold id it lacks is said before the (long) build.
            kb = load_knowledge(settings.knowledge_dir)
            _require_known_gold(queries, args.queries, {e.id for e in kb.entries})
            suggester = Suggester.open(settings, progress=True, knowledge=kb)
        except KnowledgeError as exc:
            if args.faq is None:
                raise
            raise _as_the_users(exc, knowledge, args.faq, catalogue) from exc
        rank = ranker(suggester, args.platform)
        # An empty gold_id says no answer is right: such a row is right when nothing is shown.
        answerable = [q for q in queries if q.gold]
        no_answer = [q for q in queries if not q.gold]
        metrics = evaluate_rankings(answerable, rank, threshold=suggester.threshold)
        # Each no-answer row ranked once; the wrong ones are those given a list.
        wrongly = [(q, r) for q in no_answer if (r := rank(q)).answered(suggester.threshold)]
    suggested = len(wrongly) / len(no_answer) if no_answer else 0.0
    if args.json:
        out = metrics.to_dict(with_misses=True)
        out["misses"] = out["misses"][: args.misses]  # type: ignore[index]
        if no_answer:
            out["no_answer"] = {"n": len(no_answer), "suggested": round(suggested, 4),
                                "misses": [{"query": q.text, "got": r.ids[:3]} for q, r in wrongly]}
        print_json(out)
        return 0
    if no_answer:
        print(f"no answer right   {len(no_answer)} queries; given a suggestion (wrong) {suggested:.3f}")
        for q, r in wrongly[: args.misses]:
            print(f"  {echo(q.text)}  →  want nothing, got {', '.join(r.ids[:3])}")
        if not answerable:
            return 0
        print()
    print(f"queries           {metrics.n}")
    print(f"top-1             {metrics.top1:.3f}")
    print(f"top-3             {metrics.top3:.3f}")
    print(f"MRR@5             {metrics.mrr5:.3f}")
    print(f"answered (≥{suggester.threshold:.2f})  {metrics.answered:.3f}   when answered: first line right {metrics.precision_answered:.3f}, right answer in the list {metrics.in_list_answered:.3f}")
    if metrics.misses:
        print(f"\nmisses ({len(metrics.misses)}; first {min(args.misses, len(metrics.misses))}):")
        for miss in metrics.misses[: args.misses]:
            print(f"  {echo(miss.query)}  →  want {miss.gold}, got {', '.join(miss.got) or 'nothing'}")
    return 0


def _require_known_gold(queries: list[Query], path: Path, ids: set[str]) -> None:
    """A gold id the knowledge lacks can only be a miss: a typo would quietly lower every figure."""
    unknown = [q for q in queries if q.gold and q.gold not in ids]
    if unknown:
        lines = ", ".join(str(q.line) for q in unknown[:10]) + (", …" if len(unknown) > 10 else "")
        names = ", ".join(sorted({q.gold for q in unknown})[:10])
        raise KnowledgeError(path, unknown[0].line,
                             f"gold_id {unknown[0].gold!r} is not an answer id of the knowledge evaluated "
                             f"({len(unknown)} such rows, lines {lines}: {names})")


def _as_the_users(exc: KnowledgeError, copy: Path, faq: Path, catalogue: Path | None) -> KnowledgeError:
    """The error with the file the user named, not the temporary copy it was read from."""
    path = Path(exc.path)
    if path == copy / "faq.csv":
        path = faq
    elif catalogue is not None and path.is_relative_to(copy):
        path = catalogue / path.relative_to(copy)
    return type(exc)(path, exc.line, exc.reason)
