from __future__ import annotations

import csv
import gzip
import io
import re
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cruce.reference import fracciones
from cruce.reference.fracciones import TariffItem, catalog_edition, fraccion, nico, nicos_of

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared/data is not here")
DATA = files("cruce.reference") / "data"
CATALOG = SHARED / "sat_cfdi" / "catalogs_csv" / "cce20_c_FraccionArancelaria.csv"
XSD = SHARED / "sat_cfdi/www.sat.gob.mx/sitio_internet/cfd/catalogos/ComExt/catComExt.xsd"


class TestFraccion:
    def test_current_fraccion_exists(self):
        assert fraccion("76169999") == TariffItem(
            code="76169999", description="Las demás", derogada=False, current=True
        )

    def test_dots_and_spaces_are_ignored(self):
        found = fraccion(" 7616.99.99 ")
        assert found is not None
        assert found.code == "76169999"

    def test_derogada_fraccion_reports_derogada(self):
        found = fraccion("01011001")
        assert found is not None
        assert found.derogada
        assert not found.current

    def test_legacy_fraccion_without_nicos_is_not_current(self):
        found = fraccion("76169991")
        assert found is not None
        assert (found.derogada, found.current) == (False, False)

    def test_derogada_code_reused_with_nicos_is_current(self):
        found = fraccion("20093102")
        assert found is not None
        assert (found.derogada, found.current) == (True, True)

    def test_fraccion_known_only_through_its_single_nico_00_takes_its_text(self):
        found = fraccion("01062004")
        assert found is not None
        assert found.current
        assert found.description.startswith("Reptiles")

    def test_fraccion_known_only_through_several_nicos_has_no_text(self):
        found = fraccion("01051103")
        assert found is not None
        assert (found.description, found.current) == ("", True)

    @pytest.mark.parametrize(
        "code", ["", "00000000", "7616999", "761699999", "7616999x", "７６１６９９９９"]
    )
    def test_unknown_or_malformed_code_returns_none(self, code):
        assert fraccion(code) is None

    @given(st.text())
    def test_any_string_returns_none_or_an_item(self, text):
        found = fraccion(text)
        assert found is None or (isinstance(found, TariffItem) and len(found.code) == 8)


class TestNico:
    def test_ten_digit_entry_exists(self):
        found = nico("76169999", "99")
        assert found is not None
        assert found.code == "7616999999"
        assert found.current
        assert not found.derogada

    def test_code_accepted_by_the_xsd_only_is_known_without_text(self):
        found = nico("0810.10.01", "01")
        assert found == TariffItem("0810100101", "", derogada=False, current=True)

    @pytest.mark.parametrize(
        ("code8", "code2"), [("76169999", "98"), ("76169999", "9"), ("x", "00")]
    )
    def test_unknown_entry_returns_none(self, code8, code2):
        assert nico(code8, code2) is None

    @given(st.text(), st.text())
    def test_any_strings_return_none_or_an_item(self, code8, code2):
        found = nico(code8, code2)
        assert found is None or len(found.code) == 10


class TestNicosOf:
    def test_lists_the_nicos_in_code_order(self):
        assert [item.code for item in nicos_of("76169999")] == [
            "7616999991",
            "7616999992",
            "7616999999",
        ]

    def test_legacy_or_unknown_fraccion_has_none(self):
        assert nicos_of("76169991") == []
        assert nicos_of("nonsense") == []

    @given(st.text())
    def test_any_string_returns_a_list_of_ten_digit_items(self, text):
        found = nicos_of(text)
        assert all(len(item.code) == 10 for item in found)
        assert len({item.code[:8] for item in found}) <= 1


class TestCatalogEdition:
    def test_names_the_catalog_and_its_source(self):
        edition = catalog_edition()
        assert "Comercio Exterior 2.0" in edition
        assert "satcfdi 26.10.1" in edition
        assert edition == fracciones.SOURCE

    def test_catalog_is_read_once(self):
        assert fracciones._catalog() is fracciones._catalog()


@needs_shared
class TestShippedCatalogMatchesSource:
    def test_compressed_file_holds_the_source_bytes_unchanged(self):
        shipped = gzip.decompress((DATA / "cce20_c_FraccionArancelaria.csv.gz").read_bytes())
        assert shipped == CATALOG.read_bytes()

    def test_row_counts(self):
        with CATALOG.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        eight = [r for r in rows if len(r["clave"]) == 8]
        assert (len(rows), len(eight)) == (24_679, 13_467)
        assert sum(r["valor"] == "Derogada" for r in eight) == 479
        catalog = fracciones._catalog()
        assert len(catalog.fracciones) == 13_467
        assert len(catalog.nicos) == 11_212 + 1_366

    def test_every_source_row_is_found(self):
        text = gzip.decompress((DATA / "cce20_c_FraccionArancelaria.csv.gz").read_bytes())
        for row in csv.DictReader(io.StringIO(text.decode("utf-8"))):
            code = row["clave"]
            found = fraccion(code) if len(code) == 8 else nico(code[:8], code[8:])
            assert found is not None
            assert found.description == row["valor"]

    def test_xsd_only_codes_are_the_xsd_enumeration_less_the_catalog(self):
        xsd = XSD.read_text("utf-8")
        block = re.search(r'name="c_FraccionArancelaria">(.*?)</xs:simpleType>', xsd, re.DOTALL)
        assert block is not None
        enumerated = set(re.findall(r'value="(\d{8,10})"', block.group(1)))
        with CATALOG.open(encoding="utf-8") as handle:
            listed = {row["clave"] for row in csv.DictReader(handle)}
        shipped = (DATA / "cce20_fraccion_codes_xsd_only.txt").read_text("utf-8").split()
        assert shipped == sorted(enumerated - listed)
        assert listed <= enumerated
