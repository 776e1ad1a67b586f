from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.factories import shipment
from cruce.artifacts.base import safe_filename
from cruce.artifacts.shipment_record import ARTIFACT, canonical_json, shipment_schema
from cruce.model import Shipment

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[3]


class TestShipmentRecord:
    def test_it_is_always_required(self):
        assert ARTIFACT.required(shipment()).required

    def test_the_render_is_canonical_json_that_validates(self):
        rendered = ARTIFACT.render(shipment())
        assert rendered.media_type == "application/json"
        assert rendered.filename == "SPM-2026-0412-record.json"
        assert ARTIFACT.validate(rendered.data) == []

    def test_the_render_round_trips_to_the_same_record(self):
        record = shipment()
        assert Shipment.model_validate_json(canonical_json(record)) == record

    def test_amounts_are_strings_not_floats(self):
        document = json.loads(canonical_json(shipment()))
        assert document["goods"][0]["unit_price"] == {"amount": "18.75", "currency": "USD"}

    def test_a_record_breaking_the_schema_is_a_blocker_naming_the_field(self):
        document = json.loads(canonical_json(shipment()))
        document["goods"][0]["quantity"] = "many"
        codes = [(p.code, p.path) for p in ARTIFACT.validate(json.dumps(document).encode())]
        assert codes == [("shipment_record.schema.invalid", "goods.0.quantity")]

    def test_valid_but_not_canonical_json_is_a_warning(self):
        document = json.loads(canonical_json(shipment()))
        problems = ARTIFACT.validate(json.dumps(document, indent=2).encode())
        assert [p.code for p in problems] == ["shipment_record.json.not_canonical"]

    @given(st.binary(max_size=500))
    def test_validate_never_raises_on_arbitrary_bytes(self, data):
        assert isinstance(ARTIFACT.validate(data), list)

    @pytest.mark.parametrize(
        ("reference", "expected"),
        [
            ("SPM/2026 #12", "SPM-2026-12-x"),
            ("../../etc", "etc-x"),
            ("", "shipment-x"),
            ("Envío ñ", "Env-o-x"),
        ],
    )
    def test_file_names_are_safe(self, reference, expected):
        assert safe_filename(reference, "-x") == expected


class TestPublishedSchema:
    def test_the_schema_in_the_repository_is_the_models(self):
        published = json.loads(
            (REPO / "schema" / "shipment.schema.json").read_text(encoding="utf-8")
        )
        assert published == shipment_schema(), "run `make schema`"
