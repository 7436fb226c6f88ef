"""Every labelled reply in eval/compliance_replies.csv is classified as labelled."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from suggest.compliance import default_rulebook
from suggest.config import PLATFORMS

CSV = Path(__file__).resolve().parent.parent / "eval" / "compliance_replies.csv"


def _rows():
    with CSV.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["platform", "text", "allowed", "rule"]
        return [pytest.param(r, id=f"line{n}") for n, r in enumerate(reader, start=2)]


ROWS = _rows()


def test_the_set_is_big_and_covers_every_platform():
    rows = [p.values[0] for p in ROWS]
    assert len(rows) >= 250
    for platform in PLATFORMS:
        mine = [r for r in rows if r["platform"] == platform]
        assert any(r["allowed"] == "true" for r in mine) and any(r["allowed"] == "false" for r in mine)


@pytest.mark.parametrize("row", ROWS)
def test_row(row):
    result = default_rulebook().check(row["text"], row["platform"])
    if row["allowed"] == "true":
        assert result.ok, f"allowed reply blocked: {result.to_dict()}"
    else:
        assert not result.ok, "forbidden reply let through"
        if row["rule"]:
            assert row["rule"] in result.rules, f"expected {row['rule']}, got {result.rules}"
