from __future__ import annotations

import pytest

from cruce.store.crypto import DataKeyConflictError
from cruce.store.errors import NotFoundError
from cruce.store.repositories.accounts import OrganisationRepository
from cruce.store.repositories.keys import DataKeyRepository


@pytest.fixture
def org(db_session, cipher):
    return OrganisationRepository(db_session, cipher).create("A", "us_ein", "1")


class TestDataKeyRepository:
    def test_the_active_key_is_the_newest_not_retired(self, db_session, org):
        repository = DataKeyRepository(db_session)
        assert repository.active(org) is None
        repository.add(org, 1, b"w1", "kek-a")
        repository.add(org, 2, b"w2", "kek-a")
        assert repository.active(org).version == 2
        repository.retire(org, 2)
        assert repository.active(org).version == 1
        assert repository.get(org, 2).retired
        assert [k.version for k in repository.all(org)] == [1, 2]
        assert list(repository.organisations()) == [org]

    def test_a_version_is_added_once(self, db_session, org):
        repository = DataKeyRepository(db_session)
        repository.add(org, 1, b"w1", "kek-a")
        with pytest.raises(DataKeyConflictError):
            repository.add(org, 1, b"other", "kek-a")
        assert repository.get(org, 1).wrapped == b"w1"

    def test_rewrap_replaces_the_wrapping_only(self, db_session, org):
        repository = DataKeyRepository(db_session)
        repository.add(org, 1, b"w1", "kek-a")
        repository.retire(org, 1)
        repository.rewrap(org, 1, b"w1-b", "kek-b")
        key = repository.get(org, 1)
        assert (key.wrapped, key.kek_id, key.retired) == (b"w1-b", "kek-b", True)
        assert key.as_wrapped().kek_id == "kek-b"

    def test_unknown_versions(self, db_session, org):
        repository = DataKeyRepository(db_session)
        assert repository.get(org, 9) is None
        with pytest.raises(NotFoundError):
            repository.retire(org, 9)
