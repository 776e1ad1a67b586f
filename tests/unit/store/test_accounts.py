from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, update

from cruce.store.crypto import Envelope, Kek, LocalKms
from cruce.store.errors import DuplicateError, NotFoundError
from cruce.store.models import MembershipRole, Organisation, UserLocale
from cruce.store.repositories.accounts import (
    MembershipRepository,
    OrganisationRepository,
    UserRepository,
)
from cruce.store.repositories.keys import DataKeyRepository


class TestOrganisationRepository:
    def test_the_tax_id_is_stored_encrypted_and_read_back(self, db_session, cipher):
        repository = OrganisationRepository(db_session, cipher)
        organisation_id = repository.create("Sonoran", "us_ein", "86-1234567", "sonoran.example")
        raw = db_session.scalars(select(Organisation.tax_id_enc)).one()
        assert b"86-1234567" not in raw
        info = repository.get(organisation_id)
        assert (info.name, info.tax_id, info.did_host) == (
            "Sonoran",
            "86-1234567",
            "sonoran.example",
        )
        assert info.created_at.tzinfo is not None

    def test_a_tax_id_moved_to_another_organisation_does_not_decrypt(self, db_session, cipher):
        repository = OrganisationRepository(db_session, cipher)
        first = repository.create("A", "us_ein", "86-1111111")
        second = repository.create("B", "us_ein", "86-2222222")
        blob = db_session.get(Organisation, first).tax_id_enc
        db_session.execute(
            update(Organisation).where(Organisation.id == second).values(tax_id_enc=blob)
        )
        db_session.expire_all()
        with pytest.raises(ValueError, match="not made for this row"):
            repository.get(second)

    def test_a_new_organisation_gets_its_first_data_key_from_the_real_envelope(self, db_session):
        # the data key refers to the organisation: the row must exist before the tax id is
        # encrypted (a foreign key failure, found by the API fuzzer)
        kms = LocalKms([Kek("k1", bytes(range(32)))])
        envelope = Envelope(kms, DataKeyRepository(db_session))
        repository = OrganisationRepository(db_session, envelope)
        organisation_id = repository.create("Sonoran Precision", "us_ein", "862741953")
        assert repository.get(organisation_id).tax_id == "862741953"
        assert DataKeyRepository(db_session).active(organisation_id) is not None

    def test_an_unknown_organisation_is_not_found(self, db_session, cipher):
        with pytest.raises(NotFoundError):
            OrganisationRepository(db_session, cipher).get(uuid.uuid4())

    def test_an_address_is_given_replaced_and_removed(self, db_session, cipher):
        repository = OrganisationRepository(db_session, cipher)
        organisation_id = repository.create("Sonoran", "us_ein", "862741953")
        assert repository.get(organisation_id).address is None
        first = {"street": "2145 W Broadway Rd", "locality": "Phoenix", "country": "US"}
        repository.set_address(organisation_id, first)
        db_session.expire_all()
        assert repository.get(organisation_id).address == first
        repository.set_address(organisation_id, {**first, "postal_code": "85041"})
        db_session.expire_all()
        assert repository.get(organisation_id).address["postal_code"] == "85041"
        repository.set_address(organisation_id, None)
        db_session.expire_all()
        assert repository.get(organisation_id).address is None

    def test_the_address_of_an_unknown_organisation_is_not_found(self, db_session, cipher):
        with pytest.raises(NotFoundError):
            OrganisationRepository(db_session, cipher).set_address(uuid.uuid4(), None)


class TestUserRepository:
    def test_email_is_stored_lower_case_and_found_in_any_case(self, db_session):
        repository = UserRepository(db_session)
        user = repository.create(" Dana@Example.COM ", "Dana", "$argon2id$x", UserLocale.ES)
        assert user.email == "dana@example.com"
        assert repository.find_by_email("DANA@example.com").id == user.id
        assert repository.find_by_email("nobody@example.com") is None
        assert repository.get(user.id).locale is UserLocale.ES

    def test_an_email_is_taken_once(self, db_session):
        repository = UserRepository(db_session)
        repository.create("dana@example.com", "Dana", "h")
        with pytest.raises(DuplicateError):
            repository.create("DANA@example.com", "Other", "h")

    def test_disable_sets_the_time_once(self, db_session, clock):
        repository = UserRepository(db_session, clock)
        user = repository.create("dana@example.com", "Dana", "h")
        repository.disable(user.id)
        first = repository.get(user.id).disabled_at
        repository.disable(user.id)
        assert repository.get(user.id).disabled_at == first is not None
        with pytest.raises(NotFoundError):
            repository.disable(uuid.uuid4())


class TestMembershipRepository:
    def test_roles_are_added_changed_listed_and_removed(self, db_session, cipher):
        user = UserRepository(db_session).create("dana@example.com", "Dana", "h")
        org = OrganisationRepository(db_session, cipher).create("A", "us_ein", "1")
        repository = MembershipRepository(db_session)
        assert repository.role(user.id, org) is None
        repository.add(user.id, org, MembershipRole.MEMBER)
        repository.add(user.id, org, MembershipRole.ADMIN)
        assert repository.role(user.id, org) is MembershipRole.ADMIN
        assert repository.organisations_of(user.id) == [(org, MembershipRole.ADMIN)]
        assert repository.members(org) == [(user.id, MembershipRole.ADMIN)]
        assert repository.remove(user.id, org)
        assert not repository.remove(user.id, org)
        assert repository.members(org) == []
