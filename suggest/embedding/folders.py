"""Model folders in the cache: put in place whole, and the leftovers of killed runs swept.

A converted or exported model is written into a temporary folder beside its destination and
renamed into place at the end, so a reader never sees half a model, whatever happens meanwhile.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from suggest.errors import ModelError

# Temporary folders older than this are leftovers of a killed conversion or export.
STALE_TEMP_SECONDS = 3600


def install_folder(staged: Path, dest: Path, is_complete: Callable[[Path], bool]) -> None:
    """Rename the finished folder `staged` to `dest`; an existing `dest` is moved aside whole
    first. `is_complete(dest)` says whether a concurrent run already put the same model there."""
    retired: Path | None = dest.with_name(f".{dest.name}.old-{os.getpid()}-{time.time_ns()}")
    try:
        dest.rename(retired)
    except FileNotFoundError:
        retired = None
    try:
        staged.rename(dest)
    except OSError as exc:
        # A concurrent run for the same source may have got there first: use its folder.
        if not is_complete(dest):
            if retired is not None and not dest.exists():
                retired.rename(dest)
                retired = None
            raise ModelError(f"cannot move the model into {dest}: {exc}") from exc
    finally:
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)


def sweep_stale(parent: Path, name: str) -> None:
    """Remove temporary folders that killed runs left beside `name`."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for leftover in parent.glob(f".{name}.*-*"):
        try:
            if leftover.is_dir() and leftover.stat().st_mtime < cutoff:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            pass


def weights_fingerprint(source: Path) -> dict[str, Any]:
    """The weights a model folder holds: size and modification time of every weight file
    (hashing 470 MB at each start would cost a second)."""
    weights = sorted(p for p in source.rglob("*") if p.suffix in (".safetensors", ".bin") and p.is_file())
    if not weights:
        raise ModelError(f"no model weights (*.safetensors, *.bin) under {source}")
    return {
        "source": str(source.resolve()),
        "weights": [[str(p.relative_to(source)), p.stat().st_size, p.stat().st_mtime_ns] for p in weights],
    }


def revision_of(record: dict[str, Any]) -> str:
    """A short digest of what identifies a model's weights (Embedder.revision)."""
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode("utf-8")).hexdigest()[:16]
