"""Helpers of the web app's tests: the owner's sign-up, a page's form token, example 01's
parties as the wizard's fields and its goods as the wizard's sheet."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import yaml

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "cruce" / "examples"
EXAMPLE: dict[str, Any] = yaml.safe_load(
    (EXAMPLES / "01-phoenix-to-guadalajara" / "shipment.yaml").read_text()
)
SHEET_COLUMNS = (
    "part_number",
    "description_en",
    "description_es",
    "hts",
    "schedule_b",
    "fraccion",
    "nico",
    "origin_country",
    "quantity",
    "unit",
    "unit_price",
    "currency",
    "net_weight_kg",
    "gross_weight_kg",
    "usmca_claimed",
    "origin_criterion",
    "eccn",
    "hazmat",
    "packages",
    "package_type",
)


OWNER = {
    "name": "Dana Whitfield",
    "email": "dana@sonoran-precision.example",
    "password": "a long passphrase for tests",
    "organisation": "Sonoran Precision Machining LLC",
    "tax_scheme": "us_ein",
    "tax_id": "862741953",
}
STRANGER = {
    "name": "Ana Lucía Ramírez",
    "email": "ana@tapatia.example",
    "organisation": "Distribuidora Tapatía",
    "tax_scheme": "mx_rfc",
    "tax_id": "DTA950101AB1",
}
"""An organisation that takes no part in the owner's shipments."""
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(html: str) -> str:
    """The form token a page carries."""
    found = _TOKEN.search(html)
    assert found is not None, "the page has no form token"
    return found.group(1)


def sign_up(client: TestClient, **changes: str) -> TestClient:
    """Sign up through the form (signed in after it)."""
    token = form_token(client.get("/sign-up").text)
    response = client.post(
        "/sign-up", data={**OWNER, **changes, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return client


# ---------------------------------------------------------------- the wizard's goods sheet
def sheet_rows(goods: list[dict]) -> list[list[object]]:
    rows = []
    for line in goods:
        amount, currency = line["unit_price"].split()
        values = {
            **line,
            "description_en": line["description"]["en"],
            "description_es": line["description"]["es"],
            "unit_price": amount,
            "currency": currency,
            "usmca_claimed": "yes" if line["usmca"]["claimed"] else "no",
            "origin_criterion": line["usmca"]["criterion"],
            "hazmat": "no",
        }
        rows.append([values.get(column) for column in SHEET_COLUMNS])
    return rows


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "goods"
    sheet.append(list(SHEET_COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def party_fields(role: str, party: dict) -> dict[str, str]:
    base = f"parties.{role}."
    fields = {base + "name": party["name"]}
    tax = party["tax_ids"][0]
    fields[base + "tax_ids[0].scheme"] = tax["scheme"]
    fields[base + "tax_ids[0].value"] = tax["value"]
    for key, value in party["address"].items():
        fields[f"{base}address.{key}"] = value
    for key, value in party.get("contact", {}).items():
        fields[f"{base}contact.{key}"] = value
    for key in ("patente", "filer_code", "regimen_fiscal"):
        if key in party:
            fields[base + key] = party[key]
    return fields
