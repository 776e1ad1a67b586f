from __future__ import annotations

from typing import Annotated

import pytest
import structlog.testing
from fastapi import Query, Request
from fastapi.testclient import TestClient

from cruce.api.app import create_app
from cruce.api.problems import MEDIA_TYPE, ApiError, FieldError
from cruce.config import Settings
from cruce.i18n import _

pytestmark = pytest.mark.unit


@pytest.fixture
def client(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, max_upload_bytes=2048))

    @app.get("/api/v1/_test/conflict")
    def conflict() -> None:
        raise ApiError(
            409,
            "test.conflict",
            _("Not allowed"),
            [FieldError("goods[0].quantity", _("Sign in first"))],
        )

    @app.get("/api/v1/_test/boom")
    def boom() -> None:
        msg = "secret detail that must not leak"
        raise RuntimeError(msg)

    @app.post("/api/v1/_test/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    @app.get("/api/v1/_test/limit")
    def limit(count: Annotated[int, Query(ge=1, le=10)]) -> dict[str, int]:
        return {"count": count}

    return TestClient(app, raise_server_exceptions=False)


class TestProblemDetails:
    def test_an_api_error_is_rfc_9457_with_its_fields_in_the_asked_language(self, client):
        response = client.get("/api/v1/_test/conflict", headers={"Accept-Language": "es-MX"})
        assert response.status_code == 409
        assert response.headers["content-type"] == MEDIA_TYPE
        assert response.headers["content-language"] == "es"
        body = response.json()
        assert body["type"] == "https://cruce.dev/problems/test.conflict"
        assert body["status"] == 409
        assert body["code"] == "test.conflict"
        assert body["title"] == "Conflicto"
        assert body["errors"] == [{"path": "goods[0].quantity", "detail": "Inicie sesión primero"}]
        assert body["request_id"] == response.headers["x-request-id"]

    def test_a_query_that_is_not_valid_names_its_field(self, client):
        response = client.get("/api/v1/_test/limit?count=99")
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "request.invalid"
        assert body["errors"][0]["path"] == "count"

    def test_a_server_error_says_nothing_but_its_request_id(self, client):
        response = client.get("/api/v1/_test/boom", headers={"X-Request-ID": "req-12345678"})
        assert response.status_code == 500
        assert "secret" not in response.text
        assert "Traceback" not in response.text
        assert response.json()["request_id"] == "req-12345678"

    def test_an_unknown_route_is_a_problem_too(self, client):
        response = client.get("/api/v1/nowhere", headers={"Accept-Language": "es"})
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert response.json()["title"] == "No encontrado"

    def test_a_body_over_the_limit_is_refused_before_it_is_read(self, client):
        response = client.post("/api/v1/verify", content=b"x" * 4096)
        assert response.status_code == 413
        assert response.json()["code"] == "request.too_large"

    def test_a_chunked_body_over_the_limit_is_refused(self, client):
        def chunks():
            for number in range(64):
                yield bytes([65 + number % 26]) * 1024

        response = client.post("/api/v1/_test/echo", content=chunks())
        assert response.status_code == 413
        assert response.json()["code"] == "request.too_large"

    def test_a_chunked_body_under_the_limit_reaches_the_route_whole(self, client):
        def chunks():
            yield b"a" * 1000
            yield b"b" * 1000

        response = client.post("/api/v1/_test/echo", content=chunks())
        assert response.status_code == 200
        assert response.json() == {"received": 2000}

    def test_a_client_request_id_is_kept_only_when_it_is_a_short_token(self, client):
        kept = client.get("/api/v1/health", headers={"X-Request-ID": "abcdef123456"})
        assert kept.headers["x-request-id"] == "abcdef123456"
        replaced = client.get("/api/v1/health", headers={"X-Request-ID": "bad id\n<script>"})
        assert replaced.headers["x-request-id"] != "bad id\n<script>"
        assert len(replaced.headers["x-request-id"]) == 32


class TestServiceBasics:
    def test_the_openapi_description_is_3_1_with_every_route_under_api_v1(self, client):
        schema = client.get("/api/v1/openapi.json").json()
        assert schema["openapi"].startswith("3.1")
        assert all(path.startswith("/api/v1/") for path in schema["paths"])
        assert "/api/v1/verify" in schema["paths"]

    def test_a_log_line_carries_no_query_string_or_header_value(self, client):
        with structlog.testing.capture_logs() as logged:
            client.get(
                "/api/v1/health?token=super-secret-token",
                headers={"Authorization": "Bearer another-secret"},
            )
        (line,) = [event for event in logged if event["event"] == "request"]
        assert line["path"] == "/api/v1/health"
        assert set(line) == {"event", "log_level", "method", "path", "status", "ms", "request_id"}
        assert "secret" not in repr(logged)

    def test_every_response_carries_the_security_headers(self, client):
        for response in (client.get("/api/v1/health"), client.get("/api/v1/nowhere")):
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            assert response.headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in client.get("/api/v1/health").headers

    def test_https_responses_ask_for_https_from_then_on(self, client):
        secure = TestClient(client.app, base_url="https://testserver")
        assert "max-age=" in secure.get("/api/v1/health").headers["strict-transport-security"]
