"""The service-held issuers: their did:web address, their encrypted secret, their evidence."""

from __future__ import annotations

import secrets
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from cruce.api.issuers import SECRET_FILE, Address, Issuers, legal_identity
from cruce.api.platform import Platform
from cruce.api.problems import ApiError
from cruce.artifacts.checklist import pack
from cruce.config import Settings
from cruce.ingest.loader import parse_shipment
from cruce.store.crypto import DecryptionError, Kek, LocalKms, keks_from_settings
from cruce.store.ports import aad
from cruce.trust.did import TaxScheme, did_web_url
from cruce.trust.evidence import evidence_from_items

pytestmark = pytest.mark.unit
EXAMPLE = (
    Path(__file__).resolve().parents[3]
    / "src"
    / "cruce"
    / "examples"
    / "01-phoenix-to-guadalajara"
    / "shipment.yaml"
)
SELLER = "Sonoran Precision Machining LLC"
ORG = uuid.UUID("0b5f8a52-3c1e-4a8e-9a57-7d7c1f0e2b11")


@pytest.fixture
def platform(tmp_path) -> Platform:
    return Platform.from_settings(Settings(data_dir=tmp_path))


@pytest.fixture
def issuers(tmp_path) -> Issuers:
    return Issuers(tmp_path / "issuers", "http://127.0.0.1:8000")


def _organisation(
    platform: Platform, scheme: str = "us_ein", tax_id: str = "862741953"
) -> uuid.UUID:
    with platform.unit() as unit:
        return unit.organisations.create(SELLER, scheme, tax_id)


class TestAddress:
    def test_a_port_is_percent_encoded_and_the_document_is_under_orgs(self):
        address = Address.of("http://127.0.0.1:8000", ORG)
        assert address.did == f"did:web:127.0.0.1%3A8000:orgs:{ORG}"
        assert did_web_url(address.did) == f"https://127.0.0.1:8000/orgs/{ORG}/did.json"
        assert address.base_url == f"http://127.0.0.1:8000/orgs/{ORG}"
        assert address.log_origin == f"127.0.0.1:8000/orgs/{ORG}/log"

    def test_a_path_prefix_of_the_public_url_is_part_of_the_did(self):
        address = Address.of("https://Cruce.Example/app/", ORG)
        assert address.did == f"did:web:cruce.example:app:orgs:{ORG}"
        assert did_web_url(address.did) == f"https://cruce.example/app/orgs/{ORG}/did.json"

    def test_a_public_url_without_a_host_is_refused(self):
        with pytest.raises(ValueError, match="no host"):
            Address.of("/relative", ORG)


class TestLegalIdentity:
    def test_an_ein_is_written_as_the_irs_does(self):
        assert legal_identity("us_ein", "862741953") == ("86-2741953", TaxScheme.EIN)

    def test_an_rfc_is_in_capitals(self):
        assert legal_identity("mx_rfc", "etc110823r49") == ("ETC110823R49", TaxScheme.RFC)

    def test_a_foreign_identifier_cannot_sign(self):
        assert legal_identity("foreign", "GB123") is None


class TestEnsure:
    def test_the_secret_is_stored_only_encrypted_and_opens_the_keys(self, platform, issuers):
        org = _organisation(platform)
        with platform.unit() as unit:
            issuer = issuers.ensure(unit, org)
            secret = issuer.passphrase(unit)
        assert len(secret) >= 40
        for path in issuer.folder.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path
        issuer.signing_key(secret)  # the secret opens the ring
        issuer.log_key(secret)
        assert issuer.did == f"did:web:127.0.0.1%3A8000:orgs:{org}"
        assert issuer.did_document()["id"] == issuer.did

    def test_the_secret_is_bound_to_its_organisation(self, platform, issuers):
        org, other = _organisation(platform), _organisation(platform)
        with platform.unit() as unit:
            issuer = issuers.ensure(unit, org)
            blob = (issuer.folder / SECRET_FILE).read_bytes()
            with pytest.raises(DecryptionError):
                unit.cipher.decrypt(other, blob, aad("issuer_passphrase", other))

    def test_an_issuer_is_made_once(self, platform, issuers):
        org = _organisation(platform)

        def ensure(_n: int) -> str:
            with platform.unit() as unit:
                return issuers.ensure(unit, org).ring.active.key_id

        with ThreadPoolExecutor(8) as pool:
            keys = set(pool.map(ensure, range(8)))
        assert len(keys) == 1
        assert [p.name for p in issuers.root.iterdir()] == [str(org)]

    def test_an_organisation_without_an_ein_or_rfc_cannot_sign(self, platform, issuers):
        org = _organisation(platform, "foreign", "GB123456789")
        with platform.unit() as unit, pytest.raises(ApiError) as raised:
            issuers.ensure(unit, org)
        assert raised.value.status == 422
        assert issuers.get(org) is None

    def test_the_secret_survives_a_kek_rotation(self, tmp_path, platform, issuers):
        org = _organisation(platform)
        with platform.unit() as unit:
            issuer = issuers.ensure(unit, org)
            secret = issuer.passphrase(unit)
        new = Kek("rotated", secrets.token_bytes(32))
        (old_id,) = platform.kms.kek_ids
        old = keks_from_settings(Settings(data_dir=tmp_path))
        both = Platform(platform.sessions, LocalKms((new, *old)))
        with both.unit() as unit:
            assert unit.cipher.rewrap_data_keys() >= 1
        only_new = Platform(platform.sessions, LocalKms((new,)))
        with only_new.unit() as unit:
            assert issuer.passphrase(unit) == secret
            assert old_id not in unit.cipher.kek_ids_in_use()


class TestSigningAndEvidence:
    @pytest.fixture
    def example_pack(self):
        record = parse_shipment(EXAMPLE.read_bytes(), filename="shipment.yaml")
        return pack(record)

    def test_concurrent_packs_of_one_issuer_are_logged_one_after_the_other(
        self, platform, issuers, example_pack
    ):
        org = _organisation(platform)
        with platform.unit() as unit:
            issuer = issuers.ensure(unit, org)
            secret = issuer.passphrase(unit)

        # the issuer's secret at hand, so that no database transaction orders the threads
        # (SQLite's does): only the issuer's lock may keep the log and status list whole
        held = SimpleNamespace(cipher=SimpleNamespace(decrypt=lambda *_args: secret.encode()))

        def sign(_n: int) -> list[int]:
            signed = issuers.sign(held, issuer, example_pack, now=datetime.now(UTC))
            return [issued.receipt.index for issued in signed.credentials.values()]

        with ThreadPoolExecutor(4) as pool:
            indexes = [i for found in pool.map(sign, range(4)) for i in found]
        assert sorted(indexes) == list(range(len(indexes)))
        status = issuer.status_list()
        assert len(status.allocated) == len(indexes)

    def test_the_evidence_holds_every_issuers_did_status_list_and_log_key(
        self, platform, issuers, example_pack
    ):
        org, other = _organisation(platform), _organisation(platform)
        with platform.unit() as unit:
            issuer = issuers.ensure(unit, org)
            issuers.ensure(unit, other)
        before = evidence_from_items(issuers.items())
        assert before.resolver.resolve(issuer.did).document["id"] == issuer.did
        assert not before.status_lists
        assert not before.log_keys
        with platform.unit() as unit:
            issuers.sign(unit, issuer, example_pack, now=datetime.now(UTC))
        after = evidence_from_items(issuers.items())
        assert set(after.status_lists) == {issuer.status_url}
        assert [key.name for key in after.log_keys] == [issuer.log_origin]
