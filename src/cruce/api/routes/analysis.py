"""A shipment's landed cost and USMCA origin result: ``cruce cost`` and ``cruce origin`` online.

Each answers with the same JSON as the command's ``--json`` for the current version of the
record: the quote as claimed, without and with USMCA, each figure with its legal source and
money as decimal text with its currency; and each goods line's origin decision with its
reasons. Messages in the JSON carry every language (``{"en": ..., "es": ...}``), as the
command's do; errors are problems in the request's language. A quote that some figure
lacks is still answered (``complete`` is false and each problem names its field), as the
command prints it; only a record no quote can be made for (a destination other than the
US or Mexico, a currency with no exchange rate loaded) is a 422 naming the field.

The owner and the parties with the full view read them; the carrier, the bank and a party
to notify get 403. The routes are sync (the computation is blocking work, run in
FastAPI's thread pool), and each read is an audit event naming the view.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import APIRouter, Query, Request

from cruce.api.access import Action, shipment_access
from cruce.api.auth import Credentials, CredentialsDep, authenticate
from cruce.api.deps import Services, ServicesDep
from cruce.api.problems import ApiError, FieldError
from cruce.compliance.duties import (
    References,
    UnsupportedDestinationError,
    converted_totals,
    landed_cost,
)
from cruce.compliance.origin import determine
from cruce.i18n import _
from cruce.reference import fx

if TYPE_CHECKING:
    from cruce.compliance.duties import LandedCost
    from cruce.model import Shipment

router = APIRouter(tags=["analysis"])
USMCA_CHOICES: Final = {"as-claimed": None, "yes": True, "no": False}
"""The three quotes, keyed as ``cruce cost --json`` keys them."""

OnQuery = Annotated[
    date | None,
    Query(description="Date of the crossing (YYYY-MM-DD); default: the record's planned one."),
]


def _read(
    shipment_id: uuid.UUID,
    request: Request,
    credentials: Credentials,
    services: Services,
    action: Action,
    view: str,
) -> Shipment:
    """The current record, once the caller may take ``action``; the read is audited."""
    with services.store().reading() as unit:
        principal = authenticate(unit, credentials)
        shipment_access(unit, shipment_id, principal, action)
        record = unit.shipments.get(shipment_id).record
    services.store().record_read(
        request,
        "shipment.read",
        ("shipment", str(shipment_id)),
        (principal.user_id, principal.organisation_id),
        {"view": view},
    )
    return record


def quote_day(on: date | None, record: Shipment) -> date:
    """The date asked for, else the record's planned crossing, else today (as the CLI)."""
    return on or record.crossing_date() or date.today()  # noqa: DTZ011 - a calendar day


def _converted(quotes: dict[str, LandedCost], wanted: str, tables: References) -> dict[str, Any]:
    """The three totals in ``wanted`` at the FIX published on the quote's date (or before)."""
    quote = quotes["as-claimed"]
    rate = fx.latest_before(quote.on, table=tables.fx)
    if rate is None:
        message = _(
            "no USD/MXN rate is loaded on or before {day}: import Banxico's rates (cruce "
            "reference import-fx FILE)",
            day=quote.on.isoformat(),
        )
        raise ApiError(422, "cost.no_rate", message, [FieldError("currency", message)])
    return converted_totals(quotes, wanted, rate)


def cost_document(record: Shipment, day: date, currency: str | None = None) -> dict[str, Any]:
    """``cruce cost --json``'s document for ``record`` crossing on ``day``; ApiError 422."""
    try:
        tables = References.default()
        quotes = {
            name: landed_cost(record, day, usmca=choice, references=tables)
            for name, choice in USMCA_CHOICES.items()
        }
    except UnsupportedDestinationError:
        message = _("cruce quotes imports into the US and into Mexico only")
        raise ApiError(
            422, "cost.unsupported_destination", message, [FieldError("import_country", message)]
        ) from None
    document: dict[str, Any] = {name: quote.as_dict() for name, quote in quotes.items()}
    if currency is not None:
        document["converted"] = _converted(quotes, currency, tables)
    return document


def origin_document(record: Shipment, day: date, line: int | None = None) -> dict[str, Any]:
    """``cruce origin --json``'s document for ``record`` on ``day``; ApiError 422 for ``line``."""
    indexes = list(range(len(record.goods)))
    if line is not None:
        if line > len(record.goods):
            message = _(
                "the shipment has {count} goods lines; there is no line {line}",
                count=len(record.goods),
                line=line,
            )
            raise ApiError(422, "origin.no_such_line", message, [FieldError("line", message)])
        indexes = [line - 1]
    results = [determine(record.goods[i], day) for i in indexes]
    return {
        "shipment": record.reference,
        "on": day.isoformat(),
        "lines": [
            {
                "line": i + 1,
                "claimed": record.goods[i].usmca.claimed,
                "hs_code": record.goods[i].hts or record.goods[i].fraccion,
                **result.as_dict(),
            }
            for i, result in zip(indexes, results, strict=True)
        ],
    }


@router.get(
    "/shipments/{shipment_id}/landed-cost",
    summary="Duties, taxes and fees at the destination, with and without USMCA",
)
def get_landed_cost(
    shipment_id: uuid.UUID,
    request: Request,
    credentials: CredentialsDep,
    services: ServicesDep,
    on: OnQuery = None,
    currency: Annotated[
        str | None,
        Query(
            pattern=r"^(USD|MXN)$",
            description="Also give the totals in this currency, at the Banxico FIX of the date.",
        ),
    ] = None,
) -> dict[str, Any]:
    """The quotes as claimed (``as-claimed``), without (``no``) and with (``yes``) USMCA."""
    record = _read(shipment_id, request, credentials, services, Action.READ_COST, "landed_cost")
    return cost_document(record, quote_day(on, record), currency)


@router.get(
    "/shipments/{shipment_id}/origin",
    summary="Whether each good qualifies under USMCA / T-MEC, and why",
)
def get_origin(
    shipment_id: uuid.UUID,
    request: Request,
    credentials: CredentialsDep,
    services: ServicesDep,
    on: OnQuery = None,
    line: Annotated[
        int | None, Query(ge=1, description="Only this goods line (1 is the first).")
    ] = None,
) -> dict[str, Any]:
    """Each line's decision: rule, criterion, materials, RVC and what would make it qualify."""
    record = _read(shipment_id, request, credentials, services, Action.READ_ORIGIN, "origin")
    return origin_document(record, quote_day(on, record), line)
