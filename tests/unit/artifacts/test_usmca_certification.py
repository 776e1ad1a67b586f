"""The USMCA certification of origin: its evidence, its JSON and its PDF.

The worked shipment: a Mexican exporter ships printed circuits (HTS 8534.00.0020, rule
"a change to heading 8534 from any other heading") to a Phoenix importer, 400 at 20.00 USD.
One unit is made from a US bare board (originating) and Chinese copper foil of heading 7410,
which makes the change of heading: the good qualifies. With a Chinese bare board of heading
8534 worth 3.00 USD (15 % of the price, over the 10 % de minimis) it does not.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from common.factories import buyer, line, seller, shipment, shipment_data
from cruce.artifacts import _certification as cert
from cruce.artifacts.checklist import check, pack
from cruce.artifacts.origin_evidence import ARTIFACT as EVIDENCE
from cruce.artifacts.registry import get
from cruce.artifacts.usmca_certification import ARTIFACT as PDF
from cruce.artifacts.usmca_certification_json import ARTIFACT as JSON_DOC
from cruce.artifacts.usmca_certification_json import SCHEMA
from cruce.compliance.origin import determine
from cruce.model import BlanketPeriod, Severity, Shipment
from cruce.model.certification import add_years

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[3]
CROSSING = date(2026, 12, 3)  # the factory's planned crossing


def producer() -> dict[str, Any]:
    return {
        "name": "Circuitos Impresos de Occidente, S.A. de C.V.",
        "tax_ids": [{"scheme": "mx_rfc", "value": "CIO0907153T5"}],
        "address": {
            "street": "Av. Vallarta",
            "exterior_number": "6503",
            "locality": "Zapopan",
            "subdivision": "MX-JAL",
            "postal_code": "45010",
            "country": "MX",
        },
        "contact": {"name": "Ventas", "phone": "+52 33 3110 2200", "email": "ventas@cio.example"},
    }


def material(description: str, hs: str, country: str, value: str, originating: str, **more):
    return {
        "description": description,
        "hs_code": hs,
        "origin_country": country,
        "value": f"{value} USD",
        "originating": originating,
        **more,
    }


def circuit(board_country: str = "US", board_value: str = "3.00", **changes: Any):
    """One goods line of printed circuits; a Chinese bare board makes it fail the rule."""
    board = material(
        "bare board",
        "8534.00",
        board_country,
        board_value,
        "yes" if board_country == "US" else "no",
        supplier_certification="DMI-USMCA-2026-014" if board_country == "US" else None,
    )
    data = line(
        part_number="CIO-PCB-4L",
        description={"en": "Printed circuit, 4 layers", "es": "Circuito impreso, 4 capas"},
        hts="8534.00.0020",
        schedule_b=None,
        fraccion="85340004",  # multilayer printed circuits
        nico="02",
        origin_country="MX",
        unit_price="20.00 USD",
        usmca={"claimed": True, "criterion": "B"},
        materials=[
            {k: v for k, v in board.items() if v is not None},
            material("copper foil", "7410.21", "CN", "4.00", "no"),
        ],
        origin={"produced_in": "MX", "transaction_value": "20.00 USD"},
    )
    data.update(changes)
    return data


def certification(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "certifier_role": "exporter",
        "signatory": {
            "name": "Ing. Lucía Ramírez",
            "title": "Directora de Comercio Exterior",
            "phone": "+52 33 3812 4400",
            "email": "comex@example.mx",
        },
        "signed_on": "2026-11-01",
        "blanket_period": {"start": "2026-01-01", "end": "2026-12-31"},
        "reference": "MTA-TMEC-2026-01",
    }
    data.update(changes)
    return data


def northbound_data(goods=None, **changes: Any) -> dict[str, Any]:
    data = shipment_data(
        export_country="MX",
        import_country="US",
        parties={"seller": buyer(), "buyer": seller(), "producers": [producer()]},
        goods=goods if goods is not None else [circuit()],
        usmca_certification=certification(),
    )
    data.update(copy.deepcopy(changes))
    return data


def northbound(goods=None, **changes: Any) -> Shipment:
    return Shipment.model_validate(northbound_data(goods, **changes))


def with_certification(**changes: Any) -> Shipment:
    return northbound(usmca_certification=certification(**changes))


def codes(record: Shipment) -> dict[str, tuple[str, Severity]]:
    return {p.code: (p.path, p.severity) for p in PDF.problems(record)}


def document(record: Shipment) -> dict[str, Any]:
    return json.loads(JSON_DOC.render(record).data)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(record: Shipment) -> str:
    reader = PdfReader(io.BytesIO(PDF.render(record).data))
    return flat(" ".join(page.extract_text() for page in reader.pages))


class TestRegistry:
    def test_the_three_artifacts_are_found_in_order(self):
        assert get("origin_evidence") is EVIDENCE
        assert get("usmca_certification_json") is JSON_DOC
        assert get("usmca_certification") is PDF
        assert EVIDENCE.order < JSON_DOC.order < PDF.order
        assert (EVIDENCE.media_type, JSON_DOC.media_type, PDF.media_type) == (
            "application/json",
            "application/json",
            "application/pdf",
        )


class TestRequired:
    def test_a_claimed_line_into_the_us_needs_a_certification(self):
        requirement = PDF.required(northbound())
        assert requirement.required
        assert requirement.citation is not None
        assert "Annex 5-A" in requirement.citation
        assert "182.12" in requirement.citation
        assert JSON_DOC.required(northbound()).required

    def test_a_claimed_line_into_mexico_cites_the_t_mec(self):
        southbound = shipment(
            goods=[line(usmca={"claimed": True, "criterion": "B"})],
            usmca_certification=certification(),
        )
        requirement = PDF.required(southbound)
        assert requirement.required
        assert requirement.citation == "T-MEC art. 5.2 y Anexo 5-A"

    def test_no_claim_needs_none_and_says_so_with_the_waiver(self):
        requirement = PDF.required(shipment())
        assert not requirement.required
        assert "1,000 USD" in str(requirement.reason)
        assert requirement.citation == "USMCA Art. 5.2, Art. 5.5"
        assert not EVIDENCE.required(shipment()).required
        assert PDF.problems(shipment()) == []

    def test_an_importation_into_the_us_worth_up_to_2500_usd_is_waived(self):
        # 100 x 20.00 = 2,000.00 USD of originating goods <= 2,500 (19 CFR 182.14(a)(2))
        record = northbound(goods=[circuit(quantity="100")])
        requirement = PDF.required(record)
        assert not requirement.required
        assert (
            requirement.citation
            == "19 CFR 182.14(a)(2); CBP Dec. 21-10, 86 FR 35585 (2021-07-06); USMCA Art. 5.5"
        )
        assert "2,000.00 USD" in str(requirement.reason)
        assert EVIDENCE.required(record).required

    def test_an_importation_into_mexico_worth_up_to_1000_usd_is_waived(self):
        goods = [line(quantity="50", usmca={"claimed": True, "criterion": "B"})]  # 937.50 USD
        record = shipment(goods=goods, usmca_certification=certification(blanket_period=None))
        requirement = PDF.required(record)
        assert not requirement.required
        assert requirement.citation == "USMCA Art. 5.5"
        waiver = document(record)["low_value_waiver"]
        assert waiver["value"] == {"amount": "937.50", "currency": "USD"}
        assert waiver["limit"] == {"amount": "1000.00", "currency": "USD"}
        assert "no certification of origin is required" in waiver["note"]["en"].lower()
        over = shipment(
            goods=[line(quantity="54", usmca={"claimed": True, "criterion": "B"})],  # 1,012.50
            usmca_certification=certification(blanket_period=None),
        )
        assert PDF.required(over).required
        assert "low_value_waiver" not in document(over)

    def test_a_waived_certification_still_renders_with_the_note(self):
        record = northbound(goods=[circuit(quantity="100")])
        data = document(record)
        assert data["low_value_waiver"]["value"] == {"amount": "2000.00", "currency": "USD"}
        assert data["low_value_waiver"]["limit"] == {"amount": "2500.00", "currency": "USD"}
        assert set(data["low_value_waiver"]["note"]) == {"en", "es"}
        assert JSON_DOC.validate(JSON_DOC.render(record).data) == []
        assert "Low-value importation" in pdf_text(record)
        assert "low_value_waiver" not in document(northbound())

    def test_lines_citing_a_certification_held_elsewhere_need_none_from_cruce(self):
        goods = [circuit(usmca={"claimed": True, "certification_reference": "SUP-CERT-7"})]
        record = northbound(goods, usmca_certification=None)
        requirement = PDF.required(record)
        assert not requirement.required
        assert "SUP-CERT-7" in str(requirement.reason)
        assert "usmca_certification.certification.missing" not in codes(record)


class TestPublishedSchema:
    def test_the_schema_in_the_repository_is_the_packages(self):
        published = json.loads(
            (REPO / "schema" / "usmca-certification.schema.json").read_text(encoding="utf-8")
        )
        assert published == SCHEMA

    def test_the_schema_is_a_valid_2020_12_schema(self):
        jsonschema.Draft202012Validator.check_schema(SCHEMA)
        assert SCHEMA["$id"].startswith("https://cruce.dev/schema/")


class TestJsonDocument:
    def test_a_complete_certification_is_valid_against_the_schema(self):
        data = JSON_DOC.render(northbound()).data
        assert JSON_DOC.validate(data) == []
        jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(
            json.loads(data)
        )

    def test_the_file_is_canonical_json_named_for_the_reference(self):
        rendered = JSON_DOC.render(northbound())
        assert rendered.filename == "SPM-2026-0412-usmca-certification.json"
        assert rendered.media_type == "application/json"
        assert rendered.data == JSON_DOC.render(northbound()).data

    @pytest.mark.parametrize(
        ("breakage", "path"),
        [
            (lambda d: d.pop("signature"), ""),
            (lambda d: d["goods"]["items"][0].update(hs6="8534"), "goods.items.0.hs6"),
            (lambda d: d["certifier"].update(element=3), "certifier.element"),
            (lambda d: d["evidence"].update(sha256="not-a-hash"), "evidence.sha256"),
            (lambda d: d["exporter"].update(status="unknown", parties=[]), "exporter.status"),
        ],
    )
    def test_a_broken_document_is_rejected(self, breakage, path):
        data = document(northbound())
        breakage(data)
        problems = JSON_DOC.validate(json.dumps(data).encode())
        assert problems
        assert {p.code for p in problems} == {"usmca_certification_json.schema.invalid"}
        assert path in {p.path for p in problems}

    def test_bytes_that_are_not_json_are_rejected(self):
        problems = JSON_DOC.validate(b"{not json")
        assert [p.code for p in problems] == ["usmca_certification_json.json.malformed"]

    def test_valid_json_out_of_canonical_form_is_a_warning(self):
        data = json.dumps(document(northbound()), indent=2).encode()
        problems = JSON_DOC.validate(data)
        assert [(p.code, p.severity) for p in problems] == [
            ("usmca_certification_json.json.not_canonical", Severity.WARNING)
        ]


class TestNineElements:
    def test_each_element_carries_its_number_and_its_value(self):
        data = document(northbound())
        numbers = {
            key: data[key]["element"]
            for key in (
                "certification_by",
                "certifier",
                "exporter",
                "producer",
                "importer",
                "goods",
                "origin_criteria",
                "blanket_period",
                "signature",
            )
        }
        assert sorted(numbers.values()) == list(range(1, 10))
        assert data["certification_by"]["role"] == "exporter"
        certifier = data["certifier"]
        assert certifier["name"] == "Ing. Lucía Ramírez"
        assert certifier["title"] == "Directora de Comercio Exterior"
        assert certifier["organization"]["name"] == "Maquinados Tapatíos, S.A. de C.V."
        assert certifier["organization"]["address"]["country"] == "MX"
        assert certifier["phone"] == "+523338124400"
        assert certifier["email"] == "comex@example.mx"
        assert data["exporter"]["status"] == "same_as_certifier"
        assert data["producer"]["status"] == "named"
        assert data["producer"]["parties"][0]["name"] == producer()["name"]
        assert data["producer"]["parties"][0]["phone"] == "+523331102200"
        assert data["importer"]["status"] == "named"
        assert data["importer"]["parties"][0]["name"] == "Sonoran Precision Machining LLC"
        assert data["goods"]["items"] == [
            {
                "line": 1,
                "part_number": "CIO-PCB-4L",
                "description": {
                    "en": "Printed circuit, 4 layers",
                    "es": "Circuito impreso, 4 capas",
                },
                "hs6": "853400",
            }
        ]
        assert data["origin_criteria"]["items"] == [
            {"line": 1, "criterion": "B", "source": "certifier"}
        ]
        assert data["blanket_period"] == {
            "element": 8,
            "single_shipment": False,
            "start": "2026-01-01",
            "end": "2026-12-31",
        }
        signature = data["signature"]
        assert (signature["name"], signature["date"]) == ("Ing. Lucía Ramírez", "2026-11-01")
        assert signature["statement"]["en"] == cert.STATEMENT_EN
        assert signature["statement"]["es"] == cert.STATEMENT_ES
        assert "Annex 5-A" in signature["statement"]["citation"]["en"]
        assert data["reference"] == "MTA-TMEC-2026-01"

    def test_without_a_stated_criterion_the_engines_is_used(self):
        goods = [circuit(usmca={"claimed": True})]
        record = northbound(goods)
        found = determine(record.goods[0], CROSSING)
        assert found.qualifies is True
        assert document(record)["origin_criteria"]["items"] == [
            {"line": 1, "criterion": found.criterion.value, "source": "cruce"}
        ]

    def test_only_claimed_lines_are_certified(self):
        goods = [circuit(), circuit(part_number="OTHER", usmca={"claimed": False})]
        items = document(northbound(goods))["goods"]["items"]
        assert [item["line"] for item in items] == [1]

    def test_a_single_shipment_names_its_invoice(self):
        record = with_certification(blanket_period=None)
        assert document(record)["blanket_period"] == {
            "element": 8,
            "single_shipment": True,
            "invoice_number": "INV-2026-0412",
        }

    def test_a_certifying_producer_is_the_producer_and_may_not_know_the_exporter(self):
        data = northbound_data(usmca_certification=certification(certifier_role="producer"))
        del data["parties"]["seller"]
        record = Shipment.model_validate(data)
        found = document(record)
        assert found["certifier"]["organization"]["name"] == producer()["name"]
        assert found["producer"]["status"] == "same_as_certifier"
        assert found["exporter"] == {"element": 3, "status": "unknown", "parties": []}
        assert "usmca_certification.exporter.missing" not in codes(record)

    @pytest.mark.parametrize(
        ("disclosure", "status"), [("various", "various"), ("upon_request", "upon_request")]
    )
    def test_the_producer_may_be_various_or_upon_request(self, disclosure, status):
        record = with_certification(producer_disclosure=disclosure)
        assert document(record)["producer"] == {"element": 4, "status": status, "parties": []}
        assert JSON_DOC.validate(JSON_DOC.render(record).data) == []


class TestBlanketPeriod:
    def test_twelve_months_are_accepted(self):
        period = BlanketPeriod.model_validate({"start": "2026-01-01", "end": "2026-12-31"})
        assert period.covers(CROSSING)
        assert BlanketPeriod.latest_end(date(2026, 1, 31)) == date(2027, 1, 30)

    @pytest.mark.parametrize("end", ["2027-01-31", "2027-01-01"])
    def test_more_than_twelve_months_are_rejected(self, end):
        with pytest.raises(ValidationError) as excinfo:
            northbound(
                usmca_certification=certification(
                    blanket_period={"start": "2026-01-01", "end": end}
                )
            )
        (error,) = excinfo.value.errors()
        assert error["type"] == "blanket_period.too_long"
        assert error["loc"][:2] == ("usmca_certification", "blanket_period")
        assert "2026-12-31" in error["msg"]

    def test_an_end_before_the_start_is_rejected(self):
        with pytest.raises(ValidationError) as excinfo:
            BlanketPeriod.model_validate({"start": "2026-06-01", "end": "2026-05-31"})
        assert excinfo.value.errors()[0]["type"] == "blanket_period.reversed"

    def test_a_crossing_outside_the_period_is_a_blocker(self):
        record = with_certification(blanket_period={"start": "2026-01-01", "end": "2026-11-30"})
        assert codes(record)["usmca_certification.blanket_period.excludes_crossing"] == (
            "usmca_certification.blanket_period",
            Severity.BLOCKER,
        )


class TestValidityAndRecords:
    def test_it_is_valid_for_four_years_from_the_signature(self):
        data = document(northbound())
        assert data["validity"]["valid_from"] == "2026-11-01"
        assert data["validity"]["valid_until"] == "2030-11-01"

    def test_records_are_kept_five_years_from_the_last_day_the_certification_serves(self):
        # the blanket period ends after the signature and the crossing: counted from there
        assert document(northbound())["records"] == {
            "years": 5,
            "counted_from": "2026-12-31",
            "retain_until": "2031-12-31",
            "citation": "USMCA Art. 5.8; 19 CFR 182.15(a)",
        }
        single = document(with_certification(blanket_period=None))["records"]
        assert (single["counted_from"], single["retain_until"]) == ("2026-12-03", "2031-12-03")

    def test_the_29th_of_february_falls_back_to_the_28th(self):
        assert add_years(date(2028, 2, 29), 4) == date(2032, 2, 29)
        assert add_years(date(2028, 2, 29), 5) == date(2033, 2, 28)

    def test_an_expired_certification_is_a_blocker(self):
        record = with_certification(signed_on="2022-12-02", blanket_period=None)
        assert codes(record)["usmca_certification.expired"][1] is Severity.BLOCKER
        assert "usmca_certification.expired" not in codes(
            with_certification(signed_on="2022-12-03", blanket_period=None)
        )

    def test_a_signature_after_the_crossing_is_a_warning(self):
        record = with_certification(signed_on="2026-12-04")
        assert codes(record)["usmca_certification.signed_after_crossing"][1] is Severity.WARNING


class TestEvidence:
    def test_the_certificate_cites_the_sha256_of_the_evidence_bytes(self):
        record = northbound()
        evidence = EVIDENCE.render(record)
        digest = hashlib.sha256(evidence.data).hexdigest()
        assert document(record)["evidence"] == {
            "sha256": digest,
            "media_type": "application/json",
            "filename": evidence.filename,
        }
        assert digest in pdf_text(record)

    def test_a_changed_material_value_changes_the_hash(self):
        before = document(northbound())["evidence"]["sha256"]
        after = document(northbound(goods=[circuit(board_value="3.10")]))["evidence"]["sha256"]
        assert before != after

    def test_the_evidence_holds_the_bom_the_facts_and_the_decision(self):
        record = northbound()
        data = json.loads(EVIDENCE.render(record).data)
        assert data["determined_on"] == "2026-12-03"
        assert data["date_basis"] == "planned_crossing"
        (entry,) = data["lines"]
        board, foil = entry["materials"]
        assert board["value"] == {"amount": "3.00", "currency": "USD"}
        assert board["hs_code"] == "853400"
        assert board["origin_country"] == "US"
        assert board["originating"] == "yes"
        assert board["supplier_certification"] == "DMI-USMCA-2026-014"
        assert foil["originating"] == "no"
        facts = entry["origin_facts"]
        assert facts["produced_in"] == "MX"
        assert facts["transaction_value"] == {"amount": "20.00", "currency": "USD"}
        assert entry["result"] == determine(record.goods[0], CROSSING).as_dict()
        assert entry["classification"]["hs6"] == "853400"

    def test_the_evidence_is_canonical_and_valid(self):
        rendered = EVIDENCE.render(northbound())
        assert rendered.filename == "SPM-2026-0412-origin-evidence.json"
        assert EVIDENCE.validate(rendered.data) == []
        assert EVIDENCE.problems(northbound()) == []
        pretty = json.dumps(json.loads(rendered.data), indent=1).encode()
        assert [p.code for p in EVIDENCE.validate(pretty)] == ["origin_evidence.json.not_canonical"]
        assert [p.code for p in EVIDENCE.validate(b"[]")] == ["origin_evidence.schema.invalid"]

    def test_without_any_date_origin_is_decided_today_with_a_warning(self):
        data = northbound_data(usmca_certification=certification(signed_on=None))
        del data["transport"]["planned_crossing"]
        data["terms"]["invoice_date"] = None
        problems = EVIDENCE.problems(Shipment.model_validate(data))
        assert [(p.code, p.severity) for p in problems] == [
            ("origin_evidence.date.missing", Severity.WARNING)
        ]


class TestProblems:
    def test_a_complete_certification_has_no_blockers_and_packs(self):
        record = northbound()
        blockers = [p for p in PDF.problems(record) if p.severity is Severity.BLOCKER]
        assert blockers == []
        assert check(record).ready
        keys = {a.status.artifact.key for a in pack(record).artifacts}
        assert {"origin_evidence", "usmca_certification_json", "usmca_certification"} <= keys
        assert JSON_DOC.problems(record) == PDF.problems(record)

    def test_a_claimed_line_the_engine_fails_is_a_blocker_quoting_why(self):
        record = northbound(goods=[circuit(board_country="CN")])
        problems = [p for p in PDF.problems(record) if p.code.endswith("not_qualifying")]
        (problem,) = problems
        assert problem.code == "usmca_certification.origin.not_qualifying"
        assert problem.path == "goods[0].usmca.claimed"
        assert problem.severity is Severity.BLOCKER
        text = str(problem.message)
        assert text.startswith("Line 1: USMCA is claimed, but cruce finds: does not qualify")
        assert "bare board from" in text
        assert "does not change heading" in text
        assert set(problem.message.both()) == {"en", "es"}
        assert not check(record).ready

    def test_a_line_the_engine_cannot_decide_is_a_warning(self):
        record = northbound(goods=[circuit(materials=[])])
        assert codes(record)["usmca_certification.origin.not_determined"] == (
            "goods[0].usmca.claimed",
            Severity.WARNING,
        )

    def test_a_claimed_line_without_any_criterion_is_a_blocker(self):
        record = northbound(goods=[circuit(materials=[], usmca={"claimed": True})])
        assert codes(record)["usmca_certification.criterion.missing"] == (
            "goods[0].usmca.criterion",
            Severity.BLOCKER,
        )

    def test_a_claimed_line_without_hs_code_is_a_blocker(self):
        record = northbound(goods=[circuit(hts=None, fraccion=None, nico=None)])
        assert codes(record)["usmca_certification.hs_code.missing"] == (
            "goods[0].hts",
            Severity.BLOCKER,
        )

    def test_a_claim_without_a_certification_is_a_warning_and_nothing_to_write(self):
        record = northbound(usmca_certification=None)
        assert codes(record) == {
            "usmca_certification.certification.missing": ("usmca_certification", Severity.WARNING)
        }
        requirement = PDF.required(record)
        assert not requirement.required
        assert "no certification of origin for cruce to write" in str(requirement.reason)
        assert check(record).ready

    def test_a_failing_line_is_reported_even_without_a_certification(self):
        record = northbound(goods=[circuit(board_country="CN")], usmca_certification=None)
        found = codes(record)
        assert found["usmca_certification.origin.not_qualifying"][1] is Severity.BLOCKER
        assert "usmca_certification.criterion.differs" not in found

    def test_a_missing_signatory_and_date_are_blockers(self):
        found = codes(with_certification(signatory=None, signed_on=None))
        assert found["usmca_certification.signatory.missing"][1] is Severity.BLOCKER
        assert found["usmca_certification.signed_on.missing"][1] is Severity.BLOCKER
        # the phone and e-mail fall back to the certifier's own contact
        assert "usmca_certification.certifier.phone.missing" not in found

    def test_the_signatorys_title_phone_and_email_are_required(self):
        data = northbound_data(
            usmca_certification=certification(signatory={"name": "Lucía Ramírez"})
        )
        del data["parties"]["seller"]["contact"]
        found = codes(Shipment.model_validate(data))
        for code in ("signatory.title", "certifier.phone", "certifier.email"):
            assert found[f"usmca_certification.{code}.missing"][1] is Severity.BLOCKER

    def test_an_unnamed_producer_is_a_blocker_and_an_unknown_importer_a_warning(self):
        data = northbound_data()
        data["parties"] = {"seller": buyer()}
        found = codes(Shipment.model_validate(data))
        assert found["usmca_certification.producer.missing"][1] is Severity.BLOCKER
        assert found["usmca_certification.importer.missing"][1] is Severity.WARNING

    def test_a_certifying_importer_needs_the_exporter(self):
        data = northbound_data(usmca_certification=certification(certifier_role="importer"))
        del data["parties"]["seller"]
        found = codes(Shipment.model_validate(data))
        assert found["usmca_certification.exporter.missing"][1] is Severity.BLOCKER

    def test_a_named_party_without_phone_or_email_is_a_blocker(self):
        data = northbound_data()
        del data["parties"]["producers"][0]["contact"]
        found = codes(Shipment.model_validate(data))
        assert found["usmca_certification.producer.phone.missing"] == (
            "parties.producers[0].contact.phone",
            Severity.BLOCKER,
        )
        assert "usmca_certification.producer.email.missing" in found

    def test_several_producers_need_the_certifier_named(self):
        data = northbound_data(usmca_certification=certification(certifier_role="producer"))
        data["parties"]["producers"].append(seller())
        found = codes(Shipment.model_validate(data))
        assert found["usmca_certification.certifier.missing"][1] is Severity.BLOCKER


class TestPdf:
    def test_it_renders_a_valid_pdf_named_for_the_reference(self):
        rendered = PDF.render(northbound())
        assert rendered.filename == "SPM-2026-0412-usmca-certification.pdf"
        assert rendered.data.startswith(b"%PDF-")
        assert PDF.validate(rendered.data) == []
        assert rendered.data == PDF.render(northbound()).data

    def test_the_statement_is_printed_in_both_languages(self):
        text = pdf_text(northbound())
        assert flat(cert.STATEMENT_EN) in text
        assert flat(cert.STATEMENT_ES) in text

    def test_the_nine_elements_are_numbered_with_their_values(self):
        text = pdf_text(northbound())
        for number in range(1, 10):
            assert f"{number}. " in text
        for expected in (
            "Exporter / Exportador",
            "Ing. Lucía Ramírez",
            "Directora de Comercio Exterior",
            "Same as the certifier (2)",
            producer()["name"],
            "Sonoran Precision Machining LLC",
            "8534.00",
            "From / Desde 2026-01-01",
            "To / Hasta 2026-12-31",
            "2030-11-01",
            "2031-12-31",
        ):
            assert expected in text, expected

    def test_a_pdf_without_the_statement_fails_validation(self):
        other = get("commercial_invoice").render(northbound()).data
        assert [p.code for p in PDF.validate(other)] == ["usmca_certification.pdf.title_missing"]
        assert [p.code for p in PDF.validate(b"not a pdf")] == [
            "usmca_certification.pdf.unreadable"
        ]
