"""Who may do what with a shipment: the owner, and each party by its role.

A shipment is visible to the organisation that owns it and to those that take part in it
(:class:`~cruce.store.models.PartyRole`); to anyone else it does not exist (404, so that
its existence does not leak). Among the parties, each role sees what its work needs:

- the owner edits the record, packs and signs its documents, and invites partners;
- the seller, the buyer, the consignee and the two customs brokers read the whole record,
  its documents, its landed cost and its origin result;
- the carrier sees no prices: no record, only the transport documents and the invoice as a
  selective-disclosure credential with every price withheld;
- the bank sees the invoices it is asked to pay, not the customs filings;
- a party to notify sees only that the shipment exists and where it stands.

A party whose role does not give an action gets 403 (it knows the shipment exists).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from cruce.api.problems import ApiError
from cruce.i18n import _
from cruce.store.models import PartyRole

if TYPE_CHECKING:
    from cruce.api.auth import Principal
    from cruce.api.platform import Unit


class Action(enum.StrEnum):
    """What a request does with a shipment."""

    SEE = "see"  # its summary, parties and readiness
    READ_RECORD = "read_record"
    UPDATE = "update"
    PACK = "pack"
    INVITE = "invite"
    READ_DOCUMENTS = "read_documents"  # those its view allows (see DOCUMENTS)
    READ_COST = "read_cost"
    READ_ORIGIN = "read_origin"
    READ_AUDIT = "read_audit"


class View(enum.StrEnum):
    """How much of a shipment a party sees."""

    OWNER = "owner"
    FULL = "full"
    TRANSPORT = "transport"
    PAYMENT = "payment"
    SUMMARY = "summary"


_VIEW_OF_ROLE: Final = {
    PartyRole.SELLER: View.FULL,
    PartyRole.BUYER: View.FULL,
    PartyRole.CONSIGNEE: View.FULL,
    PartyRole.US_CUSTOMS_BROKER: View.FULL,
    PartyRole.MX_CUSTOMS_BROKER: View.FULL,
    PartyRole.CARRIER: View.TRANSPORT,
    PartyRole.BANK: View.PAYMENT,
    PartyRole.NOTIFY: View.SUMMARY,
}
_RANK: Final = {
    View.OWNER: 4,
    View.FULL: 3,
    View.TRANSPORT: 2,
    View.PAYMENT: 1,
    View.SUMMARY: 0,
}
_FULL_READ: Final = frozenset(
    {
        Action.SEE,
        Action.READ_RECORD,
        Action.READ_DOCUMENTS,
        Action.READ_COST,
        Action.READ_ORIGIN,
    }
)
ALLOWED: Final[dict[View, frozenset[Action]]] = {
    View.OWNER: frozenset(Action),
    View.FULL: _FULL_READ,
    View.TRANSPORT: frozenset({Action.SEE, Action.READ_DOCUMENTS}),
    View.PAYMENT: frozenset({Action.SEE, Action.READ_DOCUMENTS}),
    View.SUMMARY: frozenset({Action.SEE}),
}
"""The actions each view allows."""

DOCUMENTS: Final[dict[View, frozenset[str] | None]] = {
    View.OWNER: None,  # every document
    View.FULL: None,
    View.TRANSPORT: frozenset({"packing_list", "emanifest", "carta_porte"}),
    View.PAYMENT: frozenset({"commercial_invoice", "ubl_invoice"}),
    View.SUMMARY: frozenset(),
}
"""The artifact keys each view may download (None: all of them)."""

WITHOUT_PRICES: Final = frozenset({View.TRANSPORT})
"""Views that get the invoice only as an SD-JWT presentation with the prices withheld."""


@dataclass(frozen=True, slots=True)
class ShipmentAccess:
    """An organisation's standing on one shipment."""

    shipment_id: uuid.UUID
    owner: bool
    roles: frozenset[PartyRole]

    @property
    def view(self) -> View:
        """The widest view among the organisation's roles (the owner's above all)."""
        if self.owner:
            return View.OWNER
        return max((_VIEW_OF_ROLE[role] for role in self.roles), key=_RANK.__getitem__)

    def can(self, action: Action) -> bool:
        """Whether the view allows the action."""
        return action in ALLOWED[self.view]

    def may_download(self, artifact_key: str) -> bool:
        """Whether the view may download a document of this artifact."""
        keys = DOCUMENTS[self.view]
        return keys is None or artifact_key in keys

    def require(self, action: Action) -> ShipmentAccess:
        """Self, or ApiError 403 when the role does not allow the action."""
        if not self.can(action):
            raise ApiError(
                403,
                "shipment.forbidden_for_role",
                _("Your organisation's role on this shipment does not allow this"),
            )
        return self


def not_found() -> ApiError:
    """The answer for a shipment or document the caller may not know of."""
    return ApiError(404, "not_found", _("Not found"))


def shipment_access(
    unit: Unit, shipment_id: uuid.UUID, principal: Principal, action: Action = Action.SEE
) -> ShipmentAccess:
    """The caller's standing on the shipment; 404 when it has none, 403 without ``action``."""
    found = unit.shipments.roles_of(shipment_id, principal.organisation_id)
    if found is None:
        raise not_found()
    owner, roles = found
    return ShipmentAccess(shipment_id, owner, roles).require(action)
