"""The app factory. Nothing is created at import: each call builds its own app, service and
metrics registry, and the model and index load once, at start-up (service.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from suggest import __version__
from suggest.api.errors import install_error_handler
from suggest.api.metrics import Metrics
from suggest.api.middleware import BodyLimit, RequestContext
from suggest.api.privacy import install_masking
from suggest.api.routes import admin, api, probes
from suggest.api.service import Service
from suggest.config import Settings
from suggest.embedding import Embedder
from suggest.engine import Suggester
from suggest.knowledge import KnowledgeBase

DESCRIPTION = """\
为电商客服（天猫、淘宝、拼多多、抖音、京东）推荐回复。

所有错误都使用同一种格式：`{"error": {"code": ..., "message": ...}, "request_id": ...}`；
每个响应都带有 `X-Request-ID` 头。管理接口需要 `Authorization: Bearer <SUGGEST_ADMIN_TOKEN>`。
"""


def create_app(settings: Settings, suggester: Suggester | None = None, embedder: Embedder | None = None,
               progress: bool = False, knowledge: KnowledgeBase | None = None) -> FastAPI:
    """An app serving `settings.knowledge_dir`; `suggester`, when given, is served as it is
    (its embedder is reused for reloads). Otherwise the app listens at once and opens one in
    the background, with `embedder` and `knowledge` (validate_knowledge's) if given: /readyz says
    when it is in place."""
    install_masking("suggest.api")
    metrics = Metrics()
    service = Service(settings, metrics, suggester, embedder=embedder, progress=progress, knowledge=knowledge)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await service.start()
        try:
            yield
        finally:
            await service.close()

    # No redirect from /v1/suggest/ to /v1/suggest: a 307 has an empty body, not the error
    # format every other refusal has, and clients that do not follow it see nothing.
    app = FastAPI(title="suggest", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  redirect_slashes=False)
    app.state.service = service
    install_error_handler(app, settings.knowledge_dir)
    app.include_router(api)
    app.include_router(admin)
    app.include_router(probes)
    # Added last = outermost: the request id exists before the body limit may refuse a request.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.state.routes = [route for router in (api, admin, probes) for route in router.routes]
    paths = frozenset(route.path for route in app.state.routes)
    app.add_middleware(RequestContext, metrics=metrics, paths=paths)
    return app
