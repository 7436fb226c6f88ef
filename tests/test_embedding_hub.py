"""A sentence-transformers name that is neither a folder nor cached: a quick, clear error when
the hub cannot be reached, instead of the hub client's minute and a half of retries."""

from __future__ import annotations

import socket

import pytest

from suggest.embedding import sentence
from suggest.errors import ModelError


class Loader:
    """Stands in for SentenceTransformer's constructor: nothing is in the local cache."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def __call__(self, name: str, **options):  # type: ignore[no-untyped-def]
        self.calls.append(options)
        if options.get("local_files_only"):
            raise OSError(f"{name} is not in the cache")
        return "downloaded"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_hub_is_a_clear_model_error(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    loader = Loader()
    with pytest.raises(ModelError, match=r"not in the Hugging Face cache, and the model hub \(127\.0\.0\.1:\d+\) cannot be reached"):
        sentence._from_hub(loader, "someone/no-such-model")
    assert loader.calls == [{"device": "cpu", "local_files_only": True}]  # never the retrying download


def test_a_reachable_hub_downloads_and_offline_mode_never_tries(monkeypatch: pytest.MonkeyPatch):
    with socket.socket() as hub:
        hub.bind(("127.0.0.1", 0))
        hub.listen()
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{hub.getsockname()[1]}")
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        assert sentence._from_hub(Loader(), "someone/model") == "downloaded"
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        loader = Loader()
        with pytest.raises(ModelError, match="HF_HUB_OFFLINE is set"):
            sentence._from_hub(loader, "someone/model")
        assert len(loader.calls) == 1
