from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from cruce.store.errors import DuplicateError, NotFoundError
from cruce.store.repositories.accounts import OrganisationRepository, UserRepository
from cruce.store.repositories.auth import ApiTokenRepository, SessionRepository

LATER = datetime(2027, 1, 1, tzinfo=UTC)


@pytest.fixture
def user(db_session):
    return UserRepository(db_session).create("dana@example.com", "Dana", "h")


@pytest.fixture
def org(db_session, cipher):
    return OrganisationRepository(db_session, cipher).create("A", "us_ein", "1")


class TestApiTokenRepository:
    def test_a_token_is_found_by_its_prefix_touched_and_revoked(self, db_session, clock, user, org):
        repository = ApiTokenRepository(db_session, clock)
        token = repository.create(
            org, user.id, name="ci", lookup="crc_abc", token_hash="f" * 64, scopes=["read"]
        )
        found = repository.find_by_lookup("crc_abc")
        assert (found.id, found.scopes, found.last_used_at) == (token.id, ["read"], None)
        repository.touch(token.id)
        assert repository.find_by_lookup("crc_abc").last_used_at is not None
        repository.revoke(token.id)
        assert repository.find_by_lookup("crc_abc").revoked_at is not None
        assert repository.find_by_lookup("crc_zzz") is None
        assert [t.id for t in repository.for_organisation(org)] == [token.id]

    def test_a_prefix_is_unique(self, db_session, user, org):
        repository = ApiTokenRepository(db_session)
        repository.create(org, user.id, name="a", lookup="crc_x", token_hash="a" * 64, scopes=[])
        with pytest.raises(DuplicateError):
            repository.create(
                org, user.id, name="b", lookup="crc_x", token_hash="b" * 64, scopes=[]
            )

    def test_unknown_tokens_are_not_found(self, db_session):
        with pytest.raises(NotFoundError):
            ApiTokenRepository(db_session).revoke(uuid.uuid4())


class TestSessionRepository:
    def test_sessions_are_found_by_hash_and_revoked(self, db_session, clock, user):
        repository = SessionRepository(db_session, clock)
        first = repository.create("1" * 64, "c" * 64, user.id, LATER)
        repository.create("2" * 64, "d" * 64, user.id, LATER + timedelta(days=1))
        assert repository.find_by_token_hash("1" * 64).id == first.id
        assert repository.find_by_token_hash("1" * 64).expires_at == LATER
        repository.revoke(first.id)
        assert repository.find_by_token_hash("1" * 64).revoked_at is not None
        assert repository.revoke_all_for_user(user.id) == 1
        assert repository.find_by_token_hash("2" * 64).revoked_at is not None
        with pytest.raises(NotFoundError):
            repository.revoke(uuid.uuid4())
