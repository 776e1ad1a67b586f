"""The guided shipment wizard: example 01 entered step by step, goods uploads, editing."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from html.parser import HTMLParser

import openpyxl
import pytest
from fastapi.testclient import TestClient

from cruce.web import wizard_draft
from web_pages import EXAMPLE, SHEET_COLUMNS, STRANGER, party_fields, sheet_rows, sign_up, workbook


class _Form(HTMLParser):
    """The fields a browser would send from the form with id ``wizard`` (or the first)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.values: dict[str, str] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = found.get("id") == self.form_id
        if not self.inside:
            return
        name = found.get("name", "")
        if tag == "input" and name and found.get("type") not in {"checkbox", "file", "submit"}:
            self.values[name] = found.get("value", "")
        elif tag == "select":
            self.select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self.select is not None:
            if "selected" in found or self.select not in self.values:
                self.values[self.select] = found.get("value", "")
        elif tag == "textarea":
            self.textarea = name
            self.values[name] = ""

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.values[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def form_of(html: str, form_id: str = "wizard") -> dict[str, str]:
    parser = _Form(form_id)
    parser.feed(html)
    return parser.values


def send(client: TestClient, page: str, go: str, url: str = "/shipments/new", **fields: str):
    """Submit the page's wizard form as a browser would, with ``fields`` typed in."""
    data = {**form_of(page), **fields, "go": go}
    return client.post(url, data=data, follow_redirects=False)


def draft_of(page: str) -> dict:
    found = re.search(r'name="draft" value="([^"]*)"', page)
    assert found is not None
    return wizard_draft.decode(unescape(found.group(1)))


def upload(client: TestClient, page: str, name: str, data: bytes, url: str = "/shipments/new"):
    hidden = {key: form_of(page)[key] for key in ("csrf_token", "draft")}
    return client.post(
        url,
        data={**hidden, "step": "goods", "go": "goods"},
        files={"goods_file": (name, data, "application/octet-stream")},
    )


def shipments_of(client: TestClient) -> list[dict]:
    return client.get("/api/v1/shipments").json()["items"]


def enter_example(client: TestClient, **terms_extra: str) -> str:
    """Example 01 through the four steps, goods by upload; the created shipment's URL."""
    page = client.get("/shipments/new")
    assert page.status_code == 200
    assert 'id="f-parties-seller-name"' in page.text
    assert "Sonoran Precision Machining LLC" in page.text  # the reader's organisation
    parties = EXAMPLE["parties"]
    fields: dict[str, str] = {"parties.consignee_type": "O"}
    for role in ("seller", "buyer", "carrier", "us_customs_broker", "mx_customs_broker"):
        fields.update(party_fields(role, parties[role]))
    goods = send(client, page.text, "next", **fields)
    assert goods.status_code == 200, goods.text
    assert 'id="f-goods-0-hts"' in goods.text
    uploaded = upload(client, goods.text, "goods.xlsx", workbook(sheet_rows(EXAMPLE["goods"])))
    assert uploaded.status_code == 200, uploaded.text
    assert "14 goods lines read from goods.xlsx" in uploaded.text
    assert len(draft_of(uploaded.text)["goods"]) == 14
    transport = send(client, uploaded.text, "next")
    assert transport.status_code == 200, transport.text
    assert 'id="f-transport-crossing"' in transport.text
    terms = send(
        client,
        transport.text,
        "next",
        **{
            "transport.carrier_scac": "TFPN",
            "transport.crossing": "2604",
            "_wizard.planned_date": "2026-12-08",
            "_wizard.planned_time": "07:30",
        },
    )
    assert terms.status_code == 200, terms.text
    agreed = EXAMPLE["terms"]
    created = send(
        client,
        terms.text,
        "create",
        reference=EXAMPLE["reference"],
        direction="US-MX",
        usmca_reference="SPM-USMCA-2026-BL01",
        **{
            f"terms.{key}": agreed[key]
            for key in ("invoice_number", "invoice_date", "incoterm", "incoterm_place")
        },
        **{"terms.payment_terms": agreed["payment_terms"], "terms.related_parties": "no"},
        **terms_extra,
    )
    assert created.status_code == 303, created.text
    return created.headers["location"]


def test_example_01_entered_through_the_steps_with_an_xlsx_upload_is_stored_ready(owner):
    location = enter_example(owner)
    shipment_id = location.rsplit("/", 1)[-1]
    assert location == f"/shipments/{shipment_id}"
    readiness = owner.get(f"/api/v1/shipments/{shipment_id}/readiness").json()
    assert readiness["ready"] is True, [a for a in readiness["artifacts"] if not a["ready"]]
    record = owner.get(f"/api/v1/shipments/{shipment_id}").json()["record"]
    assert record["reference"] == "SPM-2026-1187"
    assert record["transport"]["crossing"]["aduana"] == "23"
    assert record["transport"]["planned_crossing"] == "2026-12-08T07:30:00-07:00"
    assert record["goods"][13]["usmca"]["certification_reference"] == "SPM-USMCA-2026-BL01"
    assert record["parties"]["buyer"]["tax_ids"][0]["value"] == "EIO090417K36"


CERTIFICATION = {
    "usmca_certification.certifier_role": "exporter",
    "_wizard.producer": "seller",
    "usmca_certification.signatory.name": "Dana Whitfield",
    "usmca_certification.signatory.title": "Owner",
    "usmca_certification.signatory.phone": "+1 602 555 0147",
    "usmca_certification.signatory.email": "dana@sonoran-precision.example",
    "usmca_certification.signed_on": "2026-11-20",
}


def test_a_certification_entered_in_the_wizard_is_written_and_required(owner):
    location = enter_example(owner, **CERTIFICATION)
    shipment_id = location.rsplit("/", 1)[-1]
    record = owner.get(f"/api/v1/shipments/{shipment_id}").json()["record"]
    certification = record["usmca_certification"]
    assert certification["certifier_role"] == "exporter"
    assert certification["reference"] == "SPM-USMCA-2026-BL01"
    assert certification["signatory"]["title"] == "Owner"
    assert record["parties"]["producers"] == [record["parties"]["seller"]]
    readiness = owner.get(f"/api/v1/shipments/{shipment_id}/readiness").json()
    status = {a["key"]: a for a in readiness["artifacts"]}["usmca_certification"]
    assert status["required"] is True
    assert status["ready"] is True, status
    edit = owner.get(f"/shipments/{shipment_id}/edit/terms")
    assert re.search(r'<option value="seller" selected>', edit.text), "the choice reads back"


def test_without_a_certifier_the_record_cites_the_certification_on_file(owner):
    location = enter_example(owner, **{**CERTIFICATION, "usmca_certification.certifier_role": ""})
    record = owner.get(f"/api/v1/shipments/{location.rsplit('/', 1)[-1]}").json()["record"]
    assert "usmca_certification" not in record
    assert record["parties"].get("producers", []) == []


def test_a_certification_without_its_producer_links_to_the_choice_on_the_terms_step(owner):
    location = enter_example(owner, **{**CERTIFICATION, "_wizard.producer": ""})
    overview = owner.get(location)
    link = f"{location}/edit/terms#f-parties-producers"
    assert f'href="{link}"' in overview.text
    terms = owner.get(link.split("#", maxsplit=1)[0])
    assert 'id="f-parties-producers"' in terms.text


def test_the_checklist_beside_each_step_shows_what_is_missing(owner):
    page = owner.get("/shipments/new")
    assert 'id="readiness"' in page.text
    assert "required documents are ready" in page.text
    # a readiness problem links to its input on its step
    assert 'formaction="/shipments/new?step=goods#f-goods"' in page.text


def test_the_checklist_fragment_follows_what_is_typed(owner):
    page = owner.get("/shipments/new")
    before = owner.post("/shipments/new/checklist", data=form_of(page.text))
    assert before.status_code == 200
    assert before.text.lstrip().startswith('<aside id="readiness"')
    fields = party_fields("buyer", EXAMPLE["parties"]["buyer"])
    after = owner.post("/shipments/new/checklist", data={**form_of(page.text), **fields})
    assert "f-parties-buyer" in before.text
    assert after.text != before.text


def test_an_upload_with_bad_rows_names_each_row_and_keeps_nothing(owner):
    page = owner.get("/shipments/new")
    goods = send(owner, page.text, "goods")
    rows = sheet_rows(EXAMPLE["goods"][:3])
    rows[1][SHEET_COLUMNS.index("hts")] = "7616.99"  # row 3: too short
    rows[2][SHEET_COLUMNS.index("quantity")] = "lots"  # row 4: not a number
    refused = upload(owner, goods.text, "goods.xlsx", workbook(rows))
    assert refused.status_code == 422
    assert "row 3" in refused.text
    assert "column hts" in refused.text
    assert "row 4" in refused.text
    assert "column quantity" in refused.text
    assert draft_of(refused.text).get("goods", []) == []
    assert shipments_of(owner) == []


def test_a_csv_upload_reads_the_lines(owner):
    page = owner.get("/shipments/new")
    goods = send(owner, page.text, "goods")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(SHEET_COLUMNS)
    writer.writerows(sheet_rows(EXAMPLE["goods"][:2]))
    read = upload(owner, goods.text, "goods.csv", buffer.getvalue().encode())
    assert read.status_code == 200, read.text
    lines = draft_of(read.text)["goods"]
    assert [line["hts"] for line in lines] == ["7616995190", "7616995190"]
    assert 'value="SPM-7616-0415"' in read.text  # shown in the lines' form, editable


def test_a_file_that_is_not_a_sheet_is_refused(owner):
    page = owner.get("/shipments/new")
    goods = send(owner, page.text, "goods")
    refused = upload(owner, goods.text, "goods.pdf", b"%PDF-1.7")
    assert refused.status_code == 422
    assert ".xlsx" in refused.text


def test_the_goods_templates_download_and_open(owner):
    workbook_file = owner.get("/shipments/new/goods-template.xlsx")
    assert workbook_file.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(workbook_file.content))
    header = [cell.value for cell in book["goods"][1]]
    assert {"hts", "fraccion", "quantity", "unit", "unit_price"} <= set(header)
    text = owner.get("/shipments/new/goods-template.csv")
    assert text.status_code == 200
    assert text.content.decode("utf-8-sig").startswith("line,part_number")
    # the template reads back through the upload
    page = send(owner, owner.get("/shipments/new").text, "goods")
    read = upload(owner, page.text, "cruce-goods.xlsx", workbook_file.content)
    assert read.status_code == 200
    assert len(draft_of(read.text)["goods"]) == 2


def test_lines_typed_in_the_form_are_kept_and_a_line_can_be_added(owner):
    page = send(owner, owner.get("/shipments/new").text, "goods")
    typed = send(
        owner,
        page.text,
        "add_line",
        **{
            "goods[0].description.en": "Bracket",
            "goods[0].quantity": "10",
            "goods[0].unit": "H87",
            "goods[0].unit_price.amount": "2.50",
        },
    )
    assert typed.status_code == 200
    assert 'id="f-goods-1-hts"' in typed.text
    line = draft_of(typed.text)["goods"][0]
    assert line["unit_price"] == {"amount": "2.50", "currency": "USD"}


def test_a_bad_value_keeps_the_reader_on_the_step_with_the_problem_beside_it(owner):
    page = send(owner, owner.get("/shipments/new").text, "goods")
    refused = send(
        owner,
        page.text,
        "next",
        **{
            "goods[0].description.en": "Bracket",
            "goods[0].quantity": "ten",
            "goods[0].unit": "H87",
            "goods[0].unit_price.amount": "2.50",
        },
    )
    assert refused.status_code == 422
    assert re.search(r'<a href="#f-goods-0-quantity">', refused.text)
    assert 'id="f-goods-0-quantity" name="goods[0].quantity" value="ten"' in refused.text


def test_spanish_readers_get_spanish_upload_errors(owner):
    page = owner.get("/shipments/new?lang=es")
    goods = send(owner, page.text, "goods")
    rows = sheet_rows(EXAMPLE["goods"][:1])
    rows[0][SHEET_COLUMNS.index("quantity")] = "muchos"
    refused = upload(owner, goods.text, "mercancias.xlsx", workbook(rows))
    assert refused.status_code == 422
    assert "fila 2" in refused.text
    assert "no es un número" in refused.text


def test_an_expired_form_stores_nothing(owner):
    page = owner.get("/shipments/new")
    data = {**form_of(page.text), "csrf_token": "forged", "go": "create"}
    refused = owner.post("/shipments/new", data=data)
    assert refused.status_code == 403
    assert shipments_of(owner) == []


def test_a_damaged_draft_is_a_clean_error_page(owner):
    page = owner.get("/shipments/new")
    data = {**form_of(page.text), "draft": "not-a-draft", "go": "next"}
    refused = owner.post("/shipments/new", data=data)
    assert refused.status_code == 400
    assert "<html" in refused.text
    assert "Traceback" not in refused.text


def test_the_wizard_needs_a_signed_in_reader(client):
    assert client.get("/shipments/new").status_code == 401


def test_a_missing_reference_is_shown_on_the_terms_step(owner):
    page = owner.get("/shipments/new?step=terms")
    refused = send(owner, page.text, "create")
    assert refused.status_code == 422
    assert '<a href="#f-reference">' in refused.text
    assert shipments_of(owner) == []


# ---------------------------------------------------------------- editing


def test_the_owner_edits_a_step_and_saves_a_new_version(owner, shipment_id):
    url = f"/shipments/{shipment_id}/edit/terms"
    page = owner.get(url)
    assert page.status_code == 200
    assert 'value="SPM-INV-26-1187"' in page.text
    saved = send(owner, page.text, "save", url, **{"terms.invoice_number": "SPM-INV-26-1190"})
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/shipments/{shipment_id}"
    stored = owner.get(f"/api/v1/shipments/{shipment_id}").json()
    assert stored["version"] == 2
    assert stored["record"]["terms"]["invoice_number"] == "SPM-INV-26-1190"
    # what the wizard does not show is kept
    assert stored["record"]["transport"]["driver"]["name"] == "José Luis Ochoa Valenzuela"
    assert stored["record"]["transport"]["planned_crossing"] == "2026-12-08T07:30:00-07:00"


def test_a_stale_edit_is_refused_and_nothing_is_lost(owner, shipment_id):
    url = f"/shipments/{shipment_id}/edit/terms"
    first = owner.get(url).text
    second = owner.get(url).text
    assert send(owner, first, "save", url).status_code == 303
    stale = send(owner, second, "save", url, **{"terms.invoice_number": "X-1"})
    assert stale.status_code == 412
    assert 'value="X-1"' in stale.text
    assert owner.get(f"/api/v1/shipments/{shipment_id}").json()["version"] == 2


@pytest.mark.parametrize("step", ["parties", "goods", "transport", "terms"])
def test_each_step_of_a_stored_shipment_is_prefilled(owner, shipment_id, step):
    page = owner.get(f"/shipments/{shipment_id}/edit/{step}")
    assert page.status_code == 200
    expected = {
        "parties": "EIO090417K36",
        "goods": "SPM-8480-0071",
        "transport": 'value="2604" selected',
        "terms": "SPM-INV-26-1187",
    }[step]
    assert expected in page.text


def test_another_organisation_cannot_edit(app, shipment_id):
    with TestClient(app) as other:
        sign_up(
            other,
            email="ops@other.example",
            organisation="Other Trading Co",
            tax_id="123456789",
        )
        url = f"/shipments/{shipment_id}/edit/parties"
        assert other.get(url).status_code == 404
        page = other.get("/shipments/new").text
        posted = send(other, page, "save", url, **{"parties.seller.name": "Mine now"})
        assert posted.status_code == 404
        assert "Sonoran" not in posted.text


def test_an_unknown_step_is_not_found(owner, shipment_id):
    assert owner.get(f"/shipments/{shipment_id}/edit/payment").status_code == 404


class TestPartners:
    def test_a_party_entered_before_is_offered_and_filled_in_on_request(self, owner, store_example):
        store_example()  # example 01: its buyer, carrier and brokers are now partners
        page = owner.get("/shipments/new")
        assert 'id="pick-buyer"' in page.text
        options = re.findall(r'<option value="([0-9a-f]{16})">([^<]+)</option>', page.text)
        labels = {unescape(label): key for key, label in options}
        buyer = next(key for label, key in labels.items() if label.startswith("Ensambles"))
        filled = send(owner, page.text, "pick:buyer", **{"partner.buyer": buyer})
        assert filled.status_code == 200
        assert "Filled in from your partner" in filled.text
        assert draft_of(filled.text)["parties"]["buyer"]["tax_ids"][0]["value"] == "EIO090417K36"
        assert 'value="Zapopan"' in filled.text

    def test_picking_nothing_is_named_and_keeps_what_was_typed(self, owner, store_example):
        store_example()
        page = owner.get("/shipments/new")
        typed = {"parties.buyer.name": "Typed by hand SA de CV", "partner.buyer": ""}
        refused = send(owner, page.text, "pick:buyer", **typed)
        assert refused.status_code == 422
        assert "Choose a partner in the list first" in refused.text
        assert draft_of(refused.text)["parties"]["buyer"]["name"] == "Typed by hand SA de CV"

    def test_another_organisations_parties_are_not_offered(self, app, store_example):
        store_example()
        with TestClient(app) as other:
            sign_up(other, **STRANGER)
            page = other.get("/shipments/new")
        assert 'id="pick-buyer"' not in page.text
        assert "Ensambles" not in page.text

    def test_a_new_organisation_without_shipments_is_offered_no_picker(self, owner):
        assert 'id="pick-buyer"' not in owner.get("/shipments/new").text
