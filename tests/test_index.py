import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from suggest.embedding.hashing import HashEmbedder
from suggest.errors import IndexStoreError, KnowledgeError, StaleIndexError
from suggest.index import build, build_index, load_index
from suggest.index.store import current_build
from suggest.knowledge import load_knowledge


def test_build_then_load(knowledge_dir: Path, tmp_path: Path):
    kb = load_knowledge(knowledge_dir)
    built = build_index(kb, HashEmbedder(), tmp_path / "index")
    loaded = load_index(tmp_path / "index", "hash-256", kb.digest)
    assert loaded.meta == built.meta
    assert loaded.meta.entries == len(kb.entries)
    assert len(loaded) == built.dense.ntotal
    # each template's questions and its answer are separate views
    assert loaded.meta.views == sum(len(e.questions) + 1 for e in kb.entries)


def test_a_build_is_readable_as_the_umask_allows(knowledge_dir: Path, tmp_path: Path):
    # A service running as another user than the build must be able to read it: the work
    # folder used to come from tempfile.mkdtemp, which makes it 0700 whatever the umask.
    old = os.umask(0o022)
    try:
        build_index(load_knowledge(knowledge_dir), HashEmbedder(), tmp_path / "index")
    finally:
        os.umask(old)
    folder = current_build(tmp_path / "index")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o644 for f in folder.iterdir())


def test_refuses_another_model_or_other_knowledge(knowledge_dir: Path, tmp_path: Path):
    kb = load_knowledge(knowledge_dir)
    build_index(kb, HashEmbedder(), tmp_path / "index")
    with pytest.raises(StaleIndexError, match="built with model 'hash-256', not 'hash-128'"):
        load_index(tmp_path / "index", "hash-128", kb.digest)
    with pytest.raises(StaleIndexError, match="other knowledge"):
        load_index(tmp_path / "index", "hash-256", "0" * 16)


def test_refuses_other_weights_under_the_same_model_name(knowledge_dir: Path, tmp_path: Path):
    """A local model folder retrained in place keeps its name; its revision tells them apart."""
    kb = load_knowledge(knowledge_dir)
    retrained = HashEmbedder()
    retrained.revision = "a1"
    build_index(kb, retrained, tmp_path / "index")
    assert load_index(tmp_path / "index", "hash-256", kb.digest, "a1").meta.model_revision == "a1"
    with pytest.raises(StaleIndexError, match="other weights of model 'hash-256' \\(revision a1, the model now is b2\\)"):
        load_index(tmp_path / "index", "hash-256", kb.digest, "b2")
    # An index from before revisions were recorded is stale for a model that has one.
    build_index(kb, HashEmbedder(), tmp_path / "old")
    meta = json.loads((current_build(tmp_path / "old") / "meta.json").read_text(encoding="utf-8"))
    del meta["model_revision"]
    (current_build(tmp_path / "old") / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert load_index(tmp_path / "old", "hash-256", kb.digest).meta.model_revision == ""
    with pytest.raises(StaleIndexError, match="revision unrecorded, the model now is a1"):
        load_index(tmp_path / "old", "hash-256", kb.digest, "a1")


def test_missing_index_is_a_clear_error(tmp_path: Path):
    with pytest.raises(IndexStoreError, match="suggest build"):
        load_index(tmp_path / "nothing", "hash-256", "x")


def test_a_crash_mid_build_leaves_the_previous_index(knowledge_dir: Path, tmp_path: Path, monkeypatch):
    kb = load_knowledge(knowledge_dir)
    build_index(kb, HashEmbedder(), tmp_path / "index")
    before = current_build(tmp_path / "index")

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build, "_write", crash)
    with pytest.raises(RuntimeError):
        build_index(kb, HashEmbedder(dim=128), tmp_path / "index")
    assert current_build(tmp_path / "index") == before
    assert load_index(tmp_path / "index", "hash-256", kb.digest).meta.entries == len(kb.entries)
    assert [p.name for p in (tmp_path / "index" / "builds").iterdir()] == [before.name]


def test_a_full_disk_mid_build_is_one_clear_error_and_loses_nothing(knowledge_dir: Path, tmp_path: Path, monkeypatch):
    kb = load_knowledge(knowledge_dir)
    build_index(kb, HashEmbedder(), tmp_path / "index")
    before = current_build(tmp_path / "index")

    def full(folder, *args, **kwargs):
        (folder / "dense.faiss").write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build, "_write", full)
    with pytest.raises(IndexStoreError, match=r"cannot write the index in .*: No space left on device"):
        build_index(kb, HashEmbedder(dim=128), tmp_path / "index")
    assert current_build(tmp_path / "index") == before
    assert [p.name for p in (tmp_path / "index" / "builds").iterdir()] == [before.name]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a device every write to fails")
def test_faiss_failing_to_write_is_said_as_the_disk_error_it_is(knowledge_dir: Path, tmp_path: Path):
    """helper-41: a full disk during a reload's build gave "an unexpected error occurred" (faiss
    raises its own RuntimeError, "4051 != 24", not an OSError)."""
    kb = load_knowledge(knowledge_dir)
    index = build_index(kb, HashEmbedder(), tmp_path / "index")
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "dense.faiss").symlink_to("/dev/full")  # every write there fails with ENOSPC
    expected = r"cannot write the index in .*: (Input/output error|No space left on device) while writing dense.faiss"
    with pytest.raises(IndexStoreError, match=expected), build._writing(tmp_path / "index"):
        build._write(folder, index.meta, index.views, index.dense)


def test_an_index_folder_that_cannot_be_made_is_a_clear_error(knowledge_dir: Path, tmp_path: Path):
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(IndexStoreError, match="cannot write the index in .*a-file/index: Not a directory"):
        build_index(load_knowledge(knowledge_dir), HashEmbedder(), tmp_path / "a-file" / "index")


def test_a_build_clears_what_killed_builds_left(knowledge_dir: Path, tmp_path: Path):
    """kill -9 between mkdtemp and the rename leaves a work folder; between symlink and replace,
    a `.current-<pid>` link. The next build removes them, not a live build's."""
    import os
    import subprocess

    kb = load_knowledge(knowledge_dir)
    index = tmp_path / "index"
    build_index(kb, HashEmbedder(), index)
    stale, fresh = index / "builds" / ".tmp-killed", index / "builds" / ".tmp-live"
    stale.mkdir()
    fresh.mkdir()
    old = stale.stat().st_mtime - build.STALE_WORK_SECONDS - 60
    os.utime(stale, (old, old))
    exited = subprocess.Popen(["true"])  # a pid whose process is gone
    exited.wait()
    dead = index / f".current-{exited.pid}"
    dead.symlink_to("builds")
    build_index(kb, HashEmbedder(dim=128), index)
    assert not stale.exists() and fresh.exists()
    assert not dead.is_symlink()


def test_broken_knowledge_never_reaches_the_index(knowledge_dir: Path, tmp_path: Path):
    kb = load_knowledge(knowledge_dir)
    build_index(kb, HashEmbedder(), tmp_path / "index")
    before = current_build(tmp_path / "index")
    (knowledge_dir / "templates" / "main.yaml").write_text("- id: [\n", encoding="utf-8")
    with pytest.raises(KnowledgeError):
        load_knowledge(knowledge_dir)
    assert current_build(tmp_path / "index") == before


def test_damaged_index_files_are_reported(knowledge_dir: Path, tmp_path: Path):
    kb = load_knowledge(knowledge_dir)
    build_index(kb, HashEmbedder(), tmp_path / "index")
    (current_build(tmp_path / "index") / "dense.faiss").write_bytes(b"garbage")
    with pytest.raises(IndexStoreError, match="damaged"):
        load_index(tmp_path / "index", "hash-256", kb.digest)


@pytest.mark.parametrize("entry", ["99999", "-1", '"3"', "1.5", "true"])
def test_a_view_naming_no_answer_of_the_index_is_damage(knowledge_dir: Path, tmp_path: Path, entry: str):
    kb = load_knowledge(knowledge_dir)
    build_index(kb, HashEmbedder(), tmp_path / "index")
    views = current_build(tmp_path / "index") / "views.jsonl"
    lines = views.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"entry": 0', f'"entry": {entry}', 1)
    assert f'"entry": {entry}' in lines[1]
    views.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(IndexStoreError, match=r"damaged \(views.jsonl line 2: answer"):
        load_index(tmp_path / "index", "hash-256", kb.digest)


def test_centroids_average_each_answers_questions_only(knowledge_dir: Path, tmp_path: Path):
    kb = load_knowledge(knowledge_dir)
    index = build_index(kb, HashEmbedder(), tmp_path / "index")
    for entry in (0, len(kb.entries) - 1):
        rows = np.flatnonzero((index.view_entry == entry) & index.view_is_question)
        mean = index.vectors[rows].mean(axis=0)
        np.testing.assert_allclose(index.centroids[entry], mean / np.linalg.norm(mean), atol=1e-6)
    assert np.allclose(np.linalg.norm(index.centroids, axis=1), 1.0, atol=1e-5)


def test_concurrent_builds_into_one_folder_leave_a_working_index(knowledge_dir: Path, tmp_path: Path):
    """A reload while `suggest build` runs: whichever build publishes last is current, and the
    folder it names is there (without the publish lock, 1 round in 6 ended with no index)."""
    import threading

    kb = load_knowledge(knowledge_dir)
    for round_ in range(4):
        index = tmp_path / f"index-{round_}"
        barrier = threading.Barrier(6)

        def one(barrier: threading.Barrier = barrier, index: Path = index) -> None:
            barrier.wait()
            build_index(kb, HashEmbedder(), index)

        threads = [threading.Thread(target=one) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert load_index(index, "hash-256", kb.digest).meta.entries == len(kb.entries)
        assert [p.name for p in (index / "builds").iterdir()] == [current_build(index).name]


def test_an_answer_of_only_product_facts_gets_an_answer_view_filled_from_a_product(knowledge_dir: Path):
    """"亲，{material}～" without a product is no words at all: its answer view was empty, so the
    template was never suggested, not even for its own example question."""
    from suggest.index.views import ANSWER, knowledge_tokenizer, make_views

    (knowledge_dir / "templates" / "facts-only.yaml").write_text(
        "- id: material-only\n  questions: [是什么面料]\n  answer: 亲，{material}～\n", encoding="utf-8")
    kb = load_knowledge(knowledge_dir)
    at = next(i for i, e in enumerate(kb.entries) if e.id == "material-only")
    answers = [v.text for v in make_views(kb, knowledge_tokenizer(kb)) if v.entry == at and v.kind == ANSWER]
    assert answers == ["100 纯棉"]  # normalised: the tee's, the first product that can fill it
