"""`python -m suggest.embedding.prepare MODEL CACHE_DIR`: convert and export a model into the
cache, in a process of its own (factory._exported_folder says why). Prints one JSON object on
stdout: {"folder": ...} when the export is ready, {"error": ...} when it cannot be made."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from suggest.errors import SuggestError


def main(argv: list[str]) -> int:
    from suggest.embedding.factory import prepare_export

    model, cache_dir = argv
    try:
        folder = prepare_export(model, Path(cache_dir))
    except SuggestError as exc:
        print(json.dumps({"error": str(exc)}, ensure_ascii=False))
        return 1
    print(json.dumps({"folder": str(folder)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
