from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml
from typer.testing import CliRunner

from common.factories import buyer, line, seller, shipment_data
from cruce.cli import EXIT_BLOCKERS, EXIT_READY, EXIT_UNUSABLE, app
from cruce.reference import fx, mx_tariff

pytestmark = pytest.mark.functional
if TYPE_CHECKING:
    from collections.abc import Iterator

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "src" / "cruce" / "examples"


@pytest.fixture
def runner(tmp_path) -> Iterator[CliRunner]:
    # imported reference tables go to this test's own data folder, and do not outlive it:
    # the tables read once are cached per process, so later tests would see them
    yield CliRunner(
        env={"LANG": "en_US.UTF-8", "COLUMNS": "200", "XDG_DATA_HOME": str(tmp_path / "data")}
    )
    mx_tariff.default_table.cache_clear()
    fx.default_table.cache_clear()


def _northbound(tmp_path: Path, **changes) -> Path:
    board = line(
        hts="8537.10.9170",
        schedule_b=None,
        fraccion="85371099",
        nico="99",
        origin_country="MX",
        quantity="1",
        unit_price="10000.00 USD",
        usmca={"claimed": True, "criterion": "C"},
        **changes,
    )
    data = shipment_data(
        export_country="MX",
        import_country="US",
        parties={"seller": buyer(), "buyer": seller()},
        goods=[board],
    )
    data["terms"]["incoterm"] = "FCA"
    path = tmp_path / "northbound.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


class TestCost:
    def test_a_fully_determined_quote_exits_0_and_shows_each_column(self, runner, tmp_path):
        result = runner.invoke(app, ["cost", str(_northbound(tmp_path)), "--on", "2026-03-01"])
        assert result.exit_code == EXIT_READY, result.output
        for text in (
            "Duty (HTSUS)",
            "Without USMCA",
            "With USMCA",
            "270.00 USD",
            "1,000.00 USD",
            "0.00 USD",
        ):
            assert text in result.output

    def test_the_json_quote_has_the_three_claims_and_every_source(self, runner, tmp_path):
        result = runner.invoke(
            app, ["cost", str(_northbound(tmp_path)), "--on", "2026-03-01", "--json"]
        )
        document = json.loads(result.stdout)
        assert set(document) == {"as-claimed", "no", "yes"}
        unclaimed = document["no"]
        assert unclaimed["total"] == {"amount": "1311.99", "currency": "USD"}
        for entry in unclaimed["lines"][0]["components"] + unclaimed["entry"]:
            assert entry["source"]["citation"]
            assert set(entry["label"]) == {"en", "es"}

    def test_an_undetermined_figure_exits_1_and_says_why(self, runner):
        result = runner.invoke(
            app,
            [
                "cost",
                str(EXAMPLES / "01-phoenix-to-guadalajara" / "shipment.yaml"),
                "--on",
                "2026-03-02",
            ],
        )
        assert result.exit_code == EXIT_BLOCKERS
        assert "not determined" in result.output
        assert "import-ligie" in result.output

    def test_the_quote_speaks_spanish(self, runner, tmp_path):
        result = runner.invoke(
            app, ["cost", str(_northbound(tmp_path)), "--on", "2026-03-01", "--lang", "es"]
        )
        assert "Arancel" in result.output or "arancel" in result.output

    def test_a_bad_date_exits_2(self, runner, tmp_path):
        result = runner.invoke(app, ["cost", str(_northbound(tmp_path)), "--on", "03/01/2026"])
        assert result.exit_code == EXIT_UNUSABLE
        assert "YYYY-MM-DD" in result.output


class TestReferenceImports:
    def test_imported_exchange_rates_are_used_by_the_next_quote(self, runner, tmp_path):
        rates = tmp_path / "fix.csv"
        rates.write_text(
            "date,rate,source\n2026-02-27,18.0000,Banxico FIX DOF 2026-02-27\n", encoding="utf-8"
        )
        result = runner.invoke(app, ["reference", "import-fx", str(rates)])
        assert result.exit_code == 0, result.output
        quote = runner.invoke(
            app,
            [
                "cost",
                str(EXAMPLES / "01-phoenix-to-guadalajara" / "shipment.yaml"),
                "--on",
                "2026-03-02",
                "--json",
            ],
        )
        assert json.loads(quote.stdout)["as-claimed"]["fx"]["rate"] == "18.0000"

    def test_an_imported_ligie_table_sets_the_igi(self, runner, tmp_path):
        table = tmp_path / "ligie.csv"
        table.write_text(
            "fraccion,nico,igi_general,igi_tmec,start,end,source\n"
            "76169999,,15,0,2026-01-01,,LIGIE as given by the test\n",
            encoding="utf-8",
        )
        result = runner.invoke(app, ["reference", "import-ligie", str(table)])
        assert result.exit_code == 0, result.output
        quote = runner.invoke(
            app,
            [
                "cost",
                str(EXAMPLES / "01-phoenix-to-guadalajara" / "shipment.yaml"),
                "--on",
                "2026-03-02",
                "--json",
            ],
        )
        igis = [
            c
            for entry in json.loads(quote.stdout)["no"]["lines"]
            for c in entry["components"]
            if c["key"] == "igi"
        ]
        assert igis[0]["rate"] == "15%"

    def test_a_bad_ligie_table_names_the_row_and_column(self, runner, tmp_path):
        table = tmp_path / "ligie.csv"
        table.write_text(
            "fraccion,nico,igi_general,igi_tmec,start,end,source\n7616,,quince,0,2026-01-01,,x\n",
            encoding="utf-8",
        )
        result = runner.invoke(app, ["reference", "import-ligie", str(table)])
        assert result.exit_code == EXIT_UNUSABLE
        assert "row 2" in result.output

    def test_a_file_that_is_not_an_hts_release_exits_2(self, runner, tmp_path):
        bogus = tmp_path / "hts_2026_revision_10_json.json"
        bogus.write_text("{}", encoding="utf-8")
        result = runner.invoke(app, ["reference", "import-hts", str(bogus)])
        assert result.exit_code == EXIT_UNUSABLE
        assert "Traceback" not in result.output


class TestCurrency:
    def test_totals_are_also_shown_in_pesos_at_the_stated_fix(self, runner, tmp_path):
        result = runner.invoke(
            app,
            [
                "cost",
                str(_northbound(tmp_path)),
                "--on",
                "2026-03-01",
                "--currency",
                "MXN",
                "--json",
            ],
        )
        converted = json.loads(result.stdout)["converted"]
        rate = Decimal(converted["rate"]["rate"])
        assert converted["rate"]["source"]
        assert Decimal(converted["totals"]["no"]) == (Decimal("1311.99") * rate).quantize(
            Decimal("0.01")
        )

    def test_an_unknown_currency_exits_2(self, runner, tmp_path):
        result = runner.invoke(
            app, ["cost", str(_northbound(tmp_path)), "--on", "2026-03-01", "--currency", "EUR"]
        )
        assert result.exit_code == EXIT_UNUSABLE
