from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from cruce.model.money import Money
from cruce.reference import mx_fees
from cruce.reference.facts import NotCoveredError
from cruce.reference.mx_fees import contribution_code, dta, iva_rate, prevalidacion

CENTS = Decimal("0.01")


def pesos(value: Decimal) -> Decimal:
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


class TestDta:
    def test_definitive_import_pays_8_al_millar_of_the_customs_value(self):
        rule = dta(date(2026, 3, 1)).definitive
        assert rule.rate == Decimal("0.008")
        assert rule.lfd_fraccion == "I"
        assert pesos(Decimal("184000.00") * rule.rate) == Decimal("1472.00")

    def test_2024_fixed_fees_come_with_their_year(self):
        rules = dta(date(2024, 6, 1))
        fee = rules.fixed_fee("IV")
        assert fee is not None
        assert fee.fixed == Money.of("425", "MXN")
        assert fee.period.start == date(2024, 1, 1)
        assert fee.period.end == date(2024, 12, 31)

    def test_2026_fixed_fees_are_reported_as_not_determined(self):
        fee = dta(date(2026, 3, 1)).fixed_fee("IV")
        assert fee is not None
        assert not fee.determined
        assert fee.fixed is None

    def test_tlcan_originating_goods_were_exempt(self):
        rule = dta(date(2019, 6, 1)).originating("TLCAN")
        assert rule is not None
        assert rule.rate == Decimal(0)

    def test_tmec_treatment_is_a_row_that_says_it_is_not_determined(self):
        rules = dta(date(2026, 3, 1))
        assert rules.originating("TLCAN") is None
        tmec = rules.originating("T-MEC")
        assert tmec is not None
        assert not tmec.determined
        assert (tmec.rate, tmec.fixed) == (None, None)

    def test_dates_before_the_rows_are_not_covered(self):
        with pytest.raises(NotCoveredError):
            dta(date(2018, 12, 31))


class TestIva:
    def test_imports_pay_16_percent_on_value_plus_igi_plus_dta(self):
        iva = iva_rate(date(2026, 3, 1))
        customs_value = Decimal("184000.00")
        igi = pesos(customs_value * Decimal("0.05"))
        dta_amount = pesos(customs_value * Decimal("0.008"))
        base = customs_value + igi + dta_amount
        assert (igi, dta_amount, base) == (
            Decimal("9200.00"),
            Decimal("1472.00"),
            Decimal("194672.00"),
        )
        assert pesos(base * iva.rate) == Decimal("31147.52")

    def test_border_region_stimulus_does_not_apply_to_imports(self):
        assert iva_rate(date(2025, 3, 5)).border_stimulus_applies is False

    def test_dates_before_the_row_are_not_covered(self):
        with pytest.raises(NotCoveredError):
            iva_rate(date(2013, 12, 31))


class TestPrevalidacion:
    def test_2023_fee_per_pedimento(self):
        fee = prevalidacion(date(2023, 5, 1))
        assert fee is not None
        assert fee.amount == Money.of("310", "MXN")

    def test_2026_fee_is_not_determined_so_none(self):
        assert prevalidacion(date(2026, 3, 1)) is None
        assert "not verified" in mx_fees.prevalidacion_row(date(2026, 3, 1)).source.citation

    def test_dates_outside_the_rows_are_not_covered(self):
        with pytest.raises(NotCoveredError):
            prevalidacion(date(2017, 12, 31))


class TestContributionCodes:
    @pytest.mark.parametrize(
        ("name", "code"),
        [("DTA", "1"), ("IVA", "3"), ("IGI", "6"), ("PRV", "15"), ("IVA/PRV", "23"), ("cc", "2")],
    )
    def test_apendice_12_codes(self, name, code):
        assert contribution_code(name) == code

    def test_unknown_contribution_is_an_error(self):
        with pytest.raises(LookupError, match="known"):
            contribution_code("XYZ")

    def test_codes_match_the_anexo_22_transcription(self, shared_data):
        data = json.loads((shared_data / "mx_anexo22" / "41_apendice_12.json").read_text("utf-8"))
        listed = {
            row["Abreviación"].rstrip("."): row["Clave"]
            for row in next(iter(data.values()))["Contribuciones"]
        }
        assert listed["DTA"] == contribution_code("DTA")
        assert listed["IVA"] == contribution_code("IVA")
        assert listed["IGI/IGE"] == contribution_code("IGI")
        assert listed["PRV"] == contribution_code("PRV")
        assert listed["IVA/PRV"] == contribution_code("IVA/PRV")
        assert listed["C.C"] == contribution_code("CC")

    def test_rate_type_codes(self):
        assert mx_fees.rate_type_code("dta_per_thousand") == "7"
        assert mx_fees.rate_type_code("fixed") == "4"


class TestShippedRows:
    def test_every_shipped_row_has_source_and_period(self):
        rows = [*mx_fees.dta_rows(), *mx_fees.iva_rows(), *mx_fees.prevalidacion_rows()]
        assert rows
        for row in rows:
            assert row.source.citation.strip()
            assert row.period.start is not None
        assert mx_fees.contribution_codes_source().citation.strip()
        assert mx_fees.rate_types_source().citation.strip()

    def test_determined_dta_rows_carry_a_rate_or_an_amount(self):
        for row in mx_fees.dta_rows():
            assert row.determined == (row.rate is not None or row.fixed is not None)


class TestIvaOnExports:
    def test_a_definitive_export_of_goods_is_taxed_at_zero(self):
        row = mx_fees.iva_export_rate(date(2026, 3, 2))
        assert row.rate == 0
        assert "art. 29" in row.source.citation
