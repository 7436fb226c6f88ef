"""Knowledge files broken at random, the way hand edits break them: a stray character, a lost or
repeated line, a shifted indent, a few characters cut out. Every result must be either a
knowledge base that serves, or a KnowledgeError naming the file and the line, never another
exception. The mutations are seeded, so a failure here is reproducible by its seed."""

from __future__ import annotations

import contextlib
import random
import re
import shutil
from pathlib import Path

import pytest

from suggest.config import Settings
from suggest.embedding.hashing import HashEmbedder
from suggest.engine import Suggester
from suggest.engine.filters import knowledge_rulebook
from suggest.errors import KnowledgeError, SuggestError
from suggest.knowledge import load_knowledge

DATA = Path(__file__).parent / "data" / "knowledge"
JUNK = ("\t", ":", "- ", "{", "}", "[", "]", "'", '"', "&a", "*a", "!!python/object:os.system", "\x00", "\ufeff",
        "?", "|", ">", "#", "  ", "{x}", "{ship_time}", "null", "~", "1e400", "-1", "yes", "【", "\u200b", "\r", ",")
FILE_AND_LINE = re.compile(r"\.(yaml|csv):\d+")
MESSAGES = ("亲 能开票不", "sf能发吗", "衣服小了想换大一码", "什么时候发货")


def mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        line, op = lines[i], rng.random()
        if op < 0.3:
            at = rng.randint(0, len(line))
            lines[i] = line[:at] + rng.choice(JUNK) + line[at:]
        elif op < 0.5 and len(lines) > 1:
            del lines[i]
        elif op < 0.7:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op < 0.85:
            lines[i] = " " * rng.choice((1, 2, 4)) + line if rng.random() < 0.5 else line.lstrip()
        else:
            at = rng.randint(0, len(line))
            lines[i] = line[:at] + line[at + rng.randint(1, 8):]
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(8))
def test_a_broken_knowledge_file_is_named_with_its_line_or_still_serves(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    files = sorted(p.relative_to(DATA) for p in DATA.rglob("*") if p.suffix in (".yaml", ".csv"))
    for attempt in range(8):
        work = tmp_path / f"k{attempt}"
        shutil.copytree(DATA, work)
        target = work / rng.choice(files)
        target.write_text(mutate(target.read_text(encoding="utf-8"), rng), encoding="utf-8")
        try:
            kb = load_knowledge(work)
            knowledge_rulebook(kb)
        except KnowledgeError as exc:
            assert FILE_AND_LINE.search(str(exc)), f"seed {seed}, attempt {attempt}: {exc}"
            continue
        settings = Settings.load(knowledge_dir=work, index_dir=tmp_path / f"i{attempt}", model="hash", min_score=0.0)
        suggester = Suggester.open(settings, embedder=HashEmbedder(), knowledge=kb)
        for message in MESSAGES:
            for product in (None, *list(kb.products)[:2]):
                # A scope the broken file no longer has is a clear error, which is fine.
                with contextlib.suppress(SuggestError):
                    suggester.suggest(message, product=product)
