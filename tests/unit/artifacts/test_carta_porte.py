from __future__ import annotations

import copy
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from common.factories import line, shipment_data
from cruce.artifacts import carta_porte
from cruce.artifacts._cfdi_common import SAT_SCHEMAS, Csd, sat_schema
from cruce.artifacts.carta_porte import (
    ARTIFACT,
    CartaPorte,
    carrier_csd_from_environment,
    complemento,
    id_ccp,
)
from cruce.artifacts.registry import get
from cruce.ingest.loader import load_shipment
from cruce.model import Severity, Shipment
from cruce.model.party import TaxId, TaxScheme

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "src" / "cruce" / "examples"
SHARED = REPO.parent / "shared" / "data"
CSD_DIR = SHARED / "sat_csd_test"
OFFICIAL_SAT = SHARED / "sat_cfdi" / "www.sat.gob.mx" / "sitio_internet" / "cfd"
TEST_RFC = "AAA010101AAA"
EXPIRED_RFC = "EKU9003173C9"
NS = {"cfdi": carta_porte.CFDI_NS, "cp": carta_porte.CP_NS}
RATE = {
    "base": "USD",
    "quote": "MXN",
    "rate": "18.2145",
    "source": "Banxico FIX (SF43718), illustrative",
    "as_of": "2026-12-04",
}

needs_csd = pytest.mark.skipif(not CSD_DIR.is_dir(), reason="SAT test CSDs not available")


def _csd(folder: str, stem: str) -> Csd:
    base = CSD_DIR / folder
    password = (base / f"{stem}.txt").read_text(encoding="utf-8").strip()
    return Csd.from_files(base / f"{stem}.cer", base / f"{stem}.key", password)


def _valid_csd() -> Csd:
    return _csd("AAA010101AAA_emisor2021", "emisor2021")


def _expired_csd() -> Csd:
    return _csd("EKU9003173C9_persona_moral", "eku9003173c9_csd")


def _carrier(rfc: str = TEST_RFC) -> dict[str, Any]:
    return {
        "name": "Transportes Fronterizos del Pacífico, S.A. de C.V.",
        "tax_ids": [{"scheme": "mx_rfc", "value": rfc}],
        "address": {
            "street": "Carretera Internacional km 3.5",
            "locality": "Heroica Nogales",
            "municipality": "Nogales",
            "subdivision": "MX-SON",
            "postal_code": "84094",
            "country": "MX",
        },
    }


def _data(carrier_rfc: str = TEST_RFC) -> dict[str, Any]:
    """The factory's southbound shipment with everything the carrier's Carta Porte needs."""
    data = shipment_data()
    data["parties"]["carrier"] = _carrier(carrier_rfc)
    transport = data["transport"]
    transport["truck"] = {
        "number": "4471",
        "plate": "41AH6T",
        "plate_jurisdiction": "MX",
        "model_year": 2023,
        "configuration": "T3S2",
        "gross_weight_t": "36.50",
    }
    transport["trailers"] = [{"plate": "48UJ2K", "trailer_subtype": "CTR004"}]
    transport["driver"] = {
        "name": "José Luis Ochoa Valenzuela",
        "license_number": "SON0048211",
        "tax_ids": [{"scheme": "mx_rfc", "value": "OOVJ780315AB8"}],
    }
    transport["planned_departure"] = "2026-12-02T06:00:00-07:00"
    transport["planned_delivery"] = "2026-12-04T16:00:00-06:00"
    transport["mx_distance_km"] = "1652"
    transport["permit"] = {"type": "TPAF01", "number": "0226SON18042007"}
    transport["liability_insurance"] = {"insurer": "Seguros Atlas", "policy": "AT-RC-2026-0045"}
    data["customs"] = {"pedimento": "26 23 3217 6000418"}
    data["goods"] = [
        line(clave_prod_serv="31171504"),
        line(part_number="SPM-7616-002", gross_weight_kg="55.5", quantity="100"),
    ]
    data["terms"]["charges"] = [
        {"kind": "freight", "amount": "3150.00 USD", "description": "Flete Phoenix - Zapopan"}
    ]
    data["terms"]["exchange_rate"] = RATE
    return data


def _record(data: dict[str, Any]) -> Shipment:
    return Shipment.model_validate(data)


def _changed(path: str, value: Any, carrier_rfc: str = TEST_RFC) -> Shipment:
    """The complete record with the value at a dotted path (``transport.truck.plate``) set."""
    data = _data(carrier_rfc)
    target: Any = data
    keys = [int(k) if k.isdigit() else k for k in re.split(r"[.\[\]]+", path) if k]
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = copy.deepcopy(value)
    return _record(data)


def _with_carrier_rfc(record: Shipment, rfc: str = TEST_RFC) -> Shipment:
    carrier = record.parties.carrier
    assert carrier is not None
    changed = carrier.model_copy(update={"tax_ids": [TaxId(scheme=TaxScheme.MX_RFC, value=rfc)]})
    parties = record.parties.model_copy(update={"carrier": changed})
    return record.model_copy(update={"parties": parties})


def _codes(problems: list) -> dict[tuple[str, str], Severity]:
    return {(p.code, p.path): p.severity for p in problems}


def _root(data: bytes) -> Any:
    return etree.fromstring(data)


@pytest.fixture(scope="module")
def artifact() -> CartaPorte:
    if not CSD_DIR.is_dir():
        pytest.skip("SAT test CSDs not available")
    csd = _valid_csd()
    return CartaPorte(lambda: csd, lambda: None)


@pytest.fixture(scope="module")
def southbound() -> Shipment:
    return _record(_data())


@pytest.fixture(scope="module")
def example_01() -> Shipment:
    """Example 01 with the test CSD's RFC as the carrier's and a USD/MXN rate in the record."""
    record = _with_carrier_rfc(
        load_shipment(EXAMPLES / "01-phoenix-to-guadalajara" / "shipment.yaml")
    )
    terms = record.terms.model_copy(update={"exchange_rate": _record(_data()).terms.exchange_rate})
    return record.model_copy(update={"terms": terms})


@pytest.fixture(scope="module")
def example_02() -> Shipment:
    """Example 02 with the test CSD's RFC as the carrier's and its lines declared not hazardous."""
    record = _with_carrier_rfc(
        load_shipment(EXAMPLES / "02-guadalajara-to-phoenix" / "shipment.yaml")
    )
    goods = [g.model_copy(update={"hazmat": False}) for g in record.goods]
    return record.model_copy(update={"goods": goods})


@pytest.fixture(scope="module")
def sealed_01(artifact: CartaPorte, example_01: Shipment) -> bytes:
    return artifact.render(example_01).data


@pytest.fixture(scope="module")
def sealed_02(artifact: CartaPorte, example_02: Shipment) -> bytes:
    return artifact.render(example_02).data


@pytest.fixture(scope="module")
def sealed(artifact: CartaPorte, southbound: Shipment) -> bytes:
    return artifact.render(southbound).data


class TestRequirement:
    def test_the_registry_finds_it(self):
        assert get("carta_porte") is ARTIFACT
        assert ARTIFACT.media_type == "application/xml"

    @needs_csd
    @pytest.mark.parametrize("direction", ["southbound", "northbound"])
    def test_a_truck_crossing_either_way_requires_it_once_the_carriers_csd_is_configured(
        self, direction: str
    ):
        data = _data()
        if direction == "northbound":
            data["export_country"], data["import_country"] = "MX", "US"
        assert CartaPorte(_valid_csd, lambda: None).required(_record(data)).required

    @pytest.mark.parametrize("mode", ["rail", "air", "ocean"])
    def test_other_modes_do_not_and_have_no_problems(self, mode: str):
        data = _data()
        data["transport"]["mode"] = mode
        record = _record(data)
        requirement = ARTIFACT.required(record)
        assert not requirement.required
        assert "RMF regla 2.7.7.1.1" in (requirement.citation or "")
        assert ARTIFACT.problems(record) == []

    def test_without_a_csd_of_the_carrier_cruce_does_not_prepare_it_and_says_how(
        self, southbound: Shipment
    ):
        artifact = CartaPorte(lambda: None, lambda: None)
        assert not artifact.required(southbound).required
        problems = artifact.problems(southbound)
        assert problems[0].code == "carta_porte.csd.not_configured"
        assert problems[0].severity is Severity.WARNING
        assert "CRUCE_CARRIER_CSD_CER" in problems[0].render("en")

    @needs_csd
    def test_the_shared_csd_serves_when_its_holder_is_the_carrier(self, southbound: Shipment):
        csd = _valid_csd()
        artifact = CartaPorte(lambda: None, lambda: csd)
        assert artifact.required(southbound).required
        assert all(p.severity is Severity.WARNING for p in artifact.problems(southbound))

    @needs_csd
    def test_the_shared_csd_of_another_rfc_is_not_the_carriers(self):
        record = _record(_data(carrier_rfc="TFP9806052NA"))
        csd = _valid_csd()
        artifact = CartaPorte(lambda: None, lambda: csd)
        assert not artifact.required(record).required
        assert artifact.problems(record)[0].code == "carta_porte.csd.not_configured"

    def test_the_carriers_variables_name_its_csd(self, tmp_path: Path):
        assert carrier_csd_from_environment({}) is None
        assert carrier_csd_from_environment({"CRUCE_CSD_CER": "x"}) is None
        environ = {
            "CRUCE_CARRIER_CSD_CER": str(tmp_path / "missing.cer"),
            "CRUCE_CARRIER_CSD_KEY": str(tmp_path / "missing.key"),
            "CRUCE_CARRIER_CSD_PASSWORD": "x",
        }
        artifact = CartaPorte(lambda: carrier_csd_from_environment(environ), lambda: None)
        record = _record(_data())
        assert artifact.required(record).required
        codes = _codes(artifact.problems(record))
        assert codes[("carta_porte.csd.unreadable", "csd")] is Severity.BLOCKER


@needs_csd
class TestCsd:
    def test_a_valid_csd_of_the_carrier_leaves_only_warnings(
        self, artifact: CartaPorte, southbound: Shipment
    ):
        assert all(p.severity is Severity.WARNING for p in artifact.problems(southbound))

    def test_an_expired_csd_is_refused(self):
        record = _record(_data(carrier_rfc=EXPIRED_RFC))
        csd = _expired_csd()
        problems = CartaPorte(lambda: csd, lambda: None).problems(record)
        codes = _codes(problems)
        assert codes[("carta_porte.csd.expired", "csd")] is Severity.BLOCKER
        assert ("carta_porte.csd.rfc_mismatch", "csd") not in codes
        message = next(p for p in problems if p.code == "carta_porte.csd.expired").render("en")
        assert "2023-06-17" in message
        assert "2026-12-02" in message

    def test_a_csd_of_another_rfc_is_refused(self):
        record = _record(_data(carrier_rfc="TFP9806052NA"))
        csd = _valid_csd()
        problems = CartaPorte(lambda: csd, lambda: None).problems(record)
        message = next(p for p in problems if p.code == "carta_porte.csd.rfc_mismatch")
        assert message.severity is Severity.BLOCKER
        assert "TFP9806052NA" in message.render("en")
        assert TEST_RFC in message.render("en")

    def test_a_wrong_password_is_refused(self, southbound: Shipment):
        good = _valid_csd()
        wrong = Csd(good.certificate, good.key, b"not-the-password")
        codes = _codes(CartaPorte(lambda: wrong, lambda: None).problems(southbound))
        assert codes[("carta_porte.csd.invalid", "csd")] is Severity.BLOCKER

    def test_rendering_without_a_csd_is_refused(self, southbound: Shipment):
        with pytest.raises(ValueError, match="CSD"):
            CartaPorte(lambda: None, lambda: None).render(southbound)


MISSING = [
    ("parties.carrier", None, "carta_porte.emisor.missing", "parties.carrier"),
    ("parties.carrier.tax_ids", [], "carta_porte.emisor.rfc_missing", "parties.carrier.tax_ids"),
    ("transport.permit", None, "carta_porte.autotransporte.permit_missing", "transport.permit"),
    (
        "transport.liability_insurance",
        None,
        "carta_porte.autotransporte.insurance_missing",
        "transport.liability_insurance",
    ),
    ("transport.truck", None, "carta_porte.autotransporte.truck_missing", "transport.truck"),
    (
        "transport.truck.configuration",
        None,
        "carta_porte.field.missing",
        "transport.truck.configuration",
    ),
    (
        "transport.truck.gross_weight_t",
        None,
        "carta_porte.field.missing",
        "transport.truck.gross_weight_t",
    ),
    ("transport.truck.model_year", None, "carta_porte.field.missing", "transport.truck.model_year"),
    (
        "transport.truck.plate",
        None,
        "carta_porte.autotransporte.plate_invalid",
        "transport.truck.plate",
    ),
    (
        "transport.trailers[0].trailer_subtype",
        None,
        "carta_porte.field.missing",
        "transport.trailers[0].trailer_subtype",
    ),
    ("transport.driver", None, "carta_porte.figura.driver_missing", "transport.driver"),
    (
        "transport.driver.tax_ids",
        [],
        "carta_porte.figura.tax_id_missing",
        "transport.driver.tax_ids",
    ),
    (
        "transport.driver.license_number",
        None,
        "carta_porte.figura.license_missing",
        "transport.driver.license_number",
    ),
    (
        "transport.mx_distance_km",
        None,
        "carta_porte.ubicacion.distance_missing",
        "transport.mx_distance_km",
    ),
    ("customs.pedimento", None, "carta_porte.pedimento.missing", "customs.pedimento"),
    (
        "goods[0].gross_weight_kg",
        None,
        "carta_porte.mercancia.weight_missing",
        "goods[0].gross_weight_kg",
    ),
    ("goods[1].hazmat", None, "carta_porte.mercancia.hazmat_unknown", "goods[1].hazmat"),
    ("goods[0].nico", None, "carta_porte.mercancia.fraccion_invalid", "goods[0].nico"),
    ("terms.charges", [], "carta_porte.concepto.freight_missing", "terms.charges"),
    ("terms.incoterm", None, "carta_porte.receptor.incoterm_missing", "terms.incoterm"),
    (
        "parties.buyer.tax_ids",
        [],
        "carta_porte.pedimento.rfc_impo_missing",
        "parties.buyer.tax_ids",
    ),
]

UNKNOWN = [
    ("transport.permit.type", "TPXX99"),
    ("transport.truck.configuration", "ZZ9"),
    ("transport.trailers[0].trailer_subtype", "CTR999"),
    ("goods[0].clave_prod_serv", "76111501"),
]


class TestRecordProblems:
    @pytest.mark.parametrize(("path", "value", "code", "where"), MISSING)
    def test_each_missing_field_is_a_blocker_at_its_path(
        self, path: str, value: Any, code: str, where: str
    ):
        problems = CartaPorte(lambda: None, lambda: None).problems(_changed(path, value))
        assert _codes(problems).get((code, where)) is Severity.BLOCKER, problems

    @pytest.mark.parametrize(("path", "value"), UNKNOWN)
    def test_an_unknown_catalog_code_is_refused_at_its_path(self, path: str, value: str):
        problems = CartaPorte(lambda: None, lambda: None).problems(_changed(path, value))
        assert _codes(problems).get(("carta_porte.code.unknown", path)) is Severity.BLOCKER
        found = next(p for p in problems if p.path == path)
        assert value in found.render("en")

    def test_a_state_sat_does_not_list_is_refused(self):
        path = "parties.seller.address.subdivision"
        problems = CartaPorte(lambda: None, lambda: None).problems(_changed(path, "US-DC"))
        assert _codes(problems).get(("carta_porte.code.unknown", path)) is Severity.BLOCKER

    def test_a_hazardous_line_needs_a_known_un_number_and_packaging(self):
        data = _data()
        data["goods"][0].update(hazmat=True, un_number="9999", package_type="PX")
        codes = _codes(CartaPorte(lambda: None, lambda: None).problems(_record(data)))
        assert codes[("carta_porte.code.unknown", "goods[0].un_number")] is Severity.BLOCKER
        assert codes[("carta_porte.code.unknown", "goods[0].package_type")] is Severity.BLOCKER

    def test_a_line_without_a_product_key_is_written_as_the_catalogs_default_with_a_warning(
        self,
    ):
        data = _data()
        data["goods"][0].pop("clave_prod_serv")
        codes = _codes(CartaPorte(lambda: None, lambda: None).problems(_record(data)))
        assert codes[("carta_porte.mercancia.bienes_transp_default", "goods")] is Severity.WARNING

    def test_a_plate_with_a_hyphen_is_refused(self):
        problems = CartaPorte(lambda: None, lambda: None).problems(
            _changed("transport.truck.plate", "41-AH6T")
        )
        assert ("carta_porte.autotransporte.plate_invalid", "transport.truck.plate") in _codes(
            problems
        )

    def test_without_departure_or_delivery_the_crossing_time_serves_with_a_warning(self):
        data = _data()
        del data["transport"]["planned_departure"], data["transport"]["planned_delivery"]
        codes = _codes(CartaPorte(lambda: None, lambda: None).problems(_record(data)))
        assert (
            codes[("carta_porte.ubicacion.departure_is_crossing", "transport.planned_departure")]
            is Severity.WARNING
        )
        assert (
            codes[("carta_porte.ubicacion.arrival_is_crossing", "transport.planned_delivery")]
            is Severity.WARNING
        )

    def test_a_pedimento_of_another_aduana_than_the_crossing_is_worth_a_look(self):
        problems = CartaPorte(lambda: None, lambda: None).problems(
            _changed("customs.pedimento", "26 24 3217 6000418")
        )
        codes = _codes(problems)
        assert codes[("carta_porte.pedimento.aduana_mismatch", "customs.pedimento")] is (
            Severity.WARNING
        )

    def test_the_pedimento_is_written_as_the_xsd_pattern_wants(self, southbound: Shipment):
        assert carta_porte.pedimento_number(southbound) == "26  23  3217  6000418"


@needs_csd
class TestRender:
    def test_it_validates_against_the_shipped_schemas_and_the_seal(
        self, artifact: CartaPorte, sealed: bytes
    ):
        assert artifact.validate(sealed) == []

    @pytest.mark.parametrize("name", ["sealed_01", "sealed_02"])
    def test_the_bundled_examples_validate(
        self, artifact: CartaPorte, name: str, request: pytest.FixtureRequest
    ):
        assert artifact.validate(request.getfixturevalue(name)) == []

    @pytest.mark.skipif(not OFFICIAL_SAT.is_dir(), reason="official SAT XSDs not available")
    @pytest.mark.parametrize("name", ["sealed_01", "sealed_02"])
    def test_the_examples_are_valid_against_the_official_schemas(
        self, name: str, request: pytest.FixtureRequest
    ):
        schema = sat_schema(
            OFFICIAL_SAT,
            (
                (carta_porte.CFDI_NS, "4/cfdv40.xsd"),
                (carta_porte.CP_NS, "CartaPorte/CartaPorte31.xsd"),
            ),
        )
        assert schema.validate(_root(request.getfixturevalue(name))), schema.error_log

    def test_the_shipped_carta_porte_schemas_are_the_official_ones(self):
        if not OFFICIAL_SAT.is_dir():
            pytest.skip("official SAT XSDs not available")
        for relative in ("CartaPorte/CartaPorte31.xsd", "catalogos/CartaPorte/catCartaPorte.xsd"):
            shipped = SAT_SCHEMAS / relative
            assert shipped.read_bytes() == (OFFICIAL_SAT / relative).read_bytes(), relative

    def test_render_is_deterministic(
        self, artifact: CartaPorte, example_02: Shipment, sealed_02: bytes
    ):
        rendered = artifact.render(example_02)
        assert rendered.data == sealed_02
        assert rendered.filename == "ETC-2026-EXP-0331-carta-porte.xml"

    def test_the_carrier_issues_a_cfdi_de_ingreso_for_its_freight(self, sealed_01: bytes):
        root = _root(sealed_01)
        assert root.get("TipoDeComprobante") == "I"
        assert root.get("Exportacion") == "01"
        assert root.find("cfdi:Emisor", NS).get("Rfc") == TEST_RFC
        assert root.get("LugarExpedicion") == "84094"
        concepto = root.find(".//cfdi:Concepto", NS)
        assert concepto.get("ClaveProdServ") == "78101802"
        assert Decimal(concepto.get("ValorUnitario")) == Decimal("3150.00")

    def test_southbound_goods_enter_under_a_definitive_import(self, sealed_01: bytes):
        root = _root(sealed_01)
        cp = root.find(".//cp:CartaPorte", NS)
        assert cp.get("TranspInternac") == "Sí"
        assert cp.get("EntradaSalidaMerc") == "Entrada"
        assert cp.get("PaisOrigenDestino") == "USA"
        assert cp.get("ViaEntradaSalida") == "01"
        assert cp.find(".//cp:RegimenAduaneroCCP", NS).get("RegimenAduanero") == "IMD"
        for document in cp.iterfind(".//cp:DocumentacionAduanera", NS):
            assert document.get("TipoDocumento") == "01"
            assert document.get("NumPedimento") == "26  23  3217  6000418"
            assert document.get("RFCImpo") == "EIO090417K36"
        # the trip begins abroad: the freight is not a service rendered in Mexico (LIVA art. 16)
        assert root.find(".//cfdi:Concepto", NS).get("ObjetoImp") == "01"
        # DAP: the seller pays the carriage, a foreign receptor
        receptor = root.find("cfdi:Receptor", NS)
        assert receptor.get("Rfc") == "XEXX010101000"
        assert receptor.get("NumRegIdTrib") == "862741953"

    def test_northbound_goods_leave_under_a_definitive_export(self, sealed_02: bytes):
        root = _root(sealed_02)
        cp = root.find(".//cp:CartaPorte", NS)
        assert cp.get("EntradaSalidaMerc") == "Salida"
        assert cp.get("PaisOrigenDestino") == "USA"
        assert cp.find(".//cp:RegimenAduaneroCCP", NS).get("RegimenAduanero") == "EXD"
        document = cp.find(".//cp:DocumentacionAduanera", NS)
        assert document.get("NumPedimento") == "26  23  3217  6000391"
        assert document.get("RFCImpo") is None
        traslado = root.find(".//cfdi:Concepto//cfdi:Traslado", NS)
        assert (traslado.get("Impuesto"), traslado.get("TasaOCuota")) == ("002", "0.000000")
        # FCA: the buyer pays the carriage
        assert root.find("cfdi:Receptor", NS).get("Nombre") == "Saguaro Controls Integration, Inc."

    @pytest.mark.parametrize("name", ["sealed", "sealed_01", "sealed_02"])
    def test_the_total_distance_is_the_destinations_distance_in_mexico(
        self, name: str, request: pytest.FixtureRequest
    ):
        cp = _root(request.getfixturevalue(name)).find(".//cp:CartaPorte", NS)
        destino = next(
            u for u in cp.iterfind(".//cp:Ubicacion", NS) if u.get("TipoUbicacion") == "Destino"
        )
        assert Decimal(cp.get("TotalDistRec")) == Decimal(destino.get("DistanciaRecorrida"))

    def test_the_gross_weight_is_the_sum_of_the_lines(self, sealed_01: bytes, example_01: Shipment):
        mercancias = _root(sealed_01).find(".//cp:Mercancias", NS)
        weights = [Decimal(m.get("PesoEnKg")) for m in mercancias.iterfind("cp:Mercancia", NS)]
        assert Decimal(mercancias.get("PesoBrutoTotal")) == sum(weights)
        assert sum(weights) == sum(g.gross_weight_kg or 0 for g in example_01.goods)
        assert mercancias.get("UnidadPeso") == "KGM"
        assert int(mercancias.get("NumTotalMercancias")) == len(example_01.goods)

    def test_vehicle_insurance_trailer_and_driver(self, sealed_01: bytes):
        cp = _root(sealed_01).find(".//cp:CartaPorte", NS)
        auto = cp.find(".//cp:Autotransporte", NS)
        assert (auto.get("PermSCT"), auto.get("NumPermisoSCT")) == ("TPAF01", "0226SON18042007")
        vehicle = auto.find("cp:IdentificacionVehicular", NS)
        assert (vehicle.get("ConfigVehicular"), vehicle.get("PlacaVM")) == ("T3S2", "41AH6T")
        assert (vehicle.get("PesoBrutoVehicular"), vehicle.get("AnioModeloVM")) == ("36.50", "2023")
        assert auto.find("cp:Seguros", NS).get("PolizaRespCivil") == "AT-RC-2026-004518"
        remolque = auto.find(".//cp:Remolque", NS)
        assert (remolque.get("SubTipoRem"), remolque.get("Placa")) == ("CTR004", "48UJ2K")
        figura = cp.find(".//cp:TiposFigura", NS)
        assert figura.get("TipoFigura") == "01"
        assert figura.get("RFCFigura") == "OOVJ780315AB8"
        assert figura.get("NumLicencia") == "SON0048211"

    def test_the_id_ccp_follows_the_xsd_and_differs_per_trip(self, sealed: bytes):
        value = _root(sealed).find(".//cp:CartaPorte", NS).get("IdCCP")
        assert re.fullmatch(r"CCC[0-9a-f]{5}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", value)
        other = _changed("reference", "SPM-2026-0413")
        assert id_ccp(other) != value

    def test_a_hazardous_line_is_declared(self, artifact: CartaPorte):
        data = _data()
        data["goods"][0].update(hazmat=True, un_number="1263", package_type="4G")
        record = _record(data)
        assert all(p.severity is Severity.WARNING for p in artifact.problems(record))
        rendered = artifact.render(record).data
        mercancia = _root(rendered).find(".//cp:Mercancia", NS)
        assert mercancia.get("MaterialPeligroso") == "Sí"
        assert mercancia.get("CveMaterialPeligroso") == "1263"
        assert mercancia.get("Embalaje") == "4G"
        assert artifact.validate(rendered) == []

    def test_a_mexican_payer_is_billed_by_its_rfc(self, artifact: CartaPorte):
        data = _data()
        data["terms"]["incoterm"] = "FCA"  # the buyer in Zapopan pays the carriage
        rendered = artifact.render(_record(data)).data
        receptor = _root(rendered).find("cfdi:Receptor", NS)
        assert receptor.get("Rfc") == "MTA1503109K6"
        assert receptor.get("UsoCFDI") == "G03"
        assert receptor.get("DomicilioFiscalReceptor") == "45150"
        assert artifact.validate(rendered) == []


@needs_csd
class TestValidate:
    def test_a_changed_document_fails_the_seal(self, artifact: CartaPorte, sealed: bytes):
        tampered = sealed.replace(b'PlacaVM="41AH6T"', b'PlacaVM="41AH6X"', 1)
        assert tampered != sealed
        assert [p.code for p in artifact.validate(tampered)] == ["carta_porte.sello.invalid"]

    def test_the_total_distance_must_add_up(self, artifact: CartaPorte, sealed: bytes):
        tampered = sealed.replace(b'TotalDistRec="1652"', b'TotalDistRec="1700"', 1)
        assert tampered != sealed
        codes = {p.code for p in artifact.validate(tampered)}
        assert codes == {"carta_porte.sello.invalid", "carta_porte.total_dist_rec"}

    def test_the_gross_weight_must_add_up(self, artifact: CartaPorte, sealed: bytes):
        tampered = sealed.replace(b'PesoBrutoTotal="165.500"', b'PesoBrutoTotal="165.000"', 1)
        assert tampered != sealed
        codes = {p.code for p in artifact.validate(tampered)}
        assert "carta_porte.peso_bruto_total" in codes

    def test_a_schema_error_names_the_element(self, artifact: CartaPorte, sealed: bytes):
        tampered = sealed.replace(b'TranspInternac="S\xc3\xad"', b'TranspInternac="Tal vez"', 1)
        assert tampered != sealed
        problems = artifact.validate(tampered)
        assert [p.code for p in problems] == ["carta_porte.xsd.invalid"]
        assert "CartaPorte" in problems[0].path

    def test_malformed_xml_is_reported(self, artifact: CartaPorte):
        assert [p.code for p in artifact.validate(b"<cfdi:Comprobante")] == [
            "carta_porte.xml.malformed"
        ]


weights = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(5000), places=3)


class TestProperties:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(weights, min_size=1, max_size=6), st.decimals(1, 5000, places=2))
    def test_totals_are_the_sums_of_their_parts(self, gross: list[Decimal], km: Decimal):
        data = _data()
        data["goods"] = [
            line(part_number=f"P-{i}", gross_weight_kg=str(w)) for i, w in enumerate(gross)
        ]
        data["transport"]["mx_distance_km"] = str(km)
        cp = complemento(_record(data))
        mercancias = cp["Mercancias"]
        assert mercancias["PesoBrutoTotal"] == sum(gross)
        assert mercancias["NumTotalMercancias"] == len(gross)
        destino = cp["Ubicaciones"][1]
        assert cp["TotalDistRec"] == destino["DistanciaRecorrida"] == km
