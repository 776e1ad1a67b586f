from __future__ import annotations

import base64
import stat
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from cruce.config import Environment, Settings
from cruce.store.crypto import (
    DecryptionError,
    Envelope,
    InMemoryDataKeyStore,
    Kek,
    KeyConfigurationError,
    LocalKms,
    data_key_version,
    keks_from_settings,
    parse_keks,
)

ORG = uuid.UUID("11111111-1111-1111-1111-111111111111")
OTHER = uuid.UUID("22222222-2222-2222-2222-222222222222")
KEY_A = bytes(range(32))
KEY_B = bytes(range(32, 64))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def envelope(*keks: Kek) -> Envelope:
    return Envelope(LocalKms(keks or (Kek("a", KEY_A),)), InMemoryDataKeyStore())


class TestEnvelope:
    @given(plaintext=st.binary(), aad=st.binary())
    def test_any_bytes_round_trip(self, plaintext, aad):
        box = envelope()
        assert box.decrypt(ORG, box.encrypt(ORG, plaintext, aad), aad) == plaintext

    def test_the_first_data_key_is_made_on_demand(self):
        box = envelope()
        blob = box.encrypt(ORG, b"x", b"row")
        assert data_key_version(blob) == 1
        assert blob[0] == 1
        assert len(blob) == 1 + 4 + 12 + 1 + 16

    def test_a_flipped_bit_is_refused(self):
        box = envelope()
        blob = bytearray(box.encrypt(ORG, b"secret", b"row"))
        for index in range(len(blob)):
            tampered = bytearray(blob)
            tampered[index] ^= 1
            with pytest.raises(DecryptionError):
                box.decrypt(ORG, bytes(tampered), b"row")

    def test_a_wrong_aad_is_refused(self):
        box = envelope()
        blob = box.encrypt(ORG, b"secret", b"invoice:1")
        with pytest.raises(DecryptionError):
            box.decrypt(ORG, blob, b"invoice:2")

    def test_another_organisation_cannot_open_the_blob(self):
        box = envelope()
        blob = box.encrypt(ORG, b"secret", b"row")
        box.encrypt(OTHER, b"theirs", b"row")  # OTHER has its own version 1
        with pytest.raises(DecryptionError):
            box.decrypt(OTHER, blob, b"row")

    @pytest.mark.parametrize("length", [0, 1, 5, 17, 32])
    def test_a_truncated_blob_is_refused(self, length):
        box = envelope()
        blob = box.encrypt(ORG, b"secret", b"row")
        with pytest.raises(DecryptionError):
            box.decrypt(ORG, blob[:length], b"row")

    def test_an_unknown_data_key_version_is_refused(self):
        box = envelope()
        blob = bytearray(box.encrypt(ORG, b"secret", b"row"))
        blob[4] = 9
        with pytest.raises(DecryptionError, match="version 9"):
            box.decrypt(ORG, bytes(blob), b"row")

    def test_the_cache_is_bounded(self):
        box = Envelope(LocalKms([Kek("a", KEY_A)]), InMemoryDataKeyStore(), cache_size=2)
        orgs = [uuid.uuid4() for _ in range(5)]
        blobs = [box.encrypt(org, b"x", b"") for org in orgs]
        assert len(box._cache) == 2
        assert all(box.decrypt(o, b, b"") == b"x" for o, b in zip(orgs, blobs, strict=True))


class TestDataKeyRotation:
    def test_old_blobs_open_and_new_ones_use_the_new_version(self):
        box = envelope()
        old = box.encrypt(ORG, b"old", b"row")
        assert box.rotate_data_key(ORG) == 2
        new = box.encrypt(ORG, b"new", b"row")
        assert data_key_version(new) == 2
        assert box.decrypt(ORG, old, b"row") == b"old"
        assert box.decrypt(ORG, new, b"row") == b"new"

    def test_reencrypt_moves_a_blob_to_the_active_key(self):
        box = envelope()
        old = box.encrypt(ORG, b"old", b"row")
        box.rotate_data_key(ORG)
        moved = box.reencrypt(ORG, old, b"row")
        assert data_key_version(moved) == 2
        assert box.decrypt(ORG, moved, b"row") == b"old"
        assert box.reencrypt(ORG, moved, b"row") is moved

    def test_reencrypt_checks_the_aad(self):
        box = envelope()
        blob = box.encrypt(ORG, b"old", b"row")
        with pytest.raises(DecryptionError):
            box.reencrypt(ORG, blob, b"other row")


class TestKekRotation:
    def test_rewrapped_keys_open_old_data_without_the_old_kek(self):
        store = InMemoryDataKeyStore()
        box = Envelope(LocalKms([Kek("old", KEY_A)]), store)
        blobs = {org: box.encrypt(org, org.bytes, b"row") for org in (ORG, OTHER)}
        box.rotate_data_key(ORG)
        both = LocalKms([Kek("new", KEY_B), Kek("old", KEY_A)])
        assert box.rewrap_data_keys(both) == 3
        assert box.rewrap_data_keys(both) == 0  # resumable: nothing left to do
        assert box.kek_ids_in_use() == {"new"}
        fresh = Envelope(LocalKms([Kek("new", KEY_B)]), store)
        for org, blob in blobs.items():
            assert fresh.decrypt(org, blob, b"row") == org.bytes

    def test_a_data_key_under_an_unknown_kek_is_refused(self):
        store = InMemoryDataKeyStore()
        blob = Envelope(LocalKms([Kek("old", KEY_A)]), store).encrypt(ORG, b"x", b"")
        with pytest.raises(DecryptionError, match="old"):
            Envelope(LocalKms([Kek("new", KEY_B)]), store).decrypt(ORG, blob, b"")

    def test_a_data_key_under_a_wrong_kek_with_the_same_id_is_refused(self):
        store = InMemoryDataKeyStore()
        blob = Envelope(LocalKms([Kek("a", KEY_A)]), store).encrypt(ORG, b"x", b"")
        with pytest.raises(DecryptionError):
            Envelope(LocalKms([Kek("a", KEY_B)]), store).decrypt(ORG, blob, b"")


class TestKekConfiguration:
    def test_parses_several_keys_the_first_active(self):
        keks = parse_keks(f"k2:{b64(KEY_B)}, k1:{b64(KEY_A)}")
        assert [kek.id for kek in keks] == ["k2", "k1"]
        assert LocalKms(keks).active_kek_id == "k2"

    @pytest.mark.parametrize(
        ("text", "named"),
        [
            (f"short:{b64(b'x' * 16)}", "short"),
            (f"a:{b64(KEY_A)},a:{b64(KEY_B)}", "twice"),
            ("bad:not base64!", "bad"),
            (b64(KEY_A), "Entry 1"),
            (f"a:{b64(KEY_A)},", "Entry 2"),
        ],
    )
    def test_refuses_malformed_keys_naming_the_entry(self, text, named):
        with pytest.raises(KeyConfigurationError, match=named) as caught:
            parse_keks(text)
        assert b64(KEY_A) not in str(caught.value)

    def test_settings_keys_are_used(self, tmp_path):
        settings = Settings(data_dir=tmp_path, keks=SecretStr(f"k:{b64(KEY_A)}"))
        assert [kek.id for kek in keks_from_settings(settings)] == ["k"]
        assert not (tmp_path / "kek").exists()

    def test_development_key_file_is_created_once_private_and_reused(self, tmp_path):
        settings = Settings(data_dir=tmp_path / "data")
        first = keks_from_settings(settings)
        path = tmp_path / "data" / "kek"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        content = path.read_bytes()
        second = keks_from_settings(settings)
        assert [k.id for k in first] == [k.id for k in second]
        assert path.read_bytes() == content
        box = Envelope(LocalKms(first), InMemoryDataKeyStore())
        blob = box.encrypt(ORG, b"x", b"")
        store = box._store
        assert Envelope(LocalKms(second), store).decrypt(ORG, blob, b"") == b"x"

    def test_production_without_a_kek_is_refused(self, tmp_path):
        settings = Settings.model_construct(
            environment=Environment.PRODUCTION, data_dir=tmp_path, keks=None
        )
        with pytest.raises(KeyConfigurationError, match="CRUCE_KEKS"):
            keks_from_settings(settings)
        assert not (tmp_path / "kek").exists()

    def test_no_key_bytes_in_repr_or_str(self):
        kek = Kek("a", KEY_A)
        kms = LocalKms([kek])
        box = Envelope(kms, InMemoryDataKeyStore())
        box.encrypt(ORG, b"x", b"")
        stored = box._store.active(ORG)
        wrapped = kms.wrap(KEY_B)
        for thing in (kek, kms, box, stored, wrapped):
            text = repr(thing) + str(thing)
            for secret in (KEY_A, KEY_B, wrapped.blob, stored.wrapped):
                assert secret.hex() not in text
                assert b64(secret) not in text
                assert repr(secret) not in text


class TestCache:
    def test_a_cached_key_is_not_used_for_another_stored_key_of_the_same_version(self):
        kms = LocalKms([Kek("a", KEY_A)])
        mine, theirs = InMemoryDataKeyStore(), InMemoryDataKeyStore()
        box = Envelope(kms, mine)
        box.encrypt(ORG, b"x", b"")  # caches a version 1 that "was rolled back"
        blob = Envelope(kms, theirs).encrypt(ORG, b"y", b"")  # another process's version 1
        box._store = theirs
        assert box.decrypt(ORG, blob, b"") == b"y"
