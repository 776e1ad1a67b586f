"""The web app on a fresh SQLite store: a browser-like client, a signed-in owner, a shipment."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cruce.config import Settings
from cruce.web.app import create_app
from web_pages import EXAMPLES, OWNER, sign_up


@pytest.fixture
def app(tmp_path):
    return create_app(Settings(data_dir=tmp_path))


@pytest.fixture
def client(app):
    with TestClient(app) as client:
        yield client


@pytest.fixture
def owner(client):
    """A client signed in as the owner of Sonoran Precision Machining."""
    return sign_up(client)


@pytest.fixture
def store_example(owner, app):  # noqa: ARG001 - the owner signs up first
    """Store a bundled example for the owner, through the API with a token; its id."""

    def store(example: str = "01-phoenix-to-guadalajara") -> str:
        with TestClient(app) as api:
            signed = api.post(
                "/api/v1/sessions", json={"email": OWNER["email"], "password": OWNER["password"]}
            )
            headers = {"X-CSRF-Token": signed.json()["csrf_token"]}
            token = api.post("/api/v1/tokens", json={"name": "tests"}, headers=headers)
            api.cookies.clear()
            created = api.post(
                "/api/v1/shipments",
                content=(EXAMPLES / example / "shipment.yaml").read_bytes(),
                headers={
                    "Content-Type": "application/yaml",
                    "Authorization": f"Bearer {token.json()['token']}",
                },
            )
            assert created.status_code == 201, created.text
            return str(created.json()["id"])

    return store


@pytest.fixture
def shipment_id(store_example):
    """Example 01 (Phoenix to Guadalajara) stored for the owner."""
    return store_example()
