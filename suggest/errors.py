"""The one error hierarchy of `suggest`.

Every error the service expects to meet is one of these; anything else is a bug. Each edge
converts them once: the CLI prints the message on one line and exits 1 (2 for usage errors),
the HTTP layer answers with a 4xx/5xx JSON body.

    SuggestError
    ├── InputError            a message or text the service cannot take (empty, too long, binary)
    ├── ScopeError            unknown platform, shop or product
    ├── KnowledgeError        a knowledge file that does not validate (names the file and line)
    │   └── ComplianceError   a template that breaks a rule of a platform it is scoped to
    ├── IndexStoreError       an index that cannot be read, or was built from something else
    │   └── StaleIndexError   built from another model or other knowledge
    ├── ModelError            an embedding model that cannot be found, converted or loaded
    └── ConfigError           settings that make no sense
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class SuggestError(Exception):
    """Base of every error the service expects; its message is written for the reader."""


class InputError(SuggestError):
    """The message or text itself cannot be used."""


class ScopeError(SuggestError):
    """An unknown platform, shop or product was named."""


class KnowledgeError(SuggestError):
    """A knowledge file is malformed; the message starts with `file:line:`.

    `others`: further problems found in the same load (suggest/knowledge/problems.py), each on
    a line of its own after this one, so a merchant fixes them all before the next build."""

    # Lines of further problems written out; the rest are counted.
    SHOWN = 30

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = message
        self.others: tuple[KnowledgeError, ...] = ()
        super().__init__(self.where + f": {message}")

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def with_others(self, others: Sequence[KnowledgeError]) -> KnowledgeError:
        self.others = tuple(others)
        lines = [f"{self.where}: {self.reason}", *(str(o) for o in self.others[: self.SHOWN])]
        if len(self.others) > self.SHOWN:
            lines.append(f"… and {len(self.others) - self.SHOWN} more")
        if self.others:
            lines.append(f"({len(self.others) + 1} problems in the knowledge)")
        self.args = ("\n".join(lines),)
        return self


class ComplianceError(KnowledgeError):
    """A knowledge entry breaks a platform rule it must follow; `quoted`: the offending words."""

    def __init__(self, path: Path | str, line: int | None, message: str, quoted: str = "") -> None:
        super().__init__(path, line, message)
        self.quoted = quoted


class IndexStoreError(SuggestError):
    """The index on disk is missing or unreadable."""

    # What to tell someone who cannot rebuild it right away; a caller that rebuilds leaves it out.
    REBUILD = "; rebuild it with `suggest build`"

    def __init__(self, problem: str, advice: str = REBUILD) -> None:
        super().__init__(problem + advice)
        self.problem = problem


class StaleIndexError(IndexStoreError):
    """The index on disk was built from another model or other knowledge."""


class StorageError(SuggestError):
    """The data folder's database (feedback, the auto-reply log) cannot be written: a full disk,
    a read-only file, a lock held too long."""


class ModelError(SuggestError):
    """The embedding model cannot be found, converted or loaded."""


class ConfigError(SuggestError):
    """The settings are inconsistent or unsafe. `setting`: the one setting at fault, if one is."""

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting
