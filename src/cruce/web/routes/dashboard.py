"""The signed-in reader's shipments: what their organisation owns or takes part in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from cruce.api.deps import ServicesDep
from cruce.store.repositories.shipments import InvalidCursorError
from cruce.web import pages

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25


@router.get("/shipments", response_class=HTMLResponse)
def shipments(
    request: Request,
    services: ServicesDep,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """A page of shipments, oldest first, with a link to the next page."""
    who = pages.reader(services, request)
    if who.organisation_id is None:
        return pages.finish_redirect(request, "/sign-in")
    with services.store().reading() as unit:
        try:
            page = unit.shipments.list(who.organisation_id, cursor=cursor, limit=PAGE_SIZE)
        except InvalidCursorError:
            page = unit.shipments.list(who.organisation_id, limit=PAGE_SIZE)
    return pages.render(
        request, who, "shipments.html", {"items": page.items, "next_cursor": page.next_cursor}
    )
