"""The partners an organisation has entered before, to pick instead of typing them again.

A partner is a party (seller, buyer, carrier, broker, consignee) of one of the
organisation's own most recent shipments, as its record holds it: legal name, tax numbers,
address and contact. The same party in several shipments is offered once, as last entered.
Picking one copies it into the wizard's draft; nothing else about the other shipment is
shown. Inviting the partner's organisation to see a shipment is done from that shipment's
Parties page once it is stored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import select

from cruce.store.models import Shipment as ShipmentRow
from cruce.web import wizard_fields as wf

if TYPE_CHECKING:
    import uuid

    from cruce.api.deps import Services
    from cruce.model import Party

RECENT_SHIPMENTS: Final = 30
"""How many of the organisation's latest shipments the partners are read from."""


@dataclass(frozen=True, slots=True)
class Partner:
    """A party entered before: a stable key, how the picker names it, the party's fields."""

    key: str
    label: str
    party: dict[str, Any]


def _identity(party: Party) -> str:
    tax = party.tax_ids[0].value if party.tax_ids else ""
    return f"{party.name.casefold()}|{tax}"


def _partner(party: Party) -> Partner:
    data = party.model_dump(mode="json", exclude_none=True)
    data.pop("bank_accounts", None)  # bank details are picked with the payment, not here
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
    tax = f" · {party.tax_ids[0].value}" if party.tax_ids else ""
    place = f" · {party.address.locality}, {party.address.country}"
    return Partner(digest, f"{party.name}{tax}{place}", data)


def known_partners(services: Services, organisation_id: uuid.UUID) -> list[Partner]:
    """The parties of the organisation's latest own shipments, each once, by name."""
    found: dict[str, Partner] = {}
    with services.store().reading() as unit:
        latest = unit.session.scalars(
            select(ShipmentRow.id)
            .where(ShipmentRow.owner_organisation_id == organisation_id)
            .order_by(ShipmentRow.updated_at.desc())
            .limit(RECENT_SHIPMENTS)
        ).all()
        for shipment_id in latest:
            parties = unit.shipments.get(shipment_id).record.parties
            for role, _label, _hint in wf.ROLES:
                party = getattr(parties, role)
                if party is not None:
                    found.setdefault(_identity(party), _partner(party))
    return sorted(found.values(), key=lambda partner: partner.label.casefold())


def pick(partners: list[Partner], key: str) -> dict[str, Any] | None:
    """The fields of the partner ``key`` names, or None when there is none (any more)."""
    return next((dict(p.party) for p in partners if p.key == key), None)
