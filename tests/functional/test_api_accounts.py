"""Accounts, sessions and API tokens through the API, on a fresh SQLite database."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cruce.api.app import create_app
from cruce.api.deps import Services
from cruce.api.platform import Platform
from cruce.api.ratelimit import RateLimit
from cruce.config import Settings

pytestmark = pytest.mark.functional
PASSWORD = "a long enough passphrase"  # noqa: S105 - a test account
ACCOUNT = {
    "email": "Dana@Sonoran-Precision.example",
    "password": PASSWORD,
    "name": "Dana Whitfield",
    "organisation": {
        "name": "Sonoran Precision Machining LLC",
        "tax_scheme": "us_ein",
        "tax_id": "862741953",
    },
}


def _client(tmp_path, **limits) -> TestClient:
    settings = Settings(data_dir=tmp_path)
    services = Services(settings=settings, platform=Platform.from_settings(settings), **limits)
    return TestClient(create_app(services=services), raise_server_exceptions=False)


@pytest.fixture
def client(tmp_path) -> TestClient:
    return _client(tmp_path)


@pytest.fixture
def signed_in(client) -> tuple[TestClient, str]:
    assert client.post("/api/v1/accounts", json=ACCOUNT).status_code == 201
    response = client.post(
        "/api/v1/sessions", json={"email": "dana@sonoran-precision.example", "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    return client, response.json()["csrf_token"]


class TestAccounts:
    def test_a_sign_up_makes_the_person_owner_of_their_organisation(self, signed_in):
        client, _csrf = signed_in
        me = client.get("/api/v1/me").json()
        assert me["user"]["email"] == "dana@sonoran-precision.example"
        assert me["organisation"]["name"] == "Sonoran Precision Machining LLC"
        assert me["via"] == "session"

    def test_an_address_is_taken_once_in_any_case(self, client):
        assert client.post("/api/v1/accounts", json=ACCOUNT).status_code == 201
        again = client.post(
            "/api/v1/accounts", json={**ACCOUNT, "email": "DANA@sonoran-precision.example"}
        )
        assert again.status_code == 409
        assert again.json()["errors"][0]["path"] == "email"

    def test_a_short_password_is_refused_with_the_rule(self, client):
        response = client.post(
            "/api/v1/accounts",
            json={**ACCOUNT, "password": "short"},
            headers={"Accept-Language": "es"},
        )
        assert response.status_code == 422
        assert response.json()["code"] == "password.too_short"
        assert "12" in response.json()["detail"]

    def test_a_password_over_the_limit_is_refused_even_when_spaces_make_it_so(self, client):
        # "\t" + 1,024 characters: stripped it would fit; the schema says 1,024 at most
        response = client.post("/api/v1/accounts", json={**ACCOUNT, "password": "\t" + "x" * 1024})
        assert response.status_code == 422
        assert response.json()["errors"][0]["path"] == "password"

    def test_a_password_is_kept_as_typed_with_its_spaces(self, client):
        spaced = f"  {PASSWORD}  "
        assert (
            client.post("/api/v1/accounts", json={**ACCOUNT, "password": spaced}).status_code == 201
        )
        signed = {"email": ACCOUNT["email"], "password": spaced}
        assert client.post("/api/v1/sessions", json=signed).status_code == 201
        trimmed = {"email": ACCOUNT["email"], "password": PASSWORD}
        assert client.post("/api/v1/sessions", json=trimmed).status_code == 401


class TestSessions:
    def test_the_session_cookie_is_http_only_and_same_site(self, client):
        client.post("/api/v1/accounts", json=ACCOUNT)
        response = client.post(
            "/api/v1/sessions", json={"email": ACCOUNT["email"], "password": PASSWORD}
        )
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=lax" in cookie

    @pytest.mark.parametrize(
        "credentials",
        [
            {"email": ACCOUNT["email"], "password": "not the password at all"},
            {"email": "nobody@example.com", "password": PASSWORD},
        ],
    )
    def test_a_wrong_address_and_a_wrong_password_get_the_same_answer(self, client, credentials):
        client.post("/api/v1/accounts", json=ACCOUNT)
        response = client.post("/api/v1/sessions", json=credentials)
        assert response.status_code == 401
        assert response.json()["code"] == "auth.invalid"

    def test_without_a_session_or_token_a_request_is_refused(self, client):
        response = client.get("/api/v1/me")
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"

    def test_a_change_by_cookie_needs_the_csrf_token(self, signed_in):
        client, csrf = signed_in
        refused = client.post("/api/v1/tokens", json={"name": "erp"})
        assert refused.status_code == 403
        assert refused.json()["code"] == "auth.csrf"
        accepted = client.post(
            "/api/v1/tokens", json={"name": "erp"}, headers={"X-CSRF-Token": csrf}
        )
        assert accepted.status_code == 201

    def test_signing_out_ends_the_session(self, signed_in):
        client, csrf = signed_in
        assert (
            client.delete("/api/v1/sessions/current", headers={"X-CSRF-Token": csrf}).status_code
            == 204
        )
        assert client.get("/api/v1/me").status_code == 401

    def test_a_session_signed_out_is_refused_by_the_reads_too(self, signed_in):
        client, csrf = signed_in
        cookie = client.cookies.get("cruce_session")
        assert client.get("/api/v1/shipments").status_code == 200
        client.delete("/api/v1/sessions/current", headers={"X-CSRF-Token": csrf})
        client.cookies.set("cruce_session", cookie)  # presented again after signing out
        assert client.get("/api/v1/shipments").status_code == 401

    def test_sign_in_is_rate_limited_per_address(self, tmp_path):
        client = _client(tmp_path, login_limit=RateLimit("login", "3/minute"))
        credentials = {"email": ACCOUNT["email"], "password": "wrong password!!"}
        codes = [client.post("/api/v1/sessions", json=credentials).status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]


class TestTokens:
    def test_a_token_is_shown_once_and_then_authenticates_without_a_cookie(self, signed_in):
        client, csrf = signed_in
        created = client.post(
            "/api/v1/tokens", json={"name": "erp"}, headers={"X-CSRF-Token": csrf}
        ).json()
        client.cookies.clear()
        bearer = {"Authorization": f"Bearer {created['token']}"}
        me = client.get("/api/v1/me", headers=bearer).json()
        assert me["via"] == "token"
        assert me["organisation"]["name"] == "Sonoran Precision Machining LLC"

    def test_a_retried_token_request_with_an_idempotency_key_makes_one_token(self, signed_in):
        client, csrf = signed_in
        headers = {"X-CSRF-Token": csrf, "Idempotency-Key": "token-erp-1"}
        first = client.post("/api/v1/tokens", json={"name": "erp"}, headers=headers)
        again = client.post("/api/v1/tokens", json={"name": "erp"}, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        other = client.post("/api/v1/tokens", json={"name": "bank"}, headers=headers)
        assert other.status_code == 422
        assert other.json()["code"] == "idempotency.key_reused"
        fresh = client.post("/api/v1/tokens", json={"name": "erp"}, headers={"X-CSRF-Token": csrf})
        assert fresh.json()["id"] != first.json()["id"]

    @pytest.mark.parametrize("token", ["cruce_api_000000000000_forged", "not-a-token", ""])
    def test_a_forged_or_malformed_token_is_refused(self, client, token):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401

    def test_a_changed_token_is_refused(self, signed_in):
        client, csrf = signed_in
        token = client.post(
            "/api/v1/tokens", json={"name": "erp"}, headers={"X-CSRF-Token": csrf}
        ).json()["token"]
        client.cookies.clear()
        changed = token[:-1] + ("A" if token[-1] != "A" else "B")
        assert (
            client.get("/api/v1/me", headers={"Authorization": f"Bearer {changed}"}).status_code
            == 401
        )
