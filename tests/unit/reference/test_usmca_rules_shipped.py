"""The rows shipped in usmca_psr.yaml: what they cover and how they read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from cruce.reference.facts import package_text
from cruce.reference.usmca_rules import (
    DATA_FILE,
    CodeTooShortError,
    Rvc,
    TariffShift,
    parse_rule,
    rule_for,
    rules,
    shifts,
)

RESEARCH = Path(__file__).resolve().parents[4] / "shared" / "research" / "usmca_rules.md"
needs_research = pytest.mark.skipif(not RESEARCH.is_file(), reason="shared/research is not here")
TODAY = date(2026, 1, 15)
TRANSCRIPTION = "/blob/c8c04ac85c127fb36f80691b721ff630688d0a95/lib/usmca-thresholds/"
RVC_60_50 = Rvc(Decimal(60), Decimal(50))


def words(text: str) -> str:
    return " ".join(text.split())


def from_research_notes(citation: str) -> bool:
    return "research notes" in citation


def alternatives(hts: str) -> list[tuple[TariffShift | None, Rvc | None]]:
    found = rule_for(hts, TODAY)
    assert found is not None, hts
    return [(alternative.shift, alternative.rvc) for alternative in found.alternatives]


def shift_of(hts: str, line: int) -> TariffShift:
    found = rule_for(hts, TODAY)
    assert found is not None, hts
    shift = found.alternatives[line].shift
    assert shift is not None
    return shift


class TestShippedTable:
    def test_the_table_loads_with_rows_of_seven_chapters(self):
        chapters = {rule.scope[:2] for rule in rules()}
        assert chapters == {"39", "73", "76", "84", "85", "90", "94"}

    def test_every_row_of_the_data_file_parses(self):
        rows = yaml.safe_load(package_text(DATA_FILE))["rules"]
        assert len(rows) == len(rules())
        for row, rule in zip(rows, rules(), strict=True):
            assert rule.scope == row["scope"]
            assert rule.alternatives == tuple(parse_rule(line) for line in row["rule"])

    def test_every_row_has_its_text_citation_and_source(self):
        for rule in rules():
            assert rule.text, rule.scope
            assert "General Note 11" in rule.citation, rule.scope
            assert "Annex 4-B" in rule.citation, rule.scope
            assert rule.source.citation, rule.scope

    def test_every_rule_line_parses_again_to_the_same_alternative(self):
        for rule in rules():
            for alternative in rule.alternatives:
                assert parse_rule(alternative.text) == alternative

    def test_a_determinable_row_has_alternatives_and_others_give_a_reason(self):
        for rule in rules():
            if rule.determinable:
                assert rule.alternatives, rule.scope
                assert not rule.reason, rule.scope
            else:
                assert rule.reason, rule.scope

    def test_a_row_starts_with_the_agreement_or_later(self):
        assert all(rule.period.start >= date(2020, 7, 1) for rule in rules())

    @needs_research
    def test_every_text_from_the_research_notes_is_word_for_word_there(self):
        research = words(RESEARCH.read_text("utf-8"))
        for rule in rules():
            if from_research_notes(rule.source.citation):
                assert rule.text in research, rule.scope

    def test_a_row_from_the_2026_general_note_names_its_transcription_at_a_commit(self):
        for rule in rules():
            if not from_research_notes(rule.source.citation):
                assert "2026 HTS Revision 15" in rule.citation, rule.scope
                assert "2026 HTS Revision 15" in rule.source.citation, rule.scope
                assert rule.source.url is not None, rule.scope
                assert TRANSCRIPTION in rule.source.url, rule.scope

    @pytest.mark.parametrize("chapter", ["39", "76", "94"])
    def test_the_chapters_added_from_the_2026_general_note_cite_it(self, chapter):
        rows = [rule for rule in rules() if rule.scope.startswith(chapter)]
        assert rows
        assert not any(from_research_notes(rule.source.citation) for rule in rows)


class TestCoverage:
    @pytest.mark.parametrize("heading", [f"{n}" for n in range(3901, 3927)])
    def test_every_heading_of_chapter_39_has_a_rule(self, heading):
        assert rule_for(heading, TODAY) is not None

    @pytest.mark.parametrize("heading", [f"{n}" for n in range(7601, 7617)])
    def test_every_heading_of_chapter_76_has_a_rule(self, heading):
        assert rule_for(heading, TODAY) is not None

    @pytest.mark.parametrize(
        "subheading",
        [
            *("9401.10", "9401.20", "9401.30", "9401.40", "9401.52", "9401.61", "9401.79"),
            *("9401.80", "9401.90", "9402.10", "9402.90", "9403.10", "9403.60", "9403.89"),
            *("9403.90", "9404.10", "9404.21", "9404.30", "9404.90", "9405.10", "9405.40"),
            *("9405.50", "9405.60", "9405.91", "9405.99", "9406.10", "9406.90"),
        ],
    )
    def test_every_subheading_of_chapter_94_as_the_general_note_writes_it_has_a_rule(
        self, subheading
    ):
        assert rule_for(subheading, TODAY) is not None

    @pytest.mark.parametrize("hts", ["9401.99.9081", "9403.99.9045", "9404.40.9000"])
    def test_an_hs_2022_subheading_the_general_note_does_not_name_has_no_rule(self, hts):
        assert rule_for(hts, TODAY) is None

    @pytest.mark.parametrize("hts", ["4011.10.1010", "8708.29.5060", "7217.10.1000"])
    def test_a_good_of_a_chapter_not_encoded_has_no_rule(self, hts):
        assert rule_for(hts, TODAY) is None

    def test_a_heading_of_chapter_94_with_subheading_rules_is_too_short(self):
        with pytest.raises(CodeTooShortError):
            rule_for("9401", TODAY)


class TestExampleGoods:
    @pytest.mark.parametrize(
        ("hts", "scope", "determinable"),
        [
            ("8537.10.9170", "8537", False),
            ("8537.10.9160", "8537", False),
            ("8544.42.9090", "8544.11-8544.60", True),
            ("9026.20.4000", "9026.10-9026.80", True),
            ("9025.19.8085", "9025.11-9025.80", True),
            ("9032.89.6040", "9032.89", True),
            ("7616.99.5190", "7615-7616", True),
            ("8412.90.9005", "8412.90", True),
            ("8483.60.8000", "8483.40-8483.90", True),
            ("8483.20.8040", "8483.20", True),
            ("8466.93.9885", "8466", True),
            ("7318.15.8045", "7318", True),
            ("7326.90.8688", "7325-7326", True),
            ("8431.39.0010", "8431.10-8431.49", True),
            ("3926.90.9989", "3916-3926", False),
            ("9031.90.9195", "9031.90", True),
            ("8534.00.0020", "8534", True),
        ],
    )
    def test_the_example_goods_find_their_shipped_rule(self, hts, scope, determinable):
        found = rule_for(hts, TODAY)
        assert found is not None
        assert found.scope == scope
        assert found.determinable is determinable


class TestRowsOfTheNewChapters:
    @pytest.mark.parametrize(
        ("hts", "expected"),
        [
            ("3901.10.1000", []),
            ("3926.90.9989", [(TariffShift("heading"), None)]),
            ("7601.10.6030", [(TariffShift("chapter"), None)]),
            ("7605.11.0000", [(TariffShift("heading", ("7604", "7606")), None)]),
            ("7608.10.0030", [(TariffShift("heading", ("7608-7609",)), None)]),
            ("7614.10.5000", [(TariffShift("heading", ("7604-7605",)), None)]),
            ("7616.99.5190", [(TariffShift("heading"), None)]),
            (
                "9401.61.6011",
                [
                    (TariffShift("chapter"), None),
                    (TariffShift("chapter", also_from=("9401.90",)), RVC_60_50),
                ],
            ),
            (
                "9404.90.1000",
                [
                    (
                        TariffShift(
                            "chapter",
                            (
                                *("5007", "5111-5113", "5208-5212", "5310-5311"),
                                *("5407-5408", "5512-5516"),
                            ),
                        ),
                        None,
                    )
                ],
            ),
            ("9405.40.8440", [(TariffShift("subheading", ("9405.10-9405.40",)), None)]),
            (
                "9405.50.4000",
                [
                    (TariffShift("chapter"), None),
                    (TariffShift("chapter", also_from=("9405.91-9405.99",)), RVC_60_50),
                ],
            ),
            ("9406.10.0000", [(TariffShift("chapter"), None)]),
        ],
    )
    def test_a_row_of_chapters_39_76_94_reads_as_its_legal_text(self, hts, expected):
        assert alternatives(hts) == expected

    @pytest.mark.parametrize(
        ("hts", "expected"),
        [
            ("7318.15.8045", [(TariffShift("heading", ("7317",)), None)]),
            ("7326.90.8688", [(TariffShift("heading", ("7325-7326",)), None)]),
            ("8412.21.0045", [(TariffShift("subheading"), None)]),
            ("8431.39.0010", [(TariffShift("heading"), None), (None, RVC_60_50)]),
            ("8483.60.8000", [(TariffShift("subheading"), None)]),
            (
                "8483.10.3050",
                [
                    (TariffShift("heading"), None),
                    (TariffShift("heading", also_from=("8483.90",)), RVC_60_50),
                ],
            ),
            (
                "8537.10.9170",
                [
                    (TariffShift("heading", ("8538.90",)), None),
                    (
                        TariffShift("heading", also_from=("8538.90",)),
                        Rvc(Decimal(50), Decimal(40)),
                    ),
                ],
            ),
            (
                "8538.90.8180",
                [(TariffShift("heading"), None), (TariffShift("subheading"), RVC_60_50)],
            ),
            (
                "8544.42.9090",
                [
                    (
                        TariffShift(
                            "subheading", ("8544.11-8544.60", "7408", "7413", "7605", "7614")
                        ),
                        None,
                    ),
                    (TariffShift("subheading"), RVC_60_50),
                ],
            ),
            (
                "9025.19.8085",
                [
                    (TariffShift("heading"), None),
                    (
                        TariffShift("heading", also_from=("9025.90",)),
                        Rvc(Decimal(45), Decimal(35)),
                    ),
                ],
            ),
            ("9026.90.6000", [(TariffShift("heading"), None), (None, RVC_60_50)]),
        ],
    )
    def test_an_added_row_of_chapters_73_84_85_90_reads_as_its_legal_text(self, hts, expected):
        assert alternatives(hts) == expected

    def test_chapter_39_rows_are_never_decided_on_a_failed_shift(self):
        polymers = rule_for("3901.10.1000", TODAY)
        articles = rule_for("3926.90.9989", TODAY)
        assert polymers is not None
        assert articles is not None
        assert not polymers.determinable
        assert not articles.determinable
        assert "50 percent by weight" in polymers.reason
        assert "11(n)(v)" in articles.reason


class TestNewRowsAtWork:
    def test_an_aluminium_bracket_shifts_from_a_bar_but_not_from_another_article(self):
        shift = shift_of("7616.99.5190", 0)
        assert shifts(shift, "7616.99.5190", "7604.29")
        assert not shifts(shift, "7616.99.5190", "7616.10")

    def test_a_control_panel_needs_the_value_content_for_a_part_of_8538_90(self):
        plain, with_rvc = shift_of("8537.10.9170", 0), shift_of("8537.10.9170", 1)
        assert not shifts(plain, "8537.10.9170", "8538.90.8180")
        assert shifts(with_rvc, "8537.10.9170", "8538.90.8180")
        assert shifts(plain, "8537.10.9170", "8536.49")
        assert not shifts(with_rvc, "8537.10.9170", "8537.10")

    def test_an_insulated_cable_from_copper_wire_needs_the_value_content(self):
        plain, with_rvc = shift_of("8544.42.9090", 0), shift_of("8544.42.9090", 1)
        assert not shifts(plain, "8544.42.9090", "7408.11")
        assert not shifts(plain, "8544.42.9090", "8544.49")
        assert shifts(plain, "8544.42.9090", "3926.90")
        assert shifts(with_rvc, "8544.42.9090", "7408.11")
        assert shifts(with_rvc, "8544.42.9090", "8544.49")
        assert not shifts(with_rvc, "8544.42.9090", "8544.42")

    def test_a_seat_from_a_seat_part_needs_the_value_content(self):
        plain, with_rvc = shift_of("9401.61.6011", 0), shift_of("9401.61.6011", 1)
        assert not shifts(plain, "9401.61.6011", "9401.90")
        assert shifts(with_rvc, "9401.61.6011", "9401.90")
        assert shifts(plain, "9401.61.6011", "4418.99")

    def test_a_quilt_of_9404_90_never_shifts_from_the_listed_fabrics(self):
        shift = shift_of("9404.90.1000", 0)
        assert not shifts(shift, "9404.90.1000", "5208.12")
        assert not shifts(shift, "9404.90.1000", "5407.61")
        assert not shifts(shift, "9404.90.1000", "5209.11")
        assert shifts(shift, "9404.90.1000", "5601.21")

    def test_a_universal_joint_excepts_bearings_but_not_other_subheadings(self):
        plain = shift_of("8483.20.8040", 0)
        assert not shifts(plain, "8483.20.8040", "8482.10")
        assert not shifts(plain, "8483.20.8040", "8482.99.0500")
        assert not shifts(plain, "8483.20.8040", "8482.99")
        assert shifts(plain, "8483.20.8040", "8482.99.6595")
        assert shifts(plain, "8483.20.8040", "8483.40")
