"""The e-commerce evaluation sets stay consistent with the default knowledge (eval/README.md,
"Checks"): a renamed or re-scoped template must not leave labels that no answer can satisfy."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest

from suggest.knowledge import Entry, load_knowledge

REPO = Path(__file__).resolve().parent.parent
SETS = sorted((REPO / "eval").glob("ecommerce_*.csv"))
ANSWERABLE = {"ecommerce_dev.csv", "ecommerce_test.csv", "ecommerce_holdout.csv"}


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["query", "gold_id", "platform"], path.name
        return list(reader)


def folded(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).lower())


@pytest.fixture(scope="module")
def entries() -> dict[str, Entry]:
    return {e.id: e for e in load_knowledge(REPO / "knowledge").entries}


def test_every_set_is_there():
    assert {p.name for p in SETS} >= ANSWERABLE | {"ecommerce_unanswerable.csv", "ecommerce_dev_unanswerable.csv"}


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_labels_name_answers_that_can_be_given_on_their_platform(path: Path, entries: dict[str, Entry]):
    for line, row in enumerate(rows(path), start=2):
        assert row["platform"] in ("tmall", "pdd"), (path.name, line)
        assert row["query"].strip(), (path.name, line)
        if path.name not in ANSWERABLE:
            assert row["gold_id"] == "", (path.name, line)
            continue
        entry = entries.get(row["gold_id"])
        assert entry is not None, (path.name, line, row["gold_id"])
        assert not entry.platforms or row["platform"] in entry.platforms, (path.name, line, row["gold_id"])


def test_no_message_is_in_two_sets_or_twice_in_one():
    seen: dict[str, str] = {}
    for path in SETS:
        for line, row in enumerate(rows(path), start=2):
            key = folded(row["query"]) or row["query"].strip()  # emoji and punctuation only: as written
            assert key not in seen, f"{path.name}:{line} repeats {seen.get(key)}"
            seen[key] = f"{path.name}:{line}"
