from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import re
import unicodedata
from importlib.resources import files
from pathlib import Path

import pytest
from defusedxml import ElementTree
from hypothesis import given
from hypothesis import strategies as st

from cruce.reference import units
from cruce.reference.units import UNIDAD_ADUANA_NAMES, Unit, is_known, unidad_aduana, unit

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared/data is not here")
DATA = files("cruce.reference") / "data"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii()).upper()


class TestUnit:
    def test_kilogram_is_known_with_its_sat_name(self):
        kilogram = unit("KGM")
        assert kilogram == Unit(
            code="KGM",
            name="kilogram",
            status="",
            catalog="rec20",
            in_sat_clave_unidad=True,
            sat_name="Kilogramo",
            unidad_aduana="01",
        )

    def test_lower_case_code_falls_back_to_upper_case(self):
        found = unit(" kgm ")
        assert found is not None
        assert found.code == "KGM"

    def test_sat_mixed_case_code_is_kept_apart_from_rec20(self):
        sat_ohm = unit("Ohm")
        rec20_ohm = unit("OHM")
        assert sat_ohm is not None
        assert rec20_ohm is not None
        assert (sat_ohm.catalog, sat_ohm.in_sat_clave_unidad) == ("sat", True)
        assert (rec20_ohm.catalog, rec20_ohm.in_sat_clave_unidad) == ("rec20", False)

    def test_deprecated_code_reports_its_status(self):
        found = unit("NPR")
        assert found is not None
        assert found.status == "D"

    def test_deleted_code_still_listed_by_sat_is_kept(self):
        found = unit("26")
        assert found is not None
        assert (found.status, found.in_sat_clave_unidad) == ("X", True)

    def test_deleted_code_not_listed_by_sat_is_dropped(self):
        assert unit("BX") is None

    def test_rec21_box_is_known_in_its_x_form(self):
        box = unit("XBX")
        assert box is not None
        assert (box.catalog, box.sat_name, box.unidad_aduana) == ("rec21", "Caja", "20")

    @pytest.mark.parametrize("code", ["", "QQQ", "KGMX", "\x00", "kilogram"])
    def test_unknown_code_returns_none(self, code):
        assert unit(code) is None
        assert not is_known(code)
        assert unidad_aduana(code) is None

    def test_table_is_read_once(self):
        assert units._table() is units._table()

    @given(st.text())
    def test_any_string_returns_none_or_a_unit(self, text):
        found = unit(text)
        assert found is None or isinstance(found, Unit)
        assert is_known(text) is (found is not None)
        assert unidad_aduana(text) in {None, *UNIDAD_ADUANA_NAMES}


class TestUnidadAduana:
    @pytest.mark.parametrize(
        ("code", "clave"),
        [
            ("KGM", "01"),
            ("GRM", "02"),
            ("MTR", "03"),
            ("MTK", "04"),
            ("MTQ", "05"),
            ("H87", "06"),
            ("C62", "06"),
            ("EA", "06"),
            ("HEA", "07"),
            ("LTR", "08"),
            ("PR", "09"),
            ("KWT", "10"),
            ("MIL", "11"),
            ("T3", "11"),
            ("SET", "12"),
            ("KWH", "13"),
            ("TNE", "14"),
            ("BLL", "15"),
            ("CEN", "18"),
            ("DZN", "19"),
            ("XBX", "20"),
            ("CTM", "22"),
            ("E48", "99"),
        ],
    )
    def test_obvious_equivalents(self, code, clave):
        assert unidad_aduana(code) == clave

    @pytest.mark.parametrize("code", ["LBR", "STN", "KT", "XUN", "MLT"])
    def test_units_without_an_equal_unidad_aduana_are_unmapped(self, code):
        assert is_known(code)
        assert unidad_aduana(code) is None

    def test_pedimento_umc_is_the_same_clave_without_servicio(self):
        kilogram = unit("KGM")
        service = unit("E48")
        box = unit("XBX")
        assert kilogram is not None
        assert service is not None
        assert box is not None
        assert kilogram.pedimento_umc == "1"
        assert box.pedimento_umc == "20"
        assert service.pedimento_umc is None

    def test_every_mapped_code_is_a_live_rec20_or_rec21_unit(self):
        for row in _read_csv(Path(str(DATA / "rec20_to_unidad_aduana.csv"))):
            found = unit(row["code"])
            assert found is not None, row
            assert found.catalog in {"rec20", "rec21"}
            assert found.status == ""
            assert found.in_sat_clave_unidad
            assert row["unidad_aduana"] in UNIDAD_ADUANA_NAMES
            assert row["match"] in {"exact", "close"}
            assert row["why"]

    @needs_shared
    def test_names_match_the_cce20_catalog(self):
        rows = _read_csv(SHARED / "sat_cfdi" / "catalogs_csv" / "cce20_c_UnidadAduana.csv")
        catalog = {row["clave"].zfill(2): row["valor"] for row in rows}
        assert catalog == UNIDAD_ADUANA_NAMES

    @needs_shared
    def test_pedimento_apendice_7_is_the_same_list_less_servicio(self):
        text = (SHARED / "mx_anexo22" / "36_apendice_7.json").read_text("utf-8")
        apendice = {
            f"{r['Clave']:02d}": r["Descripción"] for r in json.loads(text)["Unidades_de_medida"]
        }
        assert set(UNIDAD_ADUANA_NAMES) - set(apendice) == {"99"}
        for clave, name in apendice.items():
            assert _plain(name) == _plain(UNIDAD_ADUANA_NAMES[clave])


@needs_shared
class TestShippedUnitsMatchSource:
    def test_rec20_active_and_deprecated_rows_are_all_kept(self):
        rows = _read_csv(SHARED / "unece_rec20" / "rec20_rev17e_units-of-measure.csv")
        for row in rows:
            found = unit(row["CommonCode"])
            if row["Status"] in {"", "D", "\N{BROKEN BAR}"}:
                assert found is not None, row
                assert found.name == row["Name"]
                assert found.status == row["Status"].replace("\N{BROKEN BAR}", "")

    def test_deleted_rows_are_kept_only_when_sat_lists_them(self):
        folder = SHARED / "unece_rec20"
        sat = {r["clave"] for r in _read_csv(folder / "sat_c_ClaveUnidad_vs_rec20.csv")}
        rows = _read_csv(folder / "rec20_rev17e_units-of-measure.csv")
        deleted = [row["CommonCode"] for row in rows if row["Status"] == "X"]
        kept = [code for code in deleted if units._table().get(code) is not None]
        assert kept == [code for code in deleted if code in sat]
        assert len(kept) == 238

    def test_every_sat_code_is_known_with_its_spanish_name(self):
        rows = _read_csv(SHARED / "unece_rec20" / "sat_c_ClaveUnidad_vs_rec20.csv")
        table = units._table()
        for row in rows:
            found = table[row["clave"]]
            assert found.in_sat_clave_unidad
            assert found.sat_name == row["nombre_sat"]
        assert sum(u.in_sat_clave_unidad for u in table.values()) == len(rows) == 2418

    def test_rec21_codes_are_the_x_codes_of_the_peppol_list(self):
        path = SHARED / "unece_rec20" / "peppol_UNECERec20-11e_with_rec21.xml"
        ids = [el.text for el in ElementTree.parse(path).getroot().iter() if el.tag.endswith("Id")]
        x_codes = {code for code in ids if code and re.fullmatch(r"X[0-9A-Z]{2}", code)}
        table = units._table()
        assert {c for c, u in table.items() if u.catalog == "rec21"} == x_codes

    def test_row_count(self):
        assert len(units._table()) == 2481


class TestDataFolder:
    def test_every_shipped_file_is_described_with_its_sha256(self):
        readme = (DATA / "README.md").read_text("utf-8")
        pattern = re.compile(
            r"^## (\S+).*?\*\*SHA-256\*\*: `([0-9a-f]{64})`", re.MULTILINE | re.DOTALL
        )
        sections = dict(pattern.findall(readme))
        # folders (hts/) describe their own files in their own README
        shipped = {
            item.name for item in DATA.iterdir() if item.is_file() and item.name != "README.md"
        }
        assert set(sections) == shipped
        for name, digest in sections.items():
            assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name

    @needs_shared
    def test_derive_script_reproduces_the_shipped_files(self, tmp_path, capsys):
        script = Path(__file__).resolve().parents[3] / "scripts" / "derive_reference_data.py"
        spec = importlib.util.spec_from_file_location("derive_reference_data", script)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert module.main(["--shared", str(SHARED), "--out", str(tmp_path)]) == 0
        assert "units_rec20_sat.csv" in capsys.readouterr().out
        for derived in tmp_path.iterdir():
            assert derived.read_bytes() == (DATA / derived.name).read_bytes(), derived.name
