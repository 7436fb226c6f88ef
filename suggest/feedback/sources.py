"""A feedback checked against the knowledge that made the suggestions.

The store takes any id (it has no knowledge); the service calls `check_against_knowledge` with
the generation it serves before recording, so a feedback naming an answer the knowledge does not
have (a typo, another shop's id, a test tool's placeholder) is refused instead of showing up in
`suggest report` as a template with its own acceptance rate.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from suggest.errors import InputError
from suggest.feedback.store import Feedback
from suggest.knowledge.fill import variables

if TYPE_CHECKING:
    from suggest.engine import Suggester
    from suggest.knowledge import Entry


def answer_ids(suggester: Suggester) -> frozenset[str]:
    """The ids of every answer (template or FAQ) of a suggester's knowledge."""
    return frozenset(entry.id for entry in suggester.kb.entries)


def check_against_knowledge(feedback: Feedback, suggester: Suggester, retired: Collection[str] = ()) -> None:
    """InputError unless every id in `shown` and `source` is an answer of `suggester`'s knowledge
    or in `retired` (the answers of the knowledge a reload just replaced: they were suggested
    until a moment ago), and unless a `sent` feedback's `sent_text`, when given, is the text the
    suggestion was shown with: `sent` means sent as it was, a changed text is `edited`."""
    named = [*feedback.shown, *([feedback.source] if feedback.source is not None else [])]
    unknown = [source for source in dict.fromkeys(named) if not _known(suggester, source) and source not in retired]
    if unknown:
        listed = ", ".join(repr(source) for source in unknown)
        raise InputError(f"no answer of the knowledge being served has the id {listed} "
                         "(shown and source take the source.id of a /v1/suggest suggestion)")
    for source in dict.fromkeys(named):
        entry = suggester.kb.find(source)
        # Another shop's answer was never shown here: it would be counted for a template this
        # shop's agents never saw (helper-39). The product is not known, so it is not checked.
        if entry is not None and not entry.in_scope(feedback.platform, feedback.shop, next(iter(entry.products), None)):
            where = [f"shop {', '.join(sorted(entry.shops))}"] if entry.shops else []
            where += [', '.join(sorted(entry.platforms))] if entry.platforms else []
            raise InputError(f"answer {source!r} is not suggested to shop {feedback.shop!r}'s buyers on {feedback.platform} "
                             f"(it is for {' on '.join(where)})")
    if feedback.outcome != "sent" or feedback.sent_text is None or feedback.source is None:
        return
    if not _known(suggester, feedback.source):  # an answer of the replaced knowledge: its texts are gone
        return
    entry = suggester.kb.entry(feedback.source)
    if _squashed(feedback.sent_text) not in {_squashed(text) for text in shown_texts(suggester, entry, feedback)}:
        raise InputError(f"outcome 'sent' means suggestion {feedback.source!r} was sent as it was, but sent_text is "
                         "another text; a reply the agent changed is outcome 'edited'")


def shown_texts(suggester: Suggester, entry: Entry, feedback: Feedback) -> set[str]:
    """Every text `entry` can have been suggested with in the feedback's scope: filled without a
    product and with each product it may be filled from (the feedback does not say which product
    was discussed), as rendered and as the rule filter passed it (a masked number, say)."""
    kb = suggester.kb
    filled = entry.kind == "template" and bool(variables(entry.answer) or variables(entry.fallback or ""))
    scoped = sorted(p for p in entry.products or kb.products if kb.products[p].sold_by(feedback.shop))
    products = [None, *scoped] if filled else [None]
    rendered = {text for product in products if (text := suggester.render(entry, feedback.shop, product)) is not None}
    texts = set(rendered)
    for text in rendered:
        passed = suggester.filter.apply(text, feedback.platform, feedback.shop).text
        if passed is not None:
            texts.add(passed)
    return texts


def _known(suggester: Suggester, source: str) -> bool:
    return suggester.kb.find(source) is not None


def _squashed(text: str) -> str:
    """Whitespace aside: a chat box trims and wraps what is sent."""
    return "".join(text.split())
