"""Errors as RFC 9457 problem details, in the language the request asks for.

Every error the API returns is ``application/problem+json``: ``type`` (a stable URI per
problem kind), ``title``, ``status``, ``detail`` in the request's language, and cruce's
extensions: ``code`` (the stable code programs key on), ``errors`` (each with the field
``path`` and its message) and ``request_id``. A server error says only that it happened
and its request id; the traceback goes to the log, never to the client.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from cruce.api.locale import request_locale
from cruce.i18n import Message, _
from cruce.ingest.errors import format_path, message_for

if TYPE_CHECKING:
    from collections.abc import Sequence

    from fastapi import FastAPI, Request


MEDIA_TYPE: Final = "application/problem+json"
TYPE_BASE: Final = "https://cruce.dev/problems/"
SERVER_ERROR: Final = 500
METHOD_NOT_ALLOWED: Final = 405

_TITLES: Final[dict[int, Message]] = {
    400: _("The request is not valid"),
    401: _("Sign in first"),
    403: _("Not allowed"),
    404: _("Not found"),
    405: _("Method not allowed"),
    409: _("Conflict"),
    413: _("The request is too large"),
    415: _("Unsupported media type"),
    422: _("The data is not valid"),
    429: _("Too many requests"),
    500: _("Something went wrong on our side"),
}


class FieldError:
    """One invalid field: where it is and what is wrong, in both languages."""

    __slots__ = ("message", "path")

    def __init__(self, path: str, message: Message) -> None:
        self.path = path
        self.message = message


ONE_LINE: Final = r"^[^\x00-\x1f\x7f]*$"
"""The pattern of a name or filter the API takes: no control character (PostgreSQL text
cannot hold U+0000, and no name needs a tab or a line break)."""


class ApiError(Exception):
    """An error a route raises: status, stable code, message, and the fields at fault."""

    def __init__(
        self,
        status: int,
        code: str,
        message: Message,
        errors: Sequence[FieldError] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.errors = tuple(errors)
        self.headers = headers


def _title(status: int) -> Message:
    return _TITLES.get(status) or _TITLES[400 if status < SERVER_ERROR else SERVER_ERROR]


def problem(
    request: Request,
    status: int,
    code: str,
    detail: Message | None,
    *,
    errors: Sequence[FieldError] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem details response in the request's language."""
    locale = request_locale(request)
    body: dict[str, Any] = {
        "type": f"{TYPE_BASE}{code}",
        "title": _title(status).render(locale),
        "status": status,
        "code": code,
    }
    if detail is not None:
        body["detail"] = detail.render(locale)
    if errors:
        body["errors"] = [{"path": e.path, "detail": e.message.render(locale)} for e in errors]
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    response_headers = {"Content-Language": locale, **(headers or {})}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=response_headers)


_LOCATIONS: Final = frozenset({"body", "query", "path", "header", "cookie"})


def _validation_errors(error: RequestValidationError) -> list[FieldError]:
    """Each invalid field with its path (``goods[3].quantity``) and a catalogued message."""
    found: list[FieldError] = []
    for item in list(error.errors())[:50]:
        location = tuple(item.get("loc", ()))
        if location and location[0] in _LOCATIONS:
            location = location[1:]
        _code, message = message_for(item)
        found.append(FieldError(format_path(location), message))
    return found


_HTTP_METHODS: Final = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})


def _template_pattern(template: str) -> re.Pattern[str]:
    """``/api/v1/shipments/{id}`` -> a pattern matching its concrete paths."""
    parts = re.split(r"(\{[^/{}]+\})", template)
    body = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    return re.compile(f"^{body}$")


def _allowed(request: Request) -> list[str]:
    """Every method the OpenAPI description documents at the request's path."""
    path = request.url.path
    methods: set[str] = set()
    for template, item in request.app.openapi().get("paths", {}).items():
        if _template_pattern(template).match(path):
            methods |= {method.upper() for method in item if method in _HTTP_METHODS}
    return sorted(methods)


def install(app: FastAPI) -> None:
    """Map every exception to a problem details response."""

    async def api_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ApiError)  # noqa: S101 - registered for ApiError only
        return problem(
            request,
            error.status,
            error.code,
            error.message,
            errors=error.errors,
            headers=error.headers,
        )

    async def invalid(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)  # noqa: S101
        return problem(
            request,
            422,
            "request.invalid",
            _("Some fields are missing or not valid"),
            errors=_validation_errors(error),
        )

    async def http_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)  # noqa: S101
        status = error.status_code
        code = {404: "not_found", 405: "method_not_allowed"}.get(status, f"http.{status}")
        headers = dict(getattr(error, "headers", None) or {})
        if status == METHOD_NOT_ALLOWED:
            headers["Allow"] = ", ".join(_allowed(request))
        return problem(request, status, code, None, headers=headers)

    async def unstorable(request: Request, _error: Exception) -> JSONResponse:
        # the database refused a value (a NUL in PostgreSQL text, a number out of its
        # column's range) that no validation caught: the transaction was rolled back
        return problem(
            request,
            422,
            "request.unstorable",
            _("A value holds a character or a number the database cannot store"),
        )

    async def unexpected(request: Request, _error: Exception) -> JSONResponse:
        return problem(request, 500, "server.error", _("The error was logged with its request id"))

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(DataError, unstorable)
    app.add_exception_handler(Exception, unexpected)
