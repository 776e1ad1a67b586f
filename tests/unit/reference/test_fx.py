from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cruce.model.money import FxRate, Money
from cruce.reference import fx
from cruce.reference.facts import NotCoveredError
from cruce.reference.fx import (
    FxImportError,
    FxNotLoadedError,
    FxTable,
    bundled_rates,
    customs_rate,
    import_fx_csv,
    is_publication_day,
    latest_before,
    load_user_rates,
    rate_on,
    save_user_rates,
)

TEST_SOURCE = "TEST fixture, not a Banxico rate"


@pytest.fixture(autouse=True)
def bundled_only(monkeypatch):
    """The module-level functions read the bundled rows only, whatever the user imported."""
    real_load = fx.load_user_rates
    monkeypatch.setattr(
        fx, "load_user_rates", lambda user_dir=None: real_load(user_dir) if user_dir else ()
    )
    fx.default_table.cache_clear()
    yield
    fx.default_table.cache_clear()


def row(day: date, value: str, source: str = TEST_SOURCE) -> FxRate:
    return FxRate(base="USD", quote="MXN", rate=Decimal(value), source=source, as_of=day)


class TestRateOn:
    def test_rate_published_in_the_dof_that_day(self):
        found = rate_on(date(2025, 11, 21))
        assert found.rate == Decimal("18.3550")
        assert (found.base, found.quote, found.as_of) == ("USD", "MXN", date(2025, 11, 21))
        assert found.source == "Banxico FIX (SF43718), published in the DOF on 2025-11-21"

    def test_no_publication_on_a_saturday(self):
        with pytest.raises(FxNotLoadedError, match="weekend or bank holiday"):
            rate_on(date(2025, 11, 22))

    def test_a_weekday_without_a_loaded_rate_asks_for_an_import(self):
        with pytest.raises(NotCoveredError, match="import"):
            rate_on(date(2025, 11, 18))


class TestCustomsRate:
    def test_uses_the_dof_of_the_day_before(self):
        assert customs_rate(date(2025, 9, 5)).rate == Decimal("18.6873")

    def test_across_a_weekend_takes_fridays_publication(self):
        friday = rate_on(date(2025, 11, 21))
        assert customs_rate(date(2025, 11, 22)) == friday
        assert customs_rate(date(2025, 11, 23)) == friday
        assert customs_rate(date(2025, 11, 24)) == friday

    def test_across_a_bank_holiday_takes_the_last_publication_before(self):
        # Monday 2025-11-17 was closed (third Monday of November): no DOF rate that day.
        assert is_publication_day(date(2025, 11, 17)) is False
        assert customs_rate(date(2025, 11, 18)).rate == Decimal("18.2805")

    def test_across_a_weekend_and_a_holiday(self):
        # Monday 2026-02-02 was closed; the DOF of Friday 2026-01-30 applies on Tuesday.
        assert customs_rate(date(2026, 2, 3)).as_of == date(2026, 1, 30)
        assert customs_rate(date(2026, 2, 4)).rate == Decimal("17.3310")

    def test_a_missing_publication_is_an_error_never_an_older_rate(self):
        with pytest.raises(FxNotLoadedError) as caught:
            customs_rate(date(2025, 11, 19))
        assert caught.value.needed == date(2025, 11, 18)
        assert "import" in str(caught.value)

    def test_a_year_without_holiday_calendar_says_so(self):
        with pytest.raises(FxNotLoadedError, match="calendar of 2027"):
            customs_rate(date(2027, 3, 2))

    def test_user_rows_fill_a_gap(self):
        table = FxTable(bundled_rates(), [row(date(2025, 11, 18), "18.4000")])
        assert table.customs_rate(date(2025, 11, 19)).rate == Decimal("18.4000")

    def test_user_row_overrides_bundled_row_of_the_same_day(self):
        table = FxTable(bundled_rates(), [row(date(2025, 11, 21), "19.0000")])
        assert table.customs_rate(date(2025, 11, 24)).rate == Decimal("19.0000")

    def test_conversion_states_the_rate_used(self):
        rate = customs_rate(date(2025, 11, 24))
        converted = Money.of("1000.00", "USD").convert(rate)
        assert converted.result == Money.of("18355.00", "MXN")
        assert converted.rate.source.endswith("2025-11-21")


class TestLatestBefore:
    def test_most_recent_publication_on_or_before(self):
        found = latest_before(date(2025, 11, 19))
        assert found is not None
        assert found.as_of == date(2025, 11, 14)

    def test_nothing_before_the_first_row(self):
        assert latest_before(date(2020, 1, 1)) is None


class TestImportFxCsv:
    def test_plain_csv(self):
        rows = import_fx_csv(b"date,rate,source\n2026-02-03,17.3310,Banxico FIX DOF 2026-02-03\n")
        assert rows == (row(date(2026, 2, 3), "17.3310", "Banxico FIX DOF 2026-02-03"),)

    def test_errors_name_row_and_column(self):
        data = (
            b"date,rate,source\n"
            b"03/02/2026,17.33,x\n"
            b"2026-02-04,-1,x\n"
            b"2026-02-05,17.1,\n"
            b"2026-02-06,17.1,x\n"
            b"2026-02-06,17.2,x\n"
        )
        with pytest.raises(FxImportError) as caught:
            import_fx_csv(data)
        places = [(issue.row, issue.column) for issue in caught.value.issues]
        assert places == [(2, "date"), (3, "rate"), (4, "source"), (6, "date")]

    def test_banxico_export_is_keyed_by_dof_publication_date(self):
        data = (
            '"Banco de México"\n\n"Serie","SF43718"\n"Fecha","SF43718"\n'
            '"29/01/2026","17.2532"\n"30/01/2026","17.3310"\n"02/02/2026","N/E"\n'
            '"03/02/2026","17.2350"\n'
        ).encode()
        rows = import_fx_csv(data)
        assert [(r.as_of, r.rate) for r in rows] == [
            (date(2026, 1, 30), Decimal("17.2532")),
            (date(2026, 2, 3), Decimal("17.3310")),
            (date(2026, 2, 4), Decimal("17.2350")),
        ]
        assert "determined 2026-01-30" in rows[1].source

    def test_banxico_export_bad_date_names_the_cell(self):
        with pytest.raises(FxImportError) as caught:
            import_fx_csv(b'"Fecha","SF43718"\n"2026-01-30","17.2"\n')
        assert [(i.row, i.column) for i in caught.value.issues] == [(2, "Fecha")]

    @given(st.binary(max_size=2000))
    def test_arbitrary_bytes_raise_only_the_import_error(self, data):
        with contextlib.suppress(FxImportError):
            import_fx_csv(data)

    @given(st.lists(st.text(max_size=30), min_size=3, max_size=3))
    def test_arbitrary_cells_raise_only_the_import_error(self, cells):
        line = ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)
        with contextlib.suppress(FxImportError):
            import_fx_csv(("date,rate,source\n" + line + "\n").encode())


class TestUserRates:
    def test_saved_rates_load_again_and_merge(self, tmp_path):
        save_user_rates([row(date(2026, 7, 31), "18.0000")], tmp_path)
        save_user_rates([row(date(2026, 7, 30), "17.9000")], tmp_path)
        assert [r.as_of for r in load_user_rates(tmp_path)] == [
            date(2026, 7, 30),
            date(2026, 7, 31),
        ]

    def test_no_file_means_no_user_rates(self, tmp_path):
        assert load_user_rates(tmp_path) == ()


class TestShippedRows:
    def test_every_shipped_rate_names_its_dof_publication(self):
        rows = bundled_rates()
        assert rows
        for found in rows:
            assert found.source.startswith("Banxico FIX (SF43718), published in the DOF on ")
            assert found.as_of.isoformat() in found.source
            assert is_publication_day(found.as_of) is True

    def test_every_holiday_year_has_source_and_period(self):
        for year in fx.HOLIDAYS:
            assert year.source.citation.strip()
            assert all(year.period.covers(day) for day in year.days)
