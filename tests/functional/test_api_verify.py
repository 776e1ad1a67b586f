"""POST /api/v1/verify: anyone checks a signed document, in their language, without an account."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cruce.api.app import create_app
from cruce.api.deps import Services
from cruce.api.ratelimit import RateLimit
from cruce.cli import EXIT_READY, app
from cruce.config import Settings

pytestmark = pytest.mark.functional
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "src" / "cruce" / "examples" / "01-phoenix-to-guadalajara" / "shipment.yaml"
PASSPHRASE = "correct horse battery staple"  # noqa: S105 - test keys
INVOICE = "SPM-2026-1187-commercial-invoice.pdf"


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("api-verify")
    runner = CliRunner(
        env={"LANG": "en_US.UTF-8", "CRUCE_ORG": str(root / "org"), "CRUCE_PASSPHRASE": PASSPHRASE}
    )
    made = runner.invoke(
        app,
        ["org", "init", "--name", "Sonoran Precision Machining LLC", "--tax-id", "86-2741953",
         "--host", "sonoran-precision.example"],
    )  # fmt: skip
    assert made.exit_code == EXIT_READY, made.output
    packed = runner.invoke(app, ["pack", str(EXAMPLE), "-o", str(root / "pack"), "--sign"])
    assert packed.exit_code == EXIT_READY, packed.output
    return root / "pack"


@pytest.fixture
def client(tmp_path) -> TestClient:
    settings = Settings(data_dir=tmp_path)
    return TestClient(create_app(settings), raise_server_exceptions=False)


def _evidence(pack: Path) -> list[tuple[str, tuple[str, bytes, str]]]:
    trust = pack / "trust"
    return [
        ("evidence", (path.name, path.read_bytes(), "application/octet-stream"))
        for path in sorted(trust.iterdir())
    ]


def _checks(body: dict) -> dict[str, str]:
    return {c["check"]: c["outcome"] for c in body["checks"]}


class TestPublicVerification:
    def test_a_signed_pdf_with_its_issuers_evidence_is_valid_on_every_check(self, pack, client):
        files = [("file", (INVOICE, (pack / INVOICE).read_bytes(), "application/pdf"))]
        response = client.post("/api/v1/verify", files=files + _evidence(pack))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["valid"] is True
        assert set(_checks(body).values()) == {"passed"}

    def test_the_report_reads_in_spanish_when_asked(self, pack, client):
        files = [("file", (INVOICE, (pack / INVOICE).read_bytes(), "application/pdf"))]
        response = client.post(
            "/api/v1/verify", files=files + _evidence(pack), headers={"Accept-Language": "es"}
        )
        assert response.json()["verdict"] == "Válido"

    def test_one_changed_byte_is_caught(self, pack, client):
        data = bytearray((pack / INVOICE).read_bytes())
        data[len(data) // 3] ^= 0x01
        files = [("file", (INVOICE, bytes(data), "application/pdf"))]
        body = client.post("/api/v1/verify", files=files + _evidence(pack)).json()
        assert body["valid"] is False

    def test_without_the_issuers_evidence_the_issuer_is_not_established(self, pack, client):
        files = [("file", (INVOICE, (pack / INVOICE).read_bytes(), "application/pdf"))]
        body = client.post("/api/v1/verify", files=files).json()
        assert body["valid"] is False
        assert _checks(body)["issuer"] != "passed"

    def test_a_file_that_holds_no_credential_is_a_422_problem(self, client):
        files = [("file", ("notes.txt", b"just some text", "text/plain"))]
        response = client.post("/api/v1/verify", files=files)
        assert response.status_code == 422
        assert response.json()["code"] == "verify.unreadable"

    @pytest.mark.parametrize("document", [b'{"": null}', b'{"type": ["Invoice"], "issuer": "x"}'])
    def test_json_that_is_not_a_credential_is_a_422_problem(self, client, document):
        # schemathesis found {"": null} answered 200 "cruce does not resolve None"
        files = [("file", ("file", document, "application/json"))]
        response = client.post("/api/v1/verify", files=files)
        assert response.status_code == 422
        assert "VerifiableCredential" in response.json()["detail"]

    def test_a_request_without_a_file_names_the_missing_field(self, client):
        response = client.post("/api/v1/verify", data={"x": "y"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["path"] == "file"

    def test_verification_is_rate_limited_per_address(self, tmp_path):
        settings = Settings(data_dir=tmp_path)
        services = Services(settings=settings, verify_limit=RateLimit("verify", "2/minute"))
        limited = TestClient(create_app(services=services), raise_server_exceptions=False)
        files = [("file", ("notes.txt", b"just some text", "text/plain"))]
        codes = [limited.post("/api/v1/verify", files=files).status_code for _ in range(3)]
        assert codes == [422, 422, 429]
        refused = limited.post("/api/v1/verify", files=files)
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["code"] == "rate_limited.verify"


class TestHostileUploads:
    @pytest.mark.parametrize(
        ("name", "data"),
        [
            ("deep.json", b"[" * 100_000 + b"]" * 100_000),
            ("bomb.xml", b'<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><l>&b;</l>'),
            ("binary.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF"),
            ("latin1.json", b'{"id": "\xff\xfe"}'),
        ],
    )
    def test_a_hostile_file_is_a_clean_422(self, client, name, data):
        response = client.post("/api/v1/verify", files=[("file", (name, data, "text/plain"))])
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"

    def test_an_evidence_file_name_is_never_used_as_a_path(self, pack, client, tmp_path):
        files = [
            ("file", (INVOICE, (pack / INVOICE).read_bytes(), "application/pdf")),
            ("evidence", ("../../../../etc/passwd", b'{"id": "x"}', "application/json")),
        ]
        response = client.post("/api/v1/verify", files=files)
        assert response.status_code == 200
        assert not (tmp_path / "etc").exists()
