from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from common.factories import line, shipment_data
from cruce import __version__
from cruce.cli import EXIT_BLOCKERS, EXIT_READY, EXIT_UNUSABLE, app

pytestmark = pytest.mark.functional
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"LANG": "en_US.UTF-8", "COLUMNS": "200"})


def _write(tmp_path: Path, data: dict, name: str = "shipment.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


class TestCheck:
    def test_a_ready_shipment_exits_0(self, runner, tmp_path):
        result = runner.invoke(app, ["check", str(_write(tmp_path, shipment_data()))])
        assert result.exit_code == EXIT_READY, result.output
        assert "is ready" in result.output

    def test_blockers_exit_1_and_are_listed_with_their_field(self, runner, tmp_path):
        path = _write(tmp_path, shipment_data(goods=[line(net_weight_kg="500")]))
        result = runner.invoke(app, ["check", str(path)])
        assert result.exit_code == EXIT_BLOCKERS
        assert "goods[0].net_weight_kg" in result.output
        assert "goods.weight.net_exceeds_gross" in result.output

    def test_unusable_input_exits_2_with_the_field_named(self, runner, tmp_path):
        path = _write(tmp_path, shipment_data(export_country="USA"))
        result = runner.invoke(app, ["check", str(path)])
        assert result.exit_code == EXIT_UNUSABLE
        assert "export_country" in result.output
        assert "Traceback" not in result.output

    def test_the_checklist_speaks_spanish_with_lang_es(self, runner, tmp_path):
        path = _write(tmp_path, shipment_data(goods=[line(net_weight_kg="500")]))
        result = runner.invoke(app, ["check", str(path), "--lang", "es"])
        assert "no está lista" in result.output
        assert "peso neto" in result.output

    def test_the_language_follows_the_environment(self, tmp_path):
        path = _write(tmp_path, shipment_data())
        result = CliRunner(env={"LANG": "es_MX.UTF-8"}).invoke(app, ["check", str(path)])
        assert "está lista" in result.output

    def test_json_output_has_both_languages_and_the_exit_code(self, runner, tmp_path):
        path = _write(tmp_path, shipment_data(goods=[line(net_weight_kg="500")]))
        result = runner.invoke(app, ["check", str(path), "--json"])
        assert result.exit_code == EXIT_BLOCKERS
        document = json.loads(result.stdout)
        problems = [p for a in document["artifacts"] for p in a["problems"]]
        assert {"en", "es"} <= set(problems[0]["message"])
        assert document["ready"] is False

    def test_json_output_for_unusable_input_lists_the_errors(self, runner, tmp_path):
        path = tmp_path / "broken.json"
        path.write_text("{", encoding="utf-8")
        result = runner.invoke(app, ["check", str(path), "--json"])
        assert result.exit_code == EXIT_UNUSABLE
        assert json.loads(result.stdout)["usable"] is False

    def test_an_unknown_language_exits_2(self, runner, tmp_path):
        result = runner.invoke(
            app, ["check", str(_write(tmp_path, shipment_data())), "--lang", "fr"]
        )
        assert result.exit_code == EXIT_UNUSABLE


class TestPack:
    def test_pack_writes_every_document_and_a_manifest_that_matches_them(self, runner, tmp_path):
        out = tmp_path / "out"
        result = runner.invoke(
            app, ["pack", str(_write(tmp_path, shipment_data())), "-o", str(out)]
        )
        assert result.exit_code == EXIT_READY, result.output
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        schema = json.loads((REPO / "schema" / "manifest.schema.json").read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
            manifest
        )
        keys = {entry["key"] for entry in manifest["artifacts"]}
        assert {"shipment_record", "commercial_invoice", "packing_list"} <= keys
        for entry in manifest["artifacts"]:
            data = (out / entry["file"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]

    def test_pack_refuses_a_shipment_with_blockers(self, runner, tmp_path):
        out = tmp_path / "out"
        path = _write(tmp_path, shipment_data(parties={}))
        result = runner.invoke(app, ["pack", str(path), "-o", str(out)])
        assert result.exit_code == EXIT_BLOCKERS
        assert not out.exists()


class TestOtherCommands:
    def test_version(self, runner):
        result = runner.invoke(app, ["--version"])
        assert result.output.strip() == f"cruce {__version__}"

    def test_schema_prints_the_published_schema(self, runner):
        result = runner.invoke(app, ["schema"])
        published = json.loads(
            (REPO / "schema" / "shipment.schema.json").read_text(encoding="utf-8")
        )
        assert json.loads(result.stdout) == published

    @pytest.mark.parametrize("name", ["goods.xlsx", "goods.csv"])
    def test_template_writes_a_sheet_cruce_can_read_back(self, runner, tmp_path, name):
        target = tmp_path / name
        result = runner.invoke(app, ["template", "-o", str(target)])
        assert result.exit_code == 0, result.output
        data = shipment_data()
        del data["goods"]
        data["goods_sheet"] = name
        check = runner.invoke(app, ["check", str(_write(tmp_path, data))])
        assert check.exit_code in {EXIT_READY, EXIT_BLOCKERS}, check.output

    def test_demo_packs_every_bundled_example(self, runner, tmp_path):
        out = tmp_path / "demo"
        result = runner.invoke(app, ["demo", "-o", str(out)])
        assert result.exit_code == EXIT_READY, result.output
        manifests = sorted(out.glob("*/manifest.json"))
        assert len(manifests) >= 3
        assert str(out.resolve()) in result.output.replace("\n", "")


class TestInternalErrors:
    def test_an_unexpected_error_is_reported_in_a_sentence_with_exit_70(
        self, tmp_path, monkeypatch, capsys
    ):
        import cruce.cli  # noqa: PLC0415
        import cruce.cli.documents  # noqa: PLC0415

        def broken(_shipment):
            raise RuntimeError("boom")

        monkeypatch.setattr(cruce.cli.documents, "check", broken)
        monkeypatch.setattr(cruce.cli, "user_log_path", lambda _name: tmp_path / "logs")
        monkeypatch.setattr("sys.argv", ["cruce", "check", str(_write(tmp_path, shipment_data()))])
        with pytest.raises(SystemExit) as excinfo:
            cruce.cli.main()
        assert excinfo.value.code == 70
        err = capsys.readouterr().err
        assert "internal error" in err
        assert "Traceback" not in err
        assert "RuntimeError: boom" in (tmp_path / "logs" / "error.log").read_text(encoding="utf-8")

    def test_the_global_lang_option_applies_to_the_command(self, runner, tmp_path):
        result = runner.invoke(
            app, ["--lang", "es", "check", str(_write(tmp_path, shipment_data()))]
        )
        assert "está lista" in result.output
