"""Build an index from knowledge, atomically.

The build is written into a fresh folder under builds/, and only when it is complete does the
`current` symlink move to it (os.replace of a symlink is atomic). A crash or a bad knowledge file
at any point leaves the previous index in place and serving.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from suggest.embedding import Embedder
from suggest.errors import IndexStoreError
from suggest.folders import fresh_folder
from suggest.index.dense import build_dense
from suggest.index.store import CURRENT, FORMAT, IndexMeta, LoadedIndex
from suggest.index.views import ANSWER, QUESTION, View, knowledge_tokenizer, make_views
from suggest.knowledge import KnowledgeBase

PUBLISH_LOCK = ".publish.lock"


def build_index(kb: KnowledgeBase, embedder: Embedder, index_dir: Path, progress: bool = False) -> LoadedIndex:
    index_dir = Path(index_dir)
    builds = index_dir / "builds"
    with _writing(index_dir):
        builds.mkdir(parents=True, exist_ok=True)
    views = make_views(kb, knowledge_tokenizer(kb))
    if progress:
        print(f"suggest: embedding {len(views)} texts of {len(kb.entries)} answers with {embedder.name}", file=sys.stderr)
    vectors = encode_views(views, embedder, progress)
    meta = IndexMeta(
        format=FORMAT,
        model=embedder.name,
        model_revision=embedder.revision,
        dim=embedder.dim,
        knowledge_digest=kb.digest,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        views=len(views),
        entries=len(kb.entries),
    )
    dense = dense_index(vectors, embedder.dim)
    with _writing(index_dir):
        work = fresh_folder(builds, ".tmp-")
    # Renamed, pointed at and the older builds cleared in one step under the lock: a build
    # renamed into place but not yet current must not be cleared by another build's cleanup.
    with _writing(index_dir), _publishing(index_dir):
        try:
            _write(work, meta, views, dense)
            # The work folder's random name keeps two builds of the same millisecond apart.
            final = builds / f"{kb.digest}-{int(time.time() * 1000)}-{work.name.removeprefix('.tmp-')}"
            os.rename(work, final)
            _fsync(builds)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        _point_current(index_dir, final)
        _remove_old_builds(builds, keep=final)
    _remove_leftovers(index_dir)
    return LoadedIndex(meta, views, dense)


@contextmanager
def _writing(index_dir: Path) -> Iterator[None]:
    """A folder that cannot be written (a file in the way, no permission, a full disk) is the
    operator's problem to fix, said in one line; the previous build stays current."""
    try:
        yield
    except OSError as exc:
        raise IndexStoreError(f"cannot write the index in {index_dir}: {exc.strerror or exc}", advice="") from exc


def encode_views(views: list[View], embedder: Embedder, progress: bool = False) -> np.ndarray:
    vectors = np.zeros((len(views), embedder.dim), dtype=np.float32)
    for kind, encode in ((QUESTION, embedder.encode_queries), (ANSWER, embedder.encode_documents)):
        rows = [i for i, v in enumerate(views) if v.kind == kind]
        if rows:
            # Merchants repeat themselves (the same answer under many ids, the same question in
            # several spreadsheets): each distinct text is encoded once.
            slot: dict[str, int] = {}
            where = [slot.setdefault(views[i].text, len(slot)) for i in rows]
            vectors[rows] = encode(list(slot), progress=progress)[where]
    return vectors


def dense_index(vectors: np.ndarray, dim: int) -> Any:
    """Inner product (cosine on normalised vectors): exact when small, HNSW when large."""
    return build_dense(vectors, dim)


def _write(folder: Path, meta: IndexMeta, views: list[View], dense: Any) -> None:
    import faiss

    try:
        faiss.write_index(dense, str(folder / "dense.faiss"))
    except RuntimeError as exc:  # faiss says a failed write in its own words ("4051 != 24"): say which
        code = errno.ENOSPC if _disk_full(folder) else errno.EIO
        raise OSError(code, f"{os.strerror(code)} while writing dense.faiss") from exc
    _fsync(folder / "dense.faiss")
    with open(folder / "views.jsonl", "w", encoding="utf-8") as fh:
        for view in views:
            fh.write(json.dumps(view.to_json(), ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    meta.write(folder)  # written last: a folder without meta.json is never a complete build
    _fsync(folder / "meta.json")
    _fsync(folder)


def _disk_full(folder: Path) -> bool:
    try:
        return os.statvfs(folder).f_bavail == 0
    except OSError:
        return False


def _fsync(path: Path) -> None:
    """On disk before the build is pointed at: after a power cut, `current` must not name a
    folder whose files were still in the page cache. Folders too (their entries)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _publishing(index_dir: Path) -> Iterator[None]:
    """One build at a time points `current` and clears the older builds. Two builds into one
    folder (a reload while `suggest build` runs, replicas sharing a volume) could otherwise each
    delete the other's folder after the other had pointed `current` at it, leaving no index."""
    with open(index_dir / PUBLISH_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        yield


def _point_current(index_dir: Path, target: Path) -> None:
    tmp_link = index_dir / f".{CURRENT}-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(os.path.relpath(target, index_dir), tmp_link)
    os.replace(tmp_link, index_dir / CURRENT)
    _fsync(index_dir)


def _remove_old_builds(builds: Path, keep: Path) -> None:
    # Readers that already resolved `current` to an older build keep their open files; on
    # POSIX removing the folder does not disturb them.
    for folder in builds.iterdir():
        if folder != keep and not folder.name.startswith(".tmp-"):
            shutil.rmtree(folder, ignore_errors=True)


# A build's work folder lives from just before its files are written until they are renamed
# into place: seconds. One older than this was left by a build that was killed.
STALE_WORK_SECONDS = 3600


def _remove_leftovers(index_dir: Path) -> None:
    """What killed builds left: work folders (`builds/.tmp-*`) and `current` links being
    swapped (`.current-<pid>`) whose process is gone."""
    now = time.time()
    for folder in (index_dir / "builds").glob(".tmp-*"):
        try:
            if now - folder.stat().st_mtime > STALE_WORK_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue
    for link in index_dir.glob(f".{CURRENT}-*"):
        pid = link.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            try:
                link.unlink()
            except OSError:
                continue


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
