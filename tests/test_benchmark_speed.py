"""scripts/benchmark_speed.py's wrapper around the model is what the index build reads.

The benchmark runs for twenty minutes and is not part of the tests, so a change to what
build_index asks of an embedder (its revision, session 5) once broke it unnoticed.
"""

from __future__ import annotations

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
