"""The exporter's whole journey in a browser, as the owner of a Phoenix machine shop lives it.

Sign up; enter the Phoenix → Guadalajara shipment (example 01) through the wizard, the
goods from an Excel sheet; watch the readiness checklist beside the form turn green as the
steps are filled; create the shipment; make and sign its documents; download the USMCA
certification of origin and the whole pack as a ZIP. Then the buyer in Guadalajara, with
no account and a Spanish browser, checks the certificate on the public page and sees a
copy with one byte changed rejected.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from typing import TYPE_CHECKING

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from web_pages import EXAMPLE, OWNER, party_fields, sheet_rows, workbook

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser, Page

READY = "Ready: every required document can be made."
ROLES = ("seller", "buyer", "carrier", "us_customs_broker", "mx_customs_broker")
CERTIFICATE = "USMCA certification of origin"
HTMX_SETTLE_MS = 10_000
CERTIFICATION = {
    "usmca_certification.certifier_role": "exporter",
    "_wizard.producer": "seller",
    "usmca_certification.signatory.name": OWNER["name"],
    "usmca_certification.signatory.title": "Owner",
    "usmca_certification.signatory.phone": "+1 602 555 0147",
    "usmca_certification.signatory.email": OWNER["email"],
    "usmca_certification.signed_on": "2026-11-20",
}
"""The exporter certifies the origin itself, in the wizard: cruce writes and signs it."""


def _fill(page: Page, fields: dict[str, str]) -> None:
    """Type each value into the input, select or text area the field's name names."""
    for name, value in fields.items():
        control = page.locator(f'#wizard [name="{name}"]')
        assert control.count() == 1, f"the form has no single field {name}"
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)


def _readiness(page: Page) -> str:
    return " ".join(page.locator("#readiness").inner_text().split())


def _done(page: Page) -> int:
    found = re.search(r"(\d+) of (\d+) required documents are ready", _readiness(page))
    return int(found.group(1)) if found else -1


def _next(page: Page) -> None:
    with page.expect_navigation():
        page.locator("#wizard button[name=go][value=next]").click()


def _sign_up(page: Page) -> None:
    page.goto("/sign-up")
    email = f"dana+{uuid.uuid4().hex[:8]}@sonoran-precision.example"
    for name in ("name", "password", "organisation", "tax_id"):
        page.fill(f"#f-{name}", OWNER[name])
    page.fill("#f-email", email)
    page.select_option("#f-tax_scheme", OWNER["tax_scheme"])
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.url.endswith("/shipments"), page.url


def _enter_example(page: Page, sheet: Path) -> str:
    """Example 01 through the four steps; the stored shipment's id."""
    page.click("text=New shipment >> nth=0")
    page.wait_for_url("**/shipments/new")
    at_start = _done(page)
    parties: dict[str, str] = {"parties.consignee_type": "O"}
    for role in ROLES:
        parties.update(party_fields(role, EXAMPLE["parties"][role]))
    _fill(page, parties)
    _next(page)

    assert page.locator("#wizard h2").inner_text() == "Goods"
    page.set_input_files("#goods-file", str(sheet))
    with page.expect_navigation():
        page.click("text=Upload the sheet")
    assert "14 goods lines read from goods.xlsx." in page.locator("[role=status]").inner_text()
    after_goods = _done(page)
    assert after_goods > at_start, "the checklist follows the goods"
    _next(page)

    page.select_option("#f-transport-crossing", "2604")
    _fill(
        page,
        {
            "transport.carrier_scac": "TFPN",
            "_wizard.planned_date": "2026-12-08",
            "_wizard.planned_time": "07:30",
        },
    )
    page.locator("#f-transport-crossing").dispatch_event("change")
    page.wait_for_function(
        "before => !document.querySelector('#readiness').innerText.includes(before)",
        arg=_readiness(page),
        timeout=HTMX_SETTLE_MS,
    )  # htmx swapped the checklist in place, without leaving the page
    _next(page)

    terms = EXAMPLE["terms"]
    _fill(
        page,
        {
            "reference": EXAMPLE["reference"],
            "usmca_reference": "SPM-USMCA-2026-BL01",
            "terms.invoice_number": terms["invoice_number"],
            "terms.invoice_date": str(terms["invoice_date"]),
            "terms.incoterm": terms["incoterm"],
            "terms.incoterm_place": terms["incoterm_place"],
            "terms.payment_terms": terms["payment_terms"],
            "terms.related_parties": "no",
            **CERTIFICATION,
        },
    )
    page.locator('#wizard [name="terms.related_parties"]').dispatch_event("change")
    try:
        page.wait_for_function(
            "ready => document.querySelector('#readiness').innerText.includes(ready)",
            arg=READY,
            timeout=HTMX_SETTLE_MS,
        )
    except PlaywrightTimeoutError:
        raise AssertionError(_readiness(page)) from None
    assert page.locator("#readiness .status-ok").inner_text() == READY
    with page.expect_navigation():
        page.click("text=Create the shipment")
    found = re.search(r"/shipments/([0-9a-f-]{36})$", page.url)
    assert found, page.url
    return found.group(1)


def _download(page: Page, link: str, into: Path) -> Path:
    with page.expect_download() as started:
        page.locator(link).click()
    target = into / started.value.suggested_filename
    started.value.save_as(target)
    return target


def test_an_exporter_enters_packs_and_shares_and_the_buyer_verifies_in_spanish(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "goods.xlsx"
    sheet.write_bytes(workbook(sheet_rows(EXAMPLE["goods"])))
    exporter = browser.new_context(base_url=server, accept_downloads=True, locale="en-US")
    exporter.set_default_timeout(30_000)
    page = exporter.new_page()
    _sign_up(page)
    shipment = _enter_example(page, sheet)

    overview = page.locator("#readiness")
    assert overview.locator(".status-ok").first.inner_text() == READY
    assert overview.locator(".status-bad").count() == 0, "every document's line is green"
    page.click("nav.tabs >> text=Documents")
    with page.expect_navigation():
        page.click("text=Make and sign the documents")
    assert page.url.endswith(f"/shipments/{shipment}/documents?packed=1")
    assert "are made, signed and logged" in page.locator("[role=status]").inner_text()

    certificate = page.locator(
        "li.doc", has=page.locator("h3", has_text=re.compile(f"^{CERTIFICATE}$"))
    )
    assert certificate.count() == 1, "\n".join(page.locator("li.doc h3").all_inner_texts())
    assert "Signed credential" in certificate.inner_text()
    pdf = _download(page, f'li.doc:has(h3:text-is("{CERTIFICATE}")) a:text("Download")', tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF-")
    pack = _download(page, "text=Download all as ZIP", tmp_path)
    with zipfile.ZipFile(io.BytesIO(pack.read_bytes())) as archive:
        names = archive.namelist()
    assert pdf.name in [name.rsplit("/", 1)[-1] for name in names]
    exporter.close()

    buyer = browser.new_context(base_url=server, locale="es-MX")
    buyer.set_default_timeout(30_000)
    check = buyer.new_page()
    check.goto("/verify")
    assert check.locator("html").get_attribute("lang") == "es"
    check.set_input_files("#f-file", str(pdf))
    with check.expect_navigation():
        check.click("main button[type=submit]")
    verdict = check.locator("#verdict").inner_text()
    assert verdict == "Aceptado", verdict
    assert check.locator("li.check.check-ok").count() == 4, "integrity, status, issuer, log"
    assert "Sonoran Precision Machining LLC" in check.locator("main").inner_text()

    changed = bytearray(pdf.read_bytes())
    changed[len(changed) // 3] ^= 0x01
    tampered = tmp_path / f"changed-{pdf.name}"
    tampered.write_bytes(bytes(changed))
    check.goto("/verify")
    check.set_input_files("#f-file", str(tampered))
    with check.expect_navigation():
        check.click("main button[type=submit]")
    assert check.locator("#verdict").inner_text() == "Rechazado"
    assert check.locator("li.check").first.get_attribute("class") == "check check-bad"
    buyer.close()
