"""One error format for every response that is not a success, converted in one place.

    {"error": {"code": "unknown_scope", "message": "unknown shop 'x'; known shops: demo"},
     "request_id": "3f2a…"}

`describe` maps each kind of failure to (status, code, message, extra fields); one handler,
registered for every exception type the app can meet, turns that into the JSON body. Messages
are written for the developer of the chat tool; stack traces stay in the server's log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from suggest.errors import (
    ConfigError,
    IndexStoreError,
    InputError,
    KnowledgeError,
    ModelError,
    ScopeError,
    StorageError,
    SuggestError,
)

log = logging.getLogger("suggest.api")


class HttpError(Exception):
    """A failure that belongs to the HTTP layer itself (authentication, a reload already running)."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


@dataclass(frozen=True)
class Failure:
    status: int
    code: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] | None = None


def error_body(code: str, message: str, request_id: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}, "request_id": request_id}


def error_response(failure: Failure, request_id: str) -> JSONResponse:
    body = error_body(failure.code, failure.message, request_id, **failure.extra)
    return JSONResponse(body, status_code=failure.status, headers=failure.headers)


def knowledge_failure(exc: KnowledgeError, knowledge_dir: Path | None) -> Failure:
    """422 naming the file (relative to the knowledge directory when inside it) and the line;
    `problems` lists every problem of the load, this first one included."""
    problems = [_knowledge_problem(e, knowledge_dir) for e in (exc, *exc.others)]
    first = problems[0]
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    return Failure(422, "invalid_knowledge", first["message"] + more,
                   {"file": first["file"], "line": first["line"], "problems": problems})


def _knowledge_problem(exc: KnowledgeError, knowledge_dir: Path | None) -> dict[str, Any]:
    path = Path(exc.path).resolve()
    # The directory itself (moved away, unreadable) keeps its whole path: "." names nothing.
    if knowledge_dir is not None and path.is_relative_to(knowledge_dir.resolve()) and path != knowledge_dir.resolve():
        path = path.relative_to(knowledge_dir.resolve())
    where = f"{path}:{exc.line}" if exc.line else str(path)
    return {"file": str(path), "line": exc.line, "message": f"{where}: {exc.reason}"}


def describe(exc: Exception, knowledge_dir: Path | None = None, request: Request | None = None) -> Failure:
    match exc:
        case HttpError():
            return Failure(exc.status, exc.code, exc.message, headers=exc.headers)
        case InputError():
            return Failure(422, "invalid_input", str(exc))
        case ScopeError():
            return Failure(422, "unknown_scope", str(exc))
        case KnowledgeError():
            return knowledge_failure(exc, knowledge_dir)
        case IndexStoreError():
            return Failure(503, "index_unavailable", str(exc))
        case ModelError():
            return Failure(503, "model_unavailable", str(exc))
        case StorageError():
            return Failure(503, "storage_unavailable", str(exc))
        case ConfigError():
            return Failure(500, "configuration_error", "the service is misconfigured; see its log")
        case SuggestError():
            return Failure(500, "error", str(exc))
        case RequestValidationError():
            return validation_failure(exc)
        case HTTPException():
            return http_failure(exc, request)
    return Failure(500, "internal_error", "an unexpected error occurred; the server's log has the details")


def validation_failure(exc: RequestValidationError) -> Failure:
    details = [{"field": _field(e), "problem": _problem(e)} for e in exc.errors()]
    message = "; ".join(f"{d['field']}: {d['problem']}" if d["field"] else d["problem"] for d in details)
    return Failure(422, "validation_error", message, {"details": details})


def _field(error: dict[str, Any]) -> str:
    if error.get("type") == "json_invalid":  # its location is a character offset, not a field
        return ""
    return ".".join(str(p) for p in error.get("loc", ()) if p != "body")


def _problem(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "")
        where = error.get("loc", ("body", None))[-1]
        return f"the body is not valid JSON ({reason} at character {where})"
    if kind in ("model_attributes_type", "dict_type") and tuple(error.get("loc", ())) == ("body",):
        return "the body must be a JSON object, sent with Content-Type: application/json"
    if kind == "missing" and tuple(error.get("loc", ())) == ("body",):
        return "the body is empty; send a JSON object with Content-Type: application/json"
    return str(error.get("msg", "invalid value"))


def http_failure(exc: HTTPException, request: Request | None = None) -> Failure:
    status = exc.status_code
    try:
        code = HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        code = "error"
    message = str(exc.detail)
    if status == 400 and "parsing the body" in message:
        message = "the body could not be read: it must be a UTF-8 JSON object"
    headers = getattr(exc, "headers", None)
    if status in (404, 405) and request is not None:
        message = f"{message}: {request.method} {request.url.path} (the endpoints are listed at /docs)"
    if status == 405 and request is not None:
        headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
    return Failure(status, code, message, headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path: Starlette's 405 names only the first
    route's (POST for /v1/admin/reload, which GET serves too)."""
    found: set[str] = set()
    for route in getattr(request.app.state, "routes", ()):  # create_app's list: FastAPI nests included routers
        if route.matches(request.scope)[0] in (Match.FULL, Match.PARTIAL):  # PARTIAL: the path, another method
            found.update(getattr(route, "methods", None) or ())
    return sorted(found)


def install_error_handler(app: FastAPI, knowledge_dir: Path) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        failure = describe(exc, knowledge_dir, request)
        # 503 not_ready is the expected answer while the first index builds, to every probe.
        if failure.status >= 500 and failure.code != "not_ready":
            log.error("%s %s: %s: %s", request.method, request.url.path, failure.code, exc)
        else:
            log.info("%s %s: %d %s: %s", request.method, request.url.path, failure.status, failure.code, failure.message)
        return error_response(failure, request_id_of(request))

    for kind in (SuggestError, HttpError, RequestValidationError, HTTPException):
        app.add_exception_handler(kind, handle)


def request_id_of(request: Request) -> str:
    return str(getattr(request.state, "request_id", "-"))
