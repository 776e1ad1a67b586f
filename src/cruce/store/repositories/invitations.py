"""Invitations of an organisation into a shipment: single use, with an expiry."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select, update

from cruce.store.errors import InvitationUnavailableError, NotFoundError
from cruce.store.models import Invitation, PartyRole, ShipmentParty, utcnow
from cruce.store.models import Shipment as ShipmentRow

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from sqlalchemy.orm import Session


class InvitationStore(Protocol):
    """Invitations into shipments."""

    def create(
        self,
        shipment_id: uuid.UUID,
        role: PartyRole,
        token_hash: str,
        invited_by: uuid.UUID,
        expires_at: datetime,
    ) -> Invitation:
        """Store a new invitation."""
        ...

    def find_by_token_hash(self, token_hash: str) -> Invitation | None:
        """The invitation (used or expired ones too)."""
        ...

    def accept(self, token_hash: str, organisation_id: uuid.UUID) -> Invitation:
        """Use the invitation and make the organisation a party, once."""
        ...


class InvitationRepository:
    """:class:`InvitationStore` on SQLAlchemy."""

    def __init__(self, session: Session, clock: Callable[[], datetime] = utcnow) -> None:
        self.session = session
        self.clock = clock

    def create(
        self,
        shipment_id: uuid.UUID,
        role: PartyRole,
        token_hash: str,
        invited_by: uuid.UUID,
        expires_at: datetime,
    ) -> Invitation:
        """Store a new invitation."""
        if self.session.get(ShipmentRow, shipment_id) is None:
            raise NotFoundError("shipment", shipment_id)
        row = Invitation(
            id=uuid.uuid4(),
            shipment_id=shipment_id,
            role=role,
            token_hash=token_hash,
            invited_by_organisation_id=invited_by,
            created_at=self.clock(),
            expires_at=expires_at,
            accepted_at=None,
            accepted_by_organisation_id=None,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def find_by_token_hash(self, token_hash: str) -> Invitation | None:
        """The invitation (used or expired ones too)."""
        return self.session.scalars(
            select(Invitation).where(Invitation.token_hash == token_hash)
        ).one_or_none()

    def accept(self, token_hash: str, organisation_id: uuid.UUID) -> Invitation:
        """Use the invitation and make the organisation a party of the shipment in its role.

        One conditional UPDATE marks it used, so of two concurrent accepts one wins and the
        other gets :class:`InvitationUnavailableError` (also for unknown or expired ones).
        """
        now = self.clock()
        result = self.session.execute(
            update(Invitation)
            .where(
                Invitation.token_hash == token_hash,
                Invitation.accepted_at.is_(None),
                Invitation.expires_at > now,
            )
            .values(accepted_at=now, accepted_by_organisation_id=organisation_id)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise InvitationUnavailableError(token_hash[:8])
        invitation = self.find_by_token_hash(token_hash)
        if invitation is None:  # pragma: no cover - updated a moment ago
            raise InvitationUnavailableError(token_hash[:8])
        self.session.refresh(invitation)
        key = (invitation.shipment_id, organisation_id, invitation.role)
        if self.session.get(ShipmentParty, key) is None:
            self.session.add(
                ShipmentParty(
                    shipment_id=invitation.shipment_id,
                    organisation_id=organisation_id,
                    role=invitation.role,
                )
            )
            self.session.flush()
        return invitation
