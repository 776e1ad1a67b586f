"""What the routes need, wired once by the app factory and reached through ``Depends``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Protocol

from fastapi import Depends, Request

from cruce.api.locale import request_locale
from cruce.api.problems import ApiError
from cruce.api.ratelimit import RateLimit
from cruce.i18n import _

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cruce.api.platform import Platform
    from cruce.config import Settings


class EvidenceSource(Protocol):
    """The evidence the service holds: its issuers' DID documents, status lists, log keys."""

    def items(self) -> Iterable[tuple[str, bytes]]:
        """``(file name, bytes)`` pairs, as a trust folder holds them."""
        ...


@dataclass(frozen=True, slots=True)
class NoEvidence:
    """A service that holds no issuer's evidence yet: verifiers bring their own."""

    def items(self) -> Iterable[tuple[str, bytes]]:
        """Nothing."""
        return ()


@dataclass(slots=True)
class Services:
    """Everything the routes use, built once per application."""

    settings: Settings
    platform: Platform | None = None
    evidence: EvidenceSource = field(default_factory=NoEvidence)
    verify_limit: RateLimit | None = None
    login_limit: RateLimit | None = None

    def store(self) -> Platform:
        """The store; ApiError 503 when the service runs without one."""
        if self.platform is None:
            raise ApiError(503, "store.unavailable", _("The service has no database configured"))
        return self.platform


async def services(request: Request) -> Services:
    """The application's services (a coroutine: FastAPI runs it on the event loop, not a thread)."""
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]
LocaleDep = Annotated[str, Depends(request_locale)]
