"""The dated general provisions of usmca_psr.yaml: de minimis and criterion D."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from cruce.reference.facts import FactDataError, NotCoveredError
from cruce.reference.usmca_rules import (
    CriterionD,
    Rvc,
    certification_validity,
    certification_waiver,
    criterion_d,
    de_minimis,
    record_retention,
)
from cruce.reference.usmca_rules import general as module

TODAY = date(2026, 1, 15)
BEFORE_USMCA = date(2020, 6, 30)


@pytest.fixture
def data_file(monkeypatch):
    """Serve ``text`` as the data file to the general provisions, caches cleared around."""

    def serve(text: str) -> None:
        monkeypatch.setattr(module, "package_text", lambda _name: text)
        module._criterion_d_rows.cache_clear()
        module._de_minimis_rows.cache_clear()
        module._waiver_rows.cache_clear()

    yield serve
    module._criterion_d_rows.cache_clear()
    module._de_minimis_rows.cache_clear()
    module._waiver_rows.cache_clear()


class TestDeMinimis:
    def test_the_share_is_ten_percent_from_the_agreement_on(self):
        row = de_minimis(TODAY)
        assert row.percent == Decimal(10)
        assert row.period.start == date(2020, 7, 1)
        assert "Art. 4.12(1)" in row.source.citation

    def test_there_is_no_share_before_the_agreement(self):
        with pytest.raises(NotCoveredError):
            de_minimis(BEFORE_USMCA)


class TestCriterionD:
    def test_the_value_content_is_60_by_transaction_value_or_50_by_net_cost(self):
        row = criterion_d(TODAY)
        assert isinstance(row, CriterionD)
        assert row.transaction_value == Decimal(60)
        assert row.net_cost == Decimal(50)
        assert row.rvc == Rvc(Decimal(60), Decimal(50))

    def test_the_row_is_in_force_from_1_july_2020_with_its_citation(self):
        row = criterion_d(TODAY)
        assert row.period.start == date(2020, 7, 1)
        assert row.period.end is None
        assert "Art. 4.2(d)" in row.source.citation
        assert "19 U.S.C. 4531(c)(1)(D)" in row.source.citation

    def test_there_is_no_criterion_d_before_the_agreement(self):
        with pytest.raises(NotCoveredError):
            criterion_d(BEFORE_USMCA)

    def test_the_row_is_frozen(self):
        row = criterion_d(TODAY)
        with pytest.raises(dataclasses.FrozenInstanceError):
            row.net_cost = Decimal(40)  # type: ignore[misc]


ROW = """
general:
  criterion_d:
    transaction_value: "%s"
    net_cost: "50"
    start: 2020-07-01
    source: {citation: "USMCA Art. 4.2(d)"}
"""


class TestReadingTheGeneralRows:
    def test_a_missing_row_fails_the_load(self, data_file):
        data_file("general: {}\nrules: []\n")
        with pytest.raises(FactDataError, match=r"general\.criterion_d is missing"):
            criterion_d(TODAY)

    @pytest.mark.parametrize("value", ["0", "101", "sixty", "NaN", ""])
    def test_a_threshold_that_is_not_a_percentage_fails_the_load(self, data_file, value):
        data_file(ROW % value)
        with pytest.raises(FactDataError, match="transaction_value"):
            criterion_d(TODAY)

    def test_a_row_without_a_source_fails_the_load(self, data_file):
        data_file((ROW % "60").replace('    source: {citation: "USMCA Art. 4.2(d)"}\n', ""))
        with pytest.raises(FactDataError, match="source"):
            criterion_d(TODAY)

    def test_a_decimal_threshold_stays_exact(self, data_file):
        data_file(ROW % "62.5")
        assert criterion_d(TODAY).transaction_value == Decimal("62.5")

    def test_a_list_of_dated_rows_gives_the_one_in_force(self, data_file):
        data_file(
            """
general:
  criterion_d:
    - {transaction_value: "60", net_cost: "50", start: 2020-07-01, end: 2025-12-31,
       source: "USMCA Art. 4.2(d)"}
    - {transaction_value: "65", net_cost: "55", start: 2026-01-01, source: "amended"}
"""
        )
        assert criterion_d(date(2025, 12, 31)).transaction_value == Decimal(60)
        assert criterion_d(TODAY).transaction_value == Decimal(65)
        assert criterion_d(TODAY).source.citation == "amended"

    def test_a_list_with_a_row_that_is_not_a_mapping_fails_the_load(self, data_file):
        data_file(
            """
general:
  criterion_d:
    - just text
    - {transaction_value: "60", net_cost: "50", start: 2020-07-01, source: "Art. 4.2(d)"}
"""
        )
        with pytest.raises(FactDataError, match=r"criterion_d\[0\] is missing or not a mapping"):
            criterion_d(TODAY)


class TestCertificationWaiver:
    def test_the_united_states_waives_up_to_2500_usd_of_originating_goods(self):
        row = certification_waiver("US", TODAY)
        assert row.amount == Decimal(2500)
        assert row.counts == "originating_goods"
        assert "19 CFR 182.14(a)(2)" in row.source.citation

    def test_mexico_applies_the_treaty_amount_on_the_importation(self):
        row = certification_waiver("MX", TODAY)
        assert row.amount == Decimal(1000)
        assert row.counts == "importation"
        assert row.source.citation == "USMCA Art. 5.5"

    def test_before_cbp_set_its_amount_the_treaty_amount_applies_in_the_us(self):
        assert certification_waiver("US", date(2021, 1, 4)).amount == Decimal(1000)

    def test_there_is_no_waiver_before_the_agreement(self):
        with pytest.raises(NotCoveredError):
            certification_waiver("MX", BEFORE_USMCA)

    @pytest.mark.parametrize(
        ("field", "value"), [("amount_usd", "-5"), ("counts", "shipment"), ("country", "USA")]
    )
    def test_a_malformed_row_fails_the_load(self, data_file, field, value):
        row = {"amount_usd": "1000", "counts": "importation", "country": "MX"}
        row[field] = value
        data_file(
            "general:\n  certification_waiver:\n"
            + "".join(f'    {key}: "{text}"\n' for key, text in row.items())
            + "    start: 2020-07-01\n    source: {citation: x}\n"
        )
        with pytest.raises(FactDataError, match=field):
            certification_waiver("MX", TODAY)


class TestCertificationPeriods:
    def test_a_certification_is_valid_four_years_and_its_records_kept_five(self):
        assert certification_validity(TODAY).years == 4
        assert "5.2" in certification_validity(TODAY).source.citation
        assert record_retention(TODAY).years == 5
        assert "5.8" in record_retention(TODAY).source.citation
