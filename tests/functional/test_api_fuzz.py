"""schemathesis against the OpenAPI description: generated requests, no 5xx, responses conform.

Requests are sent with a signed-in organisation's API token, so the routes behind
authentication parse and refuse what they get rather than stopping at 401; the
organisation owns one shipment, so a generated id may also meet a real one.

The number of examples per operation is ``CRUCE_FUZZ_EXAMPLES`` (default 60 in ``make test``);
a longer run, with the count of requests printed at the end:
``CRUCE_FUZZ_EXAMPLES=250 .venv/bin/pytest -p no:xdist -s tests/functional/test_api_fuzz.py``.
The store is a fresh SQLite file; ``CRUCE_FUZZ_DATABASE_URL`` names an empty PostgreSQL
database instead (the run then also meets what PostgreSQL refuses and SQLite takes, such
as U+0000 in text).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from cruce.api.app import create_app
from cruce.api.deps import Services
from cruce.api.platform import Platform
from cruce.config import Settings

pytestmark = pytest.mark.functional
EXAMPLES = int(os.environ.get("CRUCE_FUZZ_EXAMPLES", "60"))


PASSWORD = "a long enough passphrase"  # noqa: S105 - a test account
EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "cruce"
    / "examples"
    / "01-phoenix-to-guadalajara"
    / "shipment.yaml"
)
SENT = {"requests": 0, "server_errors": 0}


def _app():
    # a fresh SQLite database; no rate limits: the fuzzer is one client sending thousands
    # of requests on purpose
    settings = Settings(
        data_dir=Path(tempfile.mkdtemp(prefix="cruce-fuzz-")),
        database_url=os.environ.get("CRUCE_FUZZ_DATABASE_URL", ""),
    )
    return create_app(
        services=Services(settings=settings, platform=Platform.from_settings(settings))
    )


def _signed_in(app) -> dict[str, str]:
    """The Authorization header of a new organisation that owns the Phoenix shipment."""
    client = TestClient(app)
    body = {
        "email": "fuzz@fuzz.example",
        "password": PASSWORD,
        "name": "Fuzz",
        "organisation": {"name": "Fuzz Co", "tax_scheme": "us_ein", "tax_id": "862741953"},
    }
    assert client.post("/api/v1/accounts", json=body).status_code == 201
    signed = client.post(
        "/api/v1/sessions", json={"email": body["email"], "password": PASSWORD}
    ).json()
    token = client.post(
        "/api/v1/tokens", json={"name": "fuzz"}, headers={"X-CSRF-Token": signed["csrf_token"]}
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post(
        "/api/v1/shipments",
        content=EXAMPLE.read_bytes(),
        headers={**headers, "Content-Type": "application/yaml"},
    )
    assert created.status_code == 201, created.text
    return headers


APP = _app()
AUTH = _signed_in(APP)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _count():
    yield
    print(  # noqa: T201 - the figure a longer run is made for
        f"\nschemathesis: {SENT['requests']} requests, {SENT['server_errors']} server errors"
    )


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_request_breaks_the_server_or_the_schema(case):
    # a generated Authorization header is kept: the fuzzer tries bad tokens too
    headers = AUTH if "authorization" not in {k.lower() for k in case.headers or {}} else {}
    response = case.call(headers=headers)
    SENT["requests"] += 1
    SENT["server_errors"] += response.status_code >= 500
    assert response.status_code < 500, response.text
    # A request valid by the schema may still be refused on its meaning (an uploaded file
    # that holds no credential is a 422 problem), so "positive data is accepted" is not
    # asked; every other check is: status codes, content types, headers and bodies as
    # documented, and no server error.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])
