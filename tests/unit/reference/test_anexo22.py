from __future__ import annotations

import json
from pathlib import Path

import pytest

from cruce.reference import anexo22, mx_fees, units

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared" / "data" / "mx_anexo22"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared research data not present")

# Field counts of the Lineamientos VOCE-SAAI M3 v9.0, as the transcription gives them.
ARITY = {
    "500": 6, "501": 35, "505": 17, "506": 4, "509": 5, "510": 5, "516": 4,
    "551": 26, "554": 8, "556": 7, "557": 7, "800": 5, "801": 5,
}  # fmt: skip


def _shared(name: str) -> dict:
    return json.loads((SHARED / name).read_text("utf-8"))


class TestLayouts:
    def test_every_record_has_its_field_count(self):
        layout = anexo22.m3_layout()
        assert {code: len(r.fields) for code, r in layout.records.items()} == ARITY

    def test_every_record_starts_with_its_code_and_names_the_pedimento(self):
        for code, record in anexo22.m3_layout().records.items():
            first = record.fields[0]
            assert (first.key, first.type, first.length) == ("registro", "N", 3)
            if code in {"500", "501"}:
                assert record.index("patente") == record.index("pedimento") - 1
            elif code != "801":
                assert record.index("pedimento") == 1
                assert record.fields[1].length == 7

    def test_the_partida_record_in_the_order_of_the_example_files(self):
        keys = [f.key for f in anexo22.record("551").fields]
        assert keys[:6] == ["registro", "pedimento", "fraccion", "partida", "subdivision",
                            "descripcion"]  # fmt: skip
        assert keys[6:10] == ["precio_unitario", "valor_aduana", "precio_pagado", "valor_dolares"]

    def test_decimal_fields_have_digits_and_decimals(self):
        rate = anexo22.record("501").fields[10]
        assert (rate.key, rate.type, rate.integers, rate.decimals) == ("tipo_cambio", "D", 9, 5)

    def test_left_out_records_are_named_with_the_reason(self):
        left_out = anexo22.m3_layout().left_out
        assert "502" in left_out
        assert not set(left_out) & set(anexo22.m3_layout().records)

    def test_an_unknown_record_raises(self):
        with pytest.raises(KeyError):
            anexo22.record("999")

    def test_the_source_and_file_name_rule_are_stated(self):
        layout = anexo22.m3_layout()
        assert "VOCE-SAAI M3" in layout.source
        assert layout.url.startswith("https://www.ventanillaunica.gob.mx/")
        assert layout.file_name_pattern.startswith("m{patente:4}")


class TestCodes:
    def test_contribution_codes_agree_with_the_fees_table(self):
        for name, code in (("DTA", "1"), ("IVA", "3"), ("IGI", "6"), ("PRV", "15"),
                           ("IVA_PRV", "23")):  # fmt: skip
            assert mx_fees.contribution_code(name) == code
            assert code in anexo22.appendix(12)

    def test_rate_types_agree_with_the_fees_table(self):
        for name in ("ad_valorem", "fixed", "dta_per_thousand"):
            assert mx_fees.rate_type_code(name) in anexo22.appendix(18)

    def test_every_pedimento_unit_of_the_units_table_is_in_apendice_7(self):
        for code in ("H87", "KGM", "MTR", "SET", "PR", "XBX"):
            unit = units.unit(code)
            assert unit is not None
            assert unit.pedimento_umc in anexo22.appendix(7)

    def test_countries_in_three_letters(self):
        assert anexo22.m3_country("US") == anexo22.M3Country("USA", listed=True)
        assert anexo22.m3_country("mx") == anexo22.M3Country("MEX", listed=False)
        assert anexo22.m3_country("ZZ") is None

    def test_descriptions(self):
        assert anexo22.describe(16, "IMD") == "Definitivo de importación."
        assert anexo22.contribution_abbreviation("6") == "IGI/IGE"
        assert anexo22.umc_name("6") == "Pieza"
        assert anexo22.describe(8, "TL").startswith("Mercancía originaria")


@needs_shared
class TestAgainstTheAppendices:
    def test_apendice_2_a1(self):
        clave = _shared("31_apendice_2.json")["Claves_de_Pedimento"]["Régimen_Definitivo"]["A1"]
        assert anexo22.appendix(2) == {"A1": clave["Descripción"]}

    def test_apendice_3(self):
        rows = _shared("32_apendice_3.json")["Medios_de_transporte"]
        assert anexo22.appendix(3) == {str(r["clave"]): r["descripcion"] for r in rows}

    def test_apendice_4(self):
        rows = _shared("33_apendice_4.json")["Claves de países"]
        assert anexo22.appendix(4) == {r["Clave SAAI M3"]: r["País"] for r in rows}

    def test_apendice_7(self):
        rows = _shared("36_apendice_7.json")["Unidades_de_medida"]
        assert anexo22.appendix(7) == {str(r["Clave"]): r["Descripción"] for r in rows}

    def test_apendice_8_tl(self):
        rows = _shared("37_apendice_8.json")["Identificadores"]
        tl = next(r for r in rows if r["Clave"].startswith("TL-"))
        shipped = anexo22.appendix(8)["TL"]
        assert tl["Clave"] == f"TL- {shipped['descripcion']}"
        assert (tl["Nivel"], tl["Complemento 1"]) == (shipped["nivel"], shipped["complemento_1"])

    @pytest.mark.parametrize(
        ("number", "name", "path", "code_key", "text_key"),
        [
            (11, "40_apendice_11.json", ("Claves de metodos de valoracion", "Metodos"), "Clave",
             "Descripcion"),
            (13, "42_apendice_13.json", ("Formas de pago", "Formas"), "Clave", "Descripción"),
            (15, "44_apendice_15.json", ("Destinos de mercancía", "Destinos"), "Clave",
             "Descripción"),
            (16, "45_apendice_16.json", ("Regímenes", "Regímenes"), "Clave", "Descripción"),
            (18, "47_apendice_18.json", ("Tipos de tasas", "Tasas"), "Clave", "Descripción"),
        ],
    )  # fmt: skip
    def test_subsets_are_copied_word_for_word(self, number, name, path, code_key, text_key):
        data = _shared(name)
        for key in path:
            data = data[key]
        source = {str(r[code_key]): r[text_key] for r in data}
        for code, text in anexo22.appendix(number).items():
            assert source[code] == text

    def test_apendice_12(self):
        rows = _shared("41_apendice_12.json")[
            "Contribuciones, cuotas compensatorias, gravámenes y derechos"
        ]["Contribuciones"]
        source = {r["Clave"]: r for r in rows}
        for code, shipped in anexo22.appendix(12).items():
            assert shipped == {
                "abreviacion": source[code]["Abreviación"],
                "contribucion": source[code]["Contribución"],
                "nivel": source[code]["Nivel"],
            }

    def test_apendice_14(self):
        groups = _shared("43_apendice_14.json")["Términos de facturación"]["Términos"]
        source = {c["Clave"]: c["Descripción"] for g in groups for c in g["Claves"]}
        assert anexo22.appendix(14) == source
