"""Shipments through the API: create, read, update with If-Match, list, readiness, access."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from cruce.api.app import create_app
from cruce.api.deps import Services
from cruce.api.platform import Platform
from cruce.config import Settings

pytestmark = pytest.mark.functional
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "src" / "cruce" / "examples" / "01-phoenix-to-guadalajara" / "shipment.yaml"
PASSWORD = "a long enough passphrase"  # noqa: S105 - test accounts


def _account(client: TestClient, email: str, organisation: str) -> dict[str, str]:
    body = {
        "email": email,
        "password": PASSWORD,
        "name": email.split("@", maxsplit=1)[0],
        "organisation": {"name": organisation, "tax_scheme": "us_ein", "tax_id": "862741953"},
    }
    assert client.post("/api/v1/accounts", json=body).status_code == 201
    csrf = client.post("/api/v1/sessions", json={"email": email, "password": PASSWORD})
    token = client.post(
        "/api/v1/tokens", json={"name": "t"}, headers={"X-CSRF-Token": csrf.json()["csrf_token"]}
    ).json()["token"]
    client.cookies.clear()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(tmp_path) -> TestClient:
    settings = Settings(data_dir=tmp_path)
    services = Services(settings=settings, platform=Platform.from_settings(settings))
    return TestClient(create_app(services=services), raise_server_exceptions=False)


@pytest.fixture
def seller(client) -> dict[str, str]:
    return _account(client, "dana@sonoran.example", "Sonoran Precision Machining LLC")


@pytest.fixture
def stranger(client) -> dict[str, str]:
    return _account(client, "eve@other.example", "Another Company")


def _yaml() -> bytes:
    return EXAMPLE.read_bytes()


def _create(client, headers, body=None, **extra):
    return client.post(
        "/api/v1/shipments",
        content=body or _yaml(),
        headers={**headers, "Content-Type": "application/yaml", **extra},
    )


class TestCreateAndRead:
    def test_a_yaml_record_becomes_version_1_and_reads_back_the_same(self, client, seller):
        created = _create(client, seller)
        assert created.status_code == 201, created.text
        body = created.json()
        assert (body["version"], body["reference"], body["direction"]) == (
            1,
            "SPM-2026-1187",
            "US-MX",
        )
        assert created.headers["location"] == f"/api/v1/shipments/{body['id']}"
        read = client.get(f"/api/v1/shipments/{body['id']}", headers=seller)
        assert read.status_code == 200
        assert read.headers["etag"] == '"1"'
        assert read.json()["record"]["reference"] == "SPM-2026-1187"
        assert len(read.json()["record"]["goods"]) == 14

    def test_a_json_record_is_accepted_too(self, client, seller):
        record = yaml.safe_load(_yaml())
        record["reference"] = "SPM-JSON-1"
        created = client.post("/api/v1/shipments", json=record, headers=seller)
        assert created.status_code == 201, created.text

    def test_a_record_with_a_bad_field_is_a_422_naming_it_in_the_asked_language(
        self, client, seller
    ):
        record = yaml.safe_load(_yaml())
        record["goods"][2]["quantity"] = -3
        response = client.post(
            "/api/v1/shipments", json=record, headers={**seller, "Accept-Language": "es"}
        )
        assert response.status_code == 422
        paths = [error["path"] for error in response.json()["errors"]]
        assert "goods[2].quantity" in paths

    def test_another_media_type_is_a_415(self, client, seller):
        response = client.post(
            "/api/v1/shipments", content=b"<x/>", headers={**seller, "Content-Type": "text/xml"}
        )
        assert response.status_code == 415

    def test_the_same_reference_twice_is_a_409(self, client, seller):
        assert _create(client, seller).status_code == 201
        assert _create(client, seller).status_code == 409


class TestIdempotency:
    def test_a_retried_post_creates_one_shipment_and_replays_the_answer(self, client, seller):
        first = _create(client, seller, **{"Idempotency-Key": "order-77"})
        second = _create(client, seller, **{"Idempotency-Key": "order-77"})
        assert (first.status_code, second.status_code) == (201, 201)
        assert first.json() == second.json()
        listed = client.get("/api/v1/shipments", headers=seller).json()
        assert len(listed["items"]) == 1

    def test_a_key_reused_for_another_body_is_a_422(self, client, seller):
        assert _create(client, seller, **{"Idempotency-Key": "k-1"}).status_code == 201
        other = _yaml().replace(b"SPM-2026-1187", b"SPM-2026-9999")
        assert _create(client, seller, other, **{"Idempotency-Key": "k-1"}).status_code == 422


class TestUpdate:
    def test_an_update_needs_the_current_version_and_keeps_the_old_one(self, client, seller):
        shipment_id = _create(client, seller).json()["id"]
        url = f"/api/v1/shipments/{shipment_id}"
        changed = _yaml().replace(b"payment_due_days: 30", b"payment_due_days: 45")
        headers = {**seller, "Content-Type": "application/yaml"}
        assert client.put(url, content=changed, headers=headers).status_code == 428
        updated = client.put(url, content=changed, headers={**headers, "If-Match": '"1"'})
        assert updated.status_code == 200
        assert updated.json()["version"] == 2
        stale = client.put(url, content=changed, headers={**headers, "If-Match": '"1"'})
        assert stale.status_code == 412
        first = client.get(f"{url}?version=1", headers=seller).json()
        assert first["record"]["terms"]["payment_due_days"] == 30
        assert client.get(url, headers=seller).json()["record"]["terms"]["payment_due_days"] == 45


class TestAccess:
    def test_another_organisation_sees_nothing_of_it(self, client, seller, stranger):
        shipment_id = _create(client, seller).json()["id"]
        url = f"/api/v1/shipments/{shipment_id}"
        assert client.get(url, headers=stranger).status_code == 404
        assert client.get(f"{url}/readiness", headers=stranger).status_code == 404
        put = client.put(
            url,
            content=_yaml(),
            headers={**stranger, "Content-Type": "application/yaml", "If-Match": '"1"'},
        )
        assert put.status_code == 404
        assert client.get("/api/v1/shipments", headers=stranger).json()["items"] == []

    def test_without_credentials_every_shipment_route_is_a_401(self, client, seller):
        shipment_id = _create(client, seller).json()["id"]
        for response in (
            client.get("/api/v1/shipments"),
            client.get(f"/api/v1/shipments/{shipment_id}"),
            client.post("/api/v1/shipments", content=_yaml()),
        ):
            assert response.status_code == 401

    def test_a_read_without_credentials_is_a_401_before_its_path_is_checked(self, client):
        # reads authenticate inside their own unit of work; a request that presents
        # nothing is still refused first, whatever its path holds
        response = client.get("/api/v1/shipments/not-a-uuid")
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"

    def test_a_token_cruce_never_issued_is_refused_by_every_read(self, client, seller):
        shipment_id = _create(client, seller).json()["id"]
        forged = {"Authorization": "Bearer cruce_api_0123456789ab_" + "x" * 43}
        for path in (
            "",
            "/readiness",
            "/parties",
            "/documents",
            "/landed-cost",
            "/origin",
        ):
            response = client.get(f"/api/v1/shipments/{shipment_id}{path}", headers=forged)
            assert response.status_code == 401, path
        assert client.get("/api/v1/shipments", headers=forged).status_code == 401


class TestList:
    def test_pages_follow_the_cursor_to_the_end(self, client, seller):
        for number in range(5):
            body = _yaml().replace(b"SPM-2026-1187", f"SPM-{number}".encode())
            assert _create(client, seller, body).status_code == 201
        seen, cursor = [], None
        while True:
            query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
            page = client.get(f"/api/v1/shipments{query}", headers=seller).json()
            seen += [item["reference"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == [f"SPM-{number}" for number in range(5)]

    def test_a_cursor_not_given_by_the_service_is_a_422(self, client, seller):
        response = client.get("/api/v1/shipments?cursor=forged", headers=seller)
        assert response.status_code == 422
        assert response.json()["errors"][0]["path"] == "cursor"


def test_the_readiness_checklist_of_a_stored_shipment(client, seller):
    shipment_id = _create(client, seller).json()["id"]
    checklist = client.get(f"/api/v1/shipments/{shipment_id}/readiness", headers=seller).json()
    assert checklist["shipment"] == "SPM-2026-1187"
    assert checklist["ready"] is True
    assert {"commercial_invoice", "pedimento", "cross_check"} <= {
        a["key"] for a in checklist["artifacts"]
    }


def test_a_method_not_served_is_a_405_that_names_every_method_of_the_path(client):
    response = client.delete("/api/v1/shipments")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
