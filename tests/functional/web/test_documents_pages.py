"""A shipment's documents, parties, invitations and audit pages, and who may see which."""

from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from cruce.config import Settings
from cruce.store.models import AuditEvent, Document, Invitation, PartyRole, utcnow
from cruce.store.repositories.audit import AuditLog
from cruce.web.app import create_app
from web_pages import EXAMPLES, OWNER, form_token, sign_up

pytestmark = pytest.mark.functional
FORGED = "a token this browser did not get"

RECORD = EXAMPLES / "01-phoenix-to-guadalajara" / "shipment.yaml"
REFERENCE = yaml.safe_load(RECORD.read_text(encoding="utf-8"))["reference"]
CARRIER = {
    "name": "Rosa Elena Núñez",
    "email": "rosa@transportes.example",
    "organisation": "Transportes del Norte SA de CV",
    "tax_scheme": "mx_rfc",
    "tax_id": "TNO010101AB1",
}
BROKER = {
    "name": "Jorge Ibarra",
    "email": "jorge@agencia.example",
    "organisation": "Agencia Aduanal Ibarra SC",
    "tax_scheme": "mx_rfc",
    "tax_id": "AAI020202CD2",
}
STRANGER = {
    "name": "Eve Other",
    "email": "eve@other.example",
    "organisation": "Another Company Inc",
    "tax_scheme": "us_ein",
    "tax_id": "123456789",
}


def _api_token(app) -> str:
    with TestClient(app) as api:
        signed = api.post(
            "/api/v1/sessions", json={"email": OWNER["email"], "password": OWNER["password"]}
        )
        headers = {"X-CSRF-Token": signed.json()["csrf_token"]}
        return api.post("/api/v1/tokens", json={"name": "t"}, headers=headers).json()["token"]


def _create(app, record: bytes | None = None) -> str:
    """A shipment of the owner's, stored through the API; its id."""
    with TestClient(app) as api:
        created = api.post(
            "/api/v1/shipments",
            content=RECORD.read_bytes() if record is None else record,
            headers={
                "Content-Type": "application/yaml",
                "Authorization": f"Bearer {_api_token(app)}",
            },
        )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _pack_page(client: TestClient, shipment: str, token: str | None = None):
    page = client.get(f"/shipments/{shipment}/documents")
    return client.post(
        f"/shipments/{shipment}/pack",
        data={"csrf_token": token if token is not None else form_token(page.text)},
        follow_redirects=False,
    )


def _platform(app):
    return app.state.services.store()


def _count(app, model, *where) -> int:
    with _platform(app).unit() as unit:
        return int(unit.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _reads(app, document_id: str) -> list[dict]:
    with _platform(app).unit() as unit:
        rows = unit.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "document.read", AuditEvent.object_id == document_id
            )
        )
        return [dict(row.detail) for row in rows]


def _main(html: str) -> str:
    return html.split("<main", 1)[1]


@dataclass
class World:
    app: object
    owner: TestClient
    carrier: TestClient
    stranger: TestClient
    shipment: str
    documents: dict[str, dict]
    """The owner's documents by artifact key, as the API lists them."""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Example 01 packed with the Pack button, a carrier on it and a stranger."""
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("documents_pages")))
    with TestClient(app) as owner, TestClient(app) as carrier, TestClient(app) as stranger:
        sign_up(owner)
        shipment = _create(app)
        packed = _pack_page(owner, shipment)
        assert packed.status_code == 303, packed.text
        assert packed.headers["location"] == f"/shipments/{shipment}/documents?packed=1"
        sign_up(carrier, **CARRIER)
        sign_up(stranger, **STRANGER)
        carrier_org = uuid.UUID(carrier.get("/api/v1/me").json()["organisation"]["id"])
        with _platform(app).unit() as unit:
            unit.shipments.add_party(uuid.UUID(shipment), carrier_org, PartyRole.CARRIER)
        listed = owner.get(f"/api/v1/shipments/{shipment}/documents").json()["documents"]
        yield World(
            app,
            owner,
            carrier,
            stranger,
            shipment,
            {item["artifact_key"]: item for item in listed},
        )


class TestDocumentsList:
    def test_the_owner_sees_every_document_with_its_facts_and_actions(self, world):
        page = world.owner.get(f"/shipments/{world.shipment}/documents")
        assert page.status_code == 200
        html = page.text
        assert REFERENCE in html
        assert f'href="/shipments/{world.shipment}"' in html
        assert "Version 1" in html
        for item in world.documents.values():
            assert item["filename"] in html
            assert item["sha256"][:12] + "…" in html
            assert f'title="{item["sha256"]}"' in html
            assert f"/documents/{item['id']}/download" in html
        invoice = world.documents["commercial_invoice"]
        assert "Commercial invoice" in html
        assert f"/documents/{invoice['id']}/preview" in html
        assert "Signed credential" in html
        assert f"log entry {invoice['log_index']}" in html
        assert "Make and sign the documents" in html
        assert f'href="/shipments/{world.shipment}/documents.zip"' in html

    def test_after_a_pack_the_page_says_so(self, world):
        page = world.owner.get(f"/shipments/{world.shipment}/documents?packed=1")
        assert "The documents of version 1 are made, signed and logged." in page.text

    def test_the_carrier_sees_only_its_documents_and_no_pack_button(self, world):
        page = world.carrier.get(f"/shipments/{world.shipment}/documents")
        assert page.status_code == 200
        html = page.text
        assert world.documents["packing_list"]["filename"] in html
        price_free = world.documents["commercial_invoice_without_prices"]
        assert price_free["filename"] in html
        assert "Commercial invoice without prices (SD-JWT presentation)" in html
        for key in ("commercial_invoice", "commercial_invoice_sd_jwt", "ubl_invoice", "pedimento"):
            assert world.documents[key]["filename"] not in html
        assert "Make and sign the documents" not in html
        assert "/pack" not in html

    def test_a_visitor_is_sent_to_sign_in(self, world):
        with TestClient(world.app) as visitor:
            for path in ("documents", "documents.zip", "parties", "audit"):
                answer = visitor.get(f"/shipments/{world.shipment}/{path}", follow_redirects=False)
                assert answer.status_code == 303
                assert answer.headers["location"] == "/sign-in"


class TestDownloadAndPreview:
    def test_a_download_is_the_apis_bytes_and_etag_and_audited_alike(self, world):
        invoice = world.documents["commercial_invoice"]
        before = len(_reads(world.app, invoice["id"]))
        page = world.owner.get(f"/shipments/{world.shipment}/documents/{invoice['id']}/download")
        api = world.owner.get(invoice["url"])
        assert page.status_code == 200
        assert page.content == api.content
        assert hashlib.sha256(page.content).hexdigest() == invoice["sha256"]
        assert page.headers["etag"] == api.headers["etag"] == f'"{invoice["sha256"]}"'
        assert page.headers["content-disposition"] == api.headers["content-disposition"]
        reads = _reads(world.app, invoice["id"])
        assert len(reads) == before + 2
        assert (
            reads[-1]
            == reads[-2]
            == {
                "shipment_id": world.shipment,
                "artifact_key": "commercial_invoice",
            }
        )

    def test_a_pdf_preview_is_served_inline(self, world):
        invoice = world.documents["commercial_invoice"]
        answer = world.owner.get(f"/shipments/{world.shipment}/documents/{invoice['id']}/preview")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.headers["content-disposition"].startswith("inline;")
        assert answer.content.startswith(b"%PDF")
        assert _reads(world.app, invoice["id"])[-1]["via"] == "preview"

    def test_a_json_preview_is_indented_escaped_text_in_a_page(self, world):
        record = world.documents["shipment_record"]
        page = world.owner.get(f"/shipments/{world.shipment}/documents/{record['id']}/preview")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        text = page.text.split('<pre class="preview"', 1)[1].split("</pre>", 1)[0]
        assert "\n  &#34;" in text
        assert "<" not in text.split(">", 1)[1]
        assert REFERENCE in text

    def test_an_xml_preview_is_indented_and_escaped(self, world):
        ubl = world.documents["ubl_invoice"]
        page = world.owner.get(f"/shipments/{world.shipment}/documents/{ubl['id']}/preview")
        text = page.text.split('<pre class="preview"', 1)[1].split("</pre>", 1)[0]
        assert "&lt;Invoice" in text
        assert "\n  &lt;" in text

    def test_the_carrier_cannot_fetch_a_priced_document_by_its_id(self, world):
        invoice = world.documents["commercial_invoice"]
        for action in ("download", "preview"):
            answer = world.carrier.get(
                f"/shipments/{world.shipment}/documents/{invoice['id']}/{action}"
            )
            assert answer.status_code == 404
            assert answer.headers["content-type"].startswith("text/html")
            assert invoice["filename"] not in answer.text

    def test_an_unknown_document_is_a_404_page(self, world):
        answer = world.owner.get(f"/shipments/{world.shipment}/documents/{uuid.uuid4()}/download")
        assert answer.status_code == 404
        assert "Not found" in answer.text


class TestZip:
    def test_the_zip_holds_every_document_and_a_manifest_of_their_digests(self, world):
        answer = world.owner.get(f"/shipments/{world.shipment}/documents.zip")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/zip"
        assert f'filename="{REFERENCE}-documents.zip"' in answer.headers["content-disposition"]
        archive = zipfile.ZipFile(io.BytesIO(answer.content))
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["shipment"] == REFERENCE
        assert len(manifest["documents"]) == len(world.documents)
        for item in manifest["documents"]:
            content = archive.read(item["file"])
            assert item["file"].startswith("version-1/")
            assert hashlib.sha256(content).hexdigest() == item["sha256"]
            assert world.documents[item["artifact_key"]]["sha256"] == item["sha256"]
        sums = archive.read("SHA256SUMS").decode()
        assert sums.count("\n") == len(world.documents)

    def test_each_document_in_the_zip_is_audited_as_a_read(self, world):
        before = {key: len(_reads(world.app, d["id"])) for key, d in world.documents.items()}
        world.owner.get(f"/shipments/{world.shipment}/documents.zip")
        for key, item in world.documents.items():
            reads = _reads(world.app, item["id"])
            assert len(reads) == before[key] + 1
            assert reads[-1] == {"shipment_id": world.shipment, "artifact_key": key, "via": "zip"}

    def test_the_carriers_zip_holds_only_its_documents(self, world):
        answer = world.carrier.get(f"/shipments/{world.shipment}/documents.zip")
        archive = zipfile.ZipFile(io.BytesIO(answer.content))
        keys = {
            item["artifact_key"] for item in json.loads(archive.read("manifest.json"))["documents"]
        }
        assert keys == {"packing_list", "commercial_invoice_without_prices"}

    def test_a_shipment_without_documents_has_no_zip(self, owner, shipment_id):
        answer = owner.get(f"/shipments/{shipment_id}/documents.zip")
        assert answer.status_code == 404
        assert "no documents yet" in answer.text


class TestStranger:
    @pytest.mark.parametrize(
        "path",
        ["documents", "documents.zip", "parties", "audit"],
    )
    def test_another_organisation_gets_a_404_page(self, world, path):
        answer = world.stranger.get(f"/shipments/{world.shipment}/{path}")
        assert answer.status_code == 404
        assert REFERENCE not in answer.text
        assert OWNER["organisation"] not in _main(answer.text)

    def test_another_organisation_cannot_fetch_a_document(self, world):
        invoice = world.documents["commercial_invoice"]
        for action in ("download", "preview"):
            answer = world.stranger.get(
                f"/shipments/{world.shipment}/documents/{invoice['id']}/{action}"
            )
            assert answer.status_code == 404
            assert REFERENCE not in answer.text

    def test_another_organisation_cannot_pack_or_invite(self, world):
        token = form_token(world.stranger.get("/shipments").text)
        for path, data in (
            ("pack", {"csrf_token": token}),
            ("invitations", {"csrf_token": token, "role": "carrier"}),
        ):
            answer = world.stranger.post(f"/shipments/{world.shipment}/{path}", data=data)
            assert answer.status_code == 404
            assert REFERENCE not in answer.text
        assert _count(world.app, Invitation) == 0


class TestParties:
    def test_every_party_is_listed_with_its_roles(self, world):
        page = world.carrier.get(f"/shipments/{world.shipment}/parties")
        assert page.status_code == 200
        assert OWNER["organisation"] in page.text
        assert "Owner: entered the shipment" in page.text
        assert CARRIER["organisation"] in page.text
        assert "Carrier" in page.text
        assert "Invite a partner organisation" not in page.text

    def test_the_owner_gets_the_invitation_form_with_every_role(self, world):
        page = world.owner.get(f"/shipments/{world.shipment}/parties")
        assert "Invite a partner organisation" in page.text
        for role in PartyRole:
            assert f'value="{role.value}"' in page.text
        assert "Mexican customs broker (agente aduanal)" in page.text
        assert '<label for="f-role">' in page.text
        assert '<label for="f-note">' in page.text


def _invite(client: TestClient, shipment: str, **fields: str):
    page = client.get(f"/shipments/{shipment}/parties")
    data = {"role": "mx_customs_broker", "csrf_token": form_token(page.text), **fields}
    return client.post(f"/shipments/{shipment}/invitations", data=data)


def _link(html: str) -> str:
    found = re.search(
        r'id="f-invitation_link" name="invitation_link" type="url" value="([^"]+)"', html
    )
    assert found is not None
    return found.group(1)


class TestInvitations:
    def test_an_invitation_is_made_shown_once_and_accepted_by_the_partner(
        self, app, owner, shipment_id
    ):
        made = _invite(owner, shipment_id, note="Please check the pedimento")
        assert made.status_code == 200
        assert "Invitation made" in made.text
        assert "Please check the pedimento" in made.text
        link = _link(made.text)
        assert "/invitations/accept?token=" in link
        path = link[link.index("/invitations/") :]
        assert _count(app, Invitation) == 1
        assert path not in owner.get(f"/shipments/{shipment_id}/parties").text

        with TestClient(app) as broker:
            sign_up(broker, **BROKER)
            offer = broker.get(path)
            assert offer.status_code == 200
            assert offer.headers["referrer-policy"] == "no-referrer"
            assert OWNER["organisation"] in offer.text
            assert "Mexican customs broker" in offer.text
            assert f"Accept for {BROKER['organisation']}" in offer.text
            token = path.split("token=", 1)[1]
            accepted = broker.post(
                "/invitations/accept",
                data={"token": token, "csrf_token": form_token(offer.text)},
                follow_redirects=False,
            )
            assert accepted.status_code == 303
            assert accepted.headers["location"] == f"/shipments/{shipment_id}"
            parties = broker.get(f"/shipments/{shipment_id}/parties")
            assert BROKER["organisation"] in parties.text
            again = broker.get(path)
            assert again.status_code == 410
            assert "used already" in again.text
            reused = broker.post(
                "/invitations/accept",
                data={"token": token, "csrf_token": form_token(offer.text)},
            )
            assert reused.status_code == 410

    def test_a_role_that_does_not_exist_is_refused_and_nothing_stored(
        self, app, owner, shipment_id
    ):
        refused = _invite(owner, shipment_id, role="customs_officer")
        assert refused.status_code == 422
        assert "Choose one of the options" in refused.text
        assert 'aria-invalid="true"' in refused.text
        assert _count(app, Invitation) == 0

    def test_an_invitation_without_the_form_token_is_refused(self, app, owner, shipment_id):
        refused = _invite(owner, shipment_id, csrf_token=FORGED)
        assert refused.status_code == 403
        assert "This form has expired" in refused.text
        assert _count(app, Invitation) == 0

    def test_an_unknown_or_malformed_token_gets_a_clear_page(self, owner):
        for token in ("nonsense", "cri_" + "x" * 40):
            page = owner.get(f"/invitations/accept?token={token}")
            assert page.status_code == 404
            assert "This invitation does not exist" in page.text

    def test_without_a_token_the_page_asks_for_the_link(self, owner):
        page = owner.get("/invitations/accept")
        assert page.status_code == 200
        assert '<label for="f-token">' in page.text

    def test_an_expired_invitation_gets_a_clear_page(self, app, owner, shipment_id):
        link = _link(_invite(owner, shipment_id).text)
        with _platform(app).unit() as unit:
            unit.session.execute(
                update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1))
            )
        with TestClient(app) as broker:
            sign_up(broker, **BROKER)
            page = broker.get(link[link.index("/invitations/") :])
        assert page.status_code == 410
        assert "has expired" in page.text

    def test_the_owner_opening_its_own_invitation_is_told_to_send_it(self, owner, shipment_id):
        link = _link(_invite(owner, shipment_id).text)
        page = owner.get(link[link.index("/invitations/") :])
        assert page.status_code == 409
        assert "send the invitation to a partner" in page.text

    def test_a_visitor_sees_the_offer_and_is_asked_to_sign_in(self, app, owner, shipment_id):
        link = _link(_invite(owner, shipment_id).text)
        with TestClient(app) as visitor:
            page = visitor.get(link[link.index("/invitations/") :])
            assert page.status_code == 200
            assert "then open this link again" in page.text
            token = link.split("token=", 1)[1]
            assert "Accept for" not in page.text
            visitor_token = form_token(visitor.get("/sign-in").text)
            posted = visitor.post(
                "/invitations/accept", data={"token": token, "csrf_token": visitor_token}
            )
        assert posted.status_code == 401
        with _platform(app).unit() as unit:
            assert unit.session.scalar(select(Invitation.accepted_at)) is None


class TestPackButton:
    def test_a_record_that_is_not_ready_lists_what_stops_it_and_stores_nothing(self, app, owner):
        record = yaml.safe_load(RECORD.read_text(encoding="utf-8"))
        record["reference"] = "SPM-NOT-READY"
        record["parties"]["buyer"]["tax_ids"] = []
        shipment = _create(app, yaml.safe_dump(record).encode())
        answer = _pack_page(owner, shipment)
        assert answer.status_code == 422
        assert "What stops the documents" in answer.text
        assert f"/shipments/{shipment}/edit/parties#f-parties-buyer-tax_ids" in answer.text
        assert "Traceback" not in answer.text
        assert _count(app, Document, Document.shipment_id == uuid.UUID(shipment)) == 0

    def test_a_pack_without_the_form_token_is_refused(self, app, owner, shipment_id):
        answer = _pack_page(owner, shipment_id, token=FORGED)
        assert answer.status_code == 403
        assert "This form has expired" in answer.text
        assert _count(app, Document) == 0

    def test_a_carrier_may_not_pack(self, world):
        token = form_token(world.carrier.get(f"/shipments/{world.shipment}/documents").text)
        before = _count(world.app, Document)
        answer = _pack_page(world.carrier, world.shipment, token)
        assert answer.status_code == 403
        assert _count(world.app, Document) == before


class TestAuditPage:
    def test_the_owner_sees_who_read_what_with_names_newest_first(self, world):
        packing = world.documents["packing_list"]
        world.carrier.get(f"/shipments/{world.shipment}/documents/{packing['id']}/download")
        page = world.owner.get(f"/shipments/{world.shipment}/audit")
        assert page.status_code == 200
        html = _main(page.text)
        assert REFERENCE in html
        assert CARRIER["organisation"] in html
        assert CARRIER["name"] in html
        assert OWNER["name"] in html
        assert "downloaded “Packing list”" in html
        assert "made and signed 12 documents of version 1" in html
        assert "listed the documents" in html
        assert "testclient" in html
        assert html.index("downloaded “Packing list”") < html.index("made and signed")
        assert str(uuid.UUID(world.shipment)) not in html.split("</h1>", 1)[1].replace(
            f"/shipments/{world.shipment}", ""
        )

    def test_the_audit_is_the_owners_only(self, world):
        answer = world.carrier.get(f"/shipments/{world.shipment}/audit")
        assert answer.status_code == 403
        assert "testclient" not in answer.text


class TestAuditRepository:
    def test_about_gives_the_events_of_the_objects_newest_first_and_pages(self, world):
        shipment, document, other = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
        with _platform(world.app).unit() as unit:
            log = AuditLog(unit.session)
            first = log.append("shipment.read", "shipment", shipment)
            log.append("shipment.read", "shipment", other)
            second = log.append("document.read", "document", document)
            log.append("document.read", "shipment", document)  # same id, another type
            third = log.append("shipment.updated", "shipment", shipment)
            objects = {"shipment": [shipment], "document": [document]}
            assert [e.id for e in log.about(objects)] == [third.id, second.id, first.id]
            assert [e.id for e in log.about(objects, limit=2)] == [third.id, second.id]
            assert [e.id for e in log.about(objects, before_id=second.id)] == [first.id]
            assert log.about({"shipment": [], "document": []}) == []
            assert log.about(objects, limit=0) == []
