from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from common.factories import buyer, line, seller, shipment_data
from cruce.cli import EXIT_BLOCKERS, EXIT_READY, EXIT_UNUSABLE, app

pytestmark = pytest.mark.functional
REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "src" / "cruce" / "examples"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"LANG": "en_US.UTF-8", "COLUMNS": "200"})


def _material(description: str, hs: str, country: str, value: str, originating: str) -> dict:
    return {
        "description": description,
        "hs_code": hs,
        "origin_country": country,
        "value": f"{value} USD",
        "originating": originating,
    }


def _circuits(tmp_path: Path, board_value: str, *, claimed: bool = True) -> Path:
    """Printed circuits of heading 8534 (rule: CTH) from a Chinese bare board of 8534."""
    circuit = line(
        hts="8534.00.0020",
        schedule_b=None,
        fraccion="85340001",
        nico="00",
        origin_country="MX",
        quantity="10",
        unit_price="20.00 USD",
        usmca={"claimed": claimed, "criterion": "B"} if claimed else {"claimed": False},
        materials=[
            _material("bare board", "8534.00", "CN", board_value, "no"),
            _material("copper foil", "7410.21", "MX", "4.00", "yes"),
        ],
    )
    data = shipment_data(
        export_country="MX",
        import_country="US",
        parties={"seller": buyer(), "buyer": seller()},
        goods=[circuit],
    )
    path = tmp_path / "circuits.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


class TestOrigin:
    def test_a_qualifying_claim_exits_0_with_the_rule_and_materials(self, runner, tmp_path):
        # 1.50 of 20.00 = 7.50 %: the board that does not shift is within de minimis
        path = _circuits(tmp_path, "1.50")
        result = runner.invoke(app, ["origin", str(path), "--on", "2026-03-01"])
        assert result.exit_code == EXIT_READY, result.output
        assert "qualifies, criterion B" in result.output
        assert "de minimis" in result.output
        assert "bare board" in result.output

    def test_a_failing_claim_exits_1_and_names_the_culprit(self, runner, tmp_path):
        path = _circuits(tmp_path, "9.00")
        result = runner.invoke(app, ["origin", str(path), "--on", "2026-03-01"])
        assert result.exit_code == EXIT_BLOCKERS, result.output
        assert "does not qualify" in result.output
        assert "bare board from China (HS 8534.00) does not change heading" in result.output
        assert "RVC by transaction value: (20.00 - 9.00) / 20.00 = 55.00 %" in result.output

    def test_an_unclaimed_line_that_fails_exits_0(self, runner, tmp_path):
        path = _circuits(tmp_path, "9.00", claimed=False)
        result = runner.invoke(app, ["origin", str(path), "--on", "2026-03-01"])
        assert result.exit_code == EXIT_READY, result.output

    def test_json_carries_each_line_in_both_languages(self, runner, tmp_path):
        path = _circuits(tmp_path, "9.00")
        result = runner.invoke(app, ["origin", str(path), "--on", "2026-03-01", "--json"])
        document = json.loads(result.stdout)
        assert document["on"] == "2026-03-01"
        (entry,) = document["lines"]
        assert entry["line"] == 1
        assert entry["claimed"] is True
        assert entry["qualifies"] is False
        assert entry["rvc"][0]["percent"] == "55.00"
        assert set(entry["explanation"][0]) == {"en", "es"}

    def test_spanish_output(self, runner, tmp_path):
        path = _circuits(tmp_path, "9.00")
        result = runner.invoke(app, ["--lang", "es", "origin", str(path), "--on", "2026-03-01"])
        assert "no califica" in result.output
        assert "bare board de China" in result.output

    def test_a_line_that_does_not_exist_is_unusable(self, runner, tmp_path):
        path = _circuits(tmp_path, "1.50")
        result = runner.invoke(app, ["origin", str(path), "--line", "3"])
        assert result.exit_code == EXIT_UNUSABLE
        assert "no line 3" in result.output

    def test_a_bad_date_is_unusable(self, runner, tmp_path):
        path = _circuits(tmp_path, "1.50")
        result = runner.invoke(app, ["origin", str(path), "--on", "March 1"])
        assert result.exit_code == EXIT_UNUSABLE

    def test_the_example_from_guadalajara_is_decided_line_by_line(self, runner):
        path = EXAMPLES / "02-guadalajara-to-phoenix" / "shipment.yaml"
        result = runner.invoke(app, ["origin", str(path), "--json"])
        document = json.loads(result.stdout)
        verdicts = [entry["qualifies"] for entry in document["lines"]]
        assert len(verdicts) == 7
        assert all(v is not None for v in verdicts), verdicts
