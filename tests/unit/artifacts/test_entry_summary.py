from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest

from common.factories import buyer, line, seller, shipment
from cruce.artifacts.entry_summary import ARTIFACT, SCHEMA, manufacturer_id
from cruce.ingest.loader import load_shipment
from cruce.model import Party

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "src" / "cruce" / "examples"


def _northbound(**changes):
    data = {
        "export_country": "MX",
        "import_country": "US",
        "parties": {"seller": buyer(), "buyer": seller()},
        "goods": [
            line(
                hts="8537.10.9170",
                origin_country="MX",
                quantity="1",
                unit_price="10000.00 USD",
                usmca={"claimed": True, "criterion": "B"},
            )
        ],
        **changes,
    }
    record = shipment(**data)
    if "transport" in changes:
        return record
    moved = record.transport.model_copy(update={"planned_crossing": _MARCH})
    return record.model_copy(update={"transport": moved})


_MARCH = datetime(2026, 3, 2, 10, tzinfo=timezone(timedelta(hours=-7)))


def _document(record) -> dict:
    return json.loads(ARTIFACT.render(record).data)


class TestRequired:
    def test_an_import_into_the_us_needs_it(self):
        assert ARTIFACT.required(_northbound()).required is True

    def test_an_export_from_the_us_does_not(self):
        assert ARTIFACT.required(shipment()).required is False


class TestDocument:
    def test_a_usmca_claim_carries_spi_s_and_no_duty(self):
        document = _document(_northbound())
        (entry,) = document["lines"]
        assert entry["spi"] == "S"
        assert entry["hts"] == "8537.10.9170"
        duty = next(c for c in entry["charges"] if c["description"] == "Duty (HTSUS)")
        assert duty["amount"] == "0.00"

    def test_the_entry_type_follows_the_informal_entry_limit(self):
        small = line(hts="8537.10.9170", origin_country="MX", quantity="1", unit_price="2500 USD")
        large = line(
            hts="8537.10.9170", origin_country="MX", quantity="1", unit_price="2500.01 USD"
        )
        assert _document(_northbound(goods=[small]))["header"]["entry_type"] == "11"
        assert _document(_northbound(goods=[large]))["header"]["entry_type"] == "01"

    def test_the_port_mode_and_importer_are_filled(self):
        header = _document(_northbound())["header"]
        assert header["port_code"] == "2604"
        assert header["mode_of_transport"] == "30"
        assert header["exporting_country"] == "MX"

    def test_each_bundled_northbound_example_validates_against_the_schema(self):
        record = load_shipment(EXAMPLES / "02-guadalajara-to-phoenix" / "shipment.yaml")
        rendered = ARTIFACT.render(record)
        assert ARTIFACT.validate(rendered.data) == []
        jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(rendered.data))

    def test_a_broken_document_is_refused(self):
        document = _document(_northbound())
        del document["header"]["port_code"]
        problems = ARTIFACT.validate(json.dumps(document).encode())
        assert problems
        assert problems[0].code == "entry_summary.schema.invalid"

    def test_the_published_schema_is_the_packages(self):
        published = json.loads((REPO / "schema" / "entry-summary.schema.json").read_text("utf-8"))
        assert published == SCHEMA


class TestProblems:
    def test_a_missing_port_is_a_blocker_at_its_field(self):
        base = _northbound()
        record = base.model_copy(
            update={"transport": base.transport.model_copy(update={"crossing": None})}
        )
        codes = {p.code: p.path for p in ARTIFACT.problems(record)}
        assert codes["entry_summary.port.missing"] == "transport.crossing"

    def test_an_undetermined_fee_is_left_to_the_broker_with_a_warning(self):
        base = _northbound()
        later = _MARCH.replace(year=2027)
        late = base.model_copy(
            update={"transport": base.transport.model_copy(update={"planned_crossing": later})}
        )
        codes = {p.code for p in ARTIFACT.problems(late)}
        assert "entry_summary.fee.undetermined" in codes


class TestManufacturerId:
    @pytest.mark.parametrize(
        ("name", "street", "number", "city", "country", "expected"),
        [
            # CBP's own worked pattern: country, 3+3 letters of the first two words,
            # the largest street number's first 4 digits, 3 letters of the city
            (
                "Electrónica Tapatía de Control, S.A. de C.V.",
                "Calle 18",
                "2590",
                "Guadalajara",
                "MX",
                "MXELETAP2590GUA",
            ),
            ("The Acme Widget Company", "123 Main Street", None, "Toronto", "CA", "CAACMWID123TOR"),
            ("Monterrey", "Av. Constitución 4100", None, "Monterrey", "MX", "MXMON4100MON"),
        ],
    )
    def test_the_mid_follows_cbps_rules(  # noqa: PLR0917 - one parameter per column
        self, name, street, number, city, country, expected
    ):
        party = Party.model_validate(
            {
                "name": name,
                "address": {
                    "street": street,
                    "exterior_number": number,
                    "locality": city,
                    "country": country,
                },
            }
        )
        assert manufacturer_id(party) == expected
