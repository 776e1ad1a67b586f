"""The application factory: settings, services, middleware, problem details and routers.

``create_app()`` builds a FastAPI application; nothing is created at import. Every route
lives under ``/api/v1``; the OpenAPI 3.1 description is at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from fastapi import FastAPI

from cruce import __version__
from cruce.api import logs, openapi, problems
from cruce.api.deps import Services
from cruce.api.issuers import Issuers
from cruce.api.middleware import RequestContext
from cruce.api.platform import Platform
from cruce.api.ratelimit import RateLimit
from cruce.api.routes import accounts, analysis, health, log, parties, shipments, verify
from cruce.api.routes.documents import router as documents_router
from cruce.api.routes.trust import public_router as did_web_router
from cruce.api.routes.trust import router as trust_router
from cruce.config import get_settings

if TYPE_CHECKING:
    from cruce.config import Settings

PREFIX: Final = "/api/v1"


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """A new application with its own services (tests pass their own)."""
    logs.configure()
    settings = settings or (services.settings if services else get_settings())
    services = services or Services(
        settings=settings,
        platform=Platform.from_settings(settings),
        verify_limit=RateLimit("verify", settings.verify_rate),
        login_limit=RateLimit("login", settings.login_rate),
        evidence=Issuers.from_settings(settings),
    )
    app = FastAPI(
        title="cruce",
        version=__version__,
        summary="US–Mexico trade documents from one shipment record",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
    )
    app.state.services = services
    app.add_middleware(RequestContext, max_bytes=settings.max_upload_bytes)
    problems.install(app)
    openapi.install(app)
    app.include_router(health.router, prefix=PREFIX)
    app.include_router(verify.router, prefix=PREFIX)
    app.include_router(log.router, prefix=PREFIX)
    app.include_router(accounts.router, prefix=PREFIX)
    app.include_router(shipments.router, prefix=PREFIX)
    app.include_router(parties.router, prefix=PREFIX)
    app.include_router(analysis.router, prefix=PREFIX)
    app.include_router(documents_router, prefix=PREFIX)
    app.include_router(trust_router, prefix=PREFIX)
    app.include_router(did_web_router)  # at the root: did:web resolution and status lists
    return app
