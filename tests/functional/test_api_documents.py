"""A shipment's documents through the API: pack and sign, list, download, access, idempotency."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cruce.api.app import create_app
from cruce.api.deps import Services
from cruce.api.issuers import Issuers
from cruce.api.platform import Platform
from cruce.artifacts.signing import PRICE_CLAIMS
from cruce.config import Settings
from cruce.store.models import Document, PartyRole
from cruce.store.models.audit import AuditEvent
from cruce.trust import sd_jwt
from functional.test_api_shipments import _account

pytestmark = pytest.mark.functional
EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "cruce"
    / "examples"
    / "01-phoenix-to-guadalajara"
    / "shipment.yaml"
)
SELLER = "Sonoran Precision Machining LLC"
INVOICE = "commercial_invoice"
PRICE_FREE = "commercial_invoice_without_prices"
SD_JWT = "commercial_invoice_sd_jwt"


@dataclass
class World:
    """An application on a fresh database, its store, and three organisations."""

    client: TestClient
    platform: Platform
    owner: dict[str, str]
    owner_org: uuid.UUID
    carrier: dict[str, str]
    carrier_org: uuid.UUID
    stranger: dict[str, str]

    def create(self, record: dict | None = None) -> str:
        """A shipment of the owner's (example 01, or ``record``); its id."""
        if record is None:
            response = self.client.post(
                "/api/v1/shipments",
                content=EXAMPLE.read_bytes(),
                headers={**self.owner, "Content-Type": "application/yaml"},
            )
        else:
            response = self.client.post("/api/v1/shipments", json=record, headers=self.owner)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def pack(self, shipment: str, headers: dict[str, str] | None = None, **kwargs):
        return self.client.post(
            f"/api/v1/shipments/{shipment}/packs", headers=headers or self.owner, **kwargs
        )

    def add_carrier(self, shipment: str) -> None:
        with self.platform.unit() as unit:
            unit.shipments.add_party(uuid.UUID(shipment), self.carrier_org, PartyRole.CARRIER)

    def documents_stored(self, shipment: str) -> int:
        with self.platform.unit() as unit:
            return int(
                unit.session.scalar(
                    select(func.count())
                    .select_from(Document)
                    .where(Document.shipment_id == uuid.UUID(shipment))
                )
                or 0
            )


def _organisation(client: TestClient, email: str, name: str) -> tuple[dict[str, str], uuid.UUID]:
    headers = _account(client, email, name)
    me = client.get("/api/v1/me", headers=headers).json()
    return headers, uuid.UUID(me["organisation"]["id"])


def make_world(folder: Path) -> World:
    """The owner is example 01's seller (its issuer's name is the invoice's seller)."""
    settings = Settings(data_dir=folder)
    platform = Platform.from_settings(settings)
    services = Services(
        settings=settings, platform=platform, evidence=Issuers.from_settings(settings)
    )
    client = TestClient(create_app(services=services), raise_server_exceptions=False)
    owner, owner_org = _organisation(client, "dana@sonoran.example", SELLER)
    carrier, carrier_org = _organisation(client, "raul@trucks.example", "Transportes Raúl")
    stranger, _org = _organisation(client, "eve@other.example", "Another Company")
    return World(client, platform, owner, owner_org, carrier, carrier_org, stranger)


def example(**changes) -> dict:
    record = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    record.update(changes)
    return record


@dataclass
class Packed:
    world: World
    shipment: str
    response: dict
    location: str


@pytest.fixture(scope="module")
def packed(tmp_path_factory) -> Packed:
    """Example 01 packed once for the module, with a carrier on it."""
    world = make_world(tmp_path_factory.mktemp("documents"))
    shipment = world.create()
    world.add_carrier(shipment)
    response = world.pack(shipment)
    assert response.status_code == 201, response.text
    return Packed(world, shipment, response.json(), response.headers["location"])


@pytest.fixture
def world(tmp_path) -> World:
    return make_world(tmp_path)


def _by_key(documents: list[dict]) -> dict[str, dict]:
    return {d["artifact_key"]: d for d in documents}


def _outcomes(report: dict) -> dict[str, str]:
    return {c["check"]: c["outcome"] for c in report["checks"]}


class TestPack:
    def test_every_document_is_stored_signed_and_logged(self, packed):
        body = packed.response
        assert body["shipment_id"] == packed.shipment
        assert body["version"] == 1
        assert packed.location == f"/api/v1/shipments/{packed.shipment}/documents?version=1"
        found = _by_key(body["documents"])
        assert {INVOICE, "packing_list", "shipment_record", SD_JWT, PRICE_FREE} <= set(found)
        signed = [
            d
            for d in body["documents"]
            if not d["artifact_key"].endswith(("_sd_jwt", "_without_prices"))
        ]
        assert all(d["credential_id"].startswith("urn:uuid:") for d in signed)
        assert sorted(d["log_index"] for d in signed) == list(range(len(signed)))
        assert found[SD_JWT]["media_type"] == "application/sd-jwt"

    def test_the_owner_lists_what_the_pack_answered(self, packed):
        client = packed.world.client
        listed = client.get(packed.location, headers=packed.world.owner)
        assert listed.status_code == 200
        assert listed.json()["documents"] == packed.response["documents"]

    def test_each_download_is_the_file_of_the_listed_digest(self, packed):
        client = packed.world.client
        for document in packed.response["documents"]:
            got = client.get(document["url"], headers=packed.world.owner)
            assert got.status_code == 200, document["filename"]
            assert hashlib.sha256(got.content).hexdigest() == document["sha256"]
            assert len(got.content) == document["size"]
            assert got.headers["etag"] == f'"{document["sha256"]}"'
            assert got.headers["content-type"].startswith(document["media_type"])
            disposition = got.headers["content-disposition"]
            assert disposition.startswith(f'attachment; filename="{document["filename"]}"')
            assert "filename*=UTF-8''" in disposition

    def test_the_downloaded_credential_verifies_with_no_evidence_uploaded(self, packed):
        client = packed.world.client
        invoice = _by_key(packed.response["documents"])[INVOICE]
        credential = client.get(f"{invoice['url']}/credential", headers=packed.world.owner)
        assert credential.status_code == 200
        assert credential.json()["id"] == invoice["credential_id"]
        report = client.post(
            "/api/v1/verify",
            files={"file": ("invoice.credential.json", credential.content, "application/json")},
        ).json()
        assert _outcomes(report) == {
            "integrity": "passed",
            "status": "passed",
            "issuer": "passed",
            "log": "not_checked",  # a bare credential brings no receipt
        }

    def test_the_sealed_pdf_verifies_every_check_with_no_evidence_uploaded(self, packed):
        client = packed.world.client
        invoice = _by_key(packed.response["documents"])[INVOICE]
        pdf = client.get(invoice["url"], headers=packed.world.owner).content
        report = client.post(
            "/api/v1/verify", files={"file": ("invoice.pdf", pdf, "application/pdf")}
        ).json()
        assert report["valid"] is True
        assert set(_outcomes(report).values()) == {"passed"}

    def test_the_stored_bytes_are_encrypted(self, packed):
        record = _by_key(packed.response["documents"])["shipment_record"]
        plain = packed.world.client.get(record["url"], headers=packed.world.owner).content
        with packed.world.platform.unit() as unit:
            raw = unit.session.scalar(
                select(Document.content_enc).where(Document.id == uuid.UUID(record["id"]))
            )
        assert raw is not None
        assert plain not in raw
        assert b"SPM-2026-1187" not in raw
        assert b"Sonoran" not in raw

    def test_the_pack_and_every_read_are_audit_events(self, packed):
        client, owner = packed.world.client, packed.world.owner
        assert client.get(packed.location, headers=owner).status_code == 200
        document = packed.response["documents"][0]["url"]
        assert client.get(document, headers=owner).status_code == 200
        with packed.world.platform.unit() as unit:
            actions = set(unit.session.scalars(select(AuditEvent.action)))
        assert {"documents.packed", "documents.listed", "document.read"} <= actions

    def test_the_other_files_have_no_credential(self, packed):
        client = packed.world.client
        sd = _by_key(packed.response["documents"])[SD_JWT]
        assert sd["credential_id"] is None
        assert client.get(f"{sd['url']}/credential", headers=packed.world.owner).status_code == 404


class TestCarrier:
    def test_the_carrier_sees_no_priced_document(self, packed):
        client = packed.world.client
        listed = client.get(
            f"/api/v1/shipments/{packed.shipment}/documents", headers=packed.world.carrier
        )
        assert listed.status_code == 200
        keys = {d["artifact_key"] for d in listed.json()["documents"]}
        assert keys == {"packing_list", PRICE_FREE}

    def test_the_carrier_gets_the_invoice_without_prices(self, packed):
        world = packed.world
        found = _by_key(packed.response["documents"])
        full = world.client.get(found[SD_JWT]["url"], headers=world.owner).text
        shown = world.client.get(found[PRICE_FREE]["url"], headers=world.carrier)
        assert shown.status_code == 200
        names = {d.name for d in sd_jwt.SdJwt.parse(shown.text).disclosures}
        assert not names & PRICE_CLAIMS
        # the full SD-JWT does disclose prices: the carrier's copy withholds them
        assert {d.name for d in sd_jwt.SdJwt.parse(full).disclosures} & PRICE_CLAIMS
        report = world.client.post(
            "/api/v1/verify", files={"file": ("invoice.sd-jwt", shown.content, "text/plain")}
        ).json()
        assert _outcomes(report)["integrity"] == "passed"

    def test_the_carrier_cannot_fetch_a_priced_document_by_its_id(self, packed):
        world = packed.world
        found = _by_key(packed.response["documents"])
        for key in (INVOICE, SD_JWT, "shipment_record", "ubl_invoice"):
            assert world.client.get(found[key]["url"], headers=world.carrier).status_code == 404
            credential = f"{found[key]['url']}/credential"
            assert world.client.get(credential, headers=world.carrier).status_code == 404

    def test_the_carrier_may_not_pack(self, packed):
        response = packed.world.pack(packed.shipment, headers=packed.world.carrier)
        assert response.status_code == 403


class TestStranger:
    def test_another_organisation_gets_404_everywhere(self, packed):
        world = packed.world
        base = f"/api/v1/shipments/{packed.shipment}"
        document = packed.response["documents"][0]["url"]
        for path in (f"{base}/documents", document, f"{document}/credential"):
            assert world.client.get(path, headers=world.stranger).status_code == 404, path
        assert world.pack(packed.shipment, headers=world.stranger).status_code == 404

    def test_a_document_of_another_shipment_is_not_found_under_this_one(self, packed, world):
        other = world.create()
        elsewhere = f"/api/v1/shipments/{other}/documents/{packed.response['documents'][0]['id']}"
        assert world.client.get(elsewhere, headers=world.owner).status_code == 404


class TestIdempotency:
    def test_a_retried_pack_replays_the_first_answer_and_stores_nothing_twice(self, world):
        shipment = world.create()
        first = world.pack(shipment, headers={**world.owner, "Idempotency-Key": "pack-1"})
        stored = world.documents_stored(shipment)
        second = world.pack(shipment, headers={**world.owner, "Idempotency-Key": "pack-1"})
        assert (first.status_code, second.status_code) == (201, 201)
        assert second.json() == first.json()
        assert second.headers["location"] == first.headers["location"]
        assert stored == len(first.json()["documents"])
        assert world.documents_stored(shipment) == stored

    def test_the_same_key_with_another_body_is_a_422(self, world):
        shipment = world.create()
        headers = {**world.owner, "Idempotency-Key": "pack-2"}
        assert world.pack(shipment, headers=headers).status_code == 201
        stored = world.documents_stored(shipment)
        again = world.pack(shipment, headers=headers, json={"version": 1})
        assert again.status_code == 422
        assert again.json()["code"] == "idempotency.key_reused"
        assert world.documents_stored(shipment) == stored

    def test_a_pack_of_a_version_no_longer_current_is_a_412(self, world):
        shipment = world.create()
        response = world.pack(shipment, json={"version": 2})
        assert response.status_code == 412
        assert world.documents_stored(shipment) == 0


class TestNotReady:
    def test_a_record_with_blockers_is_a_422_naming_them_and_stores_nothing(self, world):
        record = example(reference="SPM-NOT-READY")
        record["parties"]["buyer"]["tax_ids"] = []
        shipment = world.create(record)
        response = world.pack(shipment, headers={**world.owner, "Idempotency-Key": "k"})
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "shipment.not_ready"
        assert "parties.buyer.tax_ids" in [e["path"] for e in body["errors"]]
        assert world.documents_stored(shipment) == 0
        listed = world.client.get(f"/api/v1/shipments/{shipment}/documents", headers=world.owner)
        assert listed.json()["documents"] == []
