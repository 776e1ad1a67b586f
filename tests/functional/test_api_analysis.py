"""Landed cost and origin through the API: the CLI's JSON, for the parties allowed to see it."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cruce.cli import app as cli
from cruce.store.models import PartyRole
from cruce.store.models.audit import AuditEvent
from functional.test_api_parties import EXAMPLES, account, create, make_client

pytestmark = pytest.mark.functional
RECORDS = {
    "01": EXAMPLES / "01-phoenix-to-guadalajara" / "shipment.yaml",
    "02": EXAMPLES / "02-guadalajara-to-phoenix" / "shipment.yaml",
}


@pytest.fixture(autouse=True)
def data_home(tmp_path, monkeypatch):
    """The API and the CLI read the same (empty) folder of imported reference tables."""
    home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


@pytest.fixture
def world(tmp_path):
    client, platform = make_client(tmp_path / "api")
    owner, _owner_org = account(client, "owner")
    shipments = {name: create(client, owner, path) for name, path in RECORDS.items()}
    roles = {}
    for role in (PartyRole.CARRIER, PartyRole.BUYER, PartyRole.BANK, PartyRole.NOTIFY):
        headers, org = account(client, role.value)
        with platform.unit() as unit:
            for shipment in shipments.values():
                unit.shipments.add_party(uuid.UUID(shipment), org, role)
        roles[role] = headers
    stranger, _org = account(client, "stranger")
    return client, platform, owner, shipments, roles, stranger


def _cli_json(command: str, example: str, *options: str) -> dict:
    runner = CliRunner(env={"LANG": "en_US.UTF-8", "COLUMNS": "200"})
    result = runner.invoke(cli, [command, str(RECORDS[example]), "--json", *options])
    assert result.exit_code in {0, 1}, result.output
    document: dict = json.loads(result.stdout)
    return document


@pytest.mark.parametrize("example", sorted(RECORDS))
def test_the_landed_cost_is_the_json_of_cruce_cost(world, example):
    client, _platform, owner, shipments, _roles, _stranger = world
    response = client.get(f"/api/v1/shipments/{shipments[example]}/landed-cost", headers=owner)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == _cli_json("cost", example)
    assert set(body) == {"as-claimed", "no", "yes"}
    for quote in body.values():
        components = [c for line in quote["lines"] for c in line["components"]] + quote["entry"]
        assert components
        for component in components:
            assert component["source"] is None or component["source"]["citation"]
            for money in (component["amount"], component["base"]):
                assert money is None or (isinstance(money["amount"], str) and money["currency"])
        # what the quote lacks is named by its field, not refused
        assert quote["complete"] or all("path" in problem for problem in quote["problems"])


@pytest.mark.parametrize("example", sorted(RECORDS))
def test_the_origin_result_is_the_json_of_cruce_origin(world, example):
    client, _platform, owner, shipments, _roles, _stranger = world
    response = client.get(f"/api/v1/shipments/{shipments[example]}/origin", headers=owner)
    assert response.status_code == 200, response.text
    assert response.json() == _cli_json("origin", example)


def test_the_date_currency_and_line_options_are_the_cli_options(world):
    client, _platform, owner, shipments, _roles, _stranger = world
    base = f"/api/v1/shipments/{shipments['02']}"
    cost = client.get(f"{base}/landed-cost?on=2026-03-02&currency=MXN", headers=owner)
    assert cost.status_code == 200, cost.text
    assert cost.json() == _cli_json("cost", "02", "--on", "2026-03-02", "--currency", "MXN")
    origin = client.get(f"{base}/origin?on=2026-03-02&line=1", headers=owner)
    assert origin.status_code == 200, origin.text
    assert origin.json() == _cli_json("origin", "02", "--on", "2026-03-02", "--line", "1")
    assert [line["line"] for line in origin.json()["lines"]] == [1]


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("origin?line=999", "line"),
        ("origin?line=0", "line"),
        ("origin?on=03/02/2026", "on"),
        ("landed-cost?currency=EUR", "currency"),
        ("landed-cost?on=yesterday", "on"),
    ],
)
def test_a_bad_option_is_a_422_naming_it(world, query, path):
    client, _platform, owner, shipments, _roles, _stranger = world
    response = client.get(f"/api/v1/shipments/{shipments['01']}/{query}", headers=owner)
    assert response.status_code == 422
    assert [error["path"] for error in response.json()["errors"]] == [path]


def test_errors_answer_in_the_language_asked_for(world):
    client, _platform, owner, shipments, _roles, _stranger = world
    url = f"/api/v1/shipments/{shipments['01']}/origin?line=999"
    english = client.get(url, headers={**owner, "Accept-Language": "en"})
    spanish = client.get(url, headers={**owner, "Accept-Language": "es-MX,es;q=0.9"})
    assert spanish.headers["content-language"] == "es"
    assert english.json()["detail"] != spanish.json()["detail"]
    assert "999" in spanish.json()["detail"]


@pytest.mark.parametrize("view", ["landed-cost", "origin"])
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (PartyRole.BUYER, 200),
        (PartyRole.CARRIER, 403),
        (PartyRole.BANK, 403),
        (PartyRole.NOTIFY, 403),
    ],
)
def test_each_role_gets_what_its_view_allows(world, view, role, status):
    client, _platform, _owner, shipments, roles, _stranger = world
    response = client.get(f"/api/v1/shipments/{shipments['01']}/{view}", headers=roles[role])
    assert response.status_code == status, response.text
    if status == 403:
        assert "unit_price" not in response.text
        assert "customs_value" not in response.text


@pytest.mark.parametrize("view", ["landed-cost", "origin"])
def test_a_stranger_gets_404(world, view):
    client, _platform, _owner, shipments, _roles, stranger = world
    response = client.get(f"/api/v1/shipments/{shipments['01']}/{view}", headers=stranger)
    assert response.status_code == 404
    assert "SPM-2026" not in response.text


def test_each_read_is_audited_naming_its_view(world):
    client, platform, owner, shipments, _roles, _stranger = world
    for view in ("landed-cost", "origin"):
        assert client.get(f"/api/v1/shipments/{shipments['01']}/{view}", headers=owner).is_success
    with platform.unit() as unit:
        events = unit.session.execute(
            select(AuditEvent.action, AuditEvent.object_id, AuditEvent.detail).where(
                AuditEvent.action == "shipment.read"
            )
        ).all()
    assert [(a, o, d.get("view")) for a, o, d in events] == [
        ("shipment.read", shipments["01"], "landed_cost"),
        ("shipment.read", shipments["01"], "origin"),
    ]
