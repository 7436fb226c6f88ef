"""scripts/calibrate.py's collector and the evaluation ranker read the engine the same way."""

from __future__ import annotations

import pytest
from script_modules import load_script

from suggest.engine import Suggester
from suggest.evaluation import Query, ranker


@pytest.fixture(scope="module")
def calibrate():
    return load_script("calibrate")


def test_collect_reads_what_the_ranker_ranks(calibrate, suggester: Suggester) -> None:
    # A query file's empty platform cell means the default platform, as in the ranker.
    queries = [Query("能开发票吗", "invoice", platform=""), Query("sf能发吗", "courier-sf", platform="pdd"),
               Query("😀😀", "invoice", platform="")]
    part = calibrate.collect("dev", suggester, queries)
    assert len(part.lists) == 2  # nothing in the emoji-only message to match
    assert [gold >= 0 for _, gold in part.lists] == [True, True]
    rank = ranker(suggester)
    for (features, gold), query in zip(part.lists, queries, strict=False):
        assert features.shape[1] == len(calibrate.FEATURES)
        candidates = suggester.message_candidates(query.text, query.platform)
        ids = [suggester.kb.entries[e].id for e in candidates.entries]
        assert gold == (ids.index(query.gold) if query.gold in ids else -1)
        assert sorted(rank(query).ids) == sorted(ids)
    off_domain = calibrate.collect("bank", suggester, queries[:1], answerable=False)
    assert [gold for _, gold in off_domain.lists] == [-1]


def test_a_model_is_fitted_on_the_repository_alone_when_the_benchmark_is_absent(
        calibrate, tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import json
    import shutil

    from suggest.ranking import load_fusion

    # A shop fitting its own model has no ../shared/bench: the fit must still come out, its own.
    monkeypatch.setattr(calibrate, "BENCH", tmp_path / "no-bench")
    monkeypatch.setattr(calibrate, "bench_available", lambda: False)
    monkeypatch.setenv("SUGGEST_CACHE_DIR", str(tmp_path / "cache"))
    fusion_file = shutil.copy(calibrate.FUSION_FILE, tmp_path / "fusion.json")
    assert calibrate.main(["--model", "hash-64", "--fusion-file", str(fusion_file)]) == 0
    assert "fitting without UnionPay" in capsys.readouterr().err
    fitted = json.loads(fusion_file.read_text(encoding="utf-8"))["models"]["hash-64"]
    assert "UnionPay" not in fitted["trained_on"] and "e-commerce dev, none fits" in fitted["trained_on"]
    assert 0 < fitted["threshold"] < 1 and len(fitted["weights"]) == len(calibrate.FEATURES)
    # The package's own file is untouched, and without a fit of its own a model borrows the
    # default's, saying so (Suggester.open warns with it).
    assert load_fusion("hash-64").model != "hash-64"


def test_a_feature_cache_of_another_model_is_not_fitted_under_this_ones_name(
        calibrate, tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    monkeypatch.setattr(calibrate, "bench_available", lambda: False)
    monkeypatch.setenv("SUGGEST_CACHE_DIR", str(tmp_path / "cache"))
    fusion_file = shutil.copy(calibrate.FUSION_FILE, tmp_path / "fusion.json")
    cache = tmp_path / "features.pickle"
    collected = []
    real = calibrate.collect_parts
    monkeypatch.setattr(calibrate, "collect_parts", lambda *a: collected.append(a[2].name) or real(*a))
    base = ["--fusion-file", str(fusion_file), "--cache", str(cache)]
    assert calibrate.main(["--model", "hash-64", *base]) == 0
    assert calibrate.main(["--model", "hash-64", *base]) == 0  # the cache serves the same model
    assert collected == ["hash-64"]
    assert calibrate.main(["--model", "hash-32", *base]) == 0
    assert collected == ["hash-64", "hash-32"]
    assert "collected for another model" in capsys.readouterr().err
