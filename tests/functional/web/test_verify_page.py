"""The public verification page: upload a document, or follow its QR code; no account needed."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from cruce.api.deps import Services
from cruce.api.issuers import Address
from cruce.api.platform import Platform
from cruce.api.ratelimit import RateLimit
from cruce.config import Settings
from cruce.store.models.audit import AuditEvent
from cruce.trust.issuance import link
from cruce.trust.jsonld import jcs
from cruce.web.app import create_app
from web_pages import EXAMPLES, OWNER, form_token, sign_up

pytestmark = pytest.mark.functional
SIGNED_ES = "y el PDF es el que se firmó"
"""The Spanish of the integrity check's sentence (the core's catalog)."""


def _api_token(client: TestClient) -> dict[str, str]:
    signed = client.post(
        "/api/v1/sessions", json={"email": OWNER["email"], "password": OWNER["password"]}
    )
    csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
    token = client.post("/api/v1/tokens", json={"name": "tests"}, headers=csrf).json()["token"]
    client.cookies.clear()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def packed(tmp_path_factory):
    """Example 01 packed and signed by its seller through the API; the invoice and its JSON."""
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("verify-page")))
    with TestClient(app) as client:
        sign_up(client)
        headers = _api_token(client)
        organisation = uuid.UUID(
            client.get("/api/v1/me", headers=headers).json()["organisation"]["id"]
        )
        record = (EXAMPLES / "01-phoenix-to-guadalajara" / "shipment.yaml").read_bytes()
        created = client.post(
            "/api/v1/shipments",
            content=record,
            headers={**headers, "Content-Type": "application/yaml"},
        )
        assert created.status_code == 201, created.text
        shipment = created.json()["id"]
        pack = client.post(f"/api/v1/shipments/{shipment}/packs", headers=headers)
        assert pack.status_code == 201, pack.text
        documents = {d["artifact_key"]: d for d in pack.json()["documents"]}
        invoice = documents["commercial_invoice"]
        pdf = client.get(invoice["url"], headers=headers).content
        credential = client.get(invoice["url"] + "/credential", headers=headers).content
        yield {
            "app": app,
            "pdf": pdf,
            "credential": credential,
            "invoice": invoice,
            "organisation": organisation,
        }


@pytest.fixture
def visitor(packed):
    """A browser with no account, on the app that signed the documents."""
    with TestClient(packed["app"]) as client:
        yield client


def _send(client: TestClient, data: bytes, name: str = "invoice.pdf", lang: str = "", **extra):
    token = form_token(client.get(f"/verify{lang}").text)
    files = {"file": (name, data, "application/octet-stream"), **extra}
    return client.post(f"/verify{lang}", data={"csrf_token": token}, files=files)


def _answers(html: str) -> dict[str, str]:
    return dict(re.findall(r'<li class="check check-(\w+)">\s*<h3>([^<]+)</h3>', html)[::-1])


def _verdict(html: str) -> str:
    found = re.search(r'<h2 id="verdict">\s*<span class="status-\w+">([^<]+)</span>', html)
    assert found is not None, html
    return found.group(1)


def _states(html: str) -> list[str]:
    return re.findall(r'<li class="check check-(\w+)">', html)


class TestUpload:
    def test_the_form_needs_no_account_and_labels_its_file_input(self, client):
        page = client.get("/verify")
        assert page.status_code == 200
        assert 'enctype="multipart/form-data"' in page.text
        assert '<label for="f-file">' in page.text
        assert 'id="f-file"' in page.text

    def test_a_genuine_signed_pdf_is_accepted_on_every_check(self, visitor, packed):
        page = _send(visitor, packed["pdf"])
        assert page.status_code == 200, page.text
        assert _verdict(page.text) == "Accepted"
        assert _states(page.text) == ["ok", "ok", "ok", "ok"]
        assert "Yes: the signature verifies and not one byte has changed." in page.text
        assert "Sonoran Precision Machining LLC" in page.text
        assert "/did.json" in page.text  # the issuer's DID document is linked
        assert "Checkpoint root hash" in page.text

    def test_one_changed_byte_is_rejected_as_changed_after_signing(self, visitor, packed):
        data = bytearray(packed["pdf"])
        data[len(data) // 3] ^= 0x01
        page = _send(visitor, bytes(data))
        assert page.status_code == 200
        assert _verdict(page.text) == "Rejected"
        assert "This file was changed after it was signed" in page.text
        assert _states(page.text)[0] == "bad"

    def test_a_changed_credential_json_is_rejected(self, visitor, packed):
        changed = packed["credential"].replace(b"Sonoran", b"Sonorax", 1)
        assert changed != packed["credential"]
        page = _send(visitor, changed, "credential.json")
        assert _verdict(page.text) == "Rejected"

    def test_the_credential_json_alone_verifies_but_brings_no_log_record(self, visitor, packed):
        page = _send(visitor, packed["credential"], "credential.json")
        assert _verdict(page.text) == "Accepted"
        assert _states(page.text) == ["ok", "ok", "ok", "warn"]

    def test_a_spanish_viewer_reads_the_report_in_spanish(self, visitor, packed):
        page = _send(visitor, packed["pdf"], lang="?lang=es")
        assert page.text.startswith('<!doctype html>\n<html lang="es">')
        assert SIGNED_ES in page.text
        assert "and the PDF is the one signed" not in page.text

    def test_the_browsers_language_is_used_without_a_choice(self, visitor, packed):
        token = form_token(visitor.get("/verify").text)
        page = visitor.post(
            "/verify",
            data={"csrf_token": token},
            files={"file": ("invoice.pdf", packed["pdf"], "application/pdf")},
            headers={"Accept-Language": "es-MX,es;q=0.9"},
        )
        assert '<html lang="es">' in page.text
        assert SIGNED_ES in page.text

    @pytest.mark.parametrize(
        ("data", "name", "expected"),
        [
            (b"just some text", "notes.txt", "neither a signed PDF nor a credential in JSON"),
            (b'{"type": ["Invoice"', "broken.json", "neither a signed PDF nor a credential"),
            (b'{"type": ["Invoice"]}', "other.json", "not a verifiable credential"),
            (b"<?xml version='1.0'?><Invoice><", "cfdi.xml", "neither a signed PDF"),
            (b"%PDF-1.7 garbage", "fake.pdf", "not a PDF cruce can read"),
            (b"   \n", "empty.json", "The file to check is empty"),
            (b"", "empty.pdf", "The file to check is empty"),
        ],
    )
    def test_bad_input_is_a_clean_4xx_page_naming_the_problem(self, client, data, name, expected):
        page = _send(client, data, name)
        assert 400 <= page.status_code < 500
        assert page.headers["content-type"].startswith("text/html")
        assert expected in page.text
        assert 'aria-invalid="true"' in page.text
        assert "Traceback" not in page.text

    def test_a_bad_file_is_named_in_spanish_for_a_spanish_viewer(self, client):
        page = _send(client, b"just some text", "notes.txt", lang="?lang=es")
        assert page.status_code == 422
        assert '<html lang="es">' in page.text
        assert "El archivo no es un PDF firmado ni una credencial en JSON." in page.text

    def test_no_file_chosen_is_named(self, client):
        token = form_token(client.get("/verify").text)
        page = client.post("/verify", data={"csrf_token": token})
        assert page.status_code == 422
        assert "Choose the file to check" in page.text

    def test_an_upload_over_the_services_limit_is_refused_unread(self, tmp_path):
        # the service's body cap (the API's middleware) answers before the page reads it
        settings = Settings(data_dir=tmp_path, max_upload_bytes=4096)
        with TestClient(create_app(settings)) as client:
            token = form_token(client.get("/verify").text)
            page = client.post(
                "/verify",
                data={"csrf_token": token},
                files={"file": ("big.pdf", b"%PDF" + b"x" * 5000, "application/pdf")},
            )
        assert page.status_code == 413
        assert page.headers["content-type"].startswith("text/html")
        assert "The file is too large: send at most 4 KB" in page.text
        assert page.text.startswith('<!doctype html>\n<html lang="en">')

    def test_the_apis_refusal_of_a_large_body_stays_a_problem_document(self, tmp_path):
        settings = Settings(data_dir=tmp_path, max_upload_bytes=4096)
        with TestClient(create_app(settings)) as client:
            answer = client.post("/api/v1/verify", content=b"x" * 5000)
        assert answer.status_code == 413
        assert answer.headers["content-type"] == "application/problem+json"
        assert "4,096 bytes" in answer.json()["detail"]

    def test_a_form_without_the_browsers_token_is_refused(self, client, packed):
        client.get("/verify")
        page = client.post(
            "/verify",
            data={"csrf_token": "forged"},
            files={"file": ("invoice.pdf", packed["pdf"], "application/pdf")},
        )
        assert page.status_code == 403
        assert "This form has expired" in page.text

    def test_verification_is_rate_limited_like_the_api(self, tmp_path):
        settings = Settings(data_dir=tmp_path)
        services = Services(
            settings=settings,
            platform=Platform.from_settings(settings),
            verify_limit=RateLimit("verify", "2/minute"),
        )
        with TestClient(create_app(services=services)) as client:
            codes = [_send(client, b"just some text", "a.txt").status_code for _ in range(3)]
        assert codes == [422, 422, 429]


class TestQrLink:
    def _link(self, packed) -> tuple[str, str]:
        """The link the QR code of the sealed invoice encodes, as the seal made it."""
        credential = json.loads(packed["credential"])
        settings = packed["app"].state.services.settings
        base = Address.of(settings.public_url, packed["organisation"]).base_url
        made = link(base, credential, hashlib.sha256(jcs(credential)).digest())
        assert urlsplit(made).path.encode() in packed["pdf"] or b"/c/" not in packed["pdf"]
        return made.split("#", 1)[0], made.split("#sha256=", 1)[1]

    def test_the_printed_link_shows_the_documents_checks_without_an_upload(self, visitor, packed):
        link, digest = self._link(packed)
        page = visitor.get(urlsplit(link).path)
        assert page.status_code == 200, page.text
        assert _verdict(page.text) == "Accepted"
        assert _states(page.text) == ["ok", "ok", "ok", "ok"]
        assert digest in page.text  # the reader compares it with the address's end

    def test_the_link_reads_in_the_viewers_language(self, visitor, packed):
        link, _digest = self._link(packed)
        spanish = visitor.get(urlsplit(link).path, headers={"Accept-Language": "es"})
        assert '<html lang="es">' in spanish.text
        assert SIGNED_ES in spanish.text
        chosen = visitor.get(urlsplit(link).path + "?lang=es")
        assert '<html lang="es">' in chosen.text

    def test_an_unknown_credential_is_a_404_page_not_a_problem_document(self, visitor, packed):
        link, _digest = self._link(packed)
        path = urlsplit(link).path
        unknown = path[: -len("0000")] + "0000"
        page = visitor.get(unknown)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "No document signed here matches this link" in page.text
        assert visitor.get("/orgs/not-an-id/c/urn:uuid:x").status_code == 404

    def test_the_link_is_a_read_of_the_document_in_the_audit_log(self, visitor, packed):
        link, _digest = self._link(packed)
        visitor.get(urlsplit(link).path)
        platform = packed["app"].state.services.store()
        with platform.reading() as unit:
            actions = {e.action for e in unit.session.query(AuditEvent).all()}
        assert "document.verified_by_link" in actions
