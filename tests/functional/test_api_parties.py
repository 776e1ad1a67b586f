"""Parties and invitations through the API: invite, accept once, expiry, access, idempotency."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from cruce.api.app import create_app
from cruce.api.deps import Services
from cruce.api.platform import Platform
from cruce.config import Settings
from cruce.store.models import IdempotencyKey, Invitation, utcnow
from cruce.store.models.audit import AuditEvent
from cruce.store.passwords import token_digest
from functional.test_api_shipments import _account

pytestmark = pytest.mark.functional
EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "cruce" / "examples"
EXAMPLE = EXAMPLES / "01-phoenix-to-guadalajara" / "shipment.yaml"


def make_client(tmp_path: Path) -> tuple[TestClient, Platform]:
    """An application on a fresh SQLite database, and its store for looking underneath."""
    settings = Settings(data_dir=tmp_path)
    platform = Platform.from_settings(settings)
    app = create_app(services=Services(settings=settings, platform=platform))
    return TestClient(app, raise_server_exceptions=False), platform


def account(client: TestClient, name: str) -> tuple[dict[str, str], uuid.UUID]:
    """A signed-up organisation's bearer headers and id."""
    headers = _account(client, f"{name}@{name}.example", f"{name.title()} Co")
    me = client.get("/api/v1/me", headers=headers).json()
    return headers, uuid.UUID(me["organisation"]["id"])


def create(client: TestClient, headers: dict[str, str], path: Path = EXAMPLE) -> str:
    """A shipment made from a record file; its id."""
    created = client.post(
        "/api/v1/shipments",
        content=path.read_bytes(),
        headers={**headers, "Content-Type": "application/yaml"},
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def invite(client, headers, shipment, role="carrier", **extra):
    return client.post(
        f"/api/v1/shipments/{shipment}/invitations",
        json={"role": role, **extra},
        headers=headers,
    )


def accept(client, headers, token, **extra_headers):
    return client.post(
        "/api/v1/invitations/accept", json={"token": token}, headers={**headers, **extra_headers}
    )


@pytest.fixture
def world(tmp_path):
    client, platform = make_client(tmp_path)
    owner, owner_org = account(client, "owner")
    carrier, carrier_org = account(client, "carrier")
    stranger, _org = account(client, "stranger")
    shipment = create(client, owner)
    return client, platform, owner, owner_org, carrier, carrier_org, stranger, shipment


def _invitations(platform: Platform, shipment: str) -> int:
    with platform.unit() as unit:
        return unit.session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.shipment_id == uuid.UUID(shipment))
        )


def _actions(platform: Platform) -> list[str]:
    with platform.unit() as unit:
        return list(unit.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_invited_carrier_joins_sees_the_shipment_and_its_parties_but_not_the_record(world):
    client, platform, owner, owner_org, carrier, carrier_org, _stranger, shipment = world
    invited = invite(client, owner, shipment)
    assert invited.status_code == 201, invited.text
    body = invited.json()
    assert body["role"] == "carrier"
    assert body["token"].startswith("cruce_invite_")
    assert body["accept_url"].endswith(f"#token={body['token']}")
    accepted = accept(client, carrier, body["token"])
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {
        "shipment_id": shipment,
        "organisation_id": str(carrier_org),
        "role": "carrier",
    }
    listed = client.get("/api/v1/shipments", headers=carrier).json()["items"]
    assert [item["id"] for item in listed] == [shipment]
    record = client.get(f"/api/v1/shipments/{shipment}", headers=carrier)
    assert record.status_code == 403
    parties = client.get(f"/api/v1/shipments/{shipment}/parties", headers=carrier)
    assert parties.status_code == 200, parties.text
    assert parties.json()["parties"] == [
        {"organisation_id": str(owner_org), "name": "Owner Co", "owner": True, "roles": []},
        {
            "organisation_id": str(carrier_org),
            "name": "Carrier Co",
            "owner": False,
            "roles": ["carrier"],
        },
    ]
    actions = _actions(platform)
    assert "invitation.created" in actions
    assert "invitation.accepted" in actions


def test_only_the_digest_of_the_token_is_stored(world):
    client, platform, owner, *_rest, shipment = world
    token = invite(client, owner, shipment).json()["token"]
    with platform.unit() as unit:
        row = unit.session.scalars(select(Invitation)).one()
        assert row.token_hash == token_digest(token)
        assert token not in repr(vars(row))


def test_a_token_is_accepted_once_and_refused_after(world):
    client, _platform, owner, _owner_org, carrier, _carrier_org, stranger, shipment = world
    token = invite(client, owner, shipment).json()["token"]
    assert accept(client, carrier, token).status_code == 200
    again = accept(client, stranger, token)
    assert again.status_code == 410
    assert again.json()["code"] == "invitation.used"
    assert again.json()["errors"][0]["path"] == "token"
    assert client.get(f"/api/v1/shipments/{shipment}/parties", headers=stranger).status_code == 404
    assert accept(client, carrier, token).status_code == 410


def test_an_expired_invitation_is_refused_and_adds_no_party(world):
    client, platform, owner, _owner_org, carrier, _carrier_org, _stranger, shipment = world
    token = invite(client, owner, shipment, expires_in_hours=1).json()["token"]
    with platform.unit() as unit:
        unit.session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
    refused = accept(client, carrier, token)
    assert refused.status_code == 410
    assert refused.json()["code"] == "invitation.expired"
    assert client.get(f"/api/v1/shipments/{shipment}/parties", headers=carrier).status_code == 404


@pytest.mark.parametrize(
    "token",
    [
        "not a token",
        "cruce_api_0123456789ab_secret",  # another kind of token
        "cruce_invite_0123456789ab_" + "x" * 43,  # well formed, never issued
    ],
)
def test_a_malformed_or_unknown_token_is_not_found(world, token):
    client, _platform, _owner, _owner_org, carrier, *_rest = world
    refused = accept(client, carrier, token)
    assert refused.status_code == 404
    assert refused.json()["code"] == "invitation.not_found"


def test_the_owner_cannot_accept_its_own_invitation(world):
    client, platform, owner, *_rest, shipment = world
    token = invite(client, owner, shipment).json()["token"]
    refused = accept(client, owner, token)
    assert refused.status_code == 409
    with platform.unit() as unit:
        assert unit.session.scalars(select(Invitation)).one().accepted_at is None


def test_another_organisation_cannot_invite_into_a_shipment_it_does_not_own(world):
    client, platform, owner, _owner_org, carrier, _carrier_org, stranger, shipment = world
    assert invite(client, stranger, shipment).status_code == 404
    # a body that is not even valid changes nothing: the stranger still learns nothing
    assert invite(client, stranger, shipment, role="pirate").status_code == 404
    token = invite(client, owner, shipment).json()["token"]
    accept(client, carrier, token)
    assert invite(client, carrier, shipment).status_code == 403
    assert _invitations(platform, shipment) == 1


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"role": "pirate"}, "role"),
        ({"role": "bank", "expires_in_hours": 0}, "expires_in_hours"),
        ({"role": "bank", "expires_in_hours": 721}, "expires_in_hours"),
        ({"role": "bank", "extra": 1}, "extra"),
        ({}, "role"),
    ],
)
def test_an_invalid_invitation_request_names_its_field(world, body, path):
    client, platform, owner, *_rest, shipment = world
    refused = client.post(f"/api/v1/shipments/{shipment}/invitations", json=body, headers=owner)
    assert refused.status_code == 422
    assert [error["path"] for error in refused.json()["errors"]] == [path]
    assert _invitations(platform, shipment) == 0


def test_an_idempotency_key_replays_the_first_invitation_with_its_token(world):
    client, platform, owner, *_rest, shipment = world
    key = {"Idempotency-Key": "invite-carrier-1"}
    first = invite(client, {**owner, **key}, shipment)
    second = invite(client, {**owner, **key}, shipment)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert _invitations(platform, shipment) == 1
    other = invite(client, {**owner, **key}, shipment, role="bank")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency.key_reused"
    assert _invitations(platform, shipment) == 1


def test_the_replayed_response_is_stored_encrypted(world):
    client, platform, owner, *_rest, shipment = world
    token = invite(client, {**owner, "Idempotency-Key": "k1"}, shipment).json()["token"]
    with platform.unit() as unit:
        stored = unit.session.scalars(select(IdempotencyKey.response_body)).one()
    assert token.encode() not in stored


def test_an_accept_with_an_idempotency_key_replays_and_joins_once(world):
    client, _platform, owner, _owner_org, carrier, *_rest, shipment = world
    token = invite(client, owner, shipment).json()["token"]
    key = {"Idempotency-Key": "accept-1"}
    first = accept(client, carrier, token, **key)
    second = accept(client, carrier, token, **key)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    parties = client.get(f"/api/v1/shipments/{shipment}/parties", headers=carrier).json()
    assert [p["roles"] for p in parties["parties"]] == [[], ["carrier"]]


def test_a_stranger_does_not_see_the_parties(world):
    client, _platform, _owner, _owner_org, _carrier, _carrier_org, stranger, shipment = world
    assert client.get(f"/api/v1/shipments/{shipment}/parties", headers=stranger).status_code == 404
