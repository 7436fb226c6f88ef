"""Shared fixtures: a small real Chinese knowledge base and the deterministic hash embedder.

Most tests use `HashEmbedder` through the real index and ranking code; tests marked `slow`
load the real e5-small model (converted once into a session cache).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from suggest.api import create_app
from suggest.config import Settings
from suggest.embedding.hashing import HashEmbedder
from suggest.engine import Suggester

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SUGGEST_MODEL", "SUGGEST_INDEX_DIR", "SUGGEST_KNOWLEDGE_DIR", "SUGGEST_MIN_SCORE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    """A writable copy of tests/data/knowledge, so tests may break it."""
    target = tmp_path / "knowledge"
    shutil.copytree(DATA / "knowledge", target)
    return target


@pytest.fixture
def settings(tmp_path: Path, knowledge_dir: Path) -> Settings:
    return Settings.load(knowledge_dir=knowledge_dir, index_dir=tmp_path / "index", model="hash", min_score=0.0)


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def suggester(settings: Settings, embedder: HashEmbedder) -> Suggester:
    return Suggester.open(settings, embedder=embedder)


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the real model is converted: the user's cache if it is there already."""
    default = Settings().cache_dir
    if (default / "models").exists():
        return default
    return tmp_path_factory.mktemp("cache")


# ---------------------------------------------------------------------- the HTTP app
ADMIN_TOKEN = "t0p-secret-admin-token"
ADMIN_AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def api_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.with_(data_dir=tmp_path / "var", admin_token=ADMIN_TOKEN)


@pytest.fixture
def client(api_settings: Settings, embedder: HashEmbedder) -> Iterator[TestClient]:
    """An app of its own, for tests that change the knowledge, the data or the engine."""
    with TestClient(create_app(api_settings, Suggester.open(api_settings, embedder=embedder))) as client:
        yield client
