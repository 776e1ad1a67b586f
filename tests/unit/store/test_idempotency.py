from __future__ import annotations

import uuid

import pytest

from cruce.store.errors import NotFoundError
from cruce.store.repositories.idempotency import IdempotencyRepository, IdempotencyState

REQUEST = ("org:1", "key-1", "POST", "/shipments", "a" * 64)


class TestIdempotencyRepository:
    def test_the_first_request_is_new_then_in_progress_then_replayed(self, db_session, clock):
        repository = IdempotencyRepository(db_session, clock)
        first = repository.begin(*REQUEST)
        assert first.state is IdempotencyState.NEW
        assert repository.begin(*REQUEST).state is IdempotencyState.IN_PROGRESS
        repository.complete(first.id, 201, b'{"id": 1}', {"content-type": "application/json"})
        again = repository.begin(*REQUEST)
        assert again.state is IdempotencyState.COMPLETED
        assert (again.status_code, again.response_body) == (201, b'{"id": 1}')
        assert again.response_headers == {"content-type": "application/json"}

    def test_the_same_key_with_another_request_is_a_conflict(self, db_session):
        repository = IdempotencyRepository(db_session)
        repository.begin(*REQUEST)
        other = repository.begin("org:1", "key-1", "POST", "/shipments", "b" * 64)
        assert other.state is IdempotencyState.CONFLICT
        elsewhere = repository.begin("org:1", "key-1", "POST", "/documents", "a" * 64)
        assert elsewhere.state is IdempotencyState.CONFLICT

    def test_keys_are_per_principal(self, db_session):
        repository = IdempotencyRepository(db_session)
        repository.begin(*REQUEST)
        assert repository.begin("org:2", *REQUEST[1:]).state is IdempotencyState.NEW

    def test_a_released_key_may_be_used_again(self, db_session):
        repository = IdempotencyRepository(db_session)
        first = repository.begin(*REQUEST)
        repository.release(first.id)
        assert repository.begin(*REQUEST).state is IdempotencyState.NEW

    def test_completing_an_unknown_key_fails(self, db_session):
        with pytest.raises(NotFoundError):
            IdempotencyRepository(db_session).complete(uuid.uuid4(), 200, b"", {})
