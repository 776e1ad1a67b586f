"""Signing up with the keyboard alone, a refused form read by assistive technology, the
language switch and the error pages, in a real browser."""

from __future__ import annotations

import uuid

import pytest

from cruce.i18n import gettext
from web_pages import OWNER

SIGN_UP_ORDER = ["f-name", "f-email", "f-password", "f-organisation", "f-tax_scheme", "f-tax_id"]
MAX_TABS = 40


def _focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


def _tab_to(page, element_id: str) -> int:
    """Press Tab until ``element_id`` has the focus; how many presses it took."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        if _focused(page) == element_id:
            return presses
    pytest.fail(f"{MAX_TABS} presses of Tab never reached #{element_id}")


def _fresh_email() -> str:
    return f"keyboard-{uuid.uuid4().hex[:12]}@sonoran-precision.example"


def test_signing_up_with_the_keyboard_alone_lands_on_shipments(page):
    page.goto("/sign-up")
    values = {**OWNER, "email": _fresh_email(), "organisation": "Keyboard Only Imports LLC"}
    _tab_to(page, SIGN_UP_ORDER[0])
    visited = []
    for element_id in SIGN_UP_ORDER:
        assert _focused(page) == element_id, f"Tab order: {visited} then {_focused(page)}"
        visited.append(element_id)
        name = element_id.removeprefix("f-")
        if name == "tax_scheme":
            page.keyboard.press("Home")  # the first kind: a US EIN
            assert page.input_value("#f-tax_scheme") == values["tax_scheme"]
        else:
            page.keyboard.type(values[name])
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/shipments")
    assert page.locator("h1").inner_text() == "Shipments"
    assert page.locator(".who .org").inner_text() == "Keyboard Only Imports LLC"


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(page):
    page.goto("/sign-in")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert skip.evaluate("link => link === document.activeElement")
    box = skip.bounding_box()
    assert box is not None
    assert box["x"] >= 0, "the focused skip link must be on screen"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")
    assert _focused(page) == "f-email", "after skipping, Tab goes to the form"


REFUSALS = {
    "email": {"email": "not an address"},
    "password": {"password": "short"},
}


@pytest.mark.parametrize("wrong", sorted(REFUSALS))
def test_a_refused_sign_up_shows_the_problem_next_to_its_field(page, wrong):
    page.goto("/sign-up")
    typed = {**OWNER, "email": _fresh_email(), **REFUSALS[wrong]}
    for name in ("name", "email", "password", "organisation", "tax_id"):
        page.fill(f"#f-{name}", typed[name])
    page.focus("#f-tax_id")
    with page.expect_navigation() as answer:
        page.keyboard.press("Enter")
    assert answer.value is not None
    assert answer.value.status == 422
    summary = page.locator("#problems[role=alert]")
    assert summary.count() == 1
    assert summary.locator(f'a[href="#f-{wrong}"]').count() == 1, "the summary links the field"
    field = page.locator(f"#f-{wrong}")
    assert field.get_attribute("aria-invalid") == "true"
    described = (field.get_attribute("aria-describedby") or "").split()
    errors = [i for i in described if i.startswith(f"e-{wrong}-")]
    assert errors, f"aria-describedby of {wrong} names no error: {described}"
    for error_id in errors:
        error = page.locator(f"#{error_id}")
        assert error.inner_text().strip()
        assert error.evaluate(
            "(error, input) => error.closest('.field') === input.closest('.field')",
            field.element_handle(),
        ), "the error is not next to its field"
    assert page.locator("[aria-invalid=true]").count() == 1, "only the wrong field is marked"
    assert page.input_value("#f-name") == OWNER["name"], "what was typed is kept"
    assert page.input_value("#f-password") == "", "a password is never sent back"


def test_following_a_problem_in_the_summary_moves_to_its_field(page):
    page.goto("/sign-up")
    page.fill("#f-email", "not an address")
    page.focus("#f-email")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    link = page.locator('#problems a[href="#f-email"]')
    link.focus()
    page.keyboard.press("Enter")
    assert page.url.endswith("#f-email")
    page.keyboard.press("Tab")
    assert _focused(page) == "f-password", "Tab goes on from the field the link led to"


def test_the_switch_turns_the_page_spanish_and_points_back_to_english(page):
    page.goto("/sign-in")
    switch = page.locator("a.lang")
    assert switch.get_attribute("hreflang") == "es"
    switch.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") == "es"
    back = page.locator("a.lang")
    assert back.get_attribute("hreflang") == "en"
    assert back.get_attribute("lang") == "en"
    assert "lang=en" in (back.get_attribute("href") or "")
    assert back.inner_text() == "English"
    assert page.locator("h1").inner_text() == gettext("Sign in", "es")

    page.goto("/sign-up")  # the choice stays for the next pages
    assert page.get_attribute("html", "lang") == "es"
    with page.expect_navigation():
        page.locator("a.lang").click()
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "Create an account"


def test_a_signed_in_reader_switches_the_shipments_page_to_spanish(page, visitor, site_pages):
    visitor.open(page, site_pages["shipments"])
    with page.expect_navigation():
        page.locator("a.lang").click()
    assert page.get_attribute("html", "lang") == "es"
    spanish = gettext("Shipments", "es")
    assert spanish != "Shipments"
    assert page.locator("h1").inner_text() == spanish
    assert "lang=en" in (page.locator("a.lang").get_attribute("href") or "")


@pytest.mark.locale("es-MX")
def test_a_missing_page_is_a_page_in_the_browsers_language(page):
    answer = page.goto("/no-such-page")
    assert answer is not None
    assert answer.status == 404
    assert page.get_attribute("html", "lang") == "es"
    assert page.locator("h1").inner_text() == gettext("Something is not right", "es")
    assert page.locator("main a[href='/']").count() == 1


def test_a_stranger_asking_for_shipments_is_sent_to_sign_in(page):
    answer = page.goto("/shipments")
    assert answer is not None
    assert answer.status == 200
    assert page.url.endswith("/sign-in")
    assert page.locator("#f-email").count() == 1
