"""Read and validate a knowledge directory.

Layout and format: docs/knowledge-format.md. Every error is a KnowledgeError naming the file
and the line, raised before anything is built, so a broken file never replaces a good index.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from suggest import __version__
from suggest.config import PLATFORMS, REPO_ROOT
from suggest.errors import KnowledgeError
from suggest.knowledge.faq_csv import load_faq_file, unread_columns
from suggest.knowledge.fill import did_you_mean, variables
from suggest.knowledge.hours import ShopHours, parse_hours
from suggest.knowledge.limits import text_too_long
from suggest.knowledge.model import AUTO_REPLY, Entry, KnowledgeBase, Product, Shop, platform_scope
from suggest.knowledge.problems import Problems
from suggest.knowledge.product_names import ProductFinder, product_tokenizer
from suggest.knowledge.yaml_lines import LDict, LList, load

ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
FACT_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
STAGES = {"presale", "aftersale", "general"}
DEFAULT_RULES = REPO_ROOT / "knowledge" / "rules"
DEFAULT_SHOP = Shop(id="default", name="本店", platforms=tuple(PLATFORMS))

_TEMPLATE_KEYS = {
    "id", "intent", "stage", "questions", "answer", "fallback", "platforms", "products", "shops", "topics", "auto_reply",
}
_PRODUCT_KEYS = {"id", "name", "aliases", "facts", "shops"}
_SHOP_KEYS = {"id", "name", "platforms", "facts", "hours"}


def load_knowledge(root: Path) -> KnowledgeBase:
    root = Path(root)
    if not root.is_dir():
        raise KnowledgeError(root, None, "knowledge directory not found")
    problems = Problems()
    shops = _load_shops(root, problems)
    problems.raise_found()
    products = _load_products(root, shops, problems)
    problems.raise_found()
    unread: dict[str, tuple[str, ...]] = {}
    entries = [*_load_templates(root, shops, products, problems), *_load_faqs(root, products, shops, problems, unread)]
    _check_unique(entries, problems)
    problems.raise_found()
    if not entries:
        raise KnowledgeError(root, None, "no templates (templates/*.yaml) and no FAQ spreadsheets (*.csv) found")
    rules_dir = root / "rules" if (root / "rules").is_dir() else DEFAULT_RULES
    return KnowledgeBase(
        root=str(root),
        shops=MappingProxyType(shops or {DEFAULT_SHOP.id: DEFAULT_SHOP}),
        products=MappingProxyType(products),
        entries=tuple(entries),
        digest=knowledge_digest(root, rules_dir),
        rules_dir=str(rules_dir) if rules_dir.is_dir() else None,
        unread_columns=MappingProxyType(unread),
    )


def shop_ids(root: Path) -> list[str]:
    """The ids of the shops a knowledge directory defines (the default shop when it has none)."""
    problems = Problems()
    shops = _load_shops(Path(root), problems)
    problems.raise_found()
    return list(shops or {DEFAULT_SHOP.id: DEFAULT_SHOP})


def knowledge_digest(root: Path, rules_dir: Path) -> str:
    """A hash of everything an index depends on besides the model: files and text resources."""
    digest = hashlib.sha256(f"suggest {__version__}".encode())
    files = sorted(_knowledge_files(root))
    if rules_dir != root / "rules" and rules_dir.is_dir():
        files += sorted(rules_dir.glob("*.yaml"))
    files += sorted((Path(__file__).resolve().parent.parent / "text" / "data").glob("*"))
    for path in files:
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _knowledge_files(root: Path) -> Iterable[Path]:
    for pattern in ("**/*.yaml", "**/*.yml"):
        yield from root.glob(pattern)
    yield from _csv_files(root)


def _csv_files(root: Path) -> list[Path]:
    """Every *.csv below `root`, in any case: Excel on Windows often writes SHOP.CSV."""
    return sorted(p for p in root.rglob("*") if p.suffix.lower() == ".csv" and p.is_file())


def _yaml_files(folder: Path) -> list[Path]:
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]) if folder.is_dir() else []


def _mapping(path: Path, item: Any, what: str, line: int | None) -> LDict:
    if not isinstance(item, LDict):
        raise KnowledgeError(path, line, f"each {what} must be a mapping (key: value), found {_kind(item)}")
    return item


def _kind(value: Any) -> str:
    """What a YAML value is, in the words of someone who wrote it."""
    if isinstance(value, bool):
        return "yes/no (true/false)"
    for kind, name in ((list, "a list"), (dict, "a mapping"), (str, "text"), (int, "a number"), (float, "a number"),
                       (datetime, "a date and time"), (date, "a date"), (bytes, "binary data (!!binary)")):
        if isinstance(value, kind):
            return name
    return "nothing" if value is None else type(value).__name__


def _as_text(path: Path, line: int, what: str, value: Any, written: str | None, quoted: str) -> str:
    """A scalar where text is wanted. YAML reads some unquoted words as something else, and str()
    of that is not what the merchant wrote (`presale: no` would reach a buyer as "False"), so those
    are refused; numbers are taken as they were written (79.90, not 79.9). `quoted` shows the fix."""
    if isinstance(value, str):
        if problem := text_too_long(what, value):
            raise KnowledgeError(path, line, problem)
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return written or str(value)
    if isinstance(value, (bool, date)) and written:
        read_as = str(value).lower() if isinstance(value, bool) else _kind(value)
        raise KnowledgeError(path, line, f"{what}: YAML reads {written} as {read_as}, not as text; write it in quotes: {quoted}")
    raise KnowledgeError(path, line, f"{what} must be text, not {_kind(value)}")


def _text(path: Path, item: LDict, key: str, required: bool = True) -> str:
    value = item.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise KnowledgeError(path, item.line, f"missing or empty {key!r}")
        return ""
    written = item.written_of(key)
    return _as_text(path, item.line_of(key), repr(key), value, written, f"{key}: '{written}'").strip()


def _texts(path: Path, item: LDict, key: str) -> tuple[str, ...]:
    value = item.get(key)
    if value is None:
        return ()
    if not isinstance(value, LList):  # one text instead of a list of one
        if isinstance(value, dict):
            raise KnowledgeError(path, item.line_of(key), f"{key!r} must be a list of texts, not a mapping")
        return tuple(t for t in [_text(path, item, key)] if t)
    texts = []
    for n, entry in enumerate(value):
        if entry is None:
            raise KnowledgeError(path, value.line_of(n), f"item {n + 1} of {key!r} is empty")
        written = value.written_of(n)
        text = _as_text(path, value.line_of(n), f"item {n + 1} of {key!r}", entry, written, f"- '{written}'").strip()
        if text:
            texts.append(text)
    return tuple(texts)


def _unknown_keys(path: Path, item: LDict, allowed: set[str]) -> None:
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise KnowledgeError(
            path, item.line_of(unknown[0]), f"unknown field {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})"
        )


def _fact_lines(path: Path, item: LDict) -> MappingProxyType[str, tuple[str, int | None]]:
    raw = item.get("facts")
    if not isinstance(raw, LDict):
        return MappingProxyType({})
    return MappingProxyType({key: (str(path), raw.line_of(key)) for key in raw if isinstance(key, str)})


def _facts(path: Path, item: LDict) -> MappingProxyType[str, str]:
    raw = item.get("facts")
    if raw is None:
        return MappingProxyType({})
    if not isinstance(raw, LDict):
        raise KnowledgeError(path, item.line_of("facts"), "'facts' must be a mapping of key: text")
    facts = {}
    for key in raw:
        if not isinstance(key, str) or not FACT_KEY.match(key):
            raise KnowledgeError(path, raw.line_of(key), f"fact key {key!r} must be snake_case ASCII")
        facts[key] = _fact(path, raw, key)
    return MappingProxyType(facts)


def _fact(path: Path, facts: LDict, key: str) -> str:
    """A fact's text: null is empty, a flat list is joined with 、. It goes into replies word for
    word, so a brace in it (a placeholder left over, or {{…}} meant as an escape) would reach the buyer."""
    value, line = facts[key], facts.line_of(key)
    if value is None:
        return ""
    if isinstance(value, dict):
        raise KnowledgeError(path, line, f"fact {key!r} must be text, not a mapping")
    if isinstance(value, LList):
        parts = []
        for n, part in enumerate(value):
            written = value.written_of(n)
            what = f"fact {key!r} item {n + 1}"
            parts.append(_as_text(path, value.line_of(n), what, part, written, f"- '{written}'").strip())
        text = "、".join(p for p in parts if p)
    else:
        written = facts.written_of(key)
        hint = f"{key}: '{written}', or {key}: '' for none"
        text = _as_text(path, line, f"fact {key!r}", value, written, hint).strip()
    if "{" in text or "}" in text:
        raise KnowledgeError(
            path, line, f"fact {key!r} contains a brace: facts go into replies as written, with no variables of their own;"
            " remove the { } (a brace would reach the buyer)"
        )
    return text


def _platforms(path: Path, item: LDict) -> frozenset[str]:
    return platform_scope(path, item.line_of("platforms"), _texts(path, item, "platforms"))


def _load_shops(root: Path, problems: Problems) -> dict[str, Shop]:
    shops: dict[str, Shop] = {}
    defined: dict[str, str] = {}  # shop id → file:line, for qingzhou.yaml next to qingzhou.yml
    for path in _yaml_files(root / "shops"):
        with problems.entry():
            _load_shop(path, shops, defined)
    return shops


def _load_shop(path: Path, shops: dict[str, Shop], defined: dict[str, str]) -> None:
    item = _shop_document(path)
    _unknown_keys(path, item, _SHOP_KEYS)
    shop_id = _text(path, item, "id")
    if shop_id != path.stem or not ID.match(shop_id):
        raise KnowledgeError(path, item.line, f"shop id {shop_id!r} must match the file name and [a-z0-9-]")
    if shop_id in defined:
        raise KnowledgeError(path, item.line_of("id"), f"shop id {shop_id!r} is already defined at {defined[shop_id]}")
    defined[shop_id] = f"{path}:{item.line_of('id')}"
    platforms = _platforms(path, item) or frozenset(PLATFORMS)
    shops[shop_id] = Shop(
        id=shop_id,
        name=_text(path, item, "name"),
        platforms=tuple(p for p in PLATFORMS if p in platforms),
        facts=_facts(path, item),
        fact_lines=_fact_lines(path, item),
        hours=_hours(path, item),
    )


def _shop_document(path: Path) -> LDict:
    document = load(path)
    example = f"id: {path.stem}, name: …, platforms: [...]"
    if document is None:
        raise KnowledgeError(path, 1, f"the shop file is empty; a shop file is a mapping such as {example}")
    if not isinstance(document, LDict):
        raise KnowledgeError(path, 1, f"a shop file is a mapping such as {example}, not {_kind(document)}")
    return document


def _hours(path: Path, item: LDict) -> ShopHours | None:
    """The shop's working hours (format in suggest.knowledge.hours), or None when not given."""
    if item.get("hours") is None:
        return None
    return parse_hours(path, item["hours"], item.line_of("hours"))


def _list_of_mappings(path: Path, what: str) -> list[LDict]:
    items = load(path) or []
    if not isinstance(items, list):
        raise KnowledgeError(path, 1, f"a {what}s file must be a list of {what}s")
    return [_mapping(path, raw, what, items.line_of(n)) for n, raw in enumerate(items)]


def _load_products(root: Path, shops: dict[str, Shop], problems: Problems) -> dict[str, Product]:
    products: dict[str, Product] = {}
    defined: dict[str, str] = {}
    for path in _yaml_files(root / "products"):
        for item in _items(path, "product", problems):
            with problems.entry():
                _load_product(path, item, shops, products, defined)
    return products


def _load_product(path: Path, item: LDict, shops: dict[str, Shop], products: dict[str, Product],
                  defined: dict[str, str]) -> None:
    _unknown_keys(path, item, _PRODUCT_KEYS)
    product_id = _text(path, item, "id")
    if not ID.match(product_id):
        raise KnowledgeError(path, item.line, f"product id {product_id!r} must be [a-z0-9-]")
    if product_id in products:
        raise KnowledgeError(path, item.line, f"product id {product_id!r} is already defined at {defined[product_id]}")
    defined[product_id] = f"{path}:{item.line}"
    sold_by = frozenset(_texts(path, item, "shops"))
    _check_shops(path, item.line_of("shops"), f"product {product_id!r}", sold_by, shops)
    products[product_id] = Product(
        id=product_id,
        name=_text(path, item, "name"),
        aliases=_texts(path, item, "aliases"),
        facts=_facts(path, item),
        fact_lines=_fact_lines(path, item),
        shops=sold_by,
    )


def _items(path: Path, what: str, problems: Problems) -> list[LDict]:
    """The file's entries; none when the file itself is broken (that error kept)."""
    with problems.entry():
        return _list_of_mappings(path, what)
    return []


def _load_templates(root: Path, shops: dict[str, Shop], products: dict[str, Product], problems: Problems) -> list[Entry]:
    known_facts = set().union(*(s.facts for s in shops.values()), *(p.facts for p in products.values()))
    entries = []
    for path in _yaml_files(root / "templates"):
        for item in _items(path, "template", problems):
            with problems.entry():
                entries.append(_template(path, item, shops, products, known_facts))
    return entries


def _template(
    path: Path, item: LDict, shops: dict[str, Shop], products: dict[str, Product], known_facts: set[str]
) -> Entry:
    line = item.line
    _unknown_keys(path, item, _TEMPLATE_KEYS)
    entry_id = _text(path, item, "id")
    if not ID.match(entry_id):
        raise KnowledgeError(path, line, f"template id {entry_id!r} must be [a-z0-9-]")
    questions = _texts(path, item, "questions")
    if not questions:
        raise KnowledgeError(path, line, f"template {entry_id!r} has no example questions")
    answer = _text(path, item, "answer")
    fallback = _text(path, item, "fallback", required=False)
    # Errors point at the field at fault: in a template of twenty questions, its first line is a hunt.
    answer_line, fallback_line = item.line_of("answer"), item.line_of("fallback")
    for name in _variables(path, answer_line, entry_id, answer):
        if name not in known_facts and not fallback:
            raise KnowledgeError(
                path, answer_line, f"template {entry_id!r}: no shop or product has the fact {{{name}}}"
                                   f"{did_you_mean(name, known_facts)} and there is no fallback"
            )
    for name in _variables(path, fallback_line, entry_id, fallback):
        if name not in known_facts:
            raise KnowledgeError(path, fallback_line, f"template {entry_id!r}: the fallback uses unknown fact {{{name}}}"
                                                      f"{did_you_mean(name, known_facts)}")
    stage = _text(path, item, "stage", required=False) or "general"
    if stage not in STAGES:
        raise KnowledgeError(path, item.line_of("stage"), f"stage must be one of {', '.join(sorted(STAGES))}, not {stage!r}")
    scoped_products = frozenset(_texts(path, item, "products"))
    _check_products(path, item.line_of("products"), f"template {entry_id!r}", scoped_products, products)
    scoped_shops = frozenset(_texts(path, item, "shops"))
    _check_shops(path, item.line_of("shops"), f"template {entry_id!r}", scoped_shops, shops)
    from suggest.compliance.inbound import TOPICS  # here: compliance reads its files with this package

    topics = frozenset(_texts(path, item, "topics"))
    unknown = sorted(topics - set(TOPICS))
    if unknown:
        raise KnowledgeError(path, item.line_of("topics"), f"unknown topic {unknown[0]!r} (known: {', '.join(sorted(TOPICS))})")
    auto_reply = _text(path, item, "auto_reply", required=False) or "answer"
    if auto_reply not in AUTO_REPLY:
        raise KnowledgeError(
            path, item.line_of("auto_reply"), f"auto_reply must be one of {', '.join(AUTO_REPLY)}, not {auto_reply!r}"
        )
    return Entry(
        id=entry_id,
        kind="template",
        questions=questions,
        answer=answer,
        intent=_text(path, item, "intent", required=False),
        stage=stage,
        fallback=fallback,
        platforms=_platforms(path, item),
        products=scoped_products,
        shops=scoped_shops,
        topics=topics,
        auto_reply=auto_reply,
        file=str(path),
        line=line or 0,
        answer_line=answer_line or 0,
        fallback_line=fallback_line or 0,
    )


def _variables(path: Path, line: int | None, entry_id: str, text: str) -> list[str]:
    try:
        names = variables(text)
    except ValueError as exc:
        raise KnowledgeError(path, line, f"template {entry_id!r}: {exc} (write a literal brace as {{{{ or }}}})") from exc
    for name in names:
        if not FACT_KEY.match(name):
            raise KnowledgeError(path, line, f"template {entry_id!r}: bad variable {{{name}}}")
    return names


def _check_products(path: Path | str, line: int | None, what: str, scoped: frozenset[str], products: dict[str, Product]) -> None:
    unknown = sorted(scoped - set(products))
    if not unknown:
        return
    # Without a catalogue no product can ever be discussed, so the answer would never be sent.
    missing = "" if products else " (this knowledge directory has no products/*.yaml)"
    raise KnowledgeError(path, line, f"{what} names unknown product {unknown[0]!r}{missing}")


def _check_shops(path: Path | str, line: int | None, what: str, scoped: frozenset[str], shops: dict[str, Shop]) -> None:
    unknown = sorted(scoped - set(shops))
    if unknown:
        known = f"known shops: {', '.join(sorted(shops))}" if shops else "this knowledge directory has no shops/*.yaml"
        raise KnowledgeError(path, line, f"{what} names unknown shop {unknown[0]!r} ({known})")


def _load_faqs(
    root: Path, products: dict[str, Product], shops: dict[str, Shop], problems: Problems,
    unread: dict[str, tuple[str, ...]],
) -> list[Entry]:
    entries = []
    finder = None
    for path in _csv_files(root):
        rows: list[Entry] = []
        columns: tuple[str, ...] = ()
        with problems.entry():  # a spreadsheet's own syntax stops its reading at the first error
            rows, columns = load_faq_file(path, problems)
        if unread_columns(columns):
            unread[str(path)] = unread_columns(columns)
        if rows and products and "products" not in columns:
            finder = finder or ProductFinder(products, product_tokenizer(products.values()))
            rows = [_named_product_scope(entry, finder) for entry in rows]
        for entry in rows:
            with problems.entry():
                # The scope is set by the id's first row, which is the entry's line.
                _check_products(entry.file, entry.line, f"FAQ {entry.id!r}", entry.products, products)
                _check_shops(entry.file, entry.line, f"FAQ {entry.id!r}", entry.shops, shops)
                entries.append(entry)
    return entries


def _named_product_scope(entry: Entry, finder: ProductFinder) -> Entry:
    """A row of a spreadsheet without a products column whose question or answer names one
    product of the catalogue is about that product: "孕妇能用口红吗 → 这款口红成分温和，孕期用是
    没问题的" answered 卸妆水孕妇能用吗 too, sent alone at night (helper-39), since names are masked
    for matching. Its scope is that product, as a products column would say (which overrides
    this: a merchant who writes one has said it)."""
    shop = next(iter(entry.shops)) if len(entry.shops) == 1 else None  # a product that shop sells
    named = {finder.find(text, shop) for text in (*entry.questions, entry.answer)} - {None}
    if len(named) != 1:
        return entry
    return replace(entry, products=frozenset(str(p) for p in named), products_implied=True)


def _check_unique(entries: list[Entry], problems: Problems) -> None:
    seen: dict[str, Entry] = {}
    for entry in entries:
        first = seen.get(entry.id)
        if first is not None and (first.kind == "template" or entry.kind == "template" or first.file != entry.file):
            problems.found.append(KnowledgeError(
                entry.file, entry.line, f"id {entry.id!r} is already used at {first.file}:{first.line}"
            ))
            continue
        seen[entry.id] = entry
