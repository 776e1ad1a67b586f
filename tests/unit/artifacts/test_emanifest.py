from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from common.factories import buyer, seller, shipment
from cruce.artifacts.emanifest import ARTIFACT, SCHEMA, document
from cruce.ingest.loader import load_shipment
from cruce.reference.emanifest import deadline, parse
from cruce.reference.facts import FactDataError

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "src" / "cruce" / "examples" / "02-guadalajara-to-phoenix" / "shipment.yaml"


def _northbound(**transport):
    record = shipment(
        export_country="MX", import_country="US", parties={"seller": buyer(), "buyer": seller()}
    )
    if not transport:
        return record
    return record.model_copy(update={"transport": record.transport.model_copy(update=transport)})


class TestDeadline:
    def test_one_hour_before_arrival_or_30_minutes_for_fast(self):
        assert deadline(fast=False, on=date(2026, 3, 1)).minutes_before == 60
        assert deadline(fast=True, on=date(2026, 3, 1)).minutes_before == 30

    def test_the_trip_states_the_latest_transmission_time(self):
        trip = document(_northbound())["trip"]
        assert trip["estimated_arrival"] == "2026-12-03T09:00:00-07:00"
        assert trip["deadline"] == "2026-12-03T08:00:00-07:00"
        fast = document(_northbound(fast=True))["trip"]
        assert fast["deadline"] == "2026-12-03T08:30:00-07:00"

    @pytest.mark.parametrize(
        "row",
        ["lane: express\n    minutes_before: 60", "lane: fast\n    minutes_before: 0"],
    )
    def test_a_malformed_row_fails_the_load(self, row):
        text = f"deadlines:\n  - {row}\n    start: 2005-01-14\n    source: x\n"
        with pytest.raises(FactDataError):
            parse(text)


class TestArtifact:
    def test_a_truck_entering_the_us_needs_it_and_an_export_does_not(self):
        assert ARTIFACT.required(_northbound()).required is True
        assert ARTIFACT.required(shipment()).required is False

    def test_the_shipment_control_number_is_scac_and_pro(self):
        (sent,) = document(_northbound())["shipments"]
        assert sent["shipment_control_number"] == "SWFTPRO884201"
        assert sent["commodities"][0]["hazmat"] is False

    def test_missing_driver_and_pro_are_blockers_naming_their_fields(self):
        record = _northbound(driver=None, pro_number=None)
        paths = {p.path for p in ARTIFACT.problems(record)}
        assert {"transport.driver", "transport.pro_number"} <= paths

    def test_the_example_validates_against_the_schema(self):
        record = load_shipment(EXAMPLE)
        rendered = ARTIFACT.render(record)
        assert ARTIFACT.validate(rendered.data) == []
        jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(rendered.data))

    def test_a_broken_document_is_refused(self):
        broken = document(_northbound())
        del broken["trip"]["port_of_arrival"]
        assert ARTIFACT.validate(json.dumps(broken).encode())[0].code == "emanifest.schema.invalid"

    def test_the_published_schema_is_the_packages(self):
        published = json.loads((REPO / "schema" / "emanifest.schema.json").read_text("utf-8"))
        assert published == SCHEMA
