from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cruce.reference.facts import FactDataError, Period, Source
from cruce.reference.usmca_rules import (
    Alternative,
    CodeTooShortError,
    ProductRule,
    RuleSyntaxError,
    RuleTable,
    Rvc,
    TariffShift,
    expand,
    parse_rule,
    parse_table,
    rule_for,
    shifts,
)

TODAY = date(2026, 1, 15)
SOUP = (
    "CTH",
    "CTSH",
    "CC",
    "NCTC",
    "RVC",
    "TV",
    "NC",
    "except",
    "from",
    "or",
    "+",
    "/",
    ",",
    "60",
    "50",
    "8481.90",
    "72",
    "7208-7229",
    "8466.93.15",
    "8402.11-8402.20",
)


class TestParseRule:
    def test_a_change_of_heading_alone(self):
        alternative = parse_rule("CTH")
        assert alternative == Alternative(TariffShift("heading"), None, "CTH")

    def test_a_change_of_chapter_with_an_excepted_chapter(self):
        shift = parse_rule("CC except 72").shift
        assert shift == TariffShift("chapter", except_from=("72",))

    def test_a_change_of_heading_except_from_a_subheading(self):
        shift = parse_rule("CTH except 8481.90").shift
        assert shift == TariffShift("heading", except_from=("8481.90",))

    def test_a_change_of_subheading(self):
        assert parse_rule("CTSH").shift == TariffShift("subheading")

    def test_exceptions_list_headings_ranges_and_tariff_items(self):
        shift = parse_rule("CTH except 7208-7229, 7301-7326, 8466.93.15").shift
        assert shift is not None
        assert shift.except_from == ("7208-7229", "7301-7326", "8466.93.15")

    def test_from_restricts_the_origins_of_the_change(self):
        shift = parse_rule("CTH from 7208, 7211").shift
        assert shift == TariffShift("heading", only_from=("7208", "7211"))

    def test_or_from_adds_origins_that_need_no_change(self):
        alternative = parse_rule("CTH or from 8402.90 + RVC 60 TV / 50 NC")
        assert alternative.shift == TariffShift("heading", also_from=("8402.90",))
        assert alternative.rvc == Rvc(Decimal(60), Decimal(50))

    def test_clauses_may_come_in_any_order(self):
        first = parse_rule("CTSH or from 8471.30 except 8471.41-8471.50").shift
        second = parse_rule("CTSH except 8471.41-8471.50 or from 8471.30").shift
        assert first == second

    def test_a_shift_with_a_value_content(self):
        alternative = parse_rule("CTH + RVC 60 TV / 50 NC")
        assert alternative.shift == TariffShift("heading")
        assert alternative.rvc == Rvc(Decimal(60), Decimal(50))

    def test_a_value_content_alone(self):
        alternative = parse_rule("RVC 60 TV / 50 NC")
        assert alternative.shift is None
        assert alternative.rvc == Rvc(Decimal(60), Decimal(50))

    def test_no_change_in_classification_with_a_value_content(self):
        alternative = parse_rule("NCTC + RVC 65 TV / 55 NC")
        assert alternative.shift is None
        assert alternative.rvc == Rvc(Decimal(65), Decimal(55))

    def test_a_value_content_by_net_cost_only(self):
        assert parse_rule("CTH + RVC 50 NC").rvc == Rvc(None, Decimal(50))

    def test_a_value_content_by_transaction_value_only(self):
        assert parse_rule("NCTC + RVC 60 TV").rvc == Rvc(Decimal(60), None)

    def test_a_decimal_percentage_stays_exact(self):
        rvc = parse_rule("RVC 62.5 TV / 52.5 NC").rvc
        assert rvc == Rvc(Decimal("62.5"), Decimal("52.5"))

    def test_the_text_keeps_the_line_with_its_spaces_collapsed(self):
        assert parse_rule("  CTH   except 8481.90 ").text == "CTH except 8481.90"

    def test_a_range_stands_for_every_code_between_its_ends(self):
        assert expand("7208-7211") == ("7208", "7209", "7210", "7211")
        assert expand("8413.50-8413.52") == ("841350", "841351", "841352")

    @pytest.mark.parametrize(
        ("text", "position"),
        [
            ("", 0),
            ("   ", 0),
            ("CTX", 0),
            ("CTH except", 10),
            ("CTH except 848", 11),
            ("CTH except 8481.9", 11),
            ("CTH except 7229-7208", 11),
            ("CTH except 72-7208", 11),
            ("CTH except 0100-9999", 11),
            ("CTH except 8481.90,", 19),
            ("CTH except 8481.90 except 8482", 19),
            ("CTH or 8481", 7),
            ("CTH + 60", 6),
            ("CTH + RVC", 9),
            ("CTH + RVC 60", 12),
            ("CTH + RVC 0 TV", 10),
            ("CTH + RVC 101 TV", 10),
            ("CTH + RVC 60 NC / 50 TV", 16),
            ("CTH + RVC 60 TV / 50 TV", 21),
            ("CTH + RVC 60% TV", 12),
            ("NCTC", 4),
            ("NCTC RVC 60 TV", 5),
            ("RVC 60 TV CTH", 10),
            ("CTH; CTSH", 3),
            ("cth", 0),
        ],
    )
    def test_malformed_lines_are_refused_where_they_go_wrong(self, text, position):
        with pytest.raises(RuleSyntaxError) as caught:
            parse_rule(text)
        assert caught.value.position == position
        assert caught.value.text == text
        assert f"at character {position + 1}" in str(caught.value)

    def test_the_reason_says_what_was_expected(self):
        with pytest.raises(RuleSyntaxError, match="expected 'TV' or 'NC', not 'XV'"):
            parse_rule("RVC 60 XV")

    def test_a_character_outside_the_language_is_named(self):
        with pytest.raises(RuleSyntaxError, match="'%' is not part of a rule"):
            parse_rule("RVC 60 % TV")

    def test_an_overlong_line_is_refused(self):
        with pytest.raises(RuleSyntaxError, match="at most 500"):
            parse_rule("CTH except " + ", ".join(["8481.90"] * 80))

    def test_an_alternative_needs_a_shift_or_a_value_content(self):
        with pytest.raises(ValueError, match="needs a tariff shift"):
            Alternative(None, None, "")

    @settings(max_examples=400)
    @given(st.text())
    def test_arbitrary_text_raises_nothing_but_a_syntax_error(self, text):
        position = 0
        try:
            parse_rule(text)
        except RuleSyntaxError as error:
            position = error.position
        assert 0 <= position <= len(text)

    @settings(max_examples=200)
    @given(
        st.lists(
            st.sampled_from(SOUP),
            max_size=12,
        )
    )
    def test_arbitrary_keyword_soup_raises_nothing_but_a_syntax_error(self, tokens):
        with contextlib.suppress(RuleSyntaxError):
            parse_rule(" ".join(tokens))


ROW = """
source: {citation: "HTSUS General Note 11"}
rules:
  - rule: [%s]
    scope: "8481"
    text: A change to heading 8481 from any other heading.
    citation: HTSUS General Note 11, chapter 84 (page 1); USMCA Annex 4-B
    start: 2020-07-01
    determinable: true
"""


class TestLoading:
    def test_a_well_formed_row_loads(self):
        (rule,) = parse_table(ROW % '"CTH except 8481.90"')
        assert rule.scope == "8481"
        assert rule.alternatives[0].shift == TariffShift("heading", ("8481.90",))

    def test_a_row_with_a_syntax_error_fails_the_load(self):
        with pytest.raises(FactDataError, match=r"rule #1 \(8481\).*'CTH exept 8481.90'"):
            parse_table(ROW % '"CTH exept 8481.90"')

    @pytest.mark.parametrize("field", ["text", "citation", "scope", "start"])
    def test_a_row_without_a_required_field_fails_the_load(self, field):
        document = "\n".join(
            line for line in (ROW % '"CTH"').splitlines() if not line.strip().startswith(field)
        )
        with pytest.raises(FactDataError, match=field):
            parse_table(document)

    def test_a_row_without_a_source_fails_the_load(self):
        with pytest.raises(FactDataError, match="source"):
            parse_table((ROW % '"CTH"').replace('HTSUS General Note 11"}', '"}'))

    def test_a_row_not_determinable_must_say_why(self):
        with pytest.raises(FactDataError, match="says why"):
            parse_table((ROW % '"CTH"').replace("determinable: true", "determinable: false"))

    def test_an_unknown_field_fails_the_load(self):
        with pytest.raises(FactDataError, match="unknown fields"):
            parse_table((ROW % '"CTH"') + "    comment: x\n")

    def test_two_rows_of_one_scope_in_force_on_one_day_fail_the_load(self):
        with pytest.raises(FactDataError, match="overlaps"):
            parse_table(ROW % '"CTH"' + (ROW % '"CTSH"').split("rules:\n")[1])

    def test_a_scope_that_is_not_a_code_fails_the_load(self):
        with pytest.raises(FactDataError, match="scope"):
            parse_table((ROW % '"CTH"').replace('"8481"', '"84"'))


def rule(scope: str, start: date = date(2020, 7, 1), end: date | None = None) -> ProductRule:
    return ProductRule(
        scope=scope,
        alternatives=(parse_rule("CTH"),),
        text=scope,
        citation="GN 11",
        period=Period(start, end),
        source=Source("GN 11"),
        determinable=True,
        reason="",
    )


class TestRuleFor:
    def test_a_subheading_rule_wins_over_its_heading_and_a_range(self):
        table = RuleTable([rule("8401-8412"), rule("8481"), rule("8481.90"), rule("8481.80")])
        found = table.rule_for("8481.90.1000", TODAY)
        assert found is not None
        assert found.scope == "8481.90"

    def test_a_heading_rule_wins_over_a_range_of_headings(self):
        table = RuleTable([rule("8401-8412"), rule("8405")])
        assert table.rule_for("8405.10.0000", TODAY).scope == "8405"  # type: ignore[union-attr]
        assert table.rule_for("8406.10.0000", TODAY).scope == "8401-8412"  # type: ignore[union-attr]

    def test_a_range_of_subheadings_wins_over_the_heading(self):
        table = RuleTable([rule("8402"), rule("8402.11-8402.20")])
        assert table.rule_for("8402.12.0000", TODAY).scope == "8402.11-8402.20"  # type: ignore[union-attr]
        assert table.rule_for("8402.90.0000", TODAY).scope == "8402"  # type: ignore[union-attr]

    def test_no_rule_gives_none(self):
        assert RuleTable([rule("8481")]).rule_for("8482.10.0000", TODAY) is None

    def test_the_shipped_rule_for_7308_40_starts_on_1_july_2022(self):
        assert rule_for("7308.40.0000", date(2022, 6, 30)) is None
        after = rule_for("7308.40.0000", date(2022, 7, 1))
        assert after is not None
        assert after.period.start == date(2022, 7, 1)
        assert not after.determinable

    def test_the_shipped_rule_for_7312_10_changes_on_1_january_2023(self):
        before = rule_for("7312.10.3000", date(2022, 12, 31))
        after = rule_for("7312.10.3000", date(2023, 1, 1))
        assert before is not None
        assert after is not None
        assert [a.text for a in before.alternatives] == ["CTH"]
        assert after.alternatives[0].text == "CTH except 7208-7229, 7301-7326"

    def test_the_shipped_range_rule_covers_a_subheading_inside_it(self):
        found = rule_for("8532.24.0020", TODAY)
        assert found is not None
        assert found.scope == "8532.10-8532.90"

    def test_a_tariff_item_rule_wins_over_its_subheading(self):
        assert rule_for("8536.50.4000", TODAY).scope == "8536.50.40"  # type: ignore[union-attr]
        assert rule_for("8536.50.9040", TODAY).scope == "8536.50"  # type: ignore[union-attr]

    def test_a_code_too_short_to_pick_a_tariff_item_rule_is_refused(self):
        with pytest.raises(CodeTooShortError) as caught:
            rule_for("8536.50", TODAY)
        assert caught.value.code == "8536.50"

    def test_a_heading_with_subheading_rules_under_it_is_refused(self):
        with pytest.raises(CodeTooShortError):
            rule_for("8402", TODAY)

    def test_a_malformed_code_is_refused(self):
        with pytest.raises(ValueError, match="not a tariff classification"):
            rule_for("84-81", TODAY)


class TestShifts:
    def test_a_material_of_the_excepted_subheading_does_not_shift_to_8481(self):
        shift = parse_rule("CTH except 8481.90").shift
        assert shift is not None
        assert not shifts(shift, "848180", "8481.90")
        assert shifts(shift, "848180", "7307.29")

    def test_a_material_of_another_heading_shifts_under_a_change_of_heading(self):
        assert shifts(TariffShift("heading"), "848180", "7307.29.0090")

    def test_a_material_of_the_same_heading_does_not_shift_under_a_change_of_heading(self):
        assert not shifts(TariffShift("heading"), "848180", "8481.10")

    def test_a_material_of_another_subheading_of_the_heading_shifts_under_ctsh(self):
        assert shifts(TariffShift("subheading"), "848180", "8481.10")
        assert not shifts(TariffShift("subheading"), "848180", "8481.80.1000")

    def test_a_change_of_chapter_needs_another_chapter(self):
        shift = TariffShift("chapter", except_from=("72",))
        assert shifts(shift, "730890", "7601.10")
        assert not shifts(shift, "730890", "7318.15")
        assert not shifts(shift, "730890", "7208.51")

    def test_a_range_exception_covers_every_heading_in_it(self):
        shift = parse_rule("CTH except 7208-7229, 7301-7326").shift
        assert shift is not None
        assert not shifts(shift, "731210", "7217.10")
        assert not shifts(shift, "731210", "7326.90")
        assert shifts(shift, "731210", "7403.11")

    def test_a_tariff_item_exception_does_not_reach_its_neighbours(self):
        shift = parse_rule("CTH except 8466.93.15").shift
        assert shift is not None
        assert not shifts(shift, "845929", "8466.93.1500")
        assert shifts(shift, "845929", "8466.93.5390")

    def test_a_material_too_short_to_rule_out_an_exception_does_not_shift(self):
        shift = parse_rule("CTH except 8466.93.15").shift
        assert shift is not None
        assert not shifts(shift, "845929", "8466.93")

    def test_a_four_digit_material_of_the_goods_heading_does_not_show_a_ctsh(self):
        assert not shifts(TariffShift("subheading"), "848180", "8481")
        assert shifts(TariffShift("subheading"), "848180", "8482")

    def test_only_materials_of_from_qualify(self):
        shift = parse_rule("CTH from 7208, 7211").shift
        assert shift is not None
        assert shifts(shift, "730840", "7208.51")
        assert not shifts(shift, "730840", "7403.11")

    def test_or_from_lets_a_material_of_the_same_heading_qualify(self):
        shift = parse_rule("CTH or from 8402.90").shift
        assert shift is not None
        assert shifts(shift, "840211", "8402.90")
        assert not shifts(shift, "840211", "8402.12")
        assert shifts(shift, "840211", "7304.31")

    def test_8443_11_materials_of_another_subheading_of_the_group_or_8443_91_qualify(self):
        (_, second) = rule_for("8443.11.1000", TODAY).alternatives  # type: ignore[union-attr]
        assert second.shift is not None
        assert shifts(second.shift, "844311", "8443.12")
        assert shifts(second.shift, "844311", "8443.91")
        assert not shifts(second.shift, "844311", "8443.11")
        assert not shifts(second.shift, "844311", "8443.99")

    def test_a_repeated_question_gets_the_same_answer_dotted_or_not(self):
        shift = TariffShift("heading", except_from=("8481.90",))
        answers = {shifts(shift, "848180", code) for code in ["8481.90", "848190"] * 3}
        assert answers == {False}

    def test_a_malformed_material_code_is_refused(self):
        with pytest.raises(ValueError, match="not a tariff classification"):
            shifts(TariffShift("heading"), "848180", "84")

    @given(
        heading=st.integers(100, 9799).map(lambda n: f"{n:04d}"),
        good_rest=st.integers(0, 9999).map(lambda n: f"{n:04d}"),
        material_rest=st.sampled_from(["", "10", "1000", "100000", "90", "9000", "900090"]),
        exceptions=st.lists(st.integers(100, 9799).map(lambda n: f"{n:04d}"), max_size=3),
    )
    def test_a_material_of_the_goods_heading_never_satisfies_a_cth(
        self, heading, good_rest, material_rest, exceptions
    ):
        shift = TariffShift("heading", except_from=tuple(exceptions))
        assert not shifts(shift, heading + good_rest, heading + material_rest)

    @given(
        good=st.integers(10_000, 979_999).map(lambda n: f"{n:06d}"),
        material=st.integers(1_000, 9_799).map(lambda n: f"{n:04d}"),
    )
    def test_a_change_of_chapter_implies_a_change_of_heading_and_subheading(self, good, material):
        if shifts(TariffShift("chapter"), good, material):
            assert shifts(TariffShift("heading"), good, material)
            assert shifts(TariffShift("subheading"), good, material)


class TestPackage:
    def test_the_public_names_import_from_the_package(self):
        import cruce.reference.usmca_rules as package  # noqa: PLC0415 - the import is the test

        for name in package.__all__:
            assert getattr(package, name) is not None, name

    def test_the_package_names_are_those_of_its_modules(self):
        from cruce.reference.usmca_rules import general, language, table  # noqa: PLC0415

        assert parse_rule is language.parse_rule
        assert rule_for is table.rule_for
        assert RuleTable is table.RuleTable
        assert general.de_minimis.__module__ == general.__name__
