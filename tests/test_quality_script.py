"""scripts/quality.py re-renders its page from a saved run, with that run's command and date."""

from __future__ import annotations

import json
from pathlib import Path

from script_modules import load_script

quality = load_script("quality")

ROW = {"setting": "e-commerce (3 msgs), full templates", "system": "suggest (this engine)", "n": 3, "top1": 0.6667,
       "top3": 1.0, "mrr5": 0.8333, "answered": 0.6667, "precision_answered": 1.0, "in_list_answered": 1.0, "seconds": 0.1}


def test_a_saved_run_renders_with_its_own_command_date_and_figures(tmp_path: Path) -> None:
    saved = tmp_path / "quality.json"
    saved.write_text(json.dumps({"command": "python scripts/quality.py --quick", "date": "2026-01-02",
                                 "model": "hash-64", "rows": [ROW]}), encoding="utf-8")
    out = tmp_path / "quality.md"
    assert quality.main(["--render", str(saved), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "Produced by `python scripts/quality.py --quick` on 2026-01-02, model `hash-64`." in page
    assert "| suggest (this engine) | 0.667 | 1.000 | 0.833 | 0.667 | 1.000 | 1.000 |" in page


def test_a_file_that_is_not_a_saved_run_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    saved = tmp_path / "rows.json"
    saved.write_text(json.dumps([ROW]), encoding="utf-8")  # rows alone, as files before the run record
    out = tmp_path / "quality.md"
    assert quality.main(["--render", str(saved), "--out", str(out)]) == 2
    assert not out.exists()


def test_the_committed_page_is_the_rendering_of_the_committed_run(tmp_path: Path) -> None:
    docs = Path(quality.REPO) / "docs"
    out = tmp_path / "quality.md"
    assert quality.main(["--render", str(docs / "quality.json"), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == (docs / "quality.md").read_text(encoding="utf-8")
