"""Signing up, in and out through the forms; the language switch; errors as pages."""

from __future__ import annotations

import re

from web_pages import OWNER, form_token, sign_up


def _errors(html: str) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]+)', html)


class TestSignUp:
    def test_a_new_owner_lands_on_their_shipments_signed_in(self, client):
        sign_up(client)
        page = client.get("/shipments")
        assert page.status_code == 200
        assert OWNER["organisation"] in page.text

    def test_a_short_password_comes_back_next_to_its_field_and_nothing_else_is_lost(self, client):
        token = form_token(client.get("/sign-up").text)
        response = client.post("/sign-up", data={**OWNER, "password": "short", "csrf_token": token})
        assert response.status_code == 422
        assert _errors(response.text) == ["A password needs at least 12 characters."]
        assert f'value="{OWNER["organisation"]}"' in response.text
        assert "short" not in re.findall(r'name="password"[^>]*value="([^"]*)"', response.text)

    def test_the_problem_is_in_spanish_for_a_spanish_reader(self, client):
        token = form_token(client.get("/sign-up?lang=es").text)
        response = client.post("/sign-up", data={**OWNER, "email": "", "csrf_token": token})
        assert response.status_code == 422
        assert response.text.startswith('<!doctype html>\n<html lang="es">')

    def test_a_form_without_this_browsers_token_is_refused_and_nothing_is_stored(self, client):
        client.get("/sign-up")
        response = client.post("/sign-up", data={**OWNER, "csrf_token": "forged"})
        assert response.status_code == 403
        assert client.get("/shipments", follow_redirects=False).status_code == 303


class TestSignInAndOut:
    def test_a_wrong_password_is_refused_with_the_same_words_as_an_unknown_address(self, client):
        sign_up(client)
        client.post("/sign-out", data={"csrf_token": form_token(client.get("/shipments").text)})
        token = form_token(client.get("/sign-in").text)
        wrong = client.post(
            "/sign-in",
            data={"email": OWNER["email"], "password": "not the password", "csrf_token": token},
        )
        unknown = client.post(
            "/sign-in",
            data={
                "email": "nobody@example.com",
                "password": "not the password",
                "csrf_token": token,
            },
        )
        assert wrong.status_code == unknown.status_code == 401
        assert "The e-mail address or the password is not right" in wrong.text
        assert "The e-mail address or the password is not right" in unknown.text

    def test_signing_out_ends_the_session(self, owner):
        token = form_token(owner.get("/shipments").text)
        assert (
            owner.post("/sign-out", data={"csrf_token": token}, follow_redirects=False).status_code
            == 303
        )
        assert owner.get("/shipments", follow_redirects=False).headers["location"] == "/sign-in"


class TestPages:
    def test_every_page_has_a_language_switch_and_the_choice_is_kept(self, client):
        page = client.get("/")
        assert 'hreflang="es"' in page.text
        client.get("/?lang=es")
        assert '<html lang="es">' in client.get("/sign-in").text

    def test_an_unknown_page_is_a_page_and_an_unknown_api_path_a_problem(self, client):
        assert client.get("/nowhere").headers["content-type"].startswith("text/html")
        assert client.get("/api/v1/nowhere").headers["content-type"] == "application/problem+json"

    def test_pages_allow_only_cruces_own_scripts_styles_and_forms(self, client):
        policy = client.get("/").headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "form-action 'self'" in policy
        assert "unsafe-inline" not in policy


def test_the_owners_stored_shipment_is_listed_with_a_link(owner, shipment_id):
    page = owner.get("/shipments")
    assert f'href="/shipments/{shipment_id}"' in page.text
    assert "SPM-2026-1187" in page.text


class TestMarkup:
    def test_a_refused_forms_attributes_are_separated_so_the_browser_reads_aria_invalid(
        self, client
    ):
        token = form_token(client.get("/sign-up").text)
        response = client.post("/sign-up", data={**OWNER, "email": "x", "csrf_token": token})
        tags = re.findall(r"<input[^>]*>", response.text)
        assert tags
        for tag in tags:
            assert not re.search(r'="[^"]*"[a-z]', tag), f"attributes run together: {tag}"
        assert re.search(
            r'id="f-email"[^>]* aria-invalid="true" aria-describedby="e-email-1"', response.text
        )
