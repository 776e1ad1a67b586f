"""Request IDs, structured logs and the body size limit, around every request.

Each request gets an id (the client's ``X-Request-ID`` when it is a short token, else a new
one), returned in the response header and bound to every log line of the request. Logs are
structlog events: method, path, status, duration and the id; never a body, a header value
or a query string, so no secret reaches a log.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import TYPE_CHECKING, Final

import structlog
from starlette.middleware.base import BaseHTTPMiddleware

from cruce.api.problems import problem
from cruce.i18n import _

if TYPE_CHECKING:
    from starlette.middleware.base import RequestResponseEndpoint
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import ASGIApp

HEADER: Final = "X-Request-ID"
SECURITY_HEADERS: Final = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
}
"""Sent with every API response: no sniffing, no framing, no referrer, nothing to load."""
_DOCS_PREFIX: Final = "/api/v1/docs"
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
log = structlog.get_logger("cruce.api")


class RequestContext(BaseHTTPMiddleware):
    """Request id, access log line, and a refusal of bodies over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Bind the id, enforce the size limit, log the outcome."""
        given = request.headers.get(HEADER, "")
        request_id = given if _CLIENT_ID.match(given) else uuid.uuid4().hex
        request.state.request_id = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            length = request.headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
                size = f"{self.max_bytes:,}"
                response: Response = problem(
                    request,
                    413,
                    "request.too_large",
                    _("The body is larger than {limit} bytes", limit=size),
                )
            else:
                response = await call_next(request)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
        response.headers[HEADER] = request_id
        for name, value in SECURITY_HEADERS.items():
            if name == "Content-Security-Policy" and request.url.path.startswith(_DOCS_PREFIX):
                continue  # the interactive docs page loads its script and styles
            response.headers.setdefault(name, value)
        if request.url.scheme == "https":
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
            )
        log.info(
            "request",
            request_id=request_id,
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return response
