from __future__ import annotations

import csv
import dataclasses
import json
import re
from pathlib import Path

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cruce.model import Port
from cruce.reference import ports
from cruce.reference.ports import LandPort, find_ports, land_ports, port_by_code

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared/data is not here")

# Ports whose source cells hold two values or no sección digit: split by hand.
SPLIT = {"2506", "2402", "2304", "2305", "2309", "2301"}


def _source() -> dict[str, dict[str, str]]:
    path = SHARED / "us_mx_ports" / "us_mx_land_ports.csv"
    with path.open(encoding="utf-8") as handle:
        return {row["cbp_port_code"]: row for row in csv.DictReader(handle)}


def _sides(port: LandPort) -> list:
    return [port, *port.alternatives]


class TestLandPorts:
    def test_table_holds_24_ports(self):
        assert len(land_ports()) == 24
        assert len({port.cbp_port_code for port in land_ports()}) == 24

    def test_every_port_converts_to_a_valid_model_port(self):
        for port in land_ports():
            model = port.to_port()
            assert isinstance(model, Port)
            assert model.cbp_port_code == port.cbp_port_code
            assert Port.model_validate(model.model_dump()) == model

    def test_every_alternative_crossing_converts_to_a_valid_model_port(self):
        for port in land_ports():
            models = port.to_ports()
            assert len(models) == 1 + len(port.alternatives)
            assert models[0] == port.to_port()
            assert [m.aduana for m in models[1:]] == [c.aduana for c in port.alternatives]

    def test_nogales_maps_to_aduana_23_seccion_0(self):
        nogales = port_by_code("2604")
        assert nogales is not None
        assert (nogales.aduana, nogales.seccion) == ("23", "0")
        assert nogales.crossing_name == "Mariposa commercial POE"
        assert nogales.us_unlocode == "USOLS"
        assert nogales.mx_unlocode == "MXNOG"
        assert nogales.commercial_trucks == "yes"

    def test_laredo_is_nuevo_laredo_24_with_colombia_80_as_alternative(self):
        laredo = port_by_code("2304")
        assert laredo is not None
        assert (laredo.aduana, laredo.seccion, laredo.mx_unlocode) == ("24", "0", "MXNLD")
        assert laredo.mx_state == "MX-TAM"
        (colombia,) = laredo.alternatives
        assert (colombia.aduana, colombia.seccion, colombia.mx_unlocode) == ("80", "0", "MX5CL")
        assert colombia.mx_state == "MX-NLE"
        assert colombia.crossing_name == "Colombia Solidarity Bridge"

    def test_el_paso_trucks_cross_at_ysleta_zaragoza_07_seccion_1(self):
        el_paso = port_by_code("2402")
        assert el_paso is not None
        assert (el_paso.aduana, el_paso.seccion) == ("07", "1")
        assert "Zaragoza" in el_paso.crossing_name
        assert "Zaragoza Isleta" in el_paso.aduana_name
        assert [(c.aduana, c.seccion) for c in el_paso.alternatives] == [("07", "0")]

    def test_hidalgo_pharr_uses_pharr_for_trucks_and_keeps_hidalgo(self):
        pharr = port_by_code("2305")
        assert pharr is not None
        assert pharr.us_unlocode == "USPFX"
        assert {c.us_unlocode for c in pharr.alternatives} == {"USHID", None}
        assert all(c.commercial_trucks == "no" for c in pharr.alternatives)

    def test_brownsville_keeps_los_indios_as_alternative(self):
        brownsville = port_by_code("2301")
        assert brownsville is not None
        assert (brownsville.aduana, brownsville.seccion, brownsville.us_unlocode) == (
            "17",
            "0",
            "USBRO",
        )
        (los_indios,) = brownsville.alternatives
        assert (los_indios.seccion, los_indios.us_unlocode) == ("1", "USLII")

    def test_only_progreso_and_otay_mesa_are_uncertain(self):
        uncertain = {p.cbp_port_code for p in land_ports() if p.uncertain}
        assert uncertain == {"2309", "2506"}
        for code in uncertain:
            port = port_by_code(code)
            assert port is not None
            assert port.notes.startswith("VERIFY")

    def test_san_ysidro_has_no_commercial_trucks(self):
        san_ysidro = port_by_code("2504")
        assert san_ysidro is not None
        assert san_ysidro.commercial_trucks == "no"

    def test_states_are_iso_3166_2_subdivisions(self):
        for port in land_ports():
            assert pycountry.subdivisions.get(code=port.us_state) is not None
            assert port.us_state.startswith("US-")
            for side in _sides(port):
                assert side.mx_state.startswith("MX-")
                assert pycountry.subdivisions.get(code=side.mx_state) is not None

    def test_ports_are_immutable(self):
        port = land_ports()[0]
        with pytest.raises(dataclasses.FrozenInstanceError):
            port.aduana = "99"  # type: ignore[misc]

    def test_source_names_where_the_table_comes_from(self):
        assert "us_mx_land_ports.csv" in ports.SOURCE


class TestPortByCode:
    def test_known_code_with_surrounding_spaces(self):
        port = port_by_code(" 2506 ")
        assert port is not None
        assert port.cbp_port_name == "Otay Mesa"

    @pytest.mark.parametrize("code", ["", "9999", "2604x", "260", "USOLS", "٢٦٠٤"])
    def test_unknown_code_returns_none(self, code):
        assert port_by_code(code) is None

    @given(st.text())
    def test_any_string_returns_none_or_a_port(self, text):
        assert port_by_code(text) is None or isinstance(port_by_code(text), LandPort)


class TestFindPorts:
    def test_match_ignores_accents_and_case(self):
        juarez = {"2402", "2404", "2408"}  # El Paso, Tornillo and Santa Teresa
        assert {p.cbp_port_code for p in find_ports("CIUDAD JUAREZ")} == juarez
        assert {p.cbp_port_code for p in find_ports("juárez")} == juarez

    def test_match_ignores_punctuation_in_crossing_names(self):
        assert [p.cbp_port_code for p in find_ports("ysleta zaragoza")] == ["2402"]

    def test_unlocode_matches_whole_and_comes_first(self):
        assert [p.cbp_port_code for p in find_ports("uslrd")] == ["2304"]
        assert [p.cbp_port_code for p in find_ports("MXTIJ")] == ["2504", "2506"]

    def test_alternative_crossings_and_cities_match(self):
        assert [p.cbp_port_code for p in find_ports("colombia")] == ["2304"]
        assert [p.cbp_port_code for p in find_ports("Los Indios")] == ["2301"]

    def test_crossing_name_finds_nogales(self):
        assert [p.cbp_port_code for p in find_ports("mariposa")] == ["2604"]

    def test_cbp_code_matches(self):
        assert [p.cbp_port_code for p in find_ports("2604")] == ["2604"]

    @pytest.mark.parametrize("text", ["", "   ", "—", "atlantis"])
    def test_blank_or_unmatched_text_finds_nothing(self, text):
        assert find_ports(text) == []

    @given(st.text())
    def test_any_string_returns_a_list_of_ports(self, text):
        found = find_ports(text)
        assert all(isinstance(port, LandPort) for port in found)


@needs_shared
class TestShippedPortsMatchSource:
    def test_same_ports_in_the_same_order(self):
        assert [p.cbp_port_code for p in land_ports()] == list(_source())

    def test_single_valued_rows_are_copied(self):
        source = _source()
        for port in land_ports():
            row = source[port.cbp_port_code]
            assert port.cbp_port_name == row["cbp_port_name"]
            assert port.us_state == "US-" + row["us_state"]
            assert port.commercial_trucks == row["commercial_trucks"]
            if port.cbp_port_code in SPLIT:
                continue
            assert port.aduana == row["mx_aduana_clave"]
            assert port.seccion == row["mx_seccion"]
            assert port.mx_city == row["mx_city"]
            assert port.us_unlocode == row["us_unlocode"]
            assert port.mx_unlocode == (row["mx_unlocode"] or None)
            assert port.alternatives == ()
            assert port.notes == row["notes"]

    def test_split_values_come_from_the_source_cells(self):
        source = _source()
        for code in SPLIT - {"2506"}:  # Otay Mesa's sección is a name in the source
            port = port_by_code(code)
            assert port is not None
            row = source[code]
            for side in _sides(port):
                assert side.aduana in re.findall(r"\d{2}", row["mx_aduana_clave"])
                assert side.seccion in re.findall(r"\b\d\b", row["mx_seccion"])
            us_codes = {s.us_unlocode for s in _sides(port)} - {None}
            assert us_codes <= set(re.findall(r"US[A-Z0-9]{3}", row["us_unlocode"]))

    def test_aduana_names_are_apendice_1_denominaciones(self):
        text = (SHARED / "mx_anexo22" / "30_apendice_1.json").read_text("utf-8")
        rows = json.loads(text)["Aduana_Sección"]
        names = {(r["Aduana"], r["Sección"]): r["Denominación"] for r in rows}
        for port in land_ports():
            for side in _sides(port):
                assert side.aduana_name == names[side.aduana, side.seccion]

    def test_unlocodes_exist_in_un_locode(self):
        path = SHARED / "un_locode" / "unlocode_2018-1_MX_US.csv"
        with path.open(encoding="utf-8") as handle:
            known = {row["unlocode"] for row in csv.DictReader(handle)}
        for port in land_ports():
            for side in _sides(port):
                assert {side.us_unlocode, side.mx_unlocode} - {None} <= known
