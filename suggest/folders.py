"""New work folders for builds and model conversions."""

from __future__ import annotations

import secrets
from pathlib import Path


def fresh_folder(parent: Path, prefix: str) -> Path:
    """A new empty folder in `parent` with a random name after `prefix`.

    Its permissions come from the umask, as any mkdir's do: tempfile.mkdtemp makes 0700
    folders, and an index or model renamed into place from one could not be read by a service
    running as another user than the build.
    """
    while True:
        folder = Path(parent) / f"{prefix}{secrets.token_hex(6)}"
        try:
            folder.mkdir()
        except FileExistsError:  # 48 random bits: practically never
            continue
        return folder
