from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta

import pytest

from cruce.trust.keys import (
    KeyPair,
    KeyRecord,
    KeyRing,
    KeyStoreError,
    PublicKey,
    ScryptCost,
    WrongPassphraseError,
    b58decode,
    b58encode,
    format_time,
    multibase_decode,
    multibase_encode,
    open_key,
    parse_time,
    seal_key,
)

# W3C vc-di-eddsa TestVectors/keyPair.json (W3C Software and Document License)
PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
SECRET = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"  # noqa: S105 - a W3C vector
FAST = ScryptCost(n=2**10)  # tests only: the default costs half a second per opening
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class TestBase58:
    @pytest.mark.parametrize(
        ("data", "text"),
        [
            (b"", ""),
            (b"\0", "1"),
            (b"\0\0\x01", "112"),
            (b"hello world", "StV1DL6CwTryKyV"),
        ],
    )
    def test_encodes_and_decodes_known_values(self, data, text):
        assert b58encode(data) == text
        assert b58decode(text) == data

    def test_rejects_characters_outside_the_alphabet(self):
        with pytest.raises(ValueError, match="base58"):
            b58decode("0OIl")

    def test_multibase_needs_the_z_prefix(self):
        assert multibase_decode(multibase_encode(b"\x01\x02")) == b"\x01\x02"
        with pytest.raises(ValueError, match="multibase"):
            multibase_decode("f0102")


class TestMultikey:
    def test_the_w3c_key_pair_round_trips(self):
        key = KeyPair.from_secret_multibase(SECRET)
        assert key.public_key.multibase == PUBLIC
        assert key.secret_key_multibase() == SECRET
        assert PublicKey.from_multibase(PUBLIC) == key.public_key

    def test_every_ed25519_multikey_starts_z6mk(self):
        assert KeyPair.generate().public_key.multibase.startswith("z6Mk")

    def test_a_key_of_another_curve_is_refused(self):
        p256 = multibase_encode(b"\x80\x24" + bytes(33))
        with pytest.raises(ValueError, match="0xed01"):
            PublicKey.from_multibase(p256)
        with pytest.raises(ValueError, match="0x8026"):
            KeyPair.from_secret_multibase(p256)

    def test_a_public_key_is_32_bytes(self):
        with pytest.raises(ValueError, match="32 bytes"):
            PublicKey(bytes(31))


class TestKeyPair:
    def test_signs_and_verifies(self):
        key = KeyPair.generate()
        signature = key.sign(b"invoice")
        assert key.public_key.verify(signature, b"invoice")
        assert not key.public_key.verify(signature, b"invoicE")
        assert not KeyPair.generate().public_key.verify(signature, b"invoice")

    def test_repr_shows_only_the_public_key(self):
        key = KeyPair.from_secret_multibase(SECRET)
        assert repr(key) == f"KeyPair(public_key={PUBLIC!r})"

    def test_exports_encrypted_pkcs8_pem(self):
        key = KeyPair.generate()
        pem = key.to_pkcs8_pem("correct horse")
        assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        assert KeyPair.from_pkcs8_pem(pem, "correct horse").public_key == key.public_key

    def test_a_wrong_pem_passphrase_is_a_clear_error(self):
        pem = KeyPair.generate().to_pkcs8_pem("correct horse")
        with pytest.raises(WrongPassphraseError) as caught:
            KeyPair.from_pkcs8_pem(pem, "wrong")
        assert (
            str(caught.value)
            == "The passphrase does not open this key, or the key file was changed."
        )
        assert caught.value.__suppress_context__


class TestEnvelope:
    def test_seals_and_opens(self):
        key = KeyPair.generate()
        envelope = seal_key(key, "año nuevo", FAST)
        assert open_key(envelope, "año nuevo").public_key == key.public_key

    def test_the_private_key_is_not_written_in_the_clear(self):
        key = KeyPair.from_secret_multibase(SECRET)
        envelope = seal_key(key, "pass", FAST)
        seed = multibase_decode(SECRET)[2:]
        assert seed not in envelope
        assert SECRET.encode() not in envelope
        assert json.loads(envelope)["publicKeyMultibase"] == PUBLIC

    def test_a_wrong_passphrase_is_a_clear_error_without_a_traceback_chain(self):
        envelope = seal_key(KeyPair.generate(), "right", FAST)
        with pytest.raises(WrongPassphraseError) as caught:
            open_key(envelope, "wrong")
        assert (
            str(caught.value)
            == "The passphrase does not open this key, or the key file was changed."
        )
        assert caught.value.__cause__ is None
        assert caught.value.__suppress_context__

    def test_the_passphrase_is_compared_in_unicode_normal_form(self):
        envelope = seal_key(KeyPair.generate(), "a\u0301rbol", FAST)  # decomposed á
        assert open_key(envelope, "árbol")

    @pytest.mark.parametrize("field", ["ciphertext", "publicKeyMultibase", "salt", "n"])
    def test_an_edited_envelope_does_not_open(self, field):
        other = KeyPair.generate().public_key.multibase
        document = json.loads(seal_key(KeyPair.generate(), "pass", FAST))
        if field == "ciphertext":
            first = document["ciphertext"][0]  # a different first character, always
            document["ciphertext"] = ("B" if first == "A" else "A") + document["ciphertext"][1:]
        elif field == "publicKeyMultibase":
            document["publicKeyMultibase"] = other
        else:
            document["kdf"][field] = {"salt": "AAAAAAAAAAAAAAAAAAAAAA", "n": 2**11}[field]
        with pytest.raises(WrongPassphraseError):
            open_key(json.dumps(document).encode(), "pass")

    def test_an_empty_passphrase_is_refused(self):
        with pytest.raises(KeyStoreError, match="passphrase is required"):
            seal_key(KeyPair.generate(), "", FAST)

    @pytest.mark.parametrize(
        "cost",
        [
            ScryptCost(n=2**30),
            ScryptCost(n=1000),
            ScryptCost(n=2**9),
            ScryptCost(p=3),
            ScryptCost(r=0),
        ],
    )
    def test_scrypt_parameters_out_of_range_are_refused(self, cost):
        with pytest.raises(KeyStoreError, match="out of range"):
            seal_key(KeyPair.generate(), "pass", cost)

    @pytest.mark.parametrize("data", [b"", b"[]", b"{}", b'{"format": "other"}'])
    def test_a_file_that_is_not_an_envelope_is_named_so(self, data):
        with pytest.raises(KeyStoreError, match="not a cruce key envelope"):
            open_key(data, "pass")


class TestTimes:
    def test_formats_utc_to_the_second(self):
        assert format_time(datetime(2026, 3, 1, 8, 30, tzinfo=UTC)) == "2026-03-01T08:30:00Z"

    @pytest.mark.parametrize("text", ["2026-03-01", "2026-03-01T08:30:00", "soon"])
    def test_a_time_without_a_zone_is_refused(self, text):
        with pytest.raises(ValueError, match="time zone"):
            parse_time(text)

    def test_a_key_is_active_from_creation_until_retirement(self):
        record = KeyRecord(KeyPair.generate().public_key, T0, T0 + timedelta(days=30))
        assert not record.active_at(T0 - timedelta(seconds=1))
        assert record.active_at(T0)
        assert record.active_at(T0 + timedelta(days=29))
        assert not record.active_at(T0 + timedelta(days=30))


class TestKeyRing:
    def test_create_writes_a_ring_with_one_active_key(self, tmp_path):
        ring = KeyRing.create(tmp_path / "acme", "pass", now=T0, cost=FAST)
        assert len(ring.keys) == 1
        assert ring.active.created == T0
        assert ring.active.retired_at is None
        reopened = KeyRing.open(tmp_path / "acme")
        assert reopened.keys == ring.keys

    def test_files_are_readable_by_the_owner_only(self, tmp_path):
        ring = KeyRing.create(tmp_path, "pass", now=T0, cost=FAST)
        for path in [tmp_path / "ring.json", ring._key_path(ring.active.key_id)]:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600

    def test_the_signing_key_opens_with_the_passphrase(self, tmp_path):
        ring = KeyRing.create(tmp_path, "pass", now=T0, cost=FAST)
        assert ring.signing_key("pass").public_key == ring.active.public_key
        with pytest.raises(WrongPassphraseError):
            ring.signing_key("pas")

    def test_create_refuses_to_overwrite_a_ring(self, tmp_path):
        KeyRing.create(tmp_path, "pass", now=T0, cost=FAST)
        with pytest.raises(KeyStoreError, match="already exists"):
            KeyRing.create(tmp_path, "pass", now=T0, cost=FAST)

    def test_rotate_retires_the_active_key_at_the_new_keys_creation(self, tmp_path):
        ring = KeyRing.create(tmp_path, "pass", now=T0, cost=FAST)
        old = ring.active
        later = T0 + timedelta(days=90)
        new = ring.rotate("pass", now=later)
        assert ring.active == new
        assert new.created == later
        assert ring.record(old.key_id) == KeyRecord(old.public_key, T0, later)
        assert KeyRing.open(tmp_path).keys == ring.keys
        assert ring.signing_key("pass").public_key == new.public_key

    def test_rotate_deletes_the_retired_private_key(self, tmp_path):
        ring = KeyRing.create(tmp_path, "pass", now=T0, cost=FAST)
        old = ring.active
        ring.rotate("pass", now=T0 + timedelta(days=1))
        assert not ring._key_path(old.key_id).exists()
        assert [path.name for path in (tmp_path / "keys").iterdir()] == [
            f"{ring.active.key_id}.json"
        ]

    def test_rotate_with_a_wrong_passphrase_changes_nothing(self, tmp_path):
        ring = KeyRing.create(tmp_path, "pass", now=T0, cost=FAST)
        before = KeyRing.open(tmp_path).keys
        with pytest.raises(WrongPassphraseError):
            ring.rotate("typo", now=T0 + timedelta(days=1))
        assert KeyRing.open(tmp_path).keys == before
        assert len(list((tmp_path / "keys").iterdir())) == 1

    def test_rotate_cannot_go_back_in_time(self, tmp_path):
        ring = KeyRing.create(tmp_path, "pass", now=T0, cost=FAST)
        with pytest.raises(KeyStoreError, match="after it was created"):
            ring.rotate("pass", now=T0)

    def test_the_new_key_keeps_the_rings_scrypt_cost(self, tmp_path):
        ring = KeyRing.create(tmp_path, "pass", now=T0, cost=FAST)
        ring.rotate("pass", now=T0 + timedelta(days=1))
        envelope = json.loads(ring._key_path(ring.active.key_id).read_bytes())
        assert envelope["kdf"]["n"] == FAST.n

    def test_a_naive_time_is_refused(self, tmp_path):
        with pytest.raises(ValueError, match="time zone"):
            KeyRing.create(tmp_path, "pass", now=datetime(2026, 1, 1), cost=FAST)  # noqa: DTZ001

    def test_opening_a_folder_without_a_ring_says_so(self, tmp_path):
        with pytest.raises(KeyStoreError, match="There is no key ring"):
            KeyRing.open(tmp_path)

    @pytest.mark.parametrize(
        "content",
        [
            "not json",
            '{"format": "cruce-keyring/1", "keys": []}',
            '{"format": "other", "keys": []}',
        ],
    )
    def test_a_damaged_ring_file_is_named(self, tmp_path, content):
        (tmp_path / "ring.json").write_text(content)
        with pytest.raises(KeyStoreError, match="is not a cruce key ring"):
            KeyRing.open(tmp_path)

    def test_a_missing_key_file_is_named(self, tmp_path):
        ring = KeyRing.create(tmp_path, "pass", now=T0, cost=FAST)
        ring._key_path(ring.active.key_id).unlink()
        with pytest.raises(KeyStoreError, match="is missing"):
            ring.signing_key("pass")
