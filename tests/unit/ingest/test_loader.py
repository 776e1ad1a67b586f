from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from common.factories import shipment_data
from cruce.ingest.errors import InputError
from cruce.ingest.loader import MAX_FILE_BYTES, load_shipment, parse_shipment
from cruce.model import Shipment

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.unit


def _yaml(data: dict) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


def _issues(excinfo: pytest.ExceptionInfo[InputError]) -> list[tuple[str, str]]:
    return [(i.code, i.path) for i in excinfo.value.issues]


def _outcome(content: bytes, filename: str) -> Shipment | InputError:
    """The record, or the InputError; any other exception fails the test."""
    try:
        return parse_shipment(content, filename=filename)
    except InputError as error:
        return error


class TestParseShipment:
    def test_a_complete_yaml_record_loads(self):
        shipment = parse_shipment(_yaml(shipment_data()), filename="s.yaml")
        assert shipment.reference == "SPM-2026-0412"
        assert shipment.goods[0].quantity == 400

    def test_the_same_record_as_json_loads_with_exact_decimals(self):
        data = shipment_data()
        data["goods"][0]["unit_price"] = {"amount": 18.75, "currency": "USD"}
        shipment = parse_shipment(json.dumps(data).encode(), filename="s.json")
        assert str(shipment.goods[0].unit_price.amount) == "18.75"

    def test_yaml_plain_scalars_stay_text_so_norway_is_a_country_and_zeros_stay(self):
        data = shipment_data()
        text = _yaml(data).decode().replace("origin_country: US", "origin_country: NO")
        text = text.replace("nico: '99'", "nico: 01")
        shipment = parse_shipment(text.encode(), filename="s.yaml")
        assert shipment.goods[0].origin_country == "NO"
        assert shipment.goods[0].nico == "01"

    def test_a_crossing_given_by_its_cbp_code_is_filled_in_from_the_port_table(self):
        data = shipment_data()
        data["transport"]["crossing"] = "2604"
        shipment = parse_shipment(_yaml(data), filename="s.yaml")
        port = shipment.transport.crossing
        assert port is not None
        assert (port.cbp_port_code, port.aduana, port.seccion) == ("2604", "23", "0")

    def test_an_unknown_crossing_code_is_named(self):
        data = shipment_data()
        data["transport"]["crossing"] = "9999"
        with pytest.raises(InputError) as excinfo:
            parse_shipment(_yaml(data), filename="s.yaml")
        assert _issues(excinfo) == [("input.port.unknown", "transport.crossing")]

    def test_an_unknown_unit_code_is_named_with_its_line(self):
        data = shipment_data()
        data["goods"][0]["unit"] = "ZZZ"
        with pytest.raises(InputError) as excinfo:
            parse_shipment(_yaml(data), filename="s.yaml")
        assert _issues(excinfo) == [("input.unit.unknown", "goods[0].unit")]
        assert "line 1" in excinfo.value.issues[0].render("en")

    def test_wrong_types_name_every_field_in_english_and_spanish(self):
        data = shipment_data()
        data["goods"][0]["quantity"] = "many"
        data["parties"]["buyer"]["address"]["country"] = "Mexico"
        with pytest.raises(InputError) as excinfo:
            parse_shipment(_yaml(data), filename="s.yaml")
        paths = {path for _, path in _issues(excinfo)}
        assert paths == {"goods[0].quantity", "parties.buyer.address.country"}
        for item in excinfo.value.issues:
            english, spanish = item.render("en"), item.render("es")
            assert english != spanish
            assert "s.yaml" in english

    def test_a_misspelt_field_is_reported_not_dropped(self):
        data = shipment_data()
        data["terms"]["incotrem"] = "DAP"
        with pytest.raises(InputError) as excinfo:
            parse_shipment(_yaml(data), filename="s.yaml")
        assert _issues(excinfo) == [("input.extra_forbidden", "terms.incotrem")]

    @pytest.mark.parametrize(
        ("content", "code"),
        [
            (b"reference: [unclosed", "input.malformed"),
            (b'{"reference": ', "input.malformed"),
            (b"- just\n- a list\n", "input.not_a_record"),
            (b"a: &x [1]\nb: *x\n", "input.yaml_alias"),
            (b"reference: caf\xe9\n", "input.not_utf8"),
        ],
    )
    def test_malformed_input_gets_a_clean_error(self, content, code):
        filename = "s.json" if content.startswith(b"{") else "s.yaml"
        with pytest.raises(InputError) as excinfo:
            parse_shipment(content, filename=filename)
        assert excinfo.value.issues[0].code == code

    def test_non_utf8_bytes_are_reported_with_line_and_byte(self):
        with pytest.raises(InputError) as excinfo:
            parse_shipment(b"reference: x\nnotes: caf\xe9\n", filename="s.yaml")
        assert "line 2" in excinfo.value.issues[0].render("en")
        assert "UTF-8" in excinfo.value.issues[0].render("es")

    def test_a_50_mb_file_is_refused_before_parsing(self):
        with pytest.raises(InputError) as excinfo:
            parse_shipment(b"#" * (50 * 1024 * 1024), filename="s.yaml")
        assert excinfo.value.issues[0].code == "input.too_large"
        assert "50.0 MB" in excinfo.value.issues[0].render("en")

    def test_json_nan_is_refused(self):
        data = json.dumps(shipment_data()).replace('"400"', "NaN")
        with pytest.raises(InputError) as excinfo:
            parse_shipment(data.encode(), filename="s.json")
        assert excinfo.value.issues[0].code == "input.malformed"

    def test_deep_nesting_is_refused(self):
        with pytest.raises(InputError) as excinfo:
            parse_shipment(b"[" * 5000 + b"]" * 5000, filename="s.json")
        assert excinfo.value.issues[0].code in {"input.too_deep", "input.not_a_record"}

    def test_nesting_deeper_than_the_limit_is_refused_before_validation(self):
        document = shipment_data(notes=[[[]]])
        node = document["notes"]
        for _ in range(40):
            node.append([])
            node = node[-1]
        with pytest.raises(InputError) as excinfo:
            parse_shipment(json.dumps(document).encode(), filename="s.json")
        assert [i.code for i in excinfo.value.issues] == ["input.too_deep"]

    def test_a_sheet_alone_is_not_a_shipment(self):
        with pytest.raises(InputError) as excinfo:
            parse_shipment(b"", filename="goods.xlsx")
        assert excinfo.value.issues[0].code == "input.sheet_alone"

    @given(st.binary(max_size=2000), st.sampled_from(["s.yaml", "s.json", "s.txt"]))
    def test_any_bytes_give_a_record_or_a_clean_error(self, content, filename):
        outcome = _outcome(content, filename)
        assert isinstance(outcome, Shipment) or all(
            item.render("en") and item.render("es") for item in outcome.issues
        )

    @given(
        st.recursive(
            st.none() | st.booleans() | st.text(max_size=20) | st.integers(),
            lambda c: (
                st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4)
            ),
            max_leaves=30,
        )
    )
    def test_any_json_document_gives_a_record_or_a_clean_error(self, document):
        outcome = _outcome(json.dumps(document).encode(), "s.json")
        assert isinstance(outcome, Shipment) or outcome.issues


class TestLoadShipment:
    def test_a_missing_file_is_named(self, tmp_path: Path):
        with pytest.raises(InputError) as excinfo:
            load_shipment(tmp_path / "nope.yaml")
        assert excinfo.value.issues[0].code == "input.not_found"

    def test_a_folder_is_not_a_file(self, tmp_path: Path):
        folder = tmp_path / "dir.yaml"
        folder.mkdir()
        with pytest.raises(InputError) as excinfo:
            load_shipment(folder)
        assert excinfo.value.issues[0].code == "input.not_a_file"

    def test_a_big_file_is_refused_by_its_size_on_disk(self, tmp_path: Path):
        path = tmp_path / "big.yaml"
        with path.open("wb") as handle:
            handle.truncate(MAX_FILE_BYTES + 1)
        with pytest.raises(InputError) as excinfo:
            load_shipment(path)
        assert excinfo.value.issues[0].code == "input.too_large"

    def test_a_goods_sheet_outside_the_shipment_folder_is_refused(self, tmp_path: Path):
        data = shipment_data()
        del data["goods"]
        data["goods_sheet"] = "../elsewhere.csv"
        path = tmp_path / "s.yaml"
        path.write_bytes(_yaml(data))
        with pytest.raises(InputError) as excinfo:
            load_shipment(path)
        assert _issues(excinfo) == [("input.goods_sheet", "goods_sheet")]

    def test_goods_and_goods_sheet_together_are_refused(self, tmp_path: Path):
        data = shipment_data(goods_sheet="goods.csv")
        path = tmp_path / "s.yaml"
        path.write_bytes(_yaml(data))
        with pytest.raises(InputError) as excinfo:
            load_shipment(path)
        assert excinfo.value.issues[0].code == "input.goods_sheet"


class TestXmlSafety:
    def test_workbooks_are_parsed_with_defusedxml(self):
        import openpyxl.xml  # noqa: PLC0415 - the flag is read at openpyxl's import

        assert openpyxl.xml.DEFUSEDXML is True

    def test_an_entity_bomb_inside_a_workbook_is_refused_cleanly(self):
        import io  # noqa: PLC0415
        import zipfile  # noqa: PLC0415

        from cruce.ingest.sheet import read_goods_sheet  # noqa: PLC0415
        from cruce.ingest.template import goods_template_xlsx  # noqa: PLC0415

        doctype = (
            b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        )
        source = zipfile.ZipFile(io.BytesIO(goods_template_xlsx()))
        target = io.BytesIO()
        with zipfile.ZipFile(target, "w") as out:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename in {"xl/workbook.xml", "xl/worksheets/sheet1.xml"}:
                    declaration, _, body = data.partition(b"?>")
                    data = declaration + b"?>" + doctype + body
                out.writestr(item, data)
        with pytest.raises(InputError) as excinfo:
            read_goods_sheet(target.getvalue(), filename="goods.xlsx", currency="USD")
        assert excinfo.value.issues[0].source == "goods.xlsx"


class TestIssuesAreReportedTogether:
    def test_a_bad_sheet_row_and_a_bad_field_of_the_shipment_file_are_both_named(self, tmp_path):
        data = shipment_data(export_country="USA")
        del data["goods"]
        data["goods_sheet"] = "goods.csv"
        data["transport"]["crossing"] = "9999"
        (tmp_path / "s.yaml").write_bytes(_yaml(data))
        (tmp_path / "goods.csv").write_text(
            "description_en,quantity,unit,unit_price\nBracket,twelve,H87,18.75\n", encoding="utf-8"
        )
        with pytest.raises(InputError) as excinfo:
            load_shipment(tmp_path / "s.yaml")
        where = {(i.source, i.row, i.path) for i in excinfo.value.issues}
        assert ("goods.csv", 2, "goods[0].quantity") in where
        assert ("s.yaml", None, "transport.crossing") in where
        assert ("s.yaml", None, "export_country") in where


class TestWhereInSpanish:
    def test_a_sheet_issue_names_the_row_and_column_in_the_readers_language(self, tmp_path):
        data = shipment_data()
        del data["goods"]
        data["goods_sheet"] = "goods.csv"
        (tmp_path / "s.yaml").write_bytes(_yaml(data))
        (tmp_path / "goods.csv").write_text(
            "description_en,quantity,unit,unit_price\nBracket,twelve,H87,18.75\n", encoding="utf-8"
        )
        with pytest.raises(InputError) as excinfo:
            load_shipment(tmp_path / "s.yaml")
        issue = excinfo.value.issues[0]
        assert issue.render("es").startswith("goods.csv, fila 2, columna quantity: ")
        assert issue.render("en").startswith("goods.csv, row 2, column quantity: ")
