"""What the measuring scripts say about the CPU they ran on.

The int8 model's kernels are picked by instruction set: the same code, messages and model gave
vectors at cosine 0.9885 (worst) to fp32 on an AVX2 machine and 0.9946 on one with AVX-512 VNNI,
and encoded 2.5× faster there. Figures from two machines are only comparable with this beside them.
"""

from __future__ import annotations

import platform
from pathlib import Path

# The extensions onnxruntime's int8 matrix products choose between, best first.
_INT8_PATHS = (("amx_int8", "AMX"), ("avx512_vnni", "AVX-512 VNNI"), ("avx_vnni", "AVX-VNNI"), ("avx2", "AVX2"))


def cpu_description(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """'AMD EPYC, AVX-512 VNNI': the model name and the best int8 extension it has; the
    architecture alone where /proc/cpuinfo cannot be read."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.machine() or "unknown CPU"
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() not in fields:
            fields[key.strip()] = value.strip()
    flags = set(fields.get("flags", "").split())
    best = next((label for flag, label in _INT8_PATHS if flag in flags), "no AVX2")
    return f"{fields.get('model name') or platform.machine()}, {best}"


if __name__ == "__main__":
    print(cpu_description())
