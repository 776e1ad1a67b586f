from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.factories import shipment
from cruce.artifacts import _cross_check_compare as comparing
from cruce.artifacts import _cross_check_views as views
from cruce.artifacts import cross_check
from cruce.artifacts.cross_check import ARTIFACT, DocumentView, LineView, Outcome, compare
from cruce.ingest.loader import load_shipment
from cruce.model import Incoterm
from cruce.model.problems import Severity
from cruce.reference.units import UNIDAD_ADUANA_NAMES

pytestmark = pytest.mark.unit
EXAMPLES = Path(__file__).resolve().parents[3] / "src" / "cruce" / "examples"
NORTHBOUND = EXAMPLES / "02-guadalajara-to-phoenix" / "shipment.yaml"
SOUTHBOUND = EXAMPLES / "01-phoenix-to-guadalajara" / "shipment.yaml"
ONE = Decimal(1)


def us_doc(*lines: LineView, **facts) -> DocumentView:
    """An EEI-like view: whole dollars, whole units and kilograms."""
    facts.setdefault("value_step", ONE)
    facts.setdefault("quantity_step", ONE)
    facts.setdefault("weight_step", ONE)
    return DocumentView(key="eei", country="US", lines=lines, **facts)


def mx_doc(*lines: LineView, **facts) -> DocumentView:
    """A CFDI-like view: cents and three-decimal quantities."""
    return DocumentView(key="cfdi", country="MX", lines=lines, **facts)


def line(*numbers: int, **facts) -> LineView:
    return LineView(lines=tuple(numbers), **facts)


def topics(findings, topic):
    return [f for f in findings if f.topic == topic]


def problem_codes(findings):
    return [f.problem.code for f in findings if f.problem is not None]


@pytest.fixture(scope="module")
def record():
    return shipment()


class TestValues:
    def test_whole_dollars_against_cents_agree_within_the_rounding(self, record):
        findings = compare(
            record,
            [
                us_doc(line(0, value_usd=Decimal(7500))),
                mx_doc(line(0, value_usd=Decimal("7500.49"))),
            ],
        )
        (value,) = topics(findings, "value")
        assert value.outcome is Outcome.AGREE

    def test_a_difference_beyond_the_rounding_is_a_warning_on_the_line(self, record):
        findings = compare(
            record,
            [
                us_doc(line(0, value_usd=Decimal(7500))),
                mx_doc(line(0, value_usd=Decimal("7502.00"))),
            ],
        )
        (value,) = topics(findings, "value")
        assert value.outcome is Outcome.DIFFER
        assert value.problem.code == "cross_check.value.differ"
        assert value.problem.severity is Severity.WARNING
        assert value.problem.path == "goods[0].unit_price"
        assert "7,502.00" in value.problem.render("es")

    def test_lines_one_document_groups_are_compared_as_a_group(self, record):
        # the EEI states lines 1 and 2 together (one Schedule B number): their sum counts
        findings = compare(
            record,
            [
                us_doc(line(0, 1, value_usd=Decimal(300)), line(2, value_usd=Decimal(50))),
                mx_doc(
                    line(0, value_usd=Decimal("100.20")),
                    line(1, value_usd=Decimal("200.10")),
                    line(2, value_usd=Decimal("50.00")),
                ),
            ],
        )
        values = topics(findings, "value")
        assert [f.subject.render("en") for f in values] == ["Lines 1-2", "Line 3"]
        assert all(f.outcome is Outcome.AGREE for f in values)

    def test_a_difference_the_valuation_adds_is_explained_once_for_all_lines(self, record):
        findings = compare(
            record,
            [
                us_doc(
                    line(0, value_usd=Decimal(1037), adjustment_usd=Decimal(37)),
                    line(1, value_usd=Decimal(2074), adjustment_usd=Decimal(74)),
                ),
                mx_doc(line(0, value_usd=Decimal(1000)), line(1, value_usd=Decimal(2000))),
            ],
        )
        assert [f.outcome for f in topics(findings, "value")] == [Outcome.EXPLAINED] * 2
        report = cross_check.Report(tuple(findings), (), ())
        (note,) = report.problems
        assert note.code == "cross_check.value.valuation"
        assert note.severity is Severity.INFO
        assert note.render("en").startswith("Lines 1-2:")

    def test_a_difference_the_exchange_rates_explain_is_a_note(self):
        pesos = shipment(
            terms={
                "invoice_number": "F-1",
                "invoice_date": "2026-11-30",
                "currency": "MXN",
                "incoterm": "DAP",
            }
        )
        # 185,000 MXN at 18.50 (US side) and at 18.2145 (MX side)
        findings = compare(
            pesos,
            [
                us_doc(line(0, value_usd=Decimal(10000)), rate=Decimal("18.50")),
                mx_doc(line(0, value_usd=Decimal("10156.74")), rate=Decimal("18.2145")),
            ],
        )
        (value,) = topics(findings, "value")
        assert (value.outcome, value.reason) == (Outcome.EXPLAINED, "rate")
        (rate,) = topics(findings, "exchange_rate")
        assert rate.outcome is Outcome.EXPLAINED
        codes = [p.code for p in cross_check.Report(tuple(findings), (), ()).problems]
        assert codes == ["cross_check.value.exchange_rate"]

    def test_dollar_invoices_are_not_explained_by_exchange_rates(self, record):
        findings = compare(
            record,
            [
                us_doc(line(0, value_usd=Decimal(10000)), rate=Decimal("18.50")),
                mx_doc(line(0, value_usd=Decimal("10156.74")), rate=Decimal("18.2145")),
            ],
        )
        (value,) = topics(findings, "value")
        assert value.outcome is Outcome.DIFFER


class TestQuantities:
    def test_same_unit_quantities_agree_within_the_whole_unit_rounding(self, record):
        findings = compare(
            record,
            [
                us_doc(line(0, quantity=Decimal(96), unit="01", unit_text="KG")),
                mx_doc(line(0, quantity=Decimal("96.4"), unit="01", unit_text="KILO")),
            ],
        )
        (quantity,) = topics(findings, "quantity")
        assert quantity.outcome is Outcome.AGREE

    def test_same_unit_different_quantities_are_a_warning(self, record):
        findings = compare(
            record,
            [
                us_doc(line(0, quantity=Decimal(400), unit="06", unit_text="NO")),
                mx_doc(line(0, quantity=Decimal(40), unit="06", unit_text="PIEZA")),
            ],
        )
        (quantity,) = topics(findings, "quantity")
        assert quantity.problem.code == "cross_check.quantity.differ"
        assert quantity.problem.path == "goods[0].quantity"
        assert "PIEZA" in quantity.problem.render("en")

    def test_units_of_different_kinds_are_shown_not_compared(self, record):
        findings = compare(
            record,
            [
                us_doc(line(0, quantity=Decimal(96), unit="01", unit_text="KG")),
                mx_doc(line(0, quantity=Decimal(400), unit="06", unit_text="PIEZA")),
            ],
        )
        (quantity,) = topics(findings, "quantity")
        assert quantity.outcome is Outcome.NOT_COMPARABLE
        assert quantity.problem is None

    def test_every_aes_unit_maps_to_a_sat_unit_of_the_same_measure(self):
        assert set(cross_check.AES_TO_UNIDAD_ADUANA.values()) <= set(UNIDAD_ADUANA_NAMES)
        assert UNIDAD_ADUANA_NAMES[cross_check.AES_TO_UNIDAD_ADUANA["KG"]] == "KILO"
        assert UNIDAD_ADUANA_NAMES[cross_check.AES_TO_UNIDAD_ADUANA["NO"]] == "PIEZA"
        assert UNIDAD_ADUANA_NAMES[cross_check.AES_TO_UNIDAD_ADUANA["DOZ"]] == "DOCENAS"


class TestShipmentFacts:
    def test_gross_weights_agree_within_each_eei_groups_rounding(self, record):
        us = us_doc(line(0), line(1), gross_weight_kg=Decimal(155))
        findings = compare(record, [us, mx_doc(line(0), gross_weight_kg=Decimal("155.9"))])
        (weight,) = topics(findings, "weight")
        assert weight.outcome is Outcome.AGREE
        findings = compare(record, [us, mx_doc(line(0), gross_weight_kg=Decimal(170))])
        (weight,) = topics(findings, "weight")
        assert weight.problem.code == "cross_check.weight.differ"

    def test_different_incoterms_are_a_warning(self, record):
        findings = compare(record, [us_doc(incoterm="DAP"), mx_doc(incoterm="FCA")])
        (incoterm,) = topics(findings, "incoterm")
        assert incoterm.problem.code == "cross_check.incoterm.differ"
        assert incoterm.problem.path == "terms.incoterm"
        assert "EEI DAP" in incoterm.problem.render("en")

    def test_different_tax_numbers_of_the_us_party_are_a_warning(self, record):
        findings = compare(
            record, [us_doc(us_party_id="274418906"), mx_doc(us_party_id="274418960")]
        )
        assert problem_codes(findings) == ["cross_check.tax_id.differ"]

    def test_a_us_claim_against_a_cfdi_without_certificate_is_a_warning(self):
        record = load_shipment(NORTHBOUND)
        findings = compare(
            record,
            [us_doc(line(0, claimed=True), line(1, claimed=False)), mx_doc(certificate=False)],
        )
        assert problem_codes(findings) == ["cross_check.usmca.certificate_not_declared"]
        (usmca,) = topics(findings, "usmca")
        assert "lines 1" in usmca.problem.render("en")

    def test_a_claim_without_a_certification_in_the_record_is_a_warning(self, record):
        assert record.usmca_certification is None
        findings = compare(record, [us_doc(line(0, claimed=True)), mx_doc(certificate=True)])
        assert problem_codes(findings) == ["cross_check.usmca.no_certification"]

    def test_one_side_alone_is_not_compared(self, record):
        assert compare(record, [us_doc(line(0, value_usd=ONE), incoterm="DAP")]) == []


class TestExamples:
    def test_the_northbound_example_compares_the_entry_with_the_cfdi_and_agrees(self):
        record = load_shipment(NORTHBOUND)
        report = cross_check.report(record)
        assert {"ubl_invoice", "entry_summary", "cfdi"} <= set(report.compared)
        assert all(p.severity is Severity.INFO for p in report.problems)
        outcomes = {f.topic: f.outcome for f in report.findings if f.topic != "value"}
        assert outcomes["incoterm"] is Outcome.AGREE
        assert outcomes["tax_id"] is Outcome.AGREE
        assert outcomes["usmca"] is Outcome.AGREE
        assert outcomes["exchange_rate"] is Outcome.AGREE

    def test_the_southbound_example_compares_the_eei_with_the_pedimento_and_carta_porte(self):
        report = cross_check.report(load_shipment(SOUTHBOUND))
        assert {"eei", "pedimento", "carta_porte"} <= set(report.compared)
        weights = [f for f in report.findings if f.topic == "weight"]
        assert {f.mx.split(":")[0] for f in weights} == {"Pedimento", "Carta Porte"}
        assert all(f.outcome is Outcome.AGREE for f in weights)
        # the pedimento's dollars add the invoiced freight spread over the lines
        values = [f for f in report.findings if f.topic == "value"]
        assert values
        assert {f.outcome for f in values} == {Outcome.EXPLAINED}
        (usmca,) = [f for f in report.findings if f.topic == "usmca"]
        assert usmca.outcome is Outcome.AGREE  # the lines cite a certification held outside
        assert not [p for p in report.problems if p.severity is not Severity.INFO]

    def test_line_numbers_are_shortened_to_runs(self):
        assert comparing.line_numbers([0, 1, 2, 6, 8, 9]) == "1-3, 7, 9-10"

    def test_a_carta_porte_weight_that_differs_from_the_eei_is_flagged(self):
        record = load_shipment(SOUTHBOUND)
        heavier = [
            line.model_copy(update={"gross_weight_kg": line.gross_weight_kg * 2})
            if index == 0
            else line
            for index, line in enumerate(record.goods)
        ]
        changed = record.model_copy(update={"goods": heavier})
        read = [views.eei_view(record), views.carta_porte_view(changed)]
        codes = [p.code for p in cross_check.Report(tuple(compare(record, read)), (), ()).problems]
        assert "cross_check.weight.differ" in codes

    def test_a_changed_record_is_not_answered_from_the_last_report(self):
        record = load_shipment(NORTHBOUND)
        first = cross_check.report(record)
        changed = record.model_copy(
            update={"terms": record.terms.model_copy(update={"incoterm": Incoterm.DAP})}
        )
        assert cross_check.report(changed) is not first
        assert cross_check.report(changed) is cross_check.report(changed)

    @pytest.mark.parametrize("example", [NORTHBOUND, SOUTHBOUND])
    def test_the_report_renders_as_a_valid_bilingual_pdf(self, example):
        record = load_shipment(example)
        rendered = ARTIFACT.render(record)
        assert rendered.filename.endswith("-cross-check.pdf")
        assert ARTIFACT.validate(rendered.data) == []
        assert ARTIFACT.render(record).data == rendered.data

    def test_a_damaged_report_is_refused(self):
        rendered = ARTIFACT.render(load_shipment(NORTHBOUND))
        assert ARTIFACT.validate(rendered.data[: len(rendered.data) // 2]) != []

    def test_it_is_required_only_between_the_united_states_and_mexico(self, record):
        assert ARTIFACT.required(record).required
        canada = record.model_copy(update={"import_country": "CA"})
        assert not ARTIFACT.required(canada).required
        assert ARTIFACT.problems(canada) == []


class TestProperties:
    @settings(max_examples=80, deadline=None)
    @given(
        cents=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=12),
        cut=st.integers(min_value=1, max_value=12),
    )
    def test_regrouping_the_same_values_always_agrees(self, cents, cut):
        record = shipment()
        values = [Decimal(c) / 100 for c in cents]
        head = list(range(min(cut, len(values))))
        tail = list(range(len(head), len(values)))
        grouped = [line(*head, value_usd=sum(values[i] for i in head).quantize(ONE))]
        if tail:
            grouped.append(line(*tail, value_usd=sum(values[i] for i in tail).quantize(ONE)))
        apart = [line(i, value_usd=v) for i, v in enumerate(values)]
        findings = compare(record, [us_doc(*grouped), mx_doc(*apart)])
        assert {f.outcome for f in topics(findings, "value")} == {Outcome.AGREE}

    @settings(max_examples=80, deadline=None)
    @given(
        cents=st.lists(st.integers(min_value=100, max_value=10**9), min_size=2, max_size=8),
        which=st.integers(min_value=0, max_value=7),
        extra=st.integers(min_value=2, max_value=10**6),
    )
    def test_a_changed_line_is_flagged_and_only_that_line(self, cents, which, extra):
        record = shipment()
        values = [Decimal(c) / 100 for c in cents]
        which %= len(values)
        us = us_doc(*(line(i, value_usd=v.quantize(ONE)) for i, v in enumerate(values)))
        changed = [v + extra if i == which else v for i, v in enumerate(values)]
        mx = mx_doc(*(line(i, value_usd=v) for i, v in enumerate(changed)))
        differing = [f.lines or f.subject for f in topics(compare(record, [us, mx]), "value")]
        flagged = [
            f.subject.render("en")
            for f in topics(compare(record, [us, mx]), "value")
            if f.outcome is Outcome.DIFFER
        ]
        assert flagged == [f"Line {which + 1}"]
        assert len(differing) == len(values)
