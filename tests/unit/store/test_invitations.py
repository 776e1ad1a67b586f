from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from common.factories import shipment
from cruce.store.errors import InvitationUnavailableError, NotFoundError
from cruce.store.models import Organisation, PartyRole
from cruce.store.models import Shipment as ShipmentRow
from cruce.store.repositories.accounts import OrganisationRepository
from cruce.store.repositories.invitations import InvitationRepository
from cruce.store.repositories.shipments import ShipmentRepository

LATER = datetime(2027, 1, 1, tzinfo=UTC)


@pytest.fixture
def setting(db_session, cipher, clock):
    organisations = OrganisationRepository(db_session, cipher)
    owner, broker, other = (organisations.create(n, "us_ein", "1") for n in "ABC")
    shipments = ShipmentRepository(db_session, cipher, clock)
    shipment_id, _ = shipments.create(owner, shipment(), None)
    return shipments, shipment_id, owner, broker, other


class TestInvitationRepository:
    def test_an_invitation_is_used_once(self, db_session, clock, setting):
        shipments, shipment_id, owner, broker, other = setting
        repository = InvitationRepository(db_session, clock)
        repository.create(shipment_id, PartyRole.MX_CUSTOMS_BROKER, "t" * 64, owner, LATER)
        accepted = repository.accept("t" * 64, broker)
        assert accepted.accepted_by_organisation_id == broker
        assert accepted.accepted_at is not None
        assert shipments.parties(shipment_id) == [(broker, PartyRole.MX_CUSTOMS_BROKER)]
        with pytest.raises(InvitationUnavailableError):
            repository.accept("t" * 64, other)
        assert not shipments.is_visible(shipment_id, other)

    def test_an_expired_or_unknown_invitation_is_refused(self, db_session, setting):
        _, shipment_id, owner, broker, _ = setting
        repository = InvitationRepository(db_session)
        past = datetime(2020, 1, 1, tzinfo=UTC)
        repository.create(shipment_id, PartyRole.BANK, "e" * 64, owner, past)
        with pytest.raises(InvitationUnavailableError):
            repository.accept("e" * 64, broker)
        with pytest.raises(InvitationUnavailableError):
            repository.accept("u" * 64, broker)
        assert repository.find_by_token_hash("e" * 64).accepted_at is None

    def test_an_invitation_needs_a_shipment(self, db_session, setting):
        owner = setting[2]
        with pytest.raises(NotFoundError):
            InvitationRepository(db_session).create(
                uuid.uuid4(), PartyRole.BANK, "x" * 64, owner, LATER
            )


class TestConcurrentAccept:
    def test_of_two_concurrent_accepts_one_wins(self, engine, cipher):
        """Two connections: the second UPDATE waits for the first to commit, then finds it used."""
        token = uuid.uuid4().hex * 2
        with Session(engine) as setup:
            organisations = OrganisationRepository(setup, cipher)
            owner, first, second = (organisations.create(n, "us_ein", "1") for n in "ABC")
            shipment_id, _ = ShipmentRepository(setup, cipher).create(
                owner, shipment(reference=token[:20]), None
            )
            InvitationRepository(setup).create(shipment_id, PartyRole.BANK, token, owner, LATER)
            setup.commit()
        outcomes = {}
        try:
            with Session(engine) as a, Session(engine) as b:
                outcomes["a"] = InvitationRepository(a).accept(token, first).id

                def other() -> None:
                    try:
                        InvitationRepository(b).accept(token, second)
                        outcomes["b"] = "accepted"
                    except InvitationUnavailableError:
                        outcomes["b"] = "refused"
                    b.rollback()

                thread = threading.Thread(target=other)
                thread.start()
                thread.join(0.3)  # b is waiting for a's lock
                a.commit()
                thread.join(10)
            assert outcomes["b"] == "refused"
        finally:
            with Session(engine) as cleanup:
                cleanup.execute(delete(ShipmentRow).where(ShipmentRow.id == shipment_id))
                cleanup.execute(
                    delete(Organisation).where(Organisation.id.in_([owner, first, second]))
                )
                cleanup.commit()
