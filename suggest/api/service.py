"""What the HTTP layer serves, and the one place that swaps it on reload.

A `Generation` is one consistent snapshot of the knowledge: its Suggester (model, index,
tokenizer) and its rule book. Each request reads `service.current` once and uses that snapshot
to the end, so a reload that replaces the reference mid-request cannot mix two knowledge
bases. Blocking work (encoding, ranking, SQLite) runs in worker threads, never on the event loop.

The first generation may need an index build of minutes. Without a preloaded Suggester it is
opened in a daemon thread after the server starts listening: /healthz answers at once (a
liveness probe does not kill a process that is building), /readyz and the API say 503 until it
is in place, and a shutdown during the build does not wait for it (builds are atomic).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

import anyio
import anyio.to_thread

from suggest.api.errors import HttpError, describe
from suggest.api.metrics import Metrics
from suggest.autoreply import AutoReplier, Decision
from suggest.compliance import check_text
from suggest.config import Settings
from suggest.embedding import Embedder
from suggest.engine import Suggester, SuggestResult
from suggest.errors import SuggestError
from suggest.feedback import Feedback, FeedbackStore
from suggest.feedback.sources import answer_ids, check_against_knowledge
from suggest.feedback.store import FeedbackConflict
from suggest.knowledge import KnowledgeBase, load_knowledge

log = logging.getLogger("suggest.api")
T = TypeVar("T")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Generation:
    number: int
    suggester: Suggester
    rules: Any | None  # suggest.compliance.RuleBook, imported lazily
    rules_problem: str | None  # why `rules` is None
    loaded_at: str
    autoreplier: AutoReplier | None = None  # over this generation's suggester

    def describe(self) -> dict[str, Any]:
        meta = self.suggester.index.meta
        return {
            "generation": self.number,
            "loaded_at": self.loaded_at,
            "model": self.suggester.embedder.name,
            "fusion_fitted_for": self.suggester.fusion.model,
            "entries": meta.entries,
            "index_built_at": meta.built_at,
            "knowledge_digest": meta.knowledge_digest,
            "rules": self.rules is not None,
            # In effect (SUGGEST_MIN_SCORE / SUGGEST_AUTO_SEND_SCORE, else the fit): what the
            # documentation's figures cannot say for this deployment.
            "threshold": round(self.suggester.threshold, 4),
            "auto_send_threshold": round(self.autoreplier.auto_send_threshold, 4) if self.autoreplier else None,
        }


@dataclass
class ReloadStatus:
    state: Literal["idle", "running", "succeeded", "failed"] = "idle"
    started_at: str | None = None
    finished_at: str | None = None
    error: dict[str, Any] | None = None
    serving: dict[str, Any] = field(default_factory=dict)  # the generation answering requests

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "error": self.error,
            "serving": self.serving,
        }


def load_rule_book(settings: Settings, suggester: Suggester | None = None) -> tuple[Any | None, str | None]:
    """The compliance rule book of the knowledge, or None and why when the filter is absent.

    The Suggester's own filter is reused when it is the rule book (it is, unless a test passed
    another), so the rules are loaded once. A rule file that does not validate raises
    KnowledgeError like any other knowledge file.
    """
    try:
        from suggest.compliance import RuleBook, load_rules
    except ImportError as exc:
        return None, f"the compliance filter is not available ({exc})"
    if suggester is not None and isinstance(suggester.filter, RuleBook):
        return suggester.filter, None
    return load_rules(settings.knowledge_dir), None


def validate_knowledge(settings: Settings) -> KnowledgeBase:
    """Everything `Suggester.open` checks before building: files, rules, answers and notices
    against the rules. The knowledge base it returns is what the build that follows should
    open, so that it is read once (about a second per 10k answers) and is the one checked.

    The engine caches the checked rule book by knowledge digest, so the rebuild that follows
    does not check it again.
    """
    from suggest.engine.filters import knowledge_rulebook

    kb = load_knowledge(settings.knowledge_dir)
    knowledge_rulebook(kb)
    return kb


def load_generation(settings: Settings, number: int, embedder: Embedder | None = None,
                    suggester: Suggester | None = None, progress: bool = False,
                    knowledge: KnowledgeBase | None = None) -> Generation:
    if suggester is None:
        suggester = Suggester.open(settings, embedder=embedder, progress=progress, knowledge=knowledge)
    rules, problem = load_rule_book(settings, suggester)
    # Checks the shops' off-hours notices against the rules: a bad one fails like a bad template.
    return Generation(number, suggester, rules, problem, _now(), AutoReplier(suggester))


class Service:
    def __init__(self, settings: Settings, metrics: Metrics, suggester: Suggester | None = None,
                 embedder: Embedder | None = None, progress: bool = False,
                 knowledge: KnowledgeBase | None = None) -> None:
        """`suggester`: served as it is; otherwise one is opened in the background at start-up,
        with `embedder` and `knowledge` (as validate_knowledge returned it) when given, and a
        progress bar on stderr if `progress`."""
        self.settings = settings
        self.metrics = metrics
        self._preloaded = suggester
        self._embedder = embedder
        self._knowledge = knowledge
        self._progress = progress
        self._current: Generation | None = None
        # Why the first generation could not be opened; the server is then asked to stop.
        self.load_error: BaseException | None = None
        self.on_fatal: Callable[[], None] | None = None
        self.feedback: FeedbackStore | None = None
        # The answers of the knowledge the latest reload replaced: a feedback for a suggestion
        # shown just before the swap may still name one of them.
        self._retired_answers: frozenset[str] = frozenset()
        self.reload_status = ReloadStatus()
        self._reload_task: asyncio.Task[None] | None = None
        # Encoding is CPU-bound: more threads than cores only queue inside torch.
        self._limiter = anyio.CapacityLimiter(settings.api_threads)

    # ------------------------------------------------------------------ life cycle
    async def start(self) -> None:
        self.feedback = await anyio.to_thread.run_sync(FeedbackStore.for_settings, self.settings)
        if self._preloaded is None:
            self._open_first_in_background()
            return
        generation = await anyio.to_thread.run_sync(
            functools.partial(load_generation, self.settings, 1, suggester=self._preloaded)
        )
        self._preloaded = None
        self._first_loaded(generation)

    def _open_first_in_background(self) -> None:
        # A daemon thread rather than anyio's worker pool: the pool's threads are joined when the
        # event loop closes, so Ctrl-C during a long build would wait for the build to end.
        loop = asyncio.get_running_loop()

        # Handed over, not kept: after a reload the service would still hold the first knowledge.
        knowledge, self._knowledge = self._knowledge, None

        def work() -> None:
            outcome: Generation | BaseException
            try:
                outcome = load_generation(self.settings, 1, self._embedder, progress=self._progress,
                                          knowledge=knowledge)
            except BaseException as exc:  # handed to the event loop, which reports it
                outcome = exc
            with contextlib.suppress(RuntimeError):  # the loop closed: the server stopped meanwhile
                loop.call_soon_threadsafe(self._first_loaded, outcome)

        threading.Thread(target=work, name="suggest-first-load", daemon=True).start()

    def _first_loaded(self, outcome: Generation | BaseException) -> None:
        if isinstance(outcome, BaseException):
            self.load_error = outcome
            # An expected failure is its message; anything else needs its traceback.
            log.error("cannot serve: %s", outcome, exc_info=None if isinstance(outcome, SuggestError) else outcome)
            if self.on_fatal is not None:
                self.on_fatal()
            return
        self._current = outcome
        log.info("serving %s", outcome.describe())

    async def close(self) -> None:
        if self._reload_task is not None:
            await asyncio.gather(self._reload_task, return_exceptions=True)
        if self.feedback is not None:
            self.feedback.close()

    @property
    def current(self) -> Generation:
        if self._current is None:
            raise self.unready()
        return self._current

    @property
    def ready(self) -> bool:
        return self._current is not None and self.feedback is not None

    def unready(self) -> HttpError:
        """What a request gets while the service is not ready."""
        if self.load_error is not None:
            return HttpError(503, "not_ready", "the service could not load its knowledge and is stopping")
        return HttpError(503, "not_ready", "the service is still loading its model and index; retry shortly")

    async def _blocking(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await anyio.to_thread.run_sync(functools.partial(func, *args, **kwargs), limiter=self._limiter)

    # ------------------------------------------------------------------ requests
    @staticmethod
    def scope(generation: Generation, platform: str | None, shop: str | None) -> tuple[str, str]:
        """The platform and shop a request is for, or ScopeError: the one resolution every route
        goes through, with the engine's own rules (the default platform and shop, a shop that
        does not sell on the platform). Each route had its own check, and they drifted apart:
        /v1/check took a shop that does not sell on the platform, /v1/feedback a platform the
        default shop does not sell on."""
        suggester = generation.suggester
        platform = suggester.platform_of(platform)
        return platform, suggester.shop_of(shop, platform)

    async def suggest(self, message: str, platform: str | None, shop: str | None, product: str | None,
                      limit: int | None, history: Sequence[str] = ()) -> SuggestResult:
        generation = self.current
        platform, shop = self.scope(generation, platform, shop)
        result = await self._blocking(generation.suggester.suggest, message, platform=platform, shop=shop,
                                      product=product, limit=limit, history=history)
        self.metrics.observe_suggestions(result)
        # Customer text is logged only at debug level, and masked like everything else.
        log.debug("suggest %s/%s %r: %d suggestions, %d dropped", result.platform, result.shop, message,
                  len(result.suggestions), len(result.dropped))
        return result

    async def check(self, text: str, platform: str, shop: str | None) -> dict[str, Any]:
        generation = self.current
        if generation.rules is None:
            raise HttpError(503, "rules_unavailable", f"compliance checks are unavailable: {generation.rules_problem}")
        # A mistyped shop would silently be checked without its own rules, and pass; without a
        # shop, the reply is checked as /v1/suggest filters the default shop's replies.
        platform, shop = self.scope(generation, platform, shop)
        text = check_text(text)  # nothing in an empty or garbled text breaks a rule: "ok" would be a lie
        result = await self._blocking(generation.rules.check, text, platform, shop)
        return dict(result.to_dict())

    async def auto_reply(self, message: str, platform: str, shop: str, conversation: str, at: str | None,
                         unanswered_since: str | None, product: str | None, request_id: str,
                         history: Sequence[str] = ()) -> Decision:
        generation = self.current
        if self.feedback is None or generation.autoreplier is None:
            raise self.unready()
        platform, shop = self.scope(generation, platform, shop)
        decision = await self._blocking(
            generation.autoreplier.reply, self.feedback, message, platform, shop, conversation, at=at,
            unanswered_since=unanswered_since, product=product, request_id=request_id, history=history,
        )
        self.metrics.auto_replies.labels(decision.reason, str(decision.send).lower()).inc()
        log.debug("auto-reply %s/%s %s: %s", platform, shop, conversation, decision.reason)
        return decision

    async def record_feedback(self, platform: str, shop: str | None, **fields: Any) -> tuple[int, bool]:
        """`fields`: the rest of a Feedback. (its id, True when stored now; False for an exact
        repeat of the feedback already stored for the request, which is not counted again).

        It is filed under the scope the suggestions were made for: a typo would file it under a
        shop that does not exist, and no shop is the default one, as on /v1/suggest. Its ids must
        be answers of the knowledge served now (or of the one the latest reload replaced), read
        from the generation at hand, not from the knowledge the service started with. A request
        gets one feedback: a different one is 409 feedback_conflict."""
        store = self.feedback
        if store is None:
            raise self.unready()
        generation = self.current
        platform, shop = self.scope(generation, platform, shop)
        feedback = Feedback(platform=platform, shop=shop, **fields)

        def check_and_record() -> tuple[int, bool]:
            # A retry of a stored feedback is answered as stored, whatever the knowledge is now
            # (helper-41: a retry after a reload that removed the answer was refused with 422).
            if (stored := store.stored_repeat(feedback)) is not None:
                return stored, False
            check_against_knowledge(feedback, generation.suggester, self._retired_answers)
            return store.record_once(feedback)

        try:
            row_id, created = await self._blocking(check_and_record)
        except FeedbackConflict as exc:
            raise HttpError(409, "feedback_conflict", str(exc)) from exc
        if created:
            self.metrics.feedback.labels(feedback.outcome).inc()
        return row_id, created

    # ------------------------------------------------------------------ reload
    def status(self) -> ReloadStatus:
        self.reload_status.serving = self.current.describe()
        return self.reload_status

    async def start_reload(self) -> bool:
        """Validate the knowledge now, rebuild in the background; False if one is running.

        A knowledge file that does not validate (or a template that breaks a platform rule)
        raises KnowledgeError here, before anything is built, and the current generation keeps
        serving.
        """
        if self._current is None:  # nothing to keep serving yet: the first build is still running
            raise self.unready()
        if self.reload_status.state == "running":
            return False
        self.reload_status = ReloadStatus("running", started_at=_now())
        try:
            knowledge = await anyio.to_thread.run_sync(validate_knowledge, self.settings)
        except Exception as exc:
            self._finish_reload(exc, refused=True)
            raise
        self._reload_task = asyncio.create_task(self._rebuild(knowledge))
        return True

    async def _rebuild(self, knowledge: KnowledgeBase) -> None:
        previous = self.current
        try:
            # The embedder is reused: the model is loaded once per process, never again.
            generation = await anyio.to_thread.run_sync(
                functools.partial(load_generation, self.settings, previous.number + 1, previous.suggester.embedder,
                                  knowledge=knowledge)
            )
        except Exception as exc:  # reported in the status; the old generation keeps serving
            if not isinstance(exc, SuggestError):
                log.exception("reload failed")
            self._finish_reload(exc)
            return
        self._retired_answers = answer_ids(previous.suggester)  # still taken in feedback
        self._current = generation  # the swap: one reference assignment
        self._finish_reload(None)
        log.info("reloaded: now serving %s", generation.describe())

    def _finish_reload(self, exc: Exception | None, refused: bool = False) -> None:
        """`refused`: the knowledge did not validate, nothing was built (counted apart: a typo in a
        template is not an outage to alert on)."""
        status = self.reload_status
        status.finished_at = _now()
        if exc is None:
            status.state = "succeeded"
        else:
            failure = describe(exc, self.settings.knowledge_dir)
            status.state = "failed"
            status.error = {"code": failure.code, "message": failure.message, **failure.extra}
            log.warning("reload rejected: %s", failure.message)
        self.metrics.reloads.labels("refused" if refused else status.state).inc()
