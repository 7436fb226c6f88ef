"""Merchant FAQ spreadsheets: `id,question,answer[,products][,platforms][,shops]`, rows sharing an
id are paraphrases of one answer.

Format: docs/knowledge-format.md. Product and shop ids are checked by the loader, which is the
one that has the catalogue and the shops.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from suggest.errors import KnowledgeError
from suggest.knowledge.csv_text import read_csv_text
from suggest.knowledge.limits import text_too_long
from suggest.knowledge.model import Entry, platform_scope
from suggest.knowledge.problems import Problems

HEADER = ("id", "question", "answer")
SCOPE_COLUMNS = ("products", "platforms", "shops")
# One rule for several ids in a cell: `|` (or the full-width `｜` a Chinese IME types). Commas
# would need quoting in a CSV, and 、 or spaces are too easy to leave in by accident.
SEPARATOR = re.compile(r"[|｜]")
# Never part of a product or platform id: a cell holding one is a list written the wrong way.
_WRONG_SEPARATOR = re.compile(r"[,，、;；\s]")
# Merchants number their rows (Q001, 12, 发票-1): any text will do, but an id is shown to agents,
# logged and compared, so not one with spaces or invisible characters, and not a whole sentence.
MAX_ID_LENGTH = 64


@dataclass
class _Group:
    """The rows of one id so far; the first row sets the answer and the scope."""

    questions: list[str]
    answer: str
    line: int
    scope: dict[str, frozenset[str]]


def load_faq_csv(path: Path) -> list[Entry]:
    return load_faq_file(path)[0]


def load_faq_file(path: Path, problems: Problems | None = None) -> tuple[list[Entry], tuple[str, ...]]:
    """The file's entries, and its column names (whether it has a `products` column at all
    matters: see the loader's _named_product_scope). With `problems`, a broken row is kept there
    and reading goes on with the next (helper-41: an unknown platform on two rows took two
    reloads to find); what makes the rest unreadable (the header, the CSV syntax) still stops."""
    # One line break, \n, also inside a quoted cell: a multi-line answer from Excel would otherwise
    # reach the buyer with its \r\n. (Line numbers do not change: the reader counts \r\n, \r and
    # \n as one line each.)
    text = read_csv_text(path).replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise KnowledgeError(path, text[: text.index("\x00")].count("\n") + 1, "binary data in a CSV file")
    records = csv_records(path, text)
    header = next(records, None)
    if header is None:
        raise KnowledgeError(path, 1, "empty file; expected the header id,question,answer")
    columns = _columns(path, header[1])
    groups: dict[str, _Group] = {}
    refused: set[str] = set()  # ids whose first row was refused: their later rows would only repeat it
    before = len(problems.found) if problems else 0
    for line, row in records:
        if any(cell.strip() for cell in row):
            _check_not_a_header(path, line, header[1], row)
            entry_id = row[columns.index("id")].strip() if len(row) == len(columns) else ""
            if problems is None:
                _add_row(path, line, columns, row, groups)
            elif entry_id not in refused:
                with problems.entry():
                    try:
                        _add_row(path, line, columns, row, groups)
                    except KnowledgeError:
                        if entry_id and entry_id not in groups:
                            refused.add(entry_id)
                        raise
    if not groups and not (problems and len(problems.found) > before):
        raise KnowledgeError(path, 2, "no rows after the header")
    return [_entry(path, entry_id, group) for entry_id, group in groups.items()], columns


def csv_records(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line it starts on, a syntax error turned into a KnowledgeError.

    Strict: without it a quote that is never closed silently swallows the rest of the file (or
    the rows up to the next quote) into one cell, and the error, if any, names a later line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise KnowledgeError(path, start, _csv_problem(str(exc), start, reader.line_num)) from exc


def _csv_problem(problem: str, start: int, end: int) -> str:
    """The reader's complaint about the record starting on line `start`, where it gave up at `end`."""
    if "unexpected end of data" in problem or ("expected after" in problem and end > start):
        runs_to = "the end of the file" if "end of data" in problem else f"line {end}"
        return (f'a quote (") that opens a cell on this line is not closed: the cell runs on to {runs_to};'
                ' close it, or write a quote inside a cell as ""')
    if "expected after" in problem:
        return 'text after the closing quote of a cell: a cell that starts with " must end with it (write a quote inside a cell as "")'
    return f"unreadable CSV: {problem}"


def _names(cells: list[str]) -> list[str]:
    # A byte-order mark is stripped from the start of the file only; one in the middle is where a
    # second file saved with one was pasted (cat a.csv b.csv), before its header.
    return [cell.strip().lstrip("\ufeff").strip().lower() for cell in cells]


def _check_not_a_header(path: Path, line: int, header: list[str], row: list[str]) -> None:
    """Refuse a row that repeats the header, as two exports pasted into one file have.

    Refused rather than skipped with a warning: the second export may have other columns (or the
    same in another order), and its rows would then be read by the first header's columns: a
    scope in the wrong column, or none at all. Deleting one line is a small price for having
    someone look at the join; a skipped header would be the silent import again, one level up."""
    names = _names(row)
    if tuple(names[: len(HEADER)]) != HEADER:
        return
    first = [name for name in _names(header) if name]
    if [name for name in names if name] == first:
        raise KnowledgeError(
            path, line, f"this row repeats the header of line 1 ({','.join(first)}): two files pasted together?"
            " delete this row"
        )
    raise KnowledgeError(
        path, line, f"this row is a header ({','.join(name for name in names if name)}) with other columns than"
        f" line 1 ({','.join(first)}): two exports pasted together? the rows below it would be read by line 1's"
        " columns; put them in a file of their own, or arrange their cells like line 1 and delete this row"
    )


def _columns(path: Path, header: list[str]) -> tuple[str, ...]:
    """The column names; "" for a column without a name, whose cells must all be empty."""
    names = _names(header)
    if tuple(names[: len(HEADER)]) != HEADER:
        raise KnowledgeError(
            path,
            1,
            f"header must be id,question,answer, optionally followed by any of {', '.join(SCOPE_COLUMNS)};"
            f" found {','.join(header)}",
        )
    for n, name in enumerate(names):
        if not name:
            continue  # stray empty cells of a spreadsheet (id,question,answer,,): see _add_row
        if name in names[:n]:
            raise KnowledgeError(path, 1, f"duplicate column {name!r}")
        if n >= len(HEADER) and name not in SCOPE_COLUMNS and (meant := _scope_meant(name)):
            allowed = ", ".join((*HEADER, *SCOPE_COLUMNS))
            raise KnowledgeError(path, 1, f"unknown column {name!r}: did you mean {meant!r}? (read: {allowed})")
    return tuple(names)


# Scope columns as a merchant may name them in Chinese: a column that looks like one is an error,
# since read as a note it would leave its rows unscoped without a word.
_SCOPE_WORDS = {"商品": "products", "产品": "products", "宝贝": "products", "平台": "platforms",
                "渠道": "platforms", "店铺": "shops", "店名": "shops", "门店": "shops"}


def _scope_meant(name: str) -> str | None:
    """The scope column `name` was probably meant to be (shop → shops, 适用平台 → platforms), if any."""
    close = difflib.get_close_matches(name, SCOPE_COLUMNS, n=1, cutoff=0.7)
    if close:
        return close[0]
    return next((column for word, column in _SCOPE_WORDS.items() if word in name), None)


def unread_columns(columns: tuple[str, ...]) -> tuple[str, ...]:
    """The named columns of a spreadsheet that are not read (分类, 备注, 创建时间 of an export)."""
    return tuple(name for name in columns[len(HEADER):] if name and name not in SCOPE_COLUMNS)


def _add_row(path: Path, line: int, columns: tuple[str, ...], row: list[str], groups: dict[str, _Group]) -> None:
    if len(row) != len(columns):
        raise KnowledgeError(path, line, f"expected {len(columns)} columns ({','.join(columns)}), found {len(row)}")
    for n, (name, cell) in enumerate(zip(columns, row, strict=True)):
        if not name and cell.strip():
            raise KnowledgeError(
                path, line, f"column {n + 1} ({_letter(n)}) has no name in the header (line 1), but this row has"
                f" {cell.strip()[:20]!r} in it: delete it, or name the column ({', '.join(SCOPE_COLUMNS)})"
            )
    cells = {name: cell.strip() for name, cell in zip(columns, row, strict=True) if name}
    entry_id, question, answer = (cells[name] for name in HEADER)
    if not entry_id:
        raise KnowledgeError(path, line, "empty id")
    _check_id(path, line, entry_id)
    if not question:
        raise KnowledgeError(path, line, f"empty question for id {entry_id!r}")
    for what, text in (("the question", question), ("the answer", answer)):
        if problem := text_too_long(f"{what} of id {entry_id!r}", text):
            raise KnowledgeError(path, line, problem)
    scope = {name: _scope_cell(path, line, name, cells.get(name, "")) for name in SCOPE_COLUMNS}
    group = groups.get(entry_id)
    if group is None:
        if not answer:
            raise KnowledgeError(path, line, f"the first row of id {entry_id!r} has no answer")
        if "{" in answer or "}" in answer:
            # Only templates have {variables}; an FAQ answer is sent as written, brace and all.
            raise KnowledgeError(
                path, line, f"the answer of id {entry_id!r} contains a brace: an FAQ answer is sent exactly as written,"
                " so a {placeholder} would reach the buyer; remove it (replies with variables go in templates/*.yaml)"
            )
        groups[entry_id] = _Group(questions=[question], answer=answer, line=line, scope=scope)
        return
    _check_same_scope(path, line, entry_id, group, scope)
    if answer and answer != group.answer:
        # Only the first row's answer is sent: another one here would be dropped without a word,
        # and this row's question would get the first row's answer.
        raise KnowledgeError(
            path, line, f"the answer of id {entry_id!r} differs from its first row (line {group.line}); rows that share"
            " an id are other questions for one answer: leave the answer empty on later rows, write the same, or give"
            " this row an id of its own"
        )
    if question not in group.questions:
        group.questions.append(question)


def _letter(index: int) -> str:
    """A spreadsheet's name for the column at `index` (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _check_id(path: Path, line: int, entry_id: str) -> None:
    if len(entry_id) > MAX_ID_LENGTH:
        raise KnowledgeError(path, line, f"id {entry_id[:20]!r}… is {len(entry_id)} characters long; at most {MAX_ID_LENGTH}")
    bad = next((c for c in entry_id if c.isspace() or unicodedata.category(c).startswith("C")), None)
    if bad is not None:
        raise KnowledgeError(
            path, line, f"id {entry_id!r} contains {'a space' if bad.isspace() else f'the control character U+{ord(bad):04X}'};"
            " an id is one word such as Q001 or invoice-1"
        )


def _scope_cell(path: Path, line: int, column: str, cell: str) -> frozenset[str]:
    values = [v.strip() for v in SEPARATOR.split(cell) if v.strip()]
    for value in values:
        if _WRONG_SEPARATOR.search(value):
            raise KnowledgeError(path, line, f"{column} {value!r}: separate several ids with |")
    return platform_scope(path, line, values) if column == "platforms" else frozenset(values)


def _check_same_scope(path: Path, line: int, entry_id: str, group: _Group, scope: dict[str, frozenset[str]]) -> None:
    # A later row may leave its scope empty, but a different one is a typo that would otherwise
    # silently narrow or widen where the answer is sent.
    for column, values in scope.items():
        if values and values != group.scope[column]:
            first = "|".join(sorted(group.scope[column])) or "empty"
            raise KnowledgeError(
                path,
                line,
                f"{column} {'|'.join(sorted(values))} of id {entry_id!r} differs from its first row"
                f" (line {group.line}: {first}); leave it empty on later rows or write the same",
            )


def _entry(path: Path, entry_id: str, group: _Group) -> Entry:
    return Entry(
        id=entry_id,
        kind="faq",
        questions=tuple(group.questions),
        answer=group.answer,
        intent="faq",
        platforms=group.scope["platforms"],
        products=group.scope["products"],
        shops=group.scope["shops"],
        file=str(path),
        line=group.line,
    )
