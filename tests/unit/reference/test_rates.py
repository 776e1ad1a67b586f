from __future__ import annotations

import contextlib
import gzip
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cruce.model.goods import GoodsLine
from cruce.reference.rates import (
    MissingQuantityError,
    Rate,
    RateParseError,
    SpecificPart,
    apply_rate,
    hts_quantities,
    parse_rate,
)

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data"
REV_10 = SHARED / "usitc_hts" / "hts_2026_rev_10.json.gz"
needs_shared = pytest.mark.skipif(not REV_10.is_file(), reason="shared/data is not here")


def terms(rate: Rate) -> tuple[object, ...]:
    """What a rate means, without the text it was read from."""
    parts = tuple((p.amount, p.per, p.unit, p.qualifier) for p in rate.specific)
    return (rate.free, rate.ad_valorem, parts)


def goods(unit: str = "H87", quantity: str = "10", **changes: object) -> GoodsLine:
    data: dict[str, object] = {
        "description": "Test goods",
        "quantity": quantity,
        "unit": unit,
        "unit_price": "1.00 USD",
    }
    data.update(changes)
    return GoodsLine.model_validate(data)


class TestParseRate:
    def test_free_is_free(self):
        rate = parse_rate("Free")
        assert (rate.free, rate.kind, rate.ad_valorem, rate.specific) == (True, "free", None, ())

    def test_ad_valorem_is_a_fraction_of_the_value(self):
        rate = parse_rate("2.5%")
        assert rate.ad_valorem == Decimal("0.025")
        assert rate.kind == "ad_valorem"

    def test_cents_per_kilogram_are_dollars_per_kilogram(self):
        rate = parse_rate("1.3¢/kg")
        assert rate.specific == (SpecificPart(Decimal("0.013"), Decimal(1), "kg", "1.3¢/kg"),)
        assert rate.kind == "specific"

    def test_dollars_per_dozen(self):
        (part,) = parse_rate("$1.02/doz.").specific
        assert (part.amount, part.per, part.unit) == (Decimal("1.02"), Decimal(1), "doz")

    def test_compound_rate_has_a_specific_and_an_ad_valorem_part(self):
        rate = parse_rate("2.2¢/kg + 5%")
        assert rate.kind == "compound"
        assert rate.ad_valorem == Decimal("0.05")
        assert rate.specific[0].amount == Decimal("0.022")

    def test_compound_rate_without_spaces_reads_the_same(self):
        assert terms(parse_rate("25¢/kg+3.5%")) == terms(parse_rate("25¢/kg + 3.5%"))

    def test_amounts_stay_exact_decimals(self):
        rate = parse_rate("3.6606¢/kg + 0.1%")
        assert rate.specific[0].amount == Decimal("0.036606")
        assert str(rate.ad_valorem) == "0.001"

    @pytest.mark.parametrize(
        ("text", "unit", "per"),
        [
            ("4.8¢ each", "No.", 1),
            ("$1.15/1,000 + 40%", "No.", 1000),
            ("$2/1000", "No.", 1000),
            ("$2.50/thou- sand + 40%", "No.", 1000),
            ("90¢/pr. + 37.5%", "pair", 1),
            ("0.34¢/liter", "liter", 1),
            ("31.4¢/pf. liter", "pf. liter", 1),
            ("18.9¢/pf.liter", "pf. liter", 1),
            ("$1.13/m3", "m3", 1),
            ("14.5¢/m2 + 0.4%", "m2", 1),
            ("9.5¢/lin. m", "m", 1),
            ("$20.70/t", "t", 1),
            ("0.5¢/g", "g", 1),
            ("5¢/gross + 3%", "gross", 1),
            ("$1.68/bbl", "bbl", 1),
            ("$3/head", "No.", 1),
        ],
    )
    def test_units_of_the_official_texts_are_named(self, text, unit, per):
        part = parse_rate(text).specific[0]
        assert (part.unit, part.per) == (unit, Decimal(per))

    def test_drained_weight_is_a_qualified_kilogram(self):
        (part,) = parse_rate("3.9¢/kg on drained weight").specific
        assert (part.unit, part.qualifier, part.measure) == (
            "kg",
            "drained weight",
            "kg (drained weight)",
        )

    @pytest.mark.parametrize(
        ("text", "qualifier"),
        [
            ("1.5¢/kg on lead content", "lead content"),
            ("$40/kg of anhydrous morphine content", "anhydrous morphine content"),
            ("35.74¢/kg of total sugars + 5.1%", "total sugars"),
            ("15.4¢/clean kg", "clean"),
            ("$1.32/t, including weight of container", "contents and container"),
            ("2.1¢/kg on entire contents of container", "contents and container"),
            ("86.1¢/m2of recording surface", "recording surface"),
        ],
    )
    def test_a_measure_other_than_the_goods_is_kept_as_a_qualifier(self, text, qualifier):
        assert parse_rate(text).specific[0].qualifier == qualifier

    def test_several_specific_parts_are_kept_in_order(self):
        rate = parse_rate("4.4¢/liter + 31.4¢/pf. liter")
        assert [p.unit for p in rate.specific] == ["liter", "pf. liter"]
        assert rate.kind == "specific"

    def test_html_entities_tags_and_footnote_markers_are_cleaned(self):
        assert parse_rate("Free 1/").free
        assert parse_rate("<i>2.5</i>&#37;").ad_valorem == Decimal("0.025")
        assert parse_rate("5.1&nbsp;%").ad_valorem == Decimal("0.051")

    def test_text_is_kept_as_printed(self):
        assert parse_rate("  2.2¢/kg +\n5% ").text == "2.2¢/kg + 5%"

    @pytest.mark.parametrize(
        "text",
        [
            "The rate applicable to the article of which it is a part or accessory",
            "The duty provided in the applicable subheading + 25%",
            "A duty upon the value of the repairs or alterations (see U.S. note 3)",
            "See additional U.S. note 4",
            "No change",
        ],
    )
    def test_a_reference_to_another_provision_is_refused(self, text):
        with pytest.raises(RateParseError) as raised:
            parse_rate(text)
        assert "another provision" in str(raised.value.reason)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            " \n",
            "Free, under bond",
            "40¢ each + 6% on the case",
            "3 percent of the fair retail value",
            "33 1/3%",
            "5% + 3%",
            "2.2¢/furlong",
            "1.5¢/jewel over 7",
            "3.6606¢/kg less 0.020668¢/kg for each degree under 100 degrees",
            "2.2¢/kg +",
        ],
    )
    def test_anything_not_understood_is_refused_never_guessed(self, text):
        with pytest.raises(RateParseError):
            parse_rate(text)

    def test_the_error_names_the_text_and_the_reason(self):
        with pytest.raises(RateParseError) as raised:
            parse_rate("40¢ each + 6% on the case")
        assert raised.value.text == "40¢ each + 6% on the case"
        assert "6% on the case" in raised.value.reason.render("en")

    @given(st.text(max_size=80))
    def test_arbitrary_text_raises_nothing_but_a_rate_parse_error(self, text):
        with contextlib.suppress(RateParseError):
            parse_rate(text)

    @given(
        st.text(alphabet="0123456789$¢/.,+%kgdozeachprlitm ", max_size=40),
    )
    def test_rate_like_noise_raises_nothing_but_a_rate_parse_error(self, text):
        with contextlib.suppress(RateParseError):
            parse_rate(text)

    @given(
        amount=st.decimals(min_value=0, max_value=999, places=3),
        percent=st.decimals(min_value=0, max_value=100, places=2),
        unit=st.sampled_from(["kg", "liter", "doz.", "pr.", "m2", "t", "gross"]),
        dollars=st.booleans(),
        spaces=st.lists(st.sampled_from(["", " ", "  ", "\n"]), min_size=6, max_size=6),
    )
    def test_spacing_does_not_change_a_valid_rate(self, amount, percent, unit, dollars, spaces):
        money = (f"${amount}", "") if dollars else (f"{amount}", "¢")
        tight = f"{money[0]}{money[1]}/{unit}+{percent}%"
        a, b, c, d, e, f = spaces
        loose = f"{a}{money[0]}{b}{money[1]}{c}/{d}{unit}{e}+{f}{percent}%"
        assert terms(parse_rate(loose)) == terms(parse_rate(tight))
        scale = 0 if dollars else -2
        assert parse_rate(tight).specific[0].amount == amount.scaleb(scale)


@needs_shared
class TestOfficialTexts:
    def test_every_plain_general_rate_of_revision_10_is_read(self):
        rows = json.loads(gzip.decompress(REV_10.read_bytes()))
        texts = Counter(row["general"].strip() for row in rows if row["general"].strip())
        unread = []
        for text in texts:
            try:
                parse_rate(text)
            except RateParseError as error:
                unread.append((text, error.reason.msgid))
        plain = [text for text, reason in unread if "not a rate of duty" in reason]
        # Only conditional texts ("Free, under bond ...", "0.2¢ for each other piece ... but
        # if ...") are left without a more specific reason.
        assert all("," in text for text in plain), plain
        assert len(texts) - len(unread) >= 665  # of 830 distinct general texts


class TestApplyRate:
    def test_compound_rate_adds_the_specific_and_the_ad_valorem_parts(self):
        # 2.2¢/kg x 150 kg = 3.30; 5% of 1,000.00 = 50.00; 53.30 in all.
        duty = apply_rate(parse_rate("2.2¢/kg + 5%"), Decimal("1000.00"), {"kg": Decimal(150)})
        assert duty == Decimal("53.30")

    def test_ad_valorem_rate_is_a_share_of_the_value(self):
        assert apply_rate(parse_rate("2.5%"), Decimal("1234.00"), {}) == Decimal("30.85")

    def test_free_rate_charges_nothing(self):
        assert apply_rate(parse_rate("Free"), Decimal(500), {}) == 0

    def test_per_dozen_rate_counts_dozens(self):
        # $1.02/doz. on 36 pieces = 3 dozen = 3.06
        quantities = hts_quantities(goods("H87", "36"))
        assert apply_rate(parse_rate("$1.02/doz."), Decimal(100), quantities) == Decimal("3.06")

    def test_per_thousand_rate_divides_the_count(self):
        # $1.15/1,000 + 40% on 5,000 pieces worth 10.00: 5.75 + 4.00 = 9.75
        rate = parse_rate("$1.15/1,000 + 40%")
        assert apply_rate(rate, Decimal("10.00"), {"No.": Decimal(5000)}) == Decimal("9.75")

    def test_missing_quantity_raises_naming_the_unit(self):
        with pytest.raises(MissingQuantityError) as raised:
            apply_rate(parse_rate("1.3¢/kg"), Decimal(100), {"No.": Decimal(3)})
        assert raised.value.unit == "kg"
        assert "kg" in raised.value.message.render("es")

    def test_drained_weight_is_never_taken_from_the_net_weight(self):
        rate = parse_rate("5.7¢/kg on drained weight + 8%")
        with pytest.raises(MissingQuantityError) as raised:
            apply_rate(rate, Decimal(100), {"kg": Decimal(50)})
        assert raised.value.unit == "kg (drained weight)"
        given_drained = {"kg (drained weight)": Decimal(40)}
        assert apply_rate(rate, Decimal(100), given_drained) == Decimal("10.28")

    def test_negative_value_is_refused(self):
        with pytest.raises(ValueError, match="negative"):
            apply_rate(parse_rate("5%"), Decimal(-1), {})

    def test_negative_quantity_is_refused(self):
        with pytest.raises(ValueError, match="negative"):
            apply_rate(parse_rate("1¢/kg"), Decimal(1), {"kg": Decimal(-1)})


class TestHtsQuantities:
    def test_kilograms_come_from_the_net_weight_not_the_gross(self):
        quantities = hts_quantities(goods("H87", "10", net_weight_kg="150", gross_weight_kg="175"))
        assert quantities["kg"] == Decimal(150)
        assert quantities["g"] == Decimal(150000)
        assert quantities["t"] == Decimal("0.150")

    def test_pieces_give_numbers_dozens_and_gross(self):
        quantities = hts_quantities(goods("C62", "288"))
        assert quantities["No."] == quantities["pcs"] == Decimal(288)
        assert (quantities["doz"], quantities["gross"]) == (Decimal(24), Decimal(2))

    def test_a_quantity_in_dozens_is_taken_as_given(self):
        quantities = hts_quantities(goods("DZN", "5"))
        assert (quantities["doz"], quantities["No."]) == (Decimal(5), Decimal(60))

    def test_a_quantity_in_kilograms_stands_in_for_a_missing_net_weight(self):
        assert hts_quantities(goods("KGM", "12.5"))["kg"] == Decimal("12.5")
        assert hts_quantities(goods("TNE", "2"))["kg"] == Decimal(2000)
        assert hts_quantities(goods("GRM", "500"))["kg"] == Decimal("0.5")

    @pytest.mark.parametrize(
        ("unit", "name", "expected"),
        [
            ("PR", "pair", "10"),
            ("DPR", "pair", "120"),
            ("LTR", "liter", "10"),
            ("MLT", "liter", "0.010"),
            ("MTK", "m2", "10"),
            ("MTQ", "m3", "10"),
            ("MTR", "m", "10"),
            ("BLL", "bbl", "10"),
        ],
    )
    def test_measures_map_to_hts_units(self, unit, name, expected):
        assert hts_quantities(goods(unit, "10"))[name] == Decimal(expected)

    def test_a_set_gives_no_count(self):
        assert "No." not in hts_quantities(goods("SET", "3"))

    def test_no_weight_no_kilograms(self):
        assert "kg" not in hts_quantities(goods("H87", "3"))
