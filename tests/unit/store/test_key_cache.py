"""The process's shared cache of unwrapped data keys: used once committed, never wrongly."""

from __future__ import annotations

import uuid

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cruce.api.platform import Platform
from cruce.config import Settings
from cruce.store.crypto import Envelope, InMemoryDataKeyStore, Kek, KeyCache, LocalKms

ORG = uuid.UUID("22222222-2222-2222-2222-222222222222")
KMS = LocalKms([Kek("a", bytes(range(32)))])


class CountingStore(InMemoryDataKeyStore):
    def __init__(self) -> None:
        super().__init__()
        self.gets = 0

    def get(self, organisation_id, version):
        self.gets += 1
        return super().get(organisation_id, version)


def test_a_published_key_opens_blobs_without_asking_the_store():
    store, shared = CountingStore(), KeyCache()
    blob = Envelope(KMS, store).encrypt(ORG, b"record", b"aad")
    first = Envelope(KMS, store, shared=shared)
    assert first.decrypt(ORG, blob, b"aad") == b"record"
    shared.publish(first.opened)
    store.gets = 0
    assert Envelope(KMS, store, shared=shared).decrypt(ORG, blob, b"aad") == b"record"
    assert store.gets == 0


def test_a_wrong_key_in_the_cache_falls_back_to_the_stored_one():
    store, shared = CountingStore(), KeyCache()
    blob = Envelope(KMS, store).encrypt(ORG, b"record", b"aad")
    shared.publish({(ORG, 1): AESGCM(AESGCM.generate_key(bit_length=256))})
    assert Envelope(KMS, store, shared=shared).decrypt(ORG, blob, b"aad") == b"record"


def test_the_cache_keeps_at_most_its_size():
    shared = KeyCache(size=2)
    keys = {(uuid.uuid4(), 1): AESGCM(AESGCM.generate_key(bit_length=256)) for _ in range(3)}
    shared.publish(keys)
    kept = [slot for slot in keys if shared.get(*slot) is not None]
    assert kept == list(keys)[1:]


def test_only_a_unit_that_commits_shares_the_keys_it_opened(tmp_path):
    platform = Platform.from_settings(Settings(data_dir=tmp_path))
    with platform.unit() as unit:
        organisation = unit.organisations.create("Acme", "us_ein", "862741953")

    def opened_then_failed() -> None:
        with platform.unit() as unit:
            blob = unit.cipher.encrypt(organisation, b"x", b"")
            assert unit.cipher.decrypt(organisation, blob, b"") == b"x"
            raise RuntimeError

    with pytest.raises(RuntimeError):
        opened_then_failed()
    assert platform.keys.get(organisation, 1) is None
    with platform.unit() as unit:
        unit.organisations.get(organisation)  # decrypts the tax identifier
    assert platform.keys.get(organisation, 1) is not None
