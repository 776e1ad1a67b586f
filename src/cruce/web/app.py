"""The service with its web app: the API under /api/v1 and the pages people use, in one app.

:func:`create_app` builds the API (:func:`cruce.api.app.create_app`) and adds the pages,
their static files (under ``/static``, cached for a year: their names change with their
content) and gzip for answers over a kilobyte, for slow mobile links. An error on a page
is a page in the reader's language; on the API it stays a problem document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from cruce.api.app import PREFIX
from cruce.api.app import create_app as create_api
from cruce.api.problems import ApiError
from cruce.i18n import _
from cruce.web import pages
from cruce.web.routes import account, dashboard, documents, organisation, shipment, verify, wizard

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from fastapi import FastAPI, Request, Response
    from starlette.types import Scope

    from cruce.api.deps import Services
    from cruce.config import Settings

STATIC_PATH = "/static"
MACHINE_PATHS = (PREFIX, "/orgs/", STATIC_PATH)
"""Paths machines read (the API, did:web documents, status lists, files): errors as problems."""
GZIP_MIN_BYTES = 1024


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The API and the web app (tests pass their own settings or services)."""
    app = create_api(settings, services)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES)
    app.mount(STATIC_PATH, _Static(packages=[("cruce.web", "static")]), name="static")
    for module in (account, dashboard, wizard, shipment, documents, organisation, verify):
        app.include_router(module.router)
    _page_errors(app)
    return app


class _Static(StaticFiles):
    """Static files with a long cache life (their names carry their version)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response: Response = await super().get_response(path, scope)
        if response.status_code == 200:  # noqa: PLR2004
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def _page_errors(app: FastAPI) -> None:
    """Errors on pages as pages; the API's handlers stay for paths under /api/v1."""
    handlers = dict(app.exception_handlers)

    def page_or_problem(
        kind: type[Exception],
    ) -> Callable[[Request, Exception], Awaitable[Response]]:
        api_handler = handlers[kind]

        async def handle(request: Request, error: Exception) -> Response:
            if request.url.path.startswith(MACHINE_PATHS):
                answer: Response = await api_handler(request, error)
                return answer
            status, message = 500, _("Something went wrong on our side; try again")
            if isinstance(error, ApiError):
                status, message = error.status, error.message
            elif isinstance(error, StarletteHTTPException):
                status = error.status_code
                message = _("This page does not exist") if status == 404 else _("Not allowed")  # noqa: PLR2004
            elif isinstance(error, RequestValidationError):
                status, message = 422, _("Some fields are missing or not valid")
            who = pages.reader(request.app.state.services, request)
            return pages.render(request, who, "error.html", {"problem": message}, status)

        return handle

    for kind in (ApiError, StarletteHTTPException, RequestValidationError):
        app.add_exception_handler(kind, page_or_problem(kind))
    app.state.error_page = _too_large_page


def _too_large_page(request: Request, status: int) -> Response | None:
    """The page for a body over the service's limit (an upload); None on machine paths."""
    if request.url.path.startswith(MACHINE_PATHS):
        return None
    limit = request.app.state.services.settings.max_upload_bytes
    size = f"{limit / 1_000_000:g} MB" if limit >= 1_000_000 else f"{limit // 1000} KB"  # noqa: PLR2004
    message = _("The file is too large: send at most {size}", size=size)
    who = pages.reader(request.app.state.services, request)
    return pages.render(request, who, "error.html", {"problem": message}, status)
