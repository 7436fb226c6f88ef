"""`suggest eval --faq F.csv --queries Q.csv`: how well does the engine find the right answer?

Three kinds of labelled rows are reported apart: those with a gold answer (the figures and the
misses), those with an empty gold_id (no answer is right: right when nothing is shown), and
those whose gold answer is limited to other platforms than the one the row is ranked on, to
other shops, or to other products than the row's (no ranking can find it there: a label or a
scope to fix, left out of the figures).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from suggest.cli.common import echo, int_option, print_json, require_knowledge_dir, settings_from
from suggest.config import PLATFORMS, require_platform
from suggest.engine import Suggester
from suggest.errors import KnowledgeError, ScopeError
from suggest.evaluation import (
    Metrics,
    OutOfScope,
    Query,
    Ranking,
    evaluate_rankings,
    ranker,
    read_queries,
    split_out_of_scope,
)
from suggest.knowledge import KnowledgeBase, load_knowledge

CATALOGUE = ("products", "shops", "rules")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("eval", help="measure top-1, top-3 and MRR@5 of labelled queries against a FAQ")
    parser.add_argument(
        "--faq", type=Path,
        help="FAQ spreadsheet (id,question,answer[,products][,platforms][,shops]); default: the knowledge directory",
    )
    parser.add_argument("--queries", type=Path, required=True, help="CSV with the header query,gold_id[,platform][,product] (platform: where each message was asked, "
                             "empty: --platform; product: the product the buyer is looking at, empty: the one the message names)")
    parser.add_argument(
        "--knowledge", type=Path, metavar="DIR",
        help="knowledge directory; with --faq, only its catalogue (products, shops, rules) is used beside the FAQ",
    )
    parser.add_argument("--model", metavar="NAME", help="embedding model")
    parser.add_argument("--platform", metavar="P", help="platform to rank for (default tmall)")
    parser.add_argument(
        "--shop", metavar="ID",
        help="rank as for this shop's buyers (its own answers in, other shops' answers and products out); "
             "default: no shop, answers limited to some shops are reported out of scope",
    )
    parser.add_argument("--json", action="store_true", help="print the figures and misses as JSON")
    parser.add_argument("--misses", type=int_option(0), default=20, metavar="N", help="list at most N misses, and N rows of each other list (default 20)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from suggest.cli import UsageError

    require_knowledge_dir(args)  # with --faq it is only the catalogue, checked all the same
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
        # Where a row without a platform of its own is ranked (Suggester.platform_of).
        platform = require_platform(args.platform or settings.default_platform.strip().lower())
        try:
            # The knowledge read first, so a gold id it lacks is said before the (long) build.
            kb = load_knowledge(settings.knowledge_dir)
            _require_sold_on(kb, queries, args.queries, platform, given=args.platform is not None)
            _require_shop(kb, queries, args.queries, args.shop, platform)
            _require_products(kb, queries, args.queries, args.shop)
            _require_known_gold(queries, args.queries, {e.id for e in kb.entries})
            suggester = Suggester.open(settings, progress=True, knowledge=kb)
        except KnowledgeError as exc:
            if args.faq is None:
                raise
            raise _as_the_users(exc, knowledge, args.faq, catalogue) from exc
        # An empty gold_id says no answer is right: such a row is right when nothing is shown.
        answerable, out_of_scope = split_out_of_scope([q for q in queries if q.gold], kb, platform, args.shop)
        no_answer = [q for q in queries if not q.gold]
        with _counting(ranker(suggester, args.platform, args.shop), len(answerable) + len(no_answer)) as rank:
            metrics = evaluate_rankings(answerable, rank, threshold=suggester.threshold)
            # Each no-answer row ranked once; the wrong ones are those given a list.
            wrongly = [(q, r) for q in no_answer if (r := rank(q)).answered(suggester.threshold)]
    if args.json:
        print_json(_as_json(metrics, no_answer, wrongly, out_of_scope, args.misses))
        return 0
    blocks = []
    if no_answer:
        blocks.append(_no_answer_text(no_answer, wrongly, args.misses))
    if answerable:
        blocks.append(_figures_text(metrics, suggester.threshold, args.misses))
    if out_of_scope:
        blocks.append(_out_of_scope_text(out_of_scope, args.misses))
    print("\n\n".join(blocks))
    return 0


@contextlib.contextmanager
def _counting(rank: Callable[[Query], Ranking], total: int) -> Iterator[Callable[[Query], Ranking]]:
    """`rank`, counted on a progress bar on stderr like the index build's. Shown on a terminal
    only: in a log or a CI capture every redraw would be a line of noise. stdout (the figures)
    is not touched."""
    from tqdm import tqdm

    with tqdm(total=total, desc="ranking", unit="query", disable=None) as bar:

        def counted(query: Query) -> Ranking:
            ranking = rank(query)
            bar.update()
            return ranking

        yield counted


def _as_json(metrics: Metrics, no_answer: list[Query], wrongly: list[tuple[Query, Ranking]],
             out_of_scope: list[OutOfScope], limit: int) -> dict[str, object]:
    out = metrics.to_dict(with_misses=True)
    out["misses"] = out["misses"][:limit]  # type: ignore[index]
    if no_answer:
        suggested = len(wrongly) / len(no_answer)
        out["no_answer"] = {"n": len(no_answer), "suggested": round(suggested, 4),
                            "misses": [{"query": q.text, "got": r.ids[:3]} for q, r in wrongly[:limit]]}
    if out_of_scope:  # not in n nor in any figure
        out["out_of_scope"] = {"n": len(out_of_scope), "queries": [o.to_dict() for o in out_of_scope[:limit]]}
    return out


def _no_answer_text(no_answer: list[Query], wrongly: list[tuple[Query, Ranking]], limit: int) -> str:
    lines = [f"no answer right   {len(no_answer)} queries; given a suggestion (wrong) {len(wrongly) / len(no_answer):.3f}"]
    lines += [f"  {echo(q.text)}  →  want nothing, got {', '.join(r.ids[:3])}" for q, r in wrongly[:limit]]
    return "\n".join(lines)


def _figures_text(metrics: Metrics, threshold: float, limit: int) -> str:
    lines = [
        f"queries           {metrics.n}",
        f"top-1             {metrics.top1:.3f}",
        f"top-3             {metrics.top3:.3f}",
        f"MRR@5             {metrics.mrr5:.3f}",
        f"answered (≥{threshold:.2f})  {metrics.answered:.3f}   when answered: first line right "
        f"{metrics.precision_answered:.3f}, right answer in the list {metrics.in_list_answered:.3f}",
    ]
    if metrics.misses:
        lines.append(f"\nmisses ({len(metrics.misses)}; first {min(limit, len(metrics.misses))}):")
        lines += [f"  {echo(m.query)}  →  want {m.gold}, got {', '.join(m.got) or 'nothing'}" for m in metrics.misses[:limit]]
    return "\n".join(lines)


def _out_of_scope_text(out_of_scope: list[OutOfScope], limit: int) -> str:
    """Per platform ranked on: the rows whose gold answer only other platforms have; then those
    whose gold answer only other shops have."""
    blocks = []
    for platform in PLATFORMS:
        rows = [o for o in out_of_scope if o.platform == platform and not o.gold_shops and not o.gold_products]
        if rows:
            lines = [f"gold out of scope for {platform}   {len(rows)} queries, not in the figures: "
                     "their gold answer is limited to other platforms"]
            lines += [f"  {echo(o.query.text)}  →  want {o.query.gold} ({', '.join(o.gold_platforms)} only)"
                      for o in rows[:limit]]
            blocks.append("\n".join(lines))
    rows = [o for o in out_of_scope if o.gold_products]
    if rows:
        lines = [f"gold out of scope for the row's product   {len(rows)} queries, not in the figures: "
                 "their gold answer is limited to other products"]
        lines += [f"  {echo(o.query.text)}  →  want {o.query.gold} ({', '.join(o.gold_products)} only, "
                  f"row's product {o.product})" for o in rows[:limit]]
        blocks.append("\n".join(lines))
    rows = [o for o in out_of_scope if o.gold_shops]
    if rows:
        whose = f"shop {rows[0].shop}" if rows[0].shop else "no shop (give --shop)"
        lines = [f"gold out of scope for {whose}   {len(rows)} queries, not in the figures: "
                 "their gold answer is limited to other shops"]
        lines += [f"  {echo(o.query.text)}  →  want {o.query.gold} (shop {', '.join(o.gold_shops)} only)"
                  for o in rows[:limit]]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _require_shop(kb: KnowledgeBase, queries: Sequence[Query], path: Path, shop: str | None, platform: str) -> None:
    """--shop must be a shop of the knowledge that sells on every platform the rows are ranked on."""
    if shop is None:
        return
    if shop not in kb.shops:
        raise ScopeError(f"unknown shop {shop!r}; known shops: {', '.join(kb.shops)}")
    sells = kb.shops[shop].platforms
    for q in queries:
        ranked_on = q.platform or platform
        if ranked_on not in sells:
            raise KnowledgeError(path, q.line, f"shop {shop!r} does not sell on {ranked_on} (it sells on {', '.join(sells)})")


def _require_products(kb: KnowledgeBase, queries: Sequence[Query], path: Path, shop: str | None) -> None:
    """A row's product must be one of the knowledge's (sold by --shop when given): an unknown
    one would scope the row to nothing a buyer could be looking at."""
    for q in queries:
        if not q.product:
            continue
        if q.product not in kb.products:
            close = difflib.get_close_matches(q.product, sorted(kb.products), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(kb.products) or "none: give --knowledge with a products/ folder"
            raise KnowledgeError(path, q.line, f"unknown product {q.product!r}{hint}; known products: {known}")
        if not kb.products[q.product].sold_by(shop):
            raise KnowledgeError(path, q.line, f"product {q.product!r} is not sold by shop {shop!r} "
                                               f"(it is sold by {', '.join(sorted(kb.products[q.product].shops))})")


def _require_sold_on(kb: KnowledgeBase, queries: Sequence[Query], path: Path, platform: str, given: bool) -> None:
    """As `suggest ask` refuses a platform no shop sells on: its templates were checked against
    the rules of their shops' platforms only, so the figures would measure replies nobody sends."""
    sold = [p for p in PLATFORMS if any(p in shop.platforms for shop in kb.shops.values())]

    def unsold(name: str) -> str:
        return f"no shop of the knowledge evaluated sells on {name} (its shops sell on {', '.join(sold)})"

    if given and platform not in sold:
        raise ScopeError(unsold(platform))
    for q in queries:
        if q.platform and q.platform not in sold:
            raise KnowledgeError(path, q.line, unsold(q.platform))
    if platform not in sold and any(not q.platform for q in queries):
        raise ScopeError(f"{unsold(platform)}; {platform} is the default platform: give --platform or a platform column")


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
    first = type(exc)(path, exc.line, exc.reason)
    return first.with_others([_as_the_users(e, copy, faq, catalogue) for e in exc.others])
