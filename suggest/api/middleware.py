"""Plain ASGI middleware (no BaseHTTPMiddleware: it would buffer responses and hide errors).

    RequestContext   request id, access log, metrics, and the last-resort 500 in our format
    └── BodyLimit    413 for bodies over the limit, before anything parses them
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from suggest.api.errors import Failure, describe, error_response
from suggest.api.metrics import Metrics
from suggest.api.privacy import REQUEST_ID

log = logging.getLogger("suggest.api")

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's own id is kept when it is short and plain, so it can be traced across systems.
_CALLER_ID = re.compile(r"[A-Za-z0-9._:\-]{1,64}")


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestContext:
    def __init__(self, app: ASGIApp, metrics: Metrics, paths: frozenset[str] = frozenset()) -> None:
        """`paths`: the API's own paths (none has parameters), so that a request refused before
        routing (a 413 from the body limit) is still counted under its endpoint."""
        self.app = app
        self.metrics = metrics
        self.paths = paths

    def _endpoint(self, scope: Scope) -> str:
        route_path = getattr(scope.get("route"), "path", None)
        if route_path:
            return str(route_path)
        return scope["path"] if scope["path"] in self.paths else "unmatched"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = offered if _CALLER_ID.fullmatch(offered) else new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if response_started:
                raise  # too late for a clean answer; the server closes the connection
            await error_response(describe(exc), request_id)(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            endpoint = self._endpoint(scope)
            self.metrics.observe_request(scope["method"], endpoint, status, seconds)
            # "in" keeps the status and the latency apart: run together ("200 1060.4ms") they read
            # as a phone number to the masking filter.
            log.info("%s %s %d in %.1fms", scope["method"], scope["path"], status, seconds * 1000)
            REQUEST_ID.reset(token)


class BodyLimit:
    """Reads the whole body (it is small by contract) and refuses it past `max_bytes`.

    Both a declared Content-Length and the bytes actually received are checked, so chunked
    uploads cannot slip past. The buffered body is then replayed to the app.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # only a disconnect can come now
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        failure = Failure(413, "payload_too_large", f"the request body is larger than {self.max_bytes} bytes")
        request_id = scope.get("state", {}).get("request_id", "-")
        await error_response(failure, request_id)(scope, receive, send)
