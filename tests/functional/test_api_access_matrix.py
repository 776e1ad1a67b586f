"""Every shipment route × every role × the caller's own shipment or another's: no leaks.

The routes are read from the application itself, so a route added later without an entry
in ``ACTIONS`` fails this test until someone decides which action it is.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cruce.api.access import ALLOWED, DOCUMENTS, Action, View
from cruce.api.app import create_app
from cruce.api.deps import Services
from cruce.api.platform import Platform
from cruce.config import Settings
from cruce.store.models import PartyRole

pytestmark = pytest.mark.functional
EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "cruce"
    / "examples"
    / "01-phoenix-to-guadalajara"
    / "shipment.yaml"
)
PASSWORD = "a long enough passphrase"  # noqa: S105 - test accounts

ACTIONS = {
    ("GET", "/api/v1/shipments/{shipment_id}"): Action.READ_RECORD,
    ("PUT", "/api/v1/shipments/{shipment_id}"): Action.UPDATE,
    ("GET", "/api/v1/shipments/{shipment_id}/readiness"): Action.READ_RECORD,
    ("GET", "/api/v1/shipments/{shipment_id}/parties"): Action.SEE,
    ("POST", "/api/v1/shipments/{shipment_id}/invitations"): Action.INVITE,
    ("GET", "/api/v1/shipments/{shipment_id}/landed-cost"): Action.READ_COST,
    ("GET", "/api/v1/shipments/{shipment_id}/origin"): Action.READ_ORIGIN,
    ("POST", "/api/v1/shipments/{shipment_id}/packs"): Action.PACK,
    ("GET", "/api/v1/shipments/{shipment_id}/documents"): Action.READ_DOCUMENTS,
    ("GET", "/api/v1/shipments/{shipment_id}/documents/{document_id}"): Action.READ_DOCUMENTS,
    (
        "GET",
        "/api/v1/shipments/{shipment_id}/documents/{document_id}/credential",
    ): Action.READ_DOCUMENTS,
}
"""The action each route that names a shipment performs."""

BODIES = {
    # a stale version on purpose: the owner's pack is refused (412) and nothing is signed
    "/api/v1/shipments/{shipment_id}/packs": {"version": 1000},
    # the owner invites a carrier: allowed, and harmless (an unused link)
    "/api/v1/shipments/{shipment_id}/invitations": {"role": "carrier"},
}
"""The JSON body of each POST that takes one (the others take the record)."""
DOCUMENT = "commercial_invoice"
"""The document the ``{document_id}`` routes name: the priced invoice."""

VIEW_OF_ROLE = {
    PartyRole.SELLER: View.FULL,
    PartyRole.BUYER: View.FULL,
    PartyRole.CONSIGNEE: View.FULL,
    PartyRole.US_CUSTOMS_BROKER: View.FULL,
    PartyRole.MX_CUSTOMS_BROKER: View.FULL,
    PartyRole.CARRIER: View.TRANSPORT,
    PartyRole.BANK: View.PAYMENT,
    PartyRole.NOTIFY: View.SUMMARY,
}


def _account(client: TestClient, name: str) -> tuple[dict[str, str], uuid.UUID]:
    email = f"{name}@{name}.example"
    body = {
        "email": email,
        "password": PASSWORD,
        "name": name,
        "organisation": {"name": f"{name} Co", "tax_scheme": "us_ein", "tax_id": "862741953"},
    }
    assert client.post("/api/v1/accounts", json=body).status_code == 201
    signed = client.post("/api/v1/sessions", json={"email": email, "password": PASSWORD})
    token = client.post(
        "/api/v1/tokens", json={"name": "t"}, headers={"X-CSRF-Token": signed.json()["csrf_token"]}
    ).json()["token"]
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/me", headers=headers).json()
    return headers, uuid.UUID(me["organisation"]["id"])


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """An owner's shipment with one organisation per role, and a stranger with its own."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("matrix"))
    platform = Platform.from_settings(settings)
    client = TestClient(
        create_app(services=Services(settings=settings, platform=platform)),
        raise_server_exceptions=False,
    )
    owner, _owner_org = _account(client, "owner")
    record = EXAMPLE.read_bytes()
    created = client.post(
        "/api/v1/shipments",
        content=record,
        headers={**owner, "Content-Type": "application/yaml"},
    )
    shipment = uuid.UUID(created.json()["id"])
    parties = {}
    for role in PartyRole:
        headers, org = _account(client, role.value.replace("_", ""))
        with platform.unit() as unit:
            unit.shipments.add_party(shipment, org, role)
        parties[role] = headers
    stranger, _org = _account(client, "stranger")
    theirs = client.post(
        "/api/v1/shipments",
        content=record,
        headers={**stranger, "Content-Type": "application/yaml"},
    )
    their_id = uuid.UUID(theirs.json()["id"])
    documents = {
        shipment: _invoice(client, owner, shipment),
        their_id: _invoice(client, stranger, their_id),
    }
    return client, owner, parties, shipment, their_id, record, documents


def _invoice(client: TestClient, headers: dict[str, str], shipment: uuid.UUID) -> str:
    """The id of the signed invoice of the shipment, packed by its owner."""
    packed = client.post(f"/api/v1/shipments/{shipment}/packs", headers=headers)
    assert packed.status_code == 201, packed.text
    listed = client.get(f"/api/v1/shipments/{shipment}/documents", headers=headers).json()
    return next(item["id"] for item in listed["documents"] if item["artifact_key"] == DOCUMENT)


def _routes() -> list[tuple[str, str]]:
    app = create_app(services=Services(settings=Settings(data_dir=Path("/nonexistent"))))
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if "{shipment_id}" in path
        for method in operations
    ]


def _call(client, method, path, headers, record, *, shipment, documents):
    url = path.format(shipment_id=shipment, document_id=documents[shipment])
    if path in BODIES:
        return client.request(method, url, json=BODIES[path], headers=headers)
    if method in {"PUT", "POST"}:
        stale = {**headers, "Content-Type": "application/yaml", "If-Match": '"1000"'}
        return client.request(method, url, content=record, headers=stale)
    return client.request(method, url, headers=headers)


def test_every_route_that_names_a_shipment_has_a_declared_action():
    assert sorted(_routes()) == sorted(ACTIONS)


@pytest.mark.parametrize(("method", "path"), sorted(ACTIONS))
@pytest.mark.parametrize("role", [*PartyRole, "owner"])
def test_a_role_gets_what_its_view_allows_and_nothing_of_another_organisation(
    world, method, path, role
):
    client, owner, parties, shipment, theirs, record, documents = world
    headers = owner if role == "owner" else parties[role]
    view = View.OWNER if role == "owner" else VIEW_OF_ROLE[role]
    own = _call(client, method, path, headers, record, shipment=shipment, documents=documents)
    if ACTIONS[method, path] not in ALLOWED[view]:
        assert own.status_code == 403, own.text
        assert "record" not in own.text
    elif (
        "{document_id}" in path and DOCUMENTS[view] is not None and DOCUMENT not in DOCUMENTS[view]
    ):
        # a document the view may not download does not exist for it
        assert own.status_code == 404, own.text
    else:
        # allowed: anything but a refusal (a stale version is a 412, not a leak)
        assert own.status_code in {200, 201, 412}, own.text
    other = _call(client, method, path, headers, record, shipment=theirs, documents=documents)
    assert other.status_code == 404, other.text
    assert "SPM-2026-1187" not in other.text


@pytest.mark.parametrize("role", [*PartyRole, "owner"])
def test_the_list_shows_the_shipment_to_its_parties_and_never_the_strangers(world, role):
    client, owner, parties, shipment, theirs, _record, _documents = world
    headers = owner if role == "owner" else parties[role]
    ids = {item["id"] for item in client.get("/api/v1/shipments", headers=headers).json()["items"]}
    assert ids == {str(shipment)}
    assert str(theirs) not in ids


@pytest.mark.parametrize("role", [PartyRole.CARRIER, PartyRole.BANK, PartyRole.NOTIFY])
def test_the_carrier_the_bank_and_a_party_to_notify_never_see_the_priced_record(world, role):
    client, _owner, parties, shipment, _theirs, _record, _documents = world
    for path in (f"/api/v1/shipments/{shipment}", f"/api/v1/shipments/{shipment}/readiness"):
        response = client.get(path, headers=parties[role])
        assert response.status_code == 403
        assert "unit_price" not in response.text
