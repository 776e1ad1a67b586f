from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from common.factories import shipment
from cruce.store.errors import (
    DuplicateReferenceError,
    IntegrityCheckError,
    NotFoundError,
    VersionConflictError,
)
from cruce.store.models import PartyRole, ShipmentVersion
from cruce.store.repositories.accounts import OrganisationRepository
from cruce.store.repositories.shipments import (
    InvalidCursorError,
    ShipmentRepository,
    ShipmentStore,
)


@pytest.fixture
def orgs(db_session, cipher):
    repository = OrganisationRepository(db_session, cipher)
    return [repository.create(f"Org {i}", "us_ein", f"86-000000{i}") for i in range(3)]


@pytest.fixture
def repository(db_session, cipher, clock) -> ShipmentStore:
    return ShipmentRepository(db_session, cipher, clock)


class TestShipmentRepository:
    def test_create_stores_version_one_encrypted_with_its_sha256(
        self, repository, db_session, orgs
    ):
        record = shipment()
        shipment_id, version = repository.create(orgs[0], record, None)
        assert version == 1
        stored = repository.get(shipment_id)
        assert stored.record == record
        assert stored.version == stored.current_version == 1
        assert stored.created_by_organisation_id == orgs[0]
        raw = db_session.scalars(select(ShipmentVersion.record_enc)).one()
        assert record.reference.encode() not in raw

    def test_a_reference_is_unique_per_owner(self, repository, orgs):
        repository.create(orgs[0], shipment(), None)
        with pytest.raises(DuplicateReferenceError):
            repository.create(orgs[0], shipment(), None)
        repository.create(orgs[1], shipment(), None)  # another owner may use it

    def test_add_version_keeps_every_version(self, repository, orgs):
        shipment_id, _ = repository.create(orgs[0], shipment(), None)
        changed = shipment(notes="second")
        assert repository.add_version(shipment_id, changed, None, orgs[1], expected_version=1) == 2
        assert repository.get(shipment_id).record == changed
        assert repository.get(shipment_id, version=1).record == shipment()
        versions = repository.versions(shipment_id)
        assert [v.version for v in versions] == [1, 2]
        assert versions[1].created_by_organisation_id == orgs[1]
        summary = repository.list(orgs[0]).items[0]
        assert summary.current_version == 2
        assert summary.updated_at > summary.created_at

    def test_a_stale_expected_version_is_a_conflict(self, repository, orgs):
        shipment_id, _ = repository.create(orgs[0], shipment(), None)
        repository.add_version(shipment_id, shipment(notes="a"), None, orgs[0], expected_version=1)
        with pytest.raises(VersionConflictError) as caught:
            repository.add_version(
                shipment_id, shipment(notes="b"), None, orgs[0], expected_version=1
            )
        assert (caught.value.expected, caught.value.current) == (1, 2)
        assert [v.version for v in repository.versions(shipment_id)] == [1, 2]

    def test_unknown_shipments_and_versions_are_not_found(self, repository, orgs):
        with pytest.raises(NotFoundError):
            repository.get(uuid.uuid4())
        shipment_id, _ = repository.create(orgs[0], shipment(), None)
        with pytest.raises(NotFoundError):
            repository.get(shipment_id, version=7)

    def test_a_record_moved_to_another_version_does_not_decrypt(self, repository, db_session, orgs):
        shipment_id, _ = repository.create(orgs[0], shipment(), None)
        repository.add_version(shipment_id, shipment(notes="x"), None, orgs[0], expected_version=1)
        first = db_session.scalars(
            select(ShipmentVersion.record_enc).where(ShipmentVersion.version == 1)
        ).one()
        db_session.execute(
            update(ShipmentVersion)
            .where(ShipmentVersion.shipment_id == shipment_id, ShipmentVersion.version == 2)
            .values(record_enc=first)
        )
        db_session.expire_all()
        with pytest.raises(ValueError, match="not made for this row"):
            repository.get(shipment_id, version=2)

    def test_a_changed_sha256_is_detected(self, repository, db_session, orgs):
        shipment_id, _ = repository.create(orgs[0], shipment(), None)
        db_session.execute(update(ShipmentVersion).values(record_sha256="0" * 64))
        db_session.expire_all()
        with pytest.raises(IntegrityCheckError):
            repository.get(shipment_id)

    def test_parties_see_the_shipment_and_others_do_not(self, repository, orgs):
        owner, carrier, stranger = orgs
        shipment_id, _ = repository.create(owner, shipment(), None)
        assert repository.add_party(shipment_id, carrier, PartyRole.CARRIER)
        assert not repository.add_party(shipment_id, carrier, PartyRole.CARRIER)
        assert repository.parties(shipment_id) == [(carrier, PartyRole.CARRIER)]
        assert repository.is_visible(shipment_id, owner)
        assert repository.is_visible(shipment_id, carrier)
        assert not repository.is_visible(shipment_id, stranger)
        assert [s.id for s in repository.list(carrier).items] == [shipment_id]
        assert repository.list(stranger).items == []
        assert repository.get(shipment_id, visible_to_org=carrier).id == shipment_id
        with pytest.raises(NotFoundError):
            repository.get(shipment_id, visible_to_org=stranger)

    def test_list_filters_by_direction_and_reference_prefix(self, repository, orgs):
        repository.create(orgs[0], shipment(reference="A-1"), None)
        repository.create(orgs[0], shipment(reference="A_2"), None)
        north = shipment(reference="B-1", export_country="MX", import_country="US")
        repository.create(orgs[0], north, None)
        assert [s.reference for s in repository.list(orgs[0], direction="MX-US").items] == ["B-1"]
        # the prefix is literal: "_" is not a wildcard
        assert [s.reference for s in repository.list(orgs[0], reference_prefix="A_").items] == [
            "A_2"
        ]

    def test_a_malformed_cursor_is_refused(self, repository, orgs):
        with pytest.raises(InvalidCursorError):
            repository.list(orgs[0], cursor="not-a-cursor")


class TiedClock:
    """Every two rows share a timestamp, so paging must break ties by id."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> datetime:
        self.calls += 1
        return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=self.calls // 4)


@settings(
    max_examples=20,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    owned=st.integers(min_value=0, max_value=12),
    partied=st.integers(min_value=0, max_value=4),
    hidden=st.integers(min_value=0, max_value=3),
    page_size=st.integers(min_value=1, max_value=7),
)
def test_paging_yields_each_visible_shipment_once_in_order(
    db_session, cipher, *, owned, partied, hidden, page_size
):
    organisations = OrganisationRepository(db_session, cipher)
    me, other = (organisations.create(name, "us_ein", "86-0000000") for name in ("me", "other"))
    repository = ShipmentRepository(db_session, cipher, TiedClock())
    expected = set()
    for i in range(owned):
        expected.add(repository.create(me, shipment(reference=f"M-{i}"), None)[0])
    for i in range(partied):
        shipment_id, _ = repository.create(other, shipment(reference=f"P-{i}"), None)
        repository.add_party(shipment_id, me, PartyRole.BUYER)
        expected.add(shipment_id)
    for i in range(hidden):
        repository.create(other, shipment(reference=f"H-{i}"), None)

    seen = []
    cursor = None
    while True:
        page = repository.list(me, cursor=cursor, limit=page_size)
        assert len(page.items) <= page_size
        seen.extend(page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [s.id for s in seen] == [s.id for s in sorted(seen, key=lambda s: (s.created_at, s.id))]
    assert len(seen) == len(expected)
    assert {s.id for s in seen} == expected
