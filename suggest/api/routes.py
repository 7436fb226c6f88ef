"""The endpoints. Each is one call into the service plus encoding; errors are raised, never
caught here (suggest.api.errors converts them all).

The busy endpoints build their JSONResponse themselves: their dicts are plain JSON already, and
FastAPI would walk a returned dict with jsonable_encoder first. Dependencies are `async def`:
FastAPI runs a plain `def` one on a worker thread, a second thread hop per request for an
attribute lookup. Together these took 0.5-0.9 ms off a cached POST /v1/suggest round trip of
6-8 ms (two servers, requests interleaved, session 8)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from suggest.api.errors import HttpError, request_id_of
from suggest.api.schemas import (
    AutoReplyRequest,
    AutoReplyResponse,
    CheckRequest,
    CheckResponse,
    ErrorResponse,
    FeedbackRequest,
    FeedbackResponse,
    ReloadResponse,
    SuggestRequest,
    SuggestResponse,
)
from suggest.api.service import Service


async def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


async def require_admin(request: Request, service: ServiceDep) -> None:
    token = service.settings.admin_token
    if not token:
        raise HttpError(403, "admin_disabled", "admin endpoints are disabled: no admin token is configured "
                        "(set SUGGEST_ADMIN_TOKEN to enable them)")
    scheme, _, offered = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(offered.strip().encode(), token.encode()):
        raise HttpError(401, "unauthorized", "admin endpoints need the header 'Authorization: Bearer <admin token>'",
                        headers={"WWW-Authenticate": "Bearer"})


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in {
        400: "请求体无法读取：须为 UTF-8 编码的 JSON 对象",
        413: "请求体超过大小限制",
        422: "请求无效：字段校验失败、消息为空或过长、未知的平台/店铺/商品、时间不是 ISO 8601",
        503: "服务尚未就绪",
    }.items()
}
ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    401: {"model": ErrorResponse, "description": "缺少或错误的管理令牌"},
    403: {"model": ErrorResponse, "description": "未配置管理令牌，管理接口已关闭"},
    409: {"model": ErrorResponse, "description": "已有一次重载在进行"},
}

api = APIRouter(prefix="/v1", responses=ERRORS)
admin = APIRouter(prefix="/v1/admin", tags=["admin"], responses=ADMIN_ERRORS, dependencies=[Depends(require_admin)])
probes = APIRouter(tags=["probes"])


@api.post("/suggest", summary="为顾客消息推荐回复", response_model=None, responses={200: {"model": SuggestResponse}})
async def suggest(body: SuggestRequest, request: Request, service: ServiceDep) -> JSONResponse:
    customer_turns = [turn.text for turn in body.history or () if turn.role == "customer"]
    result = await service.suggest(body.message, body.platform, body.shop, body.product, body.limit, customer_turns)
    return JSONResponse({**result.to_dict(debug=bool(body.debug)), "request_id": request_id_of(request)})


@api.post("/auto-reply", summary="非工作时间自动回复：是否由系统直接发送、发什么", response_model=None,
          responses={200: {"model": AutoReplyResponse}})
async def auto_reply(body: AutoReplyRequest, request: Request, service: ServiceDep) -> JSONResponse:
    request_id = request_id_of(request)
    customer_turns = [turn.text for turn in body.history or () if turn.role == "customer"]
    decision = await service.auto_reply(body.message, body.platform, body.shop, body.conversation, body.at,
                                        body.unanswered_since, body.product, request_id, customer_turns)
    return JSONResponse({**decision.to_dict(), "request_id": request_id})


@api.post("/check", summary="检查一条回复是否违反平台规则", response_model=None, responses={200: {"model": CheckResponse}})
async def check(body: CheckRequest, service: ServiceDep) -> JSONResponse:
    return JSONResponse(await service.check(body.text, body.platform, body.shop))


@api.post("/feedback", summary="记录客服对建议的使用情况", status_code=201, response_model=FeedbackResponse,
          responses={200: {"model": FeedbackResponse, "description": "同一条反馈已记录过（例如超时重试）：返回原来的 id，不重复计数"},
                     409: {"model": ErrorResponse, "description": "这个 request_id 已有另一条不同的反馈（feedback_conflict）"}})
async def feedback(body: FeedbackRequest, response: Response, service: ServiceDep) -> FeedbackResponse:
    row_id, created = await service.record_feedback(
        body.platform, body.shop, request_id=body.request_id, message=body.message, shown=tuple(body.shown or ()),
        outcome=body.outcome, source=body.source, sent_text=body.sent_text,
    )
    if not created:  # a retry of what is stored already
        response.status_code = 200
    return FeedbackResponse(id=row_id, request_id=body.request_id)


@admin.post("/reload", summary="从知识库重建索引并原子替换（后台进行）", status_code=202, response_model=ReloadResponse)
async def reload(service: ServiceDep) -> dict[str, Any]:
    if not await service.start_reload():
        raise HttpError(409, "reload_in_progress", "a reload is already running; poll GET /v1/admin/reload")
    return service.status().to_dict()


@admin.get("/reload", summary="重载状态", response_model=ReloadResponse)
async def reload_status(service: ServiceDep) -> dict[str, Any]:
    return service.status().to_dict()


# HEAD too (load balancers and uptime checkers often probe with it), kept out of the OpenAPI
# document, where one path with two methods would be two operations with one id.
@probes.head("/healthz", include_in_schema=False)
@probes.get("/healthz", summary="进程存活")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@probes.head("/readyz", include_in_schema=False)
@probes.get("/readyz", summary="模型和索引已加载", responses={503: {"model": ErrorResponse}})
async def readyz(service: ServiceDep) -> JSONResponse:
    if not service.ready:
        raise service.unready()
    return JSONResponse({"ready": True, **service.current.describe()})


@probes.get("/metrics", summary="Prometheus 指标", response_class=Response)
async def metrics(service: ServiceDep) -> Response:
    return Response(service.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
