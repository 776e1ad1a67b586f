from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import date
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from cruce.reference import anexo22
from cruce.reference.facts import Period, Source
from cruce.reference.mx_tariff import (
    IgiRate,
    LigieImportError,
    LigieTable,
    bundled_rates,
    export_ligie_csv,
    igi_rate,
    import_ligie_csv,
    load_user_rates,
    save_user_rates,
    tariff_unit,
)

HEADER = "fraccion,nico,igi_general,igi_tmec,start,end,source\n"
EXAMPLES = Path(__file__).resolve().parents[3] / "src" / "cruce" / "examples"
MX_SOURCES = files("cruce.reference") / "data" / "MX_SOURCES.md"


def csv_bytes(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


def rate(fraccion="84836099", nico=None, general="0.10", start=date(2022, 12, 12), end=None):
    return IgiRate(
        fraccion=fraccion,
        nico=nico,
        general=Decimal(general),
        tmec=Decimal(0),
        period=Period(start, end),
        source=Source("TEST fixture, not a LIGIE rate"),
    )


def issue_places(error: LigieImportError) -> list[tuple[int, str]]:
    return [(issue.row, issue.column) for issue in error.issues]


class TestImportLigieCsv:
    def test_percentages_exempt_and_non_ad_valorem_rates_are_read(self):
        rows = import_ligie_csv(
            csv_bytes(
                "7616.99.99,99,15,Ex.,2022-12-12,,LIGIE DOF 2022-06-07",
                "84836099,,5%,,2022-12-12,2025-12-31,LIGIE DOF 2022-06-07",
                "01012101,,-,Ex,2022-12-12,,LIGIE DOF 2022-06-07",
            )
        )
        assert [(r.fraccion, r.nico, r.general, r.tmec) for r in rows] == [
            ("76169999", "99", Decimal("0.15"), Decimal(0)),
            ("84836099", None, Decimal("0.05"), None),
            ("01012101", None, None, Decimal(0)),
        ]
        assert rows[1].period == Period(date(2022, 12, 12), date(2025, 12, 31))
        assert rows[0].source.citation == "LIGIE DOF 2022-06-07"

    def test_errors_name_row_and_column(self):
        with pytest.raises(LigieImportError) as caught:
            import_ligie_csv(
                csv_bytes(
                    "7616.99,99,15,Ex.,2022-12-12,,LIGIE",
                    "76169999,9,15,Ex.,2022-12-12,,LIGIE",
                    "76169999,,fifteen,Ex.,2022-12-12,,LIGIE",
                    "76169999,,15,Ex.,12/12/2022,,LIGIE",
                    "76169999,,15,Ex.,2022-12-12,,",
                    "76169999,,15,Ex.,2022-12-12,2021-01-01,LIGIE",
                )
            )
        assert issue_places(caught.value) == [
            (2, "fraccion"),
            (3, "nico"),
            (4, "igi_general"),
            (5, "start"),
            (6, "source"),
            (7, "end"),
        ]
        assert "row 4, column igi_general" in str(caught.value)

    def test_a_missing_general_rate_is_an_error_not_zero(self):
        with pytest.raises(LigieImportError) as caught:
            import_ligie_csv(csv_bytes("76169999,,,Ex.,2022-12-12,,LIGIE"))
        assert issue_places(caught.value) == [(2, "igi_general")]

    def test_missing_and_unknown_columns_are_named(self):
        data = b"fraccion,nico,igi_general,start,end,source,igi_tmecc\n"
        with pytest.raises(LigieImportError) as caught:
            import_ligie_csv(data)
        assert issue_places(caught.value) == [(1, "igi_tmec"), (1, "igi_tmecc")]

    def test_two_rows_in_force_on_the_same_day_are_refused(self):
        with pytest.raises(LigieImportError) as caught:
            import_ligie_csv(
                csv_bytes(
                    "76169999,99,15,Ex.,2022-12-12,2025-12-31,LIGIE",
                    "76169999,99,35,Ex.,2025-06-01,,decree",
                )
            )
        assert issue_places(caught.value) == [(3, "start")]

    def test_bytes_that_are_not_utf8_are_refused_with_a_reason(self):
        with pytest.raises(LigieImportError, match="not UTF-8"):
            import_ligie_csv(b"\xff\xfe\x00bad")

    def test_export_reads_back_to_the_same_rows(self):
        rows = (rate(), rate("76169999", "99", "0.35", date(2026, 1, 1)))
        assert import_ligie_csv(export_ligie_csv(rows)) == rows

    @given(st.binary(max_size=2000))
    def test_arbitrary_bytes_raise_only_the_import_error(self, data):
        with contextlib.suppress(LigieImportError):
            import_ligie_csv(data)

    @given(st.lists(st.text(max_size=20), min_size=7, max_size=8))
    def test_arbitrary_cells_raise_only_the_import_error(self, cells):
        line = ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)
        with contextlib.suppress(LigieImportError):
            import_ligie_csv((HEADER + line + "\n").encode())


class TestLigieTable:
    def test_nico_row_beats_fraccion_row(self):
        table = LigieTable([rate(nico=None, general="0.10"), rate(nico="01", general="0.20")])
        found = table.lookup("8483.60.99", "01", date(2025, 3, 5))
        assert found is not None
        assert found.general == Decimal("0.20")

    def test_fraccion_row_covers_the_other_nicos(self):
        table = LigieTable([rate(nico=None, general="0.10"), rate(nico="01", general="0.20")])
        found = table.lookup("84836099", "02", date(2025, 3, 5))
        assert found is not None
        assert found.general == Decimal("0.10")

    def test_a_date_outside_every_period_finds_nothing(self):
        table = LigieTable([rate(start=date(2026, 1, 1))])
        assert table.lookup("84836099", None, date(2025, 12, 31)) is None

    def test_user_row_overrides_bundled_row_for_the_same_code_and_date(self):
        table = LigieTable([rate(general="0.10")], user=[rate(general="0.25")])
        found = table.lookup("84836099", None, date(2026, 3, 1))
        assert found is not None
        assert found.general == Decimal("0.25")

    def test_bundled_nico_row_still_beats_a_user_fraccion_row(self):
        table = LigieTable([rate(nico="01", general="0.20")], user=[rate(general="0.25")])
        found = table.lookup("84836099", "01", date(2026, 3, 1))
        assert found is not None
        assert found.general == Decimal("0.20")

    def test_malformed_code_is_an_error(self):
        with pytest.raises(ValueError, match="8-digit"):
            LigieTable([]).lookup("8483.60", None, date(2026, 3, 1))


class TestUserRates:
    def test_saved_rates_load_again(self, tmp_path):
        rows = (rate(), rate("76169999", "99", "0.35", date(2026, 1, 1)))
        path = save_user_rates(rows, tmp_path)
        assert path.parent == tmp_path
        assert load_user_rates(tmp_path) == rows

    def test_no_file_means_no_user_rates(self, tmp_path):
        assert load_user_rates(tmp_path / "nothing") == ()

    def test_igi_rate_uses_the_table_it_is_given(self):
        table = LigieTable([], user=[rate(nico="00")])
        found = igi_rate("84836099", "00", date(2026, 3, 1), table=table)
        assert found is not None
        assert found.nico == "00"


def example_fracciones() -> set[str]:
    codes: set[str] = set()
    for path in EXAMPLES.glob("*/shipment.yaml"):
        for line in yaml.safe_load(path.read_text("utf-8")).get("goods") or []:
            if line.get("fraccion"):
                codes.add(str(line["fraccion"]).replace(".", ""))
    sheet = openpyxl.load_workbook(EXAMPLES / "03-goods-sheet-250" / "goods.xlsx", read_only=True)
    rows = list(sheet.active.iter_rows(values_only=True))
    column = rows[0].index("fraccion")
    codes.update(str(row[column]).replace(".", "") for row in rows[1:] if row[column])
    return codes


class TestBundledRates:
    def test_every_shipped_row_has_source_and_period(self):
        for row in bundled_rates():
            assert row.source.citation.strip()
            assert row.period.start is not None

    def test_every_example_fraccion_is_shipped_or_listed_as_unverified(self):
        documented = MX_SOURCES.read_text("utf-8").replace(".", "")
        shipped = {row.fraccion for row in bundled_rates()}
        missing = sorted(
            code for code in example_fracciones() if code not in shipped and code not in documented
        )
        assert missing == []

    def test_an_unverified_fraccion_has_no_rate_rather_than_a_guess(self):
        table = LigieTable(bundled_rates())
        assert table.lookup("7616.99.99", "99", date(2026, 3, 1)) is None


UMT_HEADER = "fraccion,nico,igi_general,igi_tmec,start,end,source,umt\n"
APENDICE_7 = sorted(anexo22.appendix(7), key=int)


def umt_csv(*rows: str) -> bytes:
    return (UMT_HEADER + "".join(row + "\n" for row in rows)).encode()


class TestTariffUnit:
    def test_the_umt_column_is_read_as_an_apendice_7_clave(self):
        rows = import_ligie_csv(
            umt_csv(
                "76169999,,15,Ex.,2022-12-12,,LIGIE,01",
                "73181599,,15,Ex.,2022-12-12,,LIGIE,6",
                "84836099,,15,Ex.,2022-12-12,,LIGIE,",
            )
        )
        assert [r.umt for r in rows] == ["1", "6", None]

    def test_a_table_without_the_umt_column_has_no_umt(self):
        rows = import_ligie_csv(csv_bytes("76169999,,15,Ex.,2022-12-12,,LIGIE"))
        assert rows[0].umt is None

    def test_a_code_apendice_7_does_not_list_names_row_and_column(self):
        with pytest.raises(LigieImportError) as caught:
            import_ligie_csv(
                umt_csv(
                    "76169999,,15,Ex.,2022-12-12,,LIGIE,6",
                    "73181599,,15,Ex.,2022-12-12,,LIGIE,KGM",
                    "84836099,,15,Ex.,2022-12-12,,LIGIE,99",
                )
            )
        assert issue_places(caught.value) == [(3, "umt"), (4, "umt")]
        english = caught.value.issues[0].render("en")
        spanish = caught.value.issues[0].render("es")
        assert english.startswith("row 3, column umt:")
        assert "KGM" in english
        assert "Apéndice 7" in english
        assert spanish.startswith("fila 3, columna umt:")
        assert "KGM" in spanish

    @given(st.integers(min_value=0, max_value=999), st.booleans())
    def test_a_clave_is_accepted_exactly_when_apendice_7_lists_it(self, number, padded):
        text = f"{number:02d}" if padded else str(number)
        data = umt_csv(f"76169999,,15,Ex.,2022-12-12,,LIGIE,{text}")
        if str(number) in APENDICE_7:
            assert import_ligie_csv(data)[0].umt == str(number)
        else:
            with pytest.raises(LigieImportError) as caught:
                import_ligie_csv(data)
            assert issue_places(caught.value) == [(2, "umt")]

    @given(st.lists(st.sampled_from([None, *APENDICE_7]), min_size=1, max_size=5))
    def test_export_reads_back_the_umt(self, umts):
        rows = tuple(
            replace(rate(start=date(2000 + i, 1, 1), end=date(2000 + i, 12, 31)), umt=umt)
            for i, umt in enumerate(umts)
        )
        assert import_ligie_csv(export_ligie_csv(rows)) == rows

    def test_a_nico_row_without_umt_falls_back_to_the_fraccions(self):
        table = LigieTable([replace(rate(), umt="1"), rate(nico="01")])
        assert table.tariff_unit("84836099", "01", date(2026, 3, 1)) == "1"
        found = table.lookup("84836099", "01", date(2026, 3, 1))
        assert found is not None
        assert found.nico == "01"

    def test_a_user_row_gives_the_umt_before_a_bundled_one(self):
        table = LigieTable([replace(rate(), umt="1")], user=[replace(rate(), umt="6")])
        assert tariff_unit("84836099", None, date(2026, 3, 1), table=table) == "6"

    def test_no_row_in_force_means_no_umt(self):
        table = LigieTable([replace(rate(start=date(2026, 1, 1)), umt="1")])
        assert table.tariff_unit("84836099", None, date(2025, 12, 31)) is None
