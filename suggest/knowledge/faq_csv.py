"""Merchant FAQ spreadsheets: `id,question,answer`, rows sharing an id are paraphrases."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from suggest.errors import KnowledgeError
from suggest.knowledge.model import Entry
from suggest.knowledge.yaml_lines import read_text

HEADER = ["id", "question", "answer"]


def load_faq_csv(path: Path) -> list[Entry]:
    text = read_text(path)
    if "\x00" in text:
        raise KnowledgeError(path, text[: text.index("\x00")].count("\n") + 1, "binary data in a CSV file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise KnowledgeError(path, 1, "empty file; expected the header id,question,answer") from None
    except csv.Error as exc:
        raise KnowledgeError(path, 1, f"unreadable CSV: {exc}") from exc
    if [h.strip().lower() for h in header] != HEADER:
        raise KnowledgeError(path, 1, f"header must be id,question,answer, not {','.join(header)}")

    groups: dict[str, dict[str, object]] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != 3:
                raise KnowledgeError(path, line, f"expected 3 columns (id,question,answer), found {len(row)}")
            entry_id, question, answer = (cell.strip() for cell in row)
            if not entry_id:
                raise KnowledgeError(path, line, "empty id")
            if not question:
                raise KnowledgeError(path, line, f"empty question for id {entry_id!r}")
            group = groups.get(entry_id)
            if group is None:
                if not answer:
                    raise KnowledgeError(path, line, f"the first row of id {entry_id!r} has no answer")
                groups[entry_id] = {"questions": [question], "answer": answer, "line": line}
            else:
                questions = group["questions"]
                assert isinstance(questions, list)
                if question not in questions:
                    questions.append(question)
    except csv.Error as exc:
        raise KnowledgeError(path, reader.line_num, f"unreadable CSV: {exc}") from exc
    if not groups:
        raise KnowledgeError(path, 2, "no rows after the header")
    return [
        Entry(
            id=entry_id,
            kind="faq",
            questions=tuple(g["questions"]),  # type: ignore[arg-type]
            answer=str(g["answer"]),
            intent="faq",
            file=str(path),
            line=int(g["line"]),  # type: ignore[call-overload]
        )
        for entry_id, g in groups.items()
    ]
