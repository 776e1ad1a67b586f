from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cruce.reference.facts import FactDataError, package_text
from cruce.reference.us_actions import (
    TariffAction,
    actions,
    applicable,
    parse_actions,
    usmca_exempt,
)

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "us_tariff_actions"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared/data is not here")

CONTROLLER = "8537.10.9170"  # boards and panels for electric control, other
ALUMINIUM_ARTICLE = "7616.99.5190"  # other articles of aluminum (ch. 76 derivative)
ALUMINIUM_FURNITURE = "9403.20.0050"  # metal furniture: aluminum derivative outside ch. 76
STEEL_PLATE = "7208.51.0030"  # universal mill plate: a steel article
POTASH = "3104.20.0010"  # potassium chloride
TOMATOES = "0702.00.2004"  # Roma tomatoes: on the s. 122 exempt list
CAR = "8703.23.0130"


def keys(found: list[TariffAction]) -> list[str]:
    return [action.key for action in found]


def by_key(found: list[TariffAction], key: str) -> TariffAction:
    return next(action for action in found if action.key == key)


def minimal_row(**changes: object) -> str:
    row: dict[str, object] = {
        "key": "x",
        "authority": "IEEPA",
        "heading": '"9903.01.01"',
        "description": "an action",
        "rate": '"0.25"',
        "basis": "value",
        "start": "2025-03-04",
        "source": "{citation: 90 FR 11429}",
    }
    row.update(changes)
    lines = [f"    {name}: {value}" for name, value in row.items() if value is not None]
    return "actions:\n  -\n" + "\n".join(lines) + "\n"


def no_files(name: str) -> str:
    raise AssertionError(f"unexpected scope file {name}")


class TestShippedTable:
    def test_every_row_has_a_source_and_a_start_date(self):
        for action in actions():
            assert action.source.citation.strip(), action.key
            assert isinstance(action.period.start, date), action.key
            if action.usmca_exemption is not None:
                assert action.usmca_exemption.source.citation.strip(), action.key

    def test_periods_of_rows_of_the_same_key_do_not_overlap(self):
        table = actions()
        for number, action in enumerate(table):
            for other in table[number + 1 :]:
                if other.key == action.key:
                    assert not action.period.overlaps(other.period), action.key

    def test_rates_are_fractions_and_headings_are_chapter_99(self):
        for action in actions():
            assert Decimal(0) < action.rate <= Decimal(1), action.key
            assert action.heading.startswith("9903."), action.key

    def test_not_with_names_keys_of_the_table(self):
        known = {action.key for action in actions()}
        for action in actions():
            assert set(action.not_with) <= known, action.key

    def test_usmca_exemptions_start_within_their_action(self):
        for action in actions():
            if action.usmca_exemption is not None:
                assert action.period.covers(action.usmca_exemption.period.start), action.key

    @needs_shared
    def test_scope_files_are_the_shared_yale_lists(self):
        def shared(name: str) -> list[dict[str, str]]:
            with (SHARED / name).open(encoding="utf-8") as handle:
                return list(csv.DictReader(handle))

        def shipped(name: str) -> set[str]:
            lines = package_text(name).splitlines()
            assert lines[0] == "hts_prefix"
            return set(lines[1:])

        carveouts = shared("yale_fentanyl_carveout_products.csv")
        potash = {r["hts8"] for r in carveouts if r["category"] == "potash_mx"}
        assert shipped("us_scope_ieepa_mx_potash.csv") == potash
        exempt = {r["hts8"] for r in shared("yale_s122_exempt_products.csv")}
        assert shipped("us_scope_s122_exempt.csv") == exempt
        annex = {r["hts_prefix"] for r in shared("yale_s232_annex_products.csv")}
        assert shipped("us_scope_s232_metals_annex_2026_04.csv") == annex
        derivatives = shared("yale_s232_derivative_products.csv")
        groups = {
            "us_scope_s232_steel_derivatives_2025_08.csv": ("9903.81.91", "2025-08-18"),
            "us_scope_s232_aluminium_derivatives_2020.csv": ("9903.85.04", ""),
            "us_scope_s232_aluminium_derivatives_ch76.csv": ("9903.85.07", ""),
            "us_scope_s232_aluminium_derivatives_2025_03.csv": ("9903.85.08", ""),
            "us_scope_s232_aluminium_derivatives_2025_08.csv": ("9903.85.08", "2025-08-18"),
        }
        for name, (heading, start) in groups.items():
            group = [
                r for r in derivatives if (r["ch99_code"], r["effective_date"]) == (heading, start)
            ]
            assert shipped(name) == {r["hts_prefix"] for r in group}, name
        assert sum(len(shipped(name)) for name in groups) == len(derivatives)


class TestLoader:
    def test_a_minimal_row_loads(self):
        (action,) = parse_actions(minimal_row(), no_files)
        assert action.rate == Decimal("0.25")
        assert action.includes == ()
        assert action.origins == frozenset()
        assert action.determinable is True

    def test_a_row_without_source_is_refused(self):
        with pytest.raises(FactDataError, match="source"):
            parse_actions(minimal_row(source=None), no_files)

    def test_a_row_with_an_empty_citation_is_refused(self):
        with pytest.raises(FactDataError, match="citation"):
            parse_actions(minimal_row(source='{citation: " "}'), no_files)

    def test_a_row_without_start_date_is_refused(self):
        with pytest.raises(FactDataError, match="start"):
            parse_actions(minimal_row(start=None), no_files)

    def test_a_row_ending_before_it_starts_is_refused(self):
        with pytest.raises(FactDataError, match="before it starts"):
            parse_actions(minimal_row(end="2025-03-01"), no_files)

    def test_an_unknown_field_is_refused(self):
        with pytest.raises(FactDataError, match="unknown fields"):
            parse_actions(minimal_row(rates='"0.25"'), no_files)

    def test_a_rate_given_as_a_percentage_is_refused(self):
        with pytest.raises(FactDataError, match="fraction"):
            parse_actions(minimal_row(rate='"25"'), no_files)

    def test_an_unknown_not_with_key_is_refused(self):
        with pytest.raises(FactDataError, match="unknown keys"):
            parse_actions(minimal_row(not_with="[nothing]"), no_files)

    def test_overlapping_rows_of_one_key_are_refused(self):
        first = minimal_row(end="2025-06-30")
        second = minimal_row(start="2025-06-30").removeprefix("actions:\n")
        with pytest.raises(FactDataError, match="overlap"):
            parse_actions(first + second, no_files)

    def test_scope_files_are_read_through_the_reader(self):
        read: list[str] = []

        def reader(name: str) -> str:
            read.append(name)
            return "hts_prefix\n31042000\n7601\n"

        (action,) = parse_actions(minimal_row(includes_files="[us_scope_test.csv]"), reader)
        assert read == ["us_scope_test.csv"]
        assert action.includes == ("31042000", "7601")
        assert action.covers_product("3104200010")
        assert not action.covers_product("3105200000")


class TestIeepaMexico:
    def test_ieepa_mexico_duty_applies_to_every_mexican_good_from_2025_03_04(self):
        (action,) = applicable(CONTROLLER, "MX", date(2025, 3, 5), usmca_claimed=True)
        assert (action.heading, action.rate) == ("9903.01.01", Decimal("0.25"))
        assert not usmca_exempt(action, date(2025, 3, 5))
        assert applicable(CONTROLLER, "MX", date(2025, 3, 3)) == []

    def test_ieepa_mexico_duty_does_not_apply_to_usmca_claimed_goods_after_2025_03_07(self):
        on = date(2025, 3, 8)
        (action,) = applicable(CONTROLLER, "MX", on, usmca_claimed=True)
        assert action.key == "ieepa_mx_fentanyl"
        assert usmca_exempt(action, on)
        assert action.usmca_exemption is not None
        assert action.usmca_exemption.heading == "9903.01.04"

    def test_ieepa_mexico_collection_ended_on_2026_02_24(self):
        assert keys(applicable(CONTROLLER, "MX", date(2026, 2, 23))) == ["ieepa_mx_fentanyl"]
        assert "ieepa_mx_fentanyl" not in keys(applicable(CONTROLLER, "MX", date(2026, 2, 24)))

    def test_ieepa_mexico_duty_does_not_reach_goods_of_other_origins(self):
        assert applicable(CONTROLLER, "US", date(2025, 5, 1)) == []
        assert applicable(CONTROLLER, "CN", date(2025, 5, 1)) == []

    def test_potash_pays_25_percent_until_2025_03_06_then_10_percent_under_9903_01_05(self):
        (early,) = applicable(POTASH, "MX", date(2025, 3, 5))
        assert (early.heading, early.rate) == ("9903.01.01", Decimal("0.25"))
        (later,) = applicable(POTASH, "MX", date(2025, 3, 8))
        assert (later.heading, later.rate) == ("9903.01.05", Decimal("0.10"))
        assert usmca_exempt(later, date(2025, 3, 8))


class TestSection122:
    def test_section_122_surcharge_applies_to_a_mexican_good_on_2026_03_01(self):
        (action,) = applicable(CONTROLLER, "MX", date(2026, 3, 1))
        assert (action.heading, action.rate, action.authority) == (
            "9903.03.01",
            Decimal("0.10"),
            "Section 122",
        )

    def test_usmca_claimed_goods_of_mexico_are_exempt_under_9903_03_08(self):
        (action,) = applicable(CONTROLLER, "MX", date(2026, 3, 1), usmca_claimed=True)
        assert usmca_exempt(action, date(2026, 3, 1))
        assert action.usmca_exemption is not None
        assert action.usmca_exemption.heading == "9903.03.08"

    def test_section_122_runs_150_days_from_2026_02_24_to_2026_07_23(self):
        action = by_key(applicable(CONTROLLER, "CN", date(2026, 2, 24)), "s122_surcharge")
        assert action.period.end is not None
        assert (action.period.end - action.period.start).days + 1 == 150
        assert applicable(CONTROLLER, "CN", date(2026, 7, 23)) == [action]
        assert applicable(CONTROLLER, "CN", date(2026, 7, 24)) == []

    def test_products_on_the_section_122_exempt_list_are_not_charged(self):
        assert applicable(TOMATOES, "MX", date(2026, 3, 1)) == []
        assert applicable(POTASH, "MX", date(2026, 3, 1)) == []

    def test_section_122_does_not_apply_to_goods_subject_to_section_232(self):
        for origin in ("MX", "CN"):
            found = applicable(STEEL_PLATE, origin, date(2026, 3, 1))
            assert keys(found) == ["s232_steel_articles"]

    def test_section_122_on_the_non_metal_value_of_derivatives_is_not_determined(self):
        found = applicable(ALUMINIUM_ARTICLE, "MX", date(2026, 3, 1))
        assert keys(found) == ["s122_on_s232_derivatives", "s232_aluminium_derivatives_ch76"]
        assert not by_key(found, "s122_on_s232_derivatives").determinable
        assert by_key(found, "s232_aluminium_derivatives_ch76").determinable


class TestSection301:
    def test_mexico_tier_adds_10_percent_under_9903_05_55_from_2026_07_24(self):
        assert keys(applicable(CONTROLLER, "MX", date(2026, 7, 23))) == ["s122_surcharge"]
        (action,) = applicable(CONTROLLER, "MX", date(2026, 8, 1))
        assert (action.heading, action.rate) == ("9903.05.55", Decimal("0.10"))

    def test_usmca_claimed_goods_are_exempt_under_9903_05_94(self):
        on = date(2026, 8, 1)
        (action,) = applicable(CONTROLLER, "MX", on, usmca_claimed=True)
        assert usmca_exempt(action, on)
        assert action.usmca_exemption is not None
        assert action.usmca_exemption.heading == "9903.05.94"

    def test_goods_with_an_unverified_exemption_are_not_determined(self):
        (action,) = applicable(TOMATOES, "MX", date(2026, 8, 1))
        assert action.key == "s301_forced_labor_mx_exempt_lists"
        assert not action.determinable


class TestSection232Metals:
    def test_claimed_mexican_aluminium_article_pays_232_on_full_value_from_2025_03_12(self):
        on = date(2025, 3, 13)
        found = applicable(ALUMINIUM_ARTICLE, "MX", on, usmca_claimed=True)
        assert keys(found) == ["ieepa_mx_fentanyl", "s232_aluminium_derivatives_ch76"]
        assert usmca_exempt(found[0], on)
        s232 = found[1]
        assert (s232.heading, s232.rate, s232.basis) == ("9903.85.07", Decimal("0.25"), "value")
        assert s232.usmca_exemption is None

    def test_ieepa_mexico_duty_displaces_steel_and_aluminium_232_when_not_claimed(self):
        # EO 14289: goods subject to the IEEPA Mexico duty are not subject to 232 metals.
        (action,) = applicable(ALUMINIUM_ARTICLE, "MX", date(2025, 3, 13))
        assert action.key == "ieepa_mx_fentanyl"

    def test_steel_articles_pay_25_then_50_percent_from_2025_06_04(self):
        (before,) = applicable(STEEL_PLATE, "CN", date(2025, 6, 3))
        (after,) = applicable(STEEL_PLATE, "CN", date(2025, 6, 4))
        assert (before.heading, before.rate) == ("9903.81.87", Decimal("0.25"))
        assert (after.heading, after.rate) == ("9903.81.87", Decimal("0.50"))

    def test_derivative_outside_chapter_76_pays_50_percent_on_its_aluminium_content(self):
        # A claimed Mexican aluminum-framed table worth 10,000 USD with 3,000 USD of aluminum.
        on = date(2025, 9, 1)
        found = applicable(ALUMINIUM_FURNITURE, "MX", on, usmca_claimed=True)
        s232 = by_key(found, "s232_aluminium_derivatives_content")
        assert (s232.heading, s232.basis) == ("9903.85.08", "metal_content")
        assert s232.rate * Decimal(3000) == Decimal(1500)

    def test_steel_and_aluminium_232_have_no_usmca_exemption(self):
        for action in actions():
            if action.authority == "Section 232":
                assert action.usmca_exemption is None, action.key

    def test_chapter_73_derivatives_without_a_shipped_list_are_not_determined(self):
        (action,) = applicable("7326.90.8688", "CN", date(2025, 7, 1))
        assert action.key == "s232_steel_derivatives_ch73"
        assert not action.determinable

    def test_the_2026_annex_regime_makes_metal_goods_not_determined_from_2026_04_06(self):
        before = applicable(ALUMINIUM_ARTICLE, "CN", date(2026, 4, 5))
        assert keys(before) == ["s122_on_s232_derivatives", "s232_aluminium_derivatives_ch76"]
        (after,) = applicable(ALUMINIUM_ARTICLE, "CN", date(2026, 4, 6))
        assert after.key == "s232_metals_2026_regime"
        assert not after.determinable

    def test_every_good_covered_before_2026_04_06_is_flagged_by_the_2026_regime(self):
        regime = next(a for a in actions() if a.key == "s232_metals_2026_regime")
        for action in actions():
            if action.authority == "Section 232" and action.key.startswith(
                ("s232_steel", "s232_aluminium", "s232_copper")
            ):
                for prefix in action.includes:
                    assert regime.covers_product(prefix.ljust(10, "0")), (action.key, prefix)


class TestOtherSection232:
    def test_passenger_vehicles_are_not_determined_because_usmca_relief_is_partial(self):
        (action,) = applicable(CAR, "MX", date(2025, 5, 1), usmca_claimed=True)
        assert (action.heading, action.determinable) == ("9903.94.01", False)

    def test_automobile_duty_displaces_the_ieepa_mexico_duty(self):
        assert keys(applicable(CAR, "MX", date(2025, 5, 1))) == ["s232_autos"]

    @pytest.mark.parametrize(
        ("code", "on", "heading"),
        [
            ("4407.11.0042", date(2025, 10, 14), "9903.76.01"),
            ("9401.61.4011", date(2025, 10, 14), "9903.76.02"),
            ("8702.10.3110", date(2025, 11, 1), "9903.74.02"),
            ("8471.50.0150", date(2026, 1, 15), "9903.79.01"),
        ],
    )
    def test_other_232_actions_start_on_their_dates_and_are_not_determined(self, code, on, heading):
        found = applicable(code, "CN", on)
        assert heading in [action.heading for action in found]
        assert all(not action.determinable for action in found if action.heading == heading)


class TestApplicable:
    @pytest.mark.parametrize(
        ("on", "claimed", "expected"),
        [
            (date(2025, 3, 5), False, [("9903.01.01", False)]),
            (date(2025, 3, 5), True, [("9903.01.01", False)]),
            (date(2025, 3, 8), False, [("9903.01.01", True)]),
            (date(2025, 3, 8), True, [("9903.01.01", True)]),
            (date(2026, 3, 1), False, [("9903.03.01", True)]),
            (date(2026, 3, 1), True, [("9903.03.01", True)]),
            (date(2026, 8, 1), False, [("9903.05.55", True)]),
            (date(2026, 8, 1), True, [("9903.05.55", True)]),
        ],
    )
    def test_the_same_mexican_controller_on_four_dates(self, on, claimed, expected):
        found = applicable(CONTROLLER, "MX", on, usmca_claimed=claimed)
        assert [(action.heading, usmca_exempt(action, on)) for action in found] == expected

    def test_codes_with_or_without_dots_give_the_same_answer(self):
        on = date(2025, 6, 4)
        assert applicable("7208510030", "mx", on) == applicable(STEEL_PLATE, "MX", on)

    @pytest.mark.parametrize("code", ["8537.10.91", "85371091700", "8537.10.917X", ""])
    def test_a_code_that_is_not_10_digits_is_refused(self, code):
        with pytest.raises(ValueError, match="10-digit"):
            applicable(code, "MX", date(2025, 6, 4))

    def test_an_origin_that_is_not_alpha_2_is_refused(self):
        with pytest.raises(ValueError, match="alpha-2"):
            applicable(CONTROLLER, "MEX", date(2025, 6, 4))

    @settings(max_examples=300, deadline=None)
    @given(
        code=st.text(alphabet="0123456789", min_size=10, max_size=10),
        origin=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
        on=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
        claimed=st.booleans(),
    )
    def test_applicable_never_raises_for_a_10_digit_code_an_origin_and_a_date(
        self, code, origin, on, claimed
    ):
        found = applicable(code, origin, on, usmca_claimed=claimed)
        assert all(action.period.covers(on) for action in found)
