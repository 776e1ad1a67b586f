"""EEI facts (15 CFR part 30): threshold, deadlines, legends and AES codes, dated and sourced."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from cruce.reference import eei
from cruce.reference.facts import FactDataError, NotCoveredError

pytestmark = pytest.mark.unit
ON = date(2026, 12, 3)

DEADLINE = (
    "deadlines:\n  - mode: truck\n    hours_before: 1\n    event: border\n"
    "    start: 2008-07-02\n    source: 15 CFR 30.4(b)\n"
)
LEGEND = (
    "legends:\n  - key: low_value\n    text: NOEEI 30.37(a)\n    description: d\n"
    "    start: 2008-07-02\n    source: 15 CFR 30.37(a)\n"
)
CODE = (
    'codes:\n  - key: inbond.not_in_bond\n    code: "70"\n    description: d\n'
    "    start: 2008-07-02\n    source: 15 CFR 30.6(a)(22)\n"
)


class TestShippedRows:
    def test_the_threshold_is_2500_usd_per_schedule_b(self):
        row = eei.threshold(ON)
        assert (row.amount, row.currency) == (Decimal(2500), "USD")
        assert "30.37(a)" in row.source.citation

    def test_a_truck_files_one_hour_before_the_border(self):
        row = eei.deadline("truck", ON)
        assert row.hours_before == 1
        assert "30.4(b)" in row.source.citation
        crossing = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
        assert row.latest_filing(crossing) == datetime(2026, 12, 3, 15, 0, tzinfo=UTC)

    @pytest.mark.parametrize(("mode", "hours"), [("rail", 2), ("air", 2), ("ocean", 24)])
    def test_other_modes(self, mode, hours):
        assert eei.deadline(mode, ON).hours_before == hours

    @pytest.mark.parametrize(
        ("key", "text", "section"),
        [("low_value", "NOEEI 30.37(a)", "30.37(a)"), ("canada", "NOEEI 30.36", "30.36")],
    )
    def test_exemption_legends_cite_their_section(self, key, text, section):
        row = eei.legend(key, ON)
        assert row.text == text
        assert section in row.source.citation

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("transport.truck", "30"),
            ("transport.truck_containerized", "31"),
            ("license.nlr", "C33"),
            ("inbond.not_in_bond", "70"),
            ("export_information.other", "OS"),
        ],
    )
    def test_aes_codes(self, key, value):
        row = eei.code(key, ON)
        assert row.code == value
        assert "30.6(a)" in row.source.citation

    def test_every_row_has_a_period_and_a_source(self):
        tables = eei.tables()
        rows = [*tables.deadlines, *tables.legends, *tables.codes]
        assert rows
        assert all(row.source.citation and row.period.start for row in rows)

    def test_before_the_ftr_no_row_is_in_force(self):
        with pytest.raises(NotCoveredError):
            eei.threshold(date(2008, 7, 1))
        with pytest.raises(NotCoveredError):
            eei.code("license.nlr", date(2016, 9, 30))


class TestParsing:
    def test_a_complete_document_parses(self):
        tables = eei.parse_eei(DEADLINE + LEGEND + CODE)
        assert tables.codes[0].code == "70"

    def test_a_row_without_a_source_is_refused(self):
        with pytest.raises(FactDataError, match="source"):
            eei.parse_eei(DEADLINE.replace("    source: 15 CFR 30.4(b)\n", "") + LEGEND + CODE)

    def test_overlapping_rows_are_refused(self):
        twice = DEADLINE + DEADLINE.removeprefix("deadlines:\n")
        with pytest.raises(FactDataError, match="overlaps"):
            eei.parse_eei(twice + LEGEND + CODE)

    @pytest.mark.parametrize("hours", ["-1", "one", "true"])
    def test_hours_must_be_a_whole_number(self, hours):
        text = DEADLINE.replace("hours_before: 1", f"hours_before: {hours}")
        with pytest.raises(FactDataError, match="hours_before"):
            eei.parse_eei(text + LEGEND + CODE)

    def test_a_missing_table_is_refused(self):
        with pytest.raises(FactDataError, match="codes"):
            eei.parse_eei(DEADLINE + LEGEND)

    def test_a_row_must_be_a_mapping(self):
        with pytest.raises(FactDataError, match="mapping"):
            eei.parse_eei(DEADLINE + LEGEND + "codes:\n  - just text\n")

    def test_the_document_must_be_a_mapping(self):
        with pytest.raises(FactDataError, match="mapping"):
            eei.parse_eei("- a list\n")
