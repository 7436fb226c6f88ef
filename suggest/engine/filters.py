"""The contract between the engine and the compliance filter.

Every candidate reply goes through `ReplyFilter.apply` before it is suggested or sent, and the
customer's own message through `analyze_inbound`. The real filter is
`suggest.compliance.RuleBook`; `PassThrough` serves ranking-only uses such as evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from suggest.compliance import FilterOutcome, Inbound, RuleBook, Violation, load_rules
from suggest.errors import ComplianceError, KnowledgeError
from suggest.knowledge import Entry, KnowledgeBase, Product, Shop, fill
from suggest.knowledge.problems import Problems


class ReplyFilter(Protocol):
    def apply(self, text: str, platform: str, shop: str | None = None) -> FilterOutcome: ...

    def analyze_inbound(self, message: str, platform: str, shop: str | None = None) -> Inbound: ...

    def without_own_links(self, message: str, platform: str) -> str: ...


class PassThrough:
    def apply(self, text: str, platform: str, shop: str | None = None) -> FilterOutcome:
        return FilterOutcome(text=text, needs_human=False)

    def analyze_inbound(self, message: str, platform: str, shop: str | None = None) -> Inbound:
        return Inbound(needs_human=False)

    def without_own_links(self, message: str, platform: str) -> str:
        return message


# Checked rule books by knowledge digest. The digest covers the content of every knowledge and
# rule file, so an unchanged knowledge base (a reload that changed nothing) reuses its rules.
_CHECKED: dict[str, RuleBook] = {}


def knowledge_rulebook(kb: KnowledgeBase) -> RuleBook:
    """The rules of this knowledge base, after checking that every template and every shop notice
    the auto-reply may send obeys them: before any index is built from it."""
    from suggest.autoreply.notices import check_notices  # here: the auto-reply imports the engine

    book = _CHECKED.get(kb.digest)
    if book is None:
        book = load_rules(kb.root)
        check_templates(kb, book)
        check_notices(kb, book)
        if len(_CHECKED) >= 8:
            _CHECKED.pop(next(iter(_CHECKED)))
        _CHECKED[kb.digest] = book
    return book


def check_templates(kb: KnowledgeBase, book: RuleBook) -> None:
    """A template must be sendable on every platform it is scoped to, with any product's facts.

    Raises ComplianceError naming the template's file, line and the rule it breaks, with every
    other template that breaks one behind it (one error per template, one per fact line).
    """
    problems = Problems()
    for entry in kb.entries:
        if entry.kind != "template":
            continue
        with problems.entry():
            _check_template(entry, kb, book)
    # A product fact that breaks a rule is blamed once, not once per template that sends it.
    first_at: dict[str, KnowledgeError] = {}
    for found in problems.found:
        first_at.setdefault(found.where, found)
    problems.found = list(first_at.values())
    problems.raise_found()


def _check_template(entry: Entry, kb: KnowledgeBase, book: RuleBook) -> None:
    scoped = entry.products or kb.products.keys()
    shops = [kb.shops[s] for s in entry.shops] if entry.shops else list(kb.shops.values())
    for shop in shops:
        platforms = sorted(entry.platforms or shop.platforms)
        # No product at all is a context too: then the fallback (or shop facts) is sent.
        products = [None, *(kb.products[p] for p in scoped if kb.products[p].sold_by(shop.id))]
        texts: dict[str, tuple[Product | None, int]] = {}
        for product in products:
            for source, line in ((entry.answer, entry.answer_line), (entry.fallback, entry.fallback_line)):
                if source and (text := fill(source, product.facts if product else {}, shop.facts)) is not None:
                    texts.setdefault(text, (product, line or entry.line))
        for text in sorted(texts):
            product, line = texts[text]
            try:
                book.require_compliant(text, platforms, path=entry.file, line=line, shop=shop.id)
            except ComplianceError as exc:
                raise _blame_fact(exc, entry, product, shop) from None


def _blame_fact(exc: ComplianceError, entry: Entry, product: Product | None, shop: Shop) -> ComplianceError:
    """The error at the product or shop fact the offending words came from, when they are not in
    the template itself: a merchant who edited one product line must be sent to that line, not
    to a template they never touched."""
    quoted = exc.quoted
    in_template = ComplianceError(exc.path, exc.line, f"template {entry.id!r} {exc.reason}", quoted)
    if not quoted or quoted in entry.answer or quoted in (entry.fallback or ""):
        return in_template
    owners = [("product", product.id, product.facts, product.fact_lines)] if product else []
    owners.append(("shop", shop.id, shop.facts, shop.fact_lines))
    for kind, owner, facts, lines in owners:
        for key, value in facts.items():
            if quoted in value and key in lines:
                path, line = lines[key]
                return ComplianceError(path, line, f"fact {key!r} of {kind} {owner!r} {exc.reason}"
                                       f" (in template {entry.id!r}, {entry.file}:{entry.line})")
    return in_template


# What the filter does there with an answer that breaks a rule of each action (actions.py).
CONSEQUENCES = {
    "drop": "not suggested there",
    "mask": "suggested there with the words masked (***)",
    "flag": "suggested there only marked for a person (⚠ needs a human), never sent alone",
}


def faq_warnings(kb: KnowledgeBase, book: RuleBook) -> list[str]:
    """FAQ rows whose answer breaks a rule of a platform they may be suggested on: `file:line:
    FAQ id breaks rule on platform; what happens there`. A merchant's spreadsheet is imported as it
    is (a bank's FAQ mentions 微信支付 in good faith, and refusing the whole file for it helps
    nobody); the filter drops, masks or flags such an answer there, as the rule says, and `suggest
    build` lists the rows so the merchant sees why and what."""
    found: list[tuple[int, str]] = []
    for entry in kb.entries:
        if entry.kind != "faq":
            continue
        # Where it can be suggested: its platforms, else those of the shops it is for (helper-39: a
        # Douyin shop's rows were reported as breaking JD's rules, where they are never served).
        sellers = [shop for shop in kb.shops.values() if not entry.shops or shop.id in entry.shops]
        platforms = sorted(entry.platforms or {p for shop in sellers for p in shop.platforms})
        broken = []
        for platform in platforms:
            # Per shop selling there: a shop's own rule file adds rules (helper-40: a row its shop's
            # rule dropped was never named, and the merchant could not tell why it was silent).
            shops = [shop.id for shop in sellers if platform in shop.platforms] or [None]
            verdicts = {shop: _worst(book.check(entry.answer, platform, shop).violations) for shop in shops}
            if len(set(verdicts.values())) == 1:
                verdict = next(iter(verdicts.values()))
                broken += [(platform, *verdict)] if verdict else []
            else:
                broken += [(f"{platform} for shop {shop!r}", *v) for shop, v in verdicts.items() if v]
        if broken:
            if len({consequence for _, _, consequence in broken}) == 1:
                where = ", ".join(f"{rule} on {platform}" for platform, rule, _ in broken) + f"; {broken[0][2]}"
            else:
                where = ", ".join(f"{rule} on {platform} ({consequence})" for platform, rule, consequence in broken)
            worst = min(list(CONSEQUENCES.values()).index(consequence) for _, _, consequence in broken)
            found.append((worst, f"{entry.file}:{entry.line}: FAQ {entry.id!r} breaks {where}"))
    # Dropped rows first, then masked, then flagged, each in file order: a long spreadsheet's worst
    # rows were the ones hidden behind "… and 11 more" (helper-44).
    return [line for _, line in sorted(found, key=lambda item: item[0])]


def _worst(violations: Sequence[Violation]) -> tuple[str, str] | None:
    """The rules whose action weighs most (drop, then mask, then flag), and what it does there."""
    if not violations:
        return None
    action = next(a for a in ("drop", "mask", "flag") if any(v.action == a for v in violations))
    # Every rule of that action: mending the one named only had the row refused again (helper-44:
    # 微信 and 支付宝 both break pdd-forbidden-words beside contact-wechat).
    rules = sorted({v.rule for v in violations if v.action == action})
    return " + ".join(rules), CONSEQUENCES[action]
