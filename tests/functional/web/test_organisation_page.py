"""The organisation's profile: legal identity, members, signing keys; its members only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cruce.store.models import MembershipRole
from cruce.store.models.audit import AuditEvent
from web_pages import OWNER, form_token, sign_up

pytestmark = pytest.mark.functional


def _pack(app, shipment_id: str) -> None:
    """Pack the shipment through the API, so the organisation has keys."""
    with TestClient(app) as api:
        signed = api.post(
            "/api/v1/sessions", json={"email": OWNER["email"], "password": OWNER["password"]}
        )
        headers = {"X-CSRF-Token": signed.json()["csrf_token"]}
        token = api.post("/api/v1/tokens", json={"name": "t"}, headers=headers).json()["token"]
        api.cookies.clear()
        packed = api.post(
            f"/api/v1/shipments/{shipment_id}/packs",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert packed.status_code == 201, packed.text


class TestOrganisationPage:
    def test_a_visitor_is_sent_to_sign_in(self, client):
        response = client.get("/organisation", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/sign-in"

    def test_the_owner_sees_the_legal_identity_and_members(self, owner):
        page = owner.get("/organisation")
        assert page.status_code == 200
        assert OWNER["organisation"] in page.text
        assert OWNER["tax_id"] in page.text
        assert "US employer identification number (EIN)" in page.text
        assert OWNER["name"] in page.text
        assert OWNER["email"] in page.text
        assert "Owner" in page.text

    def test_before_its_first_pack_it_has_no_keys_and_says_how_it_gets_them(self, owner):
        page = owner.get("/organisation")
        assert "has signed nothing yet" in page.text
        assert "did.json" not in page.text

    def test_after_a_pack_it_shows_its_did_keys_and_a_working_did_document_link(
        self, owner, app, shipment_id
    ):
        _pack(app, shipment_id)
        page = owner.get("/organisation")
        assert "did:web:" in page.text
        link = page.text.split('<dt>DID document</dt><dd><a href="', 1)[1].split('"', 1)[0]
        document = owner.get(link)
        assert document.status_code == 200
        did = document.json()["id"]
        assert did in page.text
        for method in document.json()["verificationMethod"]:
            assert method["id"] in page.text
        assert "Active" in page.text

    def test_another_organisation_sees_its_own_profile_only(self, app, owner):  # noqa: ARG002 - the owner signs up first
        with TestClient(app) as other:
            sign_up(
                other,
                name="Rosa Elena Núñez",
                email="rosa@transportes.example",
                organisation="Transportes del Norte SA de CV",
                tax_scheme="mx_rfc",
                tax_id="TNO010101AB1",
            )
            page = other.get("/organisation")
        assert "Transportes del Norte SA de CV" in page.text
        assert "TNO010101AB1" in page.text
        assert OWNER["organisation"] not in page.text.split("<main", 1)[1]
        assert OWNER["email"] not in page.text
        assert OWNER["tax_id"] not in page.text

    def test_the_page_reads_in_spanish(self, owner):
        page = owner.get("/organisation?lang=es")
        assert page.text.startswith('<!doctype html>\n<html lang="es">')
        assert "Número de identificación patronal de EE. UU. (EIN)" in page.text
        assert "Razón social" in page.text


ADDRESS = {
    "address.street": "2145 W Broadway Rd",
    "address.exterior_number": "Suite 4",
    "address.locality": "Phoenix",
    "address.subdivision": "us-az",
    "address.postal_code": "85041",
    "address.country": "us",
}


def _save(client: TestClient, **fields: str):
    token = form_token(client.get("/organisation").text)
    return client.post(
        "/organisation/address", data={"csrf_token": token, **fields}, follow_redirects=False
    )


class TestAddress:
    def test_the_owner_saves_the_address_and_a_new_shipment_starts_with_it(self, owner):
        saved = _save(owner, **ADDRESS)
        assert saved.status_code == 303
        assert saved.headers["location"] == "/organisation?saved=address"
        page = owner.get("/organisation?saved=address")
        assert "The address is saved" in page.text
        assert 'value="2145 W Broadway Rd"' in page.text
        assert 'value="US-AZ"' in page.text  # codes kept as the record writes them
        wizard = owner.get("/shipments/new")
        locality = 'name="parties.seller.address.locality" value="Phoenix"'
        assert locality in wizard.text

    def test_a_bad_state_is_named_beside_its_field_and_the_stored_address_is_kept(self, owner):
        assert _save(owner, **ADDRESS).status_code == 303
        refused = _save(
            owner, **{**ADDRESS, "address.subdivision": "MX-JAL", "address.street": "New"}
        )
        assert refused.status_code == 422
        assert (
            'aria-invalid="true" aria-describedby="h-address.subdivision e-address.subdivision-1"'
            in refused.text
        )
        assert 'value="New"' in refused.text  # what was typed comes back
        page = owner.get("/organisation")
        assert 'value="2145 W Broadway Rd"' in page.text

    def test_the_problem_reads_in_spanish_for_a_spanish_reader(self, owner):
        owner.get("/organisation?lang=es")
        refused = _save(owner, **{**ADDRESS, "address.country": ""})
        assert refused.status_code == 422
        assert refused.text.startswith('<!doctype html>\n<html lang="es">')
        assert "Revise el formulario" in refused.text or "Domicilio registrado" in refused.text

    def test_a_form_without_this_browsers_token_is_refused_and_nothing_changes(self, owner):
        refused = owner.post("/organisation/address", data={"csrf_token": "forged", **ADDRESS})
        assert refused.status_code == 403
        assert 'value="2145 W Broadway Rd"' in refused.text  # typed, not stored
        assert "2145 W Broadway Rd" not in owner.get("/organisation").text

    def test_a_member_who_is_not_an_administrator_cannot_change_it(self, owner, app):
        with app.state.services.store().unit() as unit:
            user = unit.users.find_by_email(OWNER["email"])
            assert user is not None
            ((organisation_id, _role),) = unit.memberships.organisations_of(user.id)
            unit.memberships.remove(user.id, organisation_id)
            unit.memberships.add(user.id, organisation_id, MembershipRole.MEMBER)
        page = owner.get("/organisation")
        assert 'action="/organisation/address"' not in page.text
        refused = _save(owner, **ADDRESS)
        assert refused.status_code == 403
        assert "Only the organisation&#39;s owner or an administrator changes this" in refused.text

    def test_the_change_is_an_audit_event(self, owner, app):
        _save(owner, **ADDRESS)
        with app.state.services.store().reading() as unit:
            actions = [e.action for e in unit.session.scalars(select(AuditEvent))]
        assert "organisation.address_changed" in actions
