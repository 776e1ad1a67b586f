"""Request IDs, structured logs, security headers and the body size limit, as ASGI middleware.

Each request gets an id (the client's ``X-Request-ID`` when it is a short token, else a new
one), returned in the response header and bound to every log line of the request. Logs are
structlog events: method, path, status, duration and the id; never a body, a header value
or a query string, so no secret reaches a log. Written as plain ASGI (no per-request task
or body buffering), so it costs little on every request.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import TYPE_CHECKING, Final

import structlog
from starlette.datastructures import MutableHeaders
from starlette.requests import Request

from cruce.api.problems import problem
from cruce.i18n import _

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER: Final = "X-Request-ID"
SECURITY_HEADERS: Final = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
}
"""Sent with every API response: no sniffing, no framing, no referrer, nothing to load."""
HSTS: Final = "max-age=63072000; includeSubDomains"
_DOCS_PREFIX: Final = "/api/v1/docs"
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
log = structlog.get_logger("cruce.api")


class RequestContext:
    """Request id, security headers, access log line, and a refusal of oversized bodies."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Wrap one HTTP request; other scopes pass through."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _CLIENT_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        path, secure = scope.get("path", ""), scope.get("scheme") == "https"
        started, status = time.perf_counter(), 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                out = MutableHeaders(scope=message)
                out[HEADER] = request_id
                for name, value in SECURITY_HEADERS.items():
                    if name == "Content-Security-Policy" and path.startswith(_DOCS_PREFIX):
                        continue  # the interactive docs page loads its script and styles
                    out.setdefault(name, value)
                if secure:
                    out.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            length = headers.get(b"content-length")
            too_large = length is not None and (
                not length.isdigit() or int(length) > self.max_bytes
            )
            if length is None and b"chunked" in headers.get(b"transfer-encoding", b"").lower():
                # no length announced: read the body up to the limit before the app sees it
                receive, too_large = await self._buffered(receive)
            if too_large:
                await self._refuse(scope)(scope, receive, send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
            log.info(
                "request",
                request_id=request_id,
                method=scope.get("method"),
                path=path,
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )

    def _refuse(self, scope: Scope) -> ASGIApp:
        """The 413 answer: the app's error page for a person when it has one, else a problem.

        An app that serves pages sets ``state.error_page(request, status)``, which answers
        None for the paths machines read.
        """
        request = Request(scope)
        state = getattr(scope.get("app"), "state", None)
        error_page = getattr(state, "error_page", None)
        page = error_page(request, 413) if error_page is not None else None
        if page is not None:
            answer: ASGIApp = page
            return answer
        size = f"{self.max_bytes:,}"
        message = _("The body is larger than {limit} bytes", limit=size)
        return problem(request, 413, "request.too_large", message)

    async def _buffered(self, receive: Receive) -> tuple[Receive, bool]:
        """The body of a request sent without Content-Length, read up to the limit.

        Returns a ``receive`` that replays it, and whether it went over the limit (reading
        stops there: an endless chunked body costs at most the limit in memory).
        """
        chunks: list[bytes] = []
        total, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                break
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > self.max_bytes:
                return receive, True
            chunks.append(chunk)
            more = message.get("more_body", False)
        body, sent = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()  # after the body: wait for the disconnect
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay, False
