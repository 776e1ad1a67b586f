"""Text the API takes, on SQLite and on PostgreSQL: a control character is a 422, never a 500.

PostgreSQL text cannot hold U+0000 while SQLite stores it, so the API's other tests (on
SQLite) cannot see a NUL that reaches the database; these run the same requests on both.
"""

from __future__ import annotations

import os
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from cruce.api.app import create_app
from cruce.api.deps import Services
from cruce.api.platform import Platform
from cruce.config import Settings
from pg_databases import empty_database

pytestmark = pytest.mark.unit
PASSWORD = "a long enough passphrase"  # noqa: S105 - a test account


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def own_database(request, tmp_path_factory):
    """A database of this module's own: the requests commit, and the shared one is rolled back."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('text') / 'cruce.db'}"
        return
    with empty_database(f"cruce_text_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}") as url:
        yield url


@pytest.fixture
def client(own_database, tmp_path):
    database_url = own_database
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    services = Services(settings=settings, platform=Platform.from_settings(settings))
    app = create_app(services=services)

    @app.get("/api/v1/_test/unstorable")
    def unstorable() -> None:
        with services.store().unit() as unit:
            unit.session.execute(text("SELECT length(:value)"), {"value": "a\x00b"})

    return TestClient(app, raise_server_exceptions=False), database_url


def _account(name: str = "Dana") -> dict[str, object]:
    return {
        "email": f"{uuid.uuid4().hex[:10]}@example.com",
        "password": PASSWORD,
        "name": name,
        "organisation": {"name": "Nul Co", "tax_scheme": "us_ein", "tax_id": "862741953"},
    }


def _token(client: TestClient) -> dict[str, str]:
    account = _account()
    assert client.post("/api/v1/accounts", json=account).status_code == 201
    signed = client.post(
        "/api/v1/sessions", json={"email": account["email"], "password": PASSWORD}
    ).json()
    token = client.post(
        "/api/v1/tokens", json={"name": "t"}, headers={"X-CSRF-Token": signed["csrf_token"]}
    ).json()["token"]
    client.cookies.clear()
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("name", ["Da\x00na", "Da\x1bna"])
def test_a_control_character_in_a_sign_up_name_is_refused_with_its_field(client, name):
    client, _url = client
    refused = client.post("/api/v1/accounts", json=_account(name))
    assert refused.status_code == 422, refused.text
    assert [error["path"] for error in refused.json()["errors"]] == ["name"]


def test_a_nul_in_a_token_name_or_the_list_filter_is_refused(client):
    client, _url = client
    headers = _token(client)
    named = client.post("/api/v1/tokens", json={"name": "e\x00rp"}, headers=headers)
    assert named.status_code == 422, named.text
    listed = client.get("/api/v1/shipments", params={"reference": "A\x00B"}, headers=headers)
    assert listed.status_code == 422, listed.text
    assert [error["path"] for error in listed.json()["errors"]] == ["reference"]


def test_a_value_the_database_refuses_is_a_422_problem_not_a_500(client):
    client, url = client
    if not url.startswith("postgresql"):
        pytest.skip("SQLite stores U+0000 in text")
    answer = client.get("/api/v1/_test/unstorable")
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "request.unstorable"
