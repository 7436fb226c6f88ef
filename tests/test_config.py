"""Settings: one place, validated, with the service's thread split."""

from __future__ import annotations

import os

import pytest

from suggest.config import Settings, index_dir_for
from suggest.errors import ConfigError


def test_serving_shares_the_cores_among_the_api_threads() -> None:
    served = Settings(api_threads=2).serving()
    assert served.model_threads == max(1, (os.cpu_count() or 1) // 2)
    assert Settings(api_threads=64).serving().model_threads == 1
    # an explicit choice is kept
    assert Settings(model_threads=3).serving().model_threads == 3
    # the CLI and scripts use every core
    assert Settings().model_threads is None


def test_model_threads_from_the_environment_and_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUGGEST_MODEL_THREADS", "1")
    assert Settings.load().model_threads == 1
    monkeypatch.setenv("SUGGEST_MODEL_THREADS", "0")
    with pytest.raises(ConfigError, match="model_threads"):
        Settings.load()
    monkeypatch.setenv("SUGGEST_MODEL_THREADS", "1")
    monkeypatch.setenv("SUGGEST_MODEL_SOLO_THREADS", "2")
    assert Settings.load().serving().model_solo_threads == 2
    monkeypatch.setenv("SUGGEST_MODEL_SOLO_THREADS", "0")
    with pytest.raises(ConfigError, match="model_solo_threads"):
        Settings.load()


def test_query_cache_setting_reaches_the_embedder(settings: Settings) -> None:
    from suggest.embedding.cache import CachedEmbedder
    from suggest.engine import Suggester

    assert isinstance(Suggester.open(settings.with_(query_cache=16)).embedder, CachedEmbedder)
    assert not isinstance(Suggester.open(settings.with_(query_cache=0)).embedder, CachedEmbedder)
    with pytest.raises(ConfigError, match="query_cache"):
        Settings(query_cache=-1).validate()


def test_the_admin_token_must_be_sendable_in_a_header() -> None:
    assert Settings.load(admin_token="t0p-secret-admin-token").admin_token
    with pytest.raises(ConfigError, match="at least 16"):
        Settings.load(admin_token="short")
    with pytest.raises(ConfigError, match="printable ASCII"):
        Settings.load(admin_token="管理员令牌-一二三四五六七八九十")


def test_other_knowledge_gets_an_index_folder_of_its_own(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    default = Settings()
    assert Settings.load().index_dir == default.index_dir
    assert Settings.load(knowledge_dir=default.knowledge_dir).index_dir == default.index_dir
    shop_a, shop_b = tmp_path / "a" / "faq", tmp_path / "b" / "faq"
    own = Settings.load(knowledge_dir=shop_a).index_dir
    assert own.parent == default.index_dir / "knowledge" and own.name.startswith("faq-")
    assert own == index_dir_for(shop_a) != index_dir_for(shop_b)  # same name, other path
    assert Settings.load(knowledge_dir=shop_a, index_dir=tmp_path / "idx").index_dir == tmp_path / "idx"
    monkeypatch.setenv("SUGGEST_INDEX_DIR", str(tmp_path / "env-idx"))
    assert Settings.load(knowledge_dir=shop_a).index_dir == tmp_path / "env-idx"
