"""One shipment: its overview with the readiness checklist, its landed cost, its origin result.

The overview shows what the record holds (parties, goods, transport and the crossing) and
the readiness checklist of the current version, each problem linked to the wizard's input
that fixes it (:func:`cruce.web.fields.edit_link`). The landed-cost page puts the three
quotes side by side (as claimed, without and with USMCA), each duty, tax and fee with its
rate, base and the law it comes from one click away; the origin page gives each goods
line's USMCA / T-MEC decision with its rule, its reasons and what would make it qualify.

The pages follow the API's access rules (:mod:`cruce.api.access`): a shipment the reader's
organisation is not party to is "not found"; a role that may not read the record, the cost
or the origin sees only what it may; every read is audited as the API audits it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from cruce.api.access import Action, shipment_access
from cruce.api.deps import ServicesDep
from cruce.api.routes.analysis import USMCA_CHOICES, quote_day
from cruce.artifacts.checklist import check
from cruce.compliance.duties import References, UnsupportedDestinationError, landed_cost
from cruce.compliance.origin import determine
from cruce.i18n import Message, _
from cruce.store.models import Shipment as ShipmentRow
from cruce.web import pages
from cruce.web.fields import edit_link

if TYPE_CHECKING:
    from cruce.api.auth import Principal
    from cruce.api.deps import Services
    from cruce.api.platform import Unit
    from cruce.compliance.duties.result import LandedCost
    from cruce.compliance.origin.result import OriginResult
    from cruce.model import GoodsLine, Shipment
    from cruce.web.pages import Reader

router = APIRouter(include_in_schema=False)

QUOTE_TITLES: Final[dict[str, Message]] = {
    "as-claimed": _("As claimed in the record"),
    "no": _("Without USMCA / T-MEC"),
    "yes": _("With USMCA / T-MEC"),
}
"""The headings of the API's three quotes (``USMCA_CHOICES``), in the order shown."""
DIRECTIONS: Final[dict[str, Message]] = {
    "US-MX": _("US → Mexico"),
    "MX-US": _("Mexico → US"),
}
SHOWN_PROBLEMS: Final = 12
"""Problems listed per document on the overview; the rest are counted."""


@dataclass(frozen=True, slots=True)
class Heading:
    """What every page of a shipment names, and which of its pages the reader may open."""

    id: uuid.UUID
    reference: str
    direction: str
    current_version: int
    may_edit: bool
    may_read_record: bool
    may_read_cost: bool
    may_read_origin: bool
    may_read_documents: bool
    may_read_audit: bool


@dataclass(frozen=True, slots=True)
class DocumentReadiness:
    """One document of the checklist: ready or not, and what stops it (linked to its field)."""

    title: Message
    required: bool
    ready: bool
    problems: tuple[tuple[Message, str], ...]
    warnings: tuple[Message, ...]
    more: int


def _heading(unit: Unit, shipment_id: uuid.UUID, principal: Principal) -> Heading:
    access = shipment_access(unit, shipment_id, principal, Action.SEE)
    row = unit.session.get(ShipmentRow, shipment_id)
    if row is None:  # roles_of found it: it cannot vanish inside the same unit
        raise RuntimeError(shipment_id)
    return Heading(
        shipment_id,
        row.reference,
        row.direction,
        row.current_version,
        access.can(Action.UPDATE),
        access.can(Action.READ_RECORD),
        access.can(Action.READ_COST),
        access.can(Action.READ_ORIGIN),
        access.can(Action.READ_DOCUMENTS),
        access.can(Action.READ_AUDIT),
    )


def _load(
    services: Services, request: Request, shipment_id: uuid.UUID, action: Action, view: str
) -> tuple[Reader, Heading, Shipment | None] | Response:
    """The reader, the heading and (when ``action`` allows it) the current record.

    A reader not signed in is sent to the sign-in page; a shipment they may not see is a
    404 page; a role without ``action`` gets a 403 page. The read is audited.
    """
    who = pages.reader(services, request)
    if not who.signed_in:
        return pages.finish_redirect(request, "/sign-in")
    principal = who.principal
    with services.store().reading() as unit:
        heading = _heading(unit, shipment_id, principal)
        shipment_access(unit, shipment_id, principal, action)
        record = (
            unit.shipments.get(shipment_id).record
            if action != Action.SEE or heading.may_read_record
            else None
        )
    services.store().record_read(
        request,
        "shipment.read",
        ("shipment", str(shipment_id)),
        (principal.user_id, principal.organisation_id),
        {"view": view},
    )
    return who, heading, record


def _day(asked: str | None, record: Shipment) -> date:
    """The day asked for (YYYY-MM-DD), else the API's default for the record."""
    try:
        on = date.fromisoformat(asked) if asked else None
    except ValueError:
        on = None
    return quote_day(on, record)


# ---------------------------------------------------------------- overview
def _readiness(shipment_id: uuid.UUID, record: Shipment) -> dict[str, Any]:
    checklist = check(record)
    documents = []
    for status in checklist.statuses:
        blockers = status.blockers
        shown = blockers[:SHOWN_PROBLEMS]
        documents.append(
            DocumentReadiness(
                status.artifact.title,
                status.requirement.required,
                status.ready,
                tuple((p.message, edit_link(shipment_id, p.path)) for p in shown),
                tuple(p.message for p in status.warnings),
                len(blockers) - len(shown),
            )
        )
    required = [d for d in documents if d.required]
    return {
        "ready": checklist.ready,
        "required": len(required),
        "done": sum(1 for d in required if d.ready),
        "documents": documents,
    }


def _overview(services: Services, request: Request, shipment_id: uuid.UUID) -> Response:
    loaded = _load(services, request, shipment_id, Action.SEE, "overview")
    if isinstance(loaded, Response):
        return loaded
    who, heading, record = loaded
    context: dict[str, Any] = {
        "shipment": heading,
        "direction": DIRECTIONS.get(heading.direction, heading.direction),
        "record": record,
        "readiness": None if record is None else _readiness(shipment_id, record),
        "totals": [] if record is None else list(record.goods_total().values()),
    }
    return pages.render(request, who, "shipment.html", context)


@router.get("/shipments/{shipment_id}", response_class=HTMLResponse)
async def overview(shipment_id: uuid.UUID, request: Request, services: ServicesDep) -> Response:
    """The shipment as recorded, and what each document still needs."""
    return await run_in_threadpool(_overview, services, request, shipment_id)


# ---------------------------------------------------------------- landed cost
@dataclass(frozen=True, slots=True)
class Quote:
    """One of the three quotes, with its heading."""

    key: str
    title: Message
    cost: LandedCost

    @property
    def problems(self) -> list[Message]:
        """What keeps the quote from being complete, each said once (lines repeat them)."""
        seen: dict[str, Message] = {}
        for problem in self.cost.problems:
            seen.setdefault(problem.message.render("en"), problem.message)
        return list(seen.values())


def _quotes(record: Shipment, day: date) -> list[Quote]:
    tables = References.default()
    return [
        Quote(key, QUOTE_TITLES[key], landed_cost(record, day, usmca=choice, references=tables))
        for key, choice in USMCA_CHOICES.items()
    ]


def _cost(services: Services, request: Request, shipment_id: uuid.UUID, on: str | None) -> Response:
    loaded = _load(services, request, shipment_id, Action.READ_COST, "landed_cost")
    if isinstance(loaded, Response):
        return loaded
    who, heading, record = loaded
    assert record is not None  # noqa: S101 - READ_COST implies the record was read
    day = _day(on, record)
    try:
        quotes = _quotes(record, day)
    except UnsupportedDestinationError:
        quotes = []
    context = {
        "shipment": heading,
        "record": record,
        "on": day,
        "quotes": quotes,
        "saving": _saving(quotes),
    }
    return pages.render(request, who, "shipment_cost.html", context)


def _saving(quotes: list[Quote]) -> Any:  # noqa: ANN401 - a Money or None
    """What the USMCA claim saves: the total without it minus the total with it."""
    by_key = {quote.key: quote.cost.total() for quote in quotes}
    without, with_claim = by_key.get("no"), by_key.get("yes")
    if without is None or with_claim is None or without.currency != with_claim.currency:
        return None
    return without - with_claim


@router.get("/shipments/{shipment_id}/landed-cost", response_class=HTMLResponse)
async def cost(
    shipment_id: uuid.UUID,
    request: Request,
    services: ServicesDep,
    on: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """Duties, taxes and fees at the destination, with and without USMCA, each with its law."""
    return await run_in_threadpool(_cost, services, request, shipment_id, on)


# ---------------------------------------------------------------- origin
@dataclass(frozen=True, slots=True)
class LineOrigin:
    """One goods line and its origin decision."""

    number: int
    line: GoodsLine
    result: OriginResult
    problems: tuple[tuple[Message, str], ...]
    """What is missing to decide, each with the link to the line's field."""


def _origin(
    services: Services, request: Request, shipment_id: uuid.UUID, on: str | None
) -> Response:
    loaded = _load(services, request, shipment_id, Action.READ_ORIGIN, "origin")
    if isinstance(loaded, Response):
        return loaded
    who, heading, record = loaded
    assert record is not None  # noqa: S101 - READ_ORIGIN implies the record was read
    day = _day(on, record)
    lines = []
    for index, line in enumerate(record.goods):
        result = determine(line, day)
        links = tuple(
            (p.message, edit_link(shipment_id, f"goods[{index}].{p.path}")) for p in result.problems
        )
        lines.append(LineOrigin(index + 1, line, result, links))
    context = {"shipment": heading, "record": record, "on": day, "lines": lines}
    return pages.render(request, who, "shipment_origin.html", context)


@router.get("/shipments/{shipment_id}/origin", response_class=HTMLResponse)
async def origin(
    shipment_id: uuid.UUID,
    request: Request,
    services: ServicesDep,
    on: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """Whether each goods line qualifies under USMCA / T-MEC, why, and what would change it."""
    return await run_in_threadpool(_origin, services, request, shipment_id, on)
