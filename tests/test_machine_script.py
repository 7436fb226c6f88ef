"""scripts/machine.py: the CPU line the measuring scripts print beside their figures."""

from __future__ import annotations

import json
from pathlib import Path

from script_modules import load_script

machine = load_script("machine")
quality = load_script("quality")

CPUINFO = """processor\t: 0
model name\t: AMD EPYC 9B14
flags\t\t: fpu sse2 avx2 avx512f avx512_vnni
processor\t: 1
model name\t: AMD EPYC 9B14
flags\t\t: fpu sse2 avx2 avx512f avx512_vnni
"""


def test_the_model_name_and_the_best_int8_extension_are_named(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text(CPUINFO, encoding="utf-8")
    assert machine.cpu_description(info) == "AMD EPYC 9B14, AVX-512 VNNI"
    info.write_text(CPUINFO.replace(" avx512f avx512_vnni", ""), encoding="utf-8")
    assert machine.cpu_description(info) == "AMD EPYC 9B14, AVX2"


def test_without_a_cpuinfo_file_the_architecture_is_named(tmp_path: Path) -> None:
    assert machine.cpu_description(tmp_path / "missing")  # e.g. "x86_64", never an exception


def test_a_saved_quality_run_with_a_cpu_names_it_and_one_without_does_not(tmp_path: Path) -> None:
    row = {"setting": "e-commerce (3 msgs), full templates", "system": "suggest (this engine)", "n": 3, "top1": 0.5,
           "top3": 1.0, "mrr5": 0.75, "answered": 0.5, "precision_answered": 1.0, "in_list_answered": 1.0}
    run = {"command": "python scripts/quality.py", "date": "2026-01-02", "model": "hash-64", "rows": [row]}
    for cpu, expected in (("AMD EPYC, AVX2", "model `hash-64`, CPU AMD EPYC, AVX2 ("), (None, "model `hash-64`.")):
        saved, out = tmp_path / "run.json", tmp_path / "page.md"
        saved.write_text(json.dumps({**run, **({"cpu": cpu} if cpu else {})}), encoding="utf-8")
        assert quality.main(["--render", str(saved), "--out", str(out)]) == 0
        assert expected in out.read_text(encoding="utf-8")
