"""Knowledge errors gathered entry by entry, so one build names every broken entry.

A merchant who copies a set of templates into a new shop may break thirty of them at once (a
fact the new catalogue lacks, a product id it does not have); stopping at the first one meant
thirty builds to find them all. Loading goes on with the next entry after a broken one, phase
by phase: shops, then products, then templates and spreadsheets, so an error in a product is
not repeated as an "unknown product" in every template that names it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from suggest.errors import KnowledgeError


class Problems:
    def __init__(self) -> None:
        self.found: list[KnowledgeError] = []

    @contextmanager
    def entry(self) -> Iterator[None]:
        """One entry's checks: its first error is kept and loading goes on with the next."""
        try:
            yield
        except KnowledgeError as exc:
            self.found.append(exc)

    def raise_found(self) -> None:
        """The first error with the others behind it, if any was found."""
        if self.found:
            first, *others = self.found
            self.found = []
            raise first.with_others(others)
