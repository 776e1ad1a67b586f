from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cruce.reference.facts import FactDataError, NotCoveredError
from cruce.reference.us_fees import (
    fee_exemption,
    fee_exemptions,
    mpf_amount,
    mpf_formal,
    mpf_informal,
    parse_fees,
    tables,
    threshold,
    truck_arrival_fee,
)

FY2025 = date(2025, 3, 1)
FY2026 = date(2026, 3, 1)

SOURCE = "    source: {citation: 90 FR 34665}\n"
MPF = '  - rate: "0.003464"\n    minimum: "33.58"\n    maximum: "651.50"\n    start: 2025-10-01\n'
FEE = '  - code: "492"\n    description: truck\n    amount: "7.35"\n    start: 2025-10-01\n'
THRESHOLD = (
    '  - key: k\n    amount: "1"\n    currency: USD\n    description: d\n    start: 2025-10-01\n'
)
EXEMPTION = '  - key: e\n    fee_codes: ["499"]\n    description: d\n    start: 2020-07-01\n'


def document(mpf: str = MPF + SOURCE, fees: str = FEE + SOURCE) -> str:
    return (
        f"mpf_formal:\n{mpf}fees:\n{fees}"
        f"thresholds:\n{THRESHOLD}{SOURCE}exemptions:\n{EXEMPTION}{SOURCE}"
    )


class TestMpfFormal:
    @pytest.mark.parametrize(
        ("value", "on", "expected"),
        [
            # minimum: 5,000 x 0.3464 % = 17.32, raised to the minimum
            ("5000", FY2025, "32.71"),
            ("5000", FY2026, "33.58"),
            # in between: 100,000 x 0.3464 % = 346.40
            ("100000", FY2025, "346.40"),
            ("100000", FY2026, "346.40"),
            # 12,345.67 x 0.3464 % = 42.7654... -> 42.77 (half-up to the cent)
            ("12345.67", FY2026, "42.77"),
            # cap: 250,000 x 0.3464 % = 866.00, cut to the maximum
            ("250000", FY2025, "634.62"),
            ("250000", FY2026, "651.50"),
        ],
    )
    def test_mpf_is_0_3464_percent_within_the_fiscal_year_minimum_and_maximum(
        self, value, on, expected
    ):
        assert mpf_amount(Decimal(value), on) == Decimal(expected)

    def test_the_fiscal_year_changes_on_1_october(self):
        assert mpf_amount(Decimal(5000), date(2025, 9, 30)) == Decimal("32.71")
        assert mpf_amount(Decimal(5000), date(2025, 10, 1)) == Decimal("33.58")
        assert mpf_formal(date(2025, 9, 30)).maximum == Decimal("634.62")
        assert mpf_formal(date(2025, 10, 1)).maximum == Decimal("651.50")

    def test_fy2024_limits_apply_from_2023_10_01(self):
        row = mpf_formal(date(2023, 10, 1))
        assert (row.minimum, row.maximum) == (Decimal("31.67"), Decimal("614.35"))

    def test_fy2026_row_cites_cbp_dec_25_10(self):
        row = mpf_formal(FY2026)
        assert row.rate == Decimal("0.003464")
        assert "CBP Dec. 25-10" in row.source.citation
        assert "90 FR 34665" in row.source.citation

    def test_a_date_before_every_row_is_not_covered(self):
        with pytest.raises(NotCoveredError):
            mpf_amount(Decimal(5000), date(2023, 9, 30))

    @pytest.mark.parametrize("value", ["-1", "NaN", "Infinity"])
    def test_a_negative_or_non_finite_value_is_refused(self, value):
        with pytest.raises(ValueError, match="non-negative"):
            mpf_amount(Decimal(value), FY2026)


class TestFixedFees:
    @pytest.mark.parametrize(
        ("on", "informal", "truck"),
        [
            (date(2024, 1, 1), "2.53", "6.95"),
            (FY2025, "2.62", "7.20"),
            (FY2026, "2.69", "7.35"),
        ],
    )
    def test_informal_mpf_and_truck_arrival_fee_by_fiscal_year(self, on, informal, truck):
        assert mpf_informal(on).amount == Decimal(informal)
        assert mpf_informal(on).code == "311"
        assert truck_arrival_fee(on).amount == Decimal(truck)
        assert truck_arrival_fee(on).code == "492"

    def test_a_fee_after_the_last_fiscal_year_is_not_covered(self):
        with pytest.raises(NotCoveredError):
            truck_arrival_fee(date(2026, 10, 1))


class TestThresholds:
    def test_informal_entries_are_limited_to_2500_usd(self):
        row = threshold("informal_entry_limit", FY2026)
        assert (row.amount, row.currency) == (Decimal(2500), "USD")
        assert "143.21(a)" in row.source.citation

    def test_the_informal_limit_is_not_covered_before_it_was_raised_to_2500(self):
        with pytest.raises(NotCoveredError):
            threshold("informal_entry_limit", date(2013, 1, 6))

    def test_eei_is_required_above_2500_usd_per_schedule_b_number(self):
        row = threshold("eei_per_schedule_b", FY2026)
        assert row.amount == Decimal(2500)
        assert "30.37(a)" in row.source.citation

    def test_de_minimis_is_800_usd_until_its_suspension_on_2025_08_29(self):
        assert threshold("de_minimis", date(2025, 8, 28)).amount == Decimal(800)
        suspended = threshold("de_minimis", date(2025, 8, 29))
        assert suspended.amount == Decimal(0)
        assert "EO 14324" in suspended.source.citation

    def test_an_unknown_threshold_is_not_covered(self):
        with pytest.raises(NotCoveredError):
            threshold("no_such_threshold", FY2026)


class TestFeeExemptions:
    def test_usmca_originating_goods_pay_no_mpf(self):
        row = fee_exemption("mpf_usmca_originating", FY2026)
        assert set(row.fee_codes) == {"499", "311"}
        assert "58c(b)(10)" in row.source.citation

    def test_hmf_does_not_apply_to_truck_entries(self):
        row = fee_exemption("hmf_not_for_trucks", FY2026)
        assert row.fee_codes == ("501",)
        assert "24.24" in row.source.citation

    def test_both_exemptions_are_in_force_in_2026(self):
        assert {row.key for row in fee_exemptions(FY2026)} == {
            "mpf_usmca_originating",
            "hmf_not_for_trucks",
        }


class TestFeeData:
    def test_every_shipped_row_has_a_source_and_a_start_date(self):
        shipped = tables()
        rows = [*shipped.mpf_formal, *shipped.fees, *shipped.thresholds, *shipped.exemptions]
        assert rows
        for row in rows:
            assert row.source.citation.strip()
            assert isinstance(row.period.start, date)

    def test_a_minimal_document_loads(self):
        loaded = parse_fees(document())
        assert loaded.mpf_formal[0].maximum == Decimal("651.50")

    def test_a_row_without_source_is_refused(self):
        with pytest.raises(FactDataError, match="source"):
            parse_fees(document(mpf=MPF))

    def test_a_row_without_start_date_is_refused(self):
        with pytest.raises(FactDataError, match="start"):
            parse_fees(document(fees=FEE.replace("    start: 2025-10-01\n", "") + SOURCE))

    def test_overlapping_fiscal_years_are_refused(self):
        with pytest.raises(FactDataError, match="overlaps"):
            parse_fees(document(mpf=MPF + SOURCE + MPF + SOURCE))

    def test_a_minimum_above_the_maximum_is_refused(self):
        with pytest.raises(FactDataError, match="above maximum"):
            parse_fees(document(mpf=MPF.replace('"33.58"', '"700"') + SOURCE))

    def test_an_amount_that_is_not_a_decimal_is_refused(self):
        with pytest.raises(FactDataError, match="not a decimal"):
            parse_fees(document(fees=FEE.replace('"7.35"', '"seven"') + SOURCE))
