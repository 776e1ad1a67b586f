from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from common.factories import shipment
from cruce.artifacts import cfdi
from cruce.artifacts.cfdi import (
    ARTIFACT,
    Cfdi,
    Csd,
    SatcfdiStamper,
    Stamper,
    cfdi_schema,
    csd_from_environment,
    emisor_name,
)
from cruce.artifacts.checklist import check
from cruce.artifacts.registry import get
from cruce.ingest.loader import load_shipment
from cruce.model import Severity, Shipment
from cruce.model.party import TaxId, TaxScheme

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "src" / "cruce" / "examples" / "02-guadalajara-to-phoenix" / "shipment.yaml"
SHARED = REPO.parent / "shared" / "data"
CSD_DIR = SHARED / "sat_csd_test"
OFFICIAL_SAT = SHARED / "sat_cfdi" / "www.sat.gob.mx" / "sitio_internet" / "cfd"
OFFICIAL_EXAMPLE = (
    SHARED / "sat_cfdi_examples" / "generated" / "cfdv40-cce20-export-unstamped-satcfdi.xml"
)
TEST_RFC = "AAA010101AAA"
NS = {"cfdi": cfdi.CFDI_NS, "cce20": cfdi.CCE_NS}

needs_csd = pytest.mark.skipif(not CSD_DIR.is_dir(), reason="SAT test CSDs not available")


def _csd(folder: str, stem: str) -> Csd:
    base = CSD_DIR / folder
    password = (base / f"{stem}.txt").read_text(encoding="utf-8").strip()
    return Csd.from_files(base / f"{stem}.cer", base / f"{stem}.key", password)


def _valid_csd() -> Csd:
    return _csd("AAA010101AAA_emisor2021", "emisor2021")


def _expired_csd() -> Csd:
    return _csd("EKU9003173C9_persona_moral", "eku9003173c9_csd")


def _with_seller_rfc(record: Shipment, rfc: str) -> Shipment:
    seller = record.parties.seller
    assert seller is not None
    tax_ids = [TaxId(scheme=TaxScheme.MX_RFC, value=rfc)]
    parties = record.parties.model_copy(
        update={"seller": seller.model_copy(update={"tax_ids": tax_ids})}
    )
    return record.model_copy(update={"parties": parties})


@pytest.fixture(scope="module")
def example() -> Shipment:
    """Example 02 with the seller's RFC replaced by the test CSD's, so that they match."""
    return _with_seller_rfc(load_shipment(EXAMPLE), TEST_RFC)


@pytest.fixture(scope="module")
def artifact() -> Cfdi:
    if not CSD_DIR.is_dir():
        pytest.skip("SAT test CSDs not available")
    csd = _valid_csd()
    return Cfdi(lambda: csd)


@pytest.fixture(scope="module")
def sealed(artifact: Cfdi, example: Shipment) -> bytes:
    return artifact.render(example).data


def _root(data: bytes) -> Any:
    return etree.fromstring(data)


def _codes(problems: list) -> dict[str, Severity]:
    return {p.code: p.severity for p in problems}


class TestRequirement:
    def test_the_registry_finds_it(self):
        assert get("cfdi") is ARTIFACT
        assert ARTIFACT.media_type == "application/xml"

    @needs_csd
    def test_an_export_from_mexico_requires_it_once_a_csd_is_configured(self, example: Shipment):
        assert Cfdi(_valid_csd).required(example).required

    def test_an_export_from_the_us_does_not_and_has_no_problems(self):
        record = shipment()
        assert record.export_country == "US"
        assert not ARTIFACT.required(record).required
        assert ARTIFACT.problems(record) == []


class TestCsd:
    def test_without_a_csd_cruce_does_not_prepare_the_cfdi_and_says_how(self, example: Shipment):
        artifact = Cfdi(lambda: None)
        assert artifact.required(example).required is False
        problems = artifact.problems(example)
        assert _codes(problems)["cfdi.csd.not_configured"] is Severity.WARNING
        assert "CRUCE_CSD_CER" in problems[0].render("en")

    def test_the_environment_without_variables_names_no_csd(self):
        assert csd_from_environment({}) is None

    @needs_csd
    def test_the_environment_names_the_files(self):
        base = CSD_DIR / "AAA010101AAA_emisor2021"
        password = (base / "emisor2021.txt").read_text(encoding="utf-8").strip()
        found = csd_from_environment(
            {
                "CRUCE_CSD_CER": str(base / "emisor2021.cer"),
                "CRUCE_CSD_KEY": str(base / "emisor2021.key"),
                "CRUCE_CSD_PASSWORD": password,
            }
        )
        assert found == _valid_csd()
        assert password not in repr(found)

    def test_unreadable_files_are_a_blocker_not_a_crash(self, example: Shipment, tmp_path: Path):
        environ = {
            "CRUCE_CSD_CER": str(tmp_path / "missing.cer"),
            "CRUCE_CSD_KEY": str(tmp_path / "missing.key"),
            "CRUCE_CSD_PASSWORD": "x",
        }
        problems = Cfdi(lambda: csd_from_environment(environ)).problems(example)
        assert _codes(problems)["cfdi.csd.unreadable"] is Severity.BLOCKER

    @needs_csd
    def test_a_wrong_password_is_a_blocker(self, example: Shipment):
        good = _valid_csd()
        wrong = Csd(good.certificate, good.key, b"not-the-password")
        assert _codes(Cfdi(lambda: wrong).problems(example))["cfdi.csd.invalid"] is (
            Severity.BLOCKER
        )

    @needs_csd
    def test_a_valid_csd_of_the_seller_leaves_only_warnings(
        self, artifact: Cfdi, example: Shipment
    ):
        problems = artifact.problems(example)
        assert all(p.severity is Severity.WARNING for p in problems)
        # the example gives every line its SAT product key
        assert "cfdi.concepto.clave_prod_serv_default" not in _codes(problems)

    @needs_csd
    def test_an_expired_csd_is_a_blocker(self, example: Shipment):
        record = _with_seller_rfc(example, "EKU9003173C9")
        csd = _expired_csd()
        problems = Cfdi(lambda: csd).problems(record)
        codes = _codes(problems)
        assert codes["cfdi.csd.expired"] is Severity.BLOCKER
        assert "cfdi.csd.rfc_mismatch" not in codes
        message = next(p for p in problems if p.code == "cfdi.csd.expired").render("en")
        assert "2023-" in message
        assert "2026-12-07" in message

    @needs_csd
    def test_a_csd_of_another_rfc_is_a_blocker(self):
        record = load_shipment(EXAMPLE)  # the seller's own RFC, ETC110823R49
        csd = _valid_csd()
        problems = Cfdi(lambda: csd).problems(record)
        assert _codes(problems)["cfdi.csd.rfc_mismatch"] is Severity.BLOCKER
        message = next(p for p in problems if p.code == "cfdi.csd.rfc_mismatch").render("en")
        assert "AAA010101AAA" in message
        assert "ETC110823R49" in message


class TestRecordProblems:
    def test_a_line_without_nico_or_part_number_is_a_blocker(self, example: Shipment):
        first = example.goods[0].model_copy(update={"nico": None, "part_number": None})
        record = example.model_copy(update={"goods": [first, *example.goods[1:]]})
        codes = _codes(Cfdi(lambda: None).problems(record))
        assert codes["cfdi.mercancia.fraccion_invalid"] is Severity.BLOCKER
        assert codes["cfdi.mercancia.part_number_missing"] is Severity.BLOCKER

    def test_a_seller_who_is_a_person_without_a_regimen_is_a_blocker(self, example: Shipment):
        record = _with_seller_rfc(example, "XIQB891116QE4")
        seller = record.parties.seller.model_copy(update={"regimen_fiscal": None})
        record = record.model_copy(
            update={"parties": record.parties.model_copy(update={"seller": seller})}
        )
        codes = _codes(Cfdi(lambda: None).problems(record))
        assert codes["cfdi.emisor.regimen_unknown"] is Severity.BLOCKER

    def test_a_person_with_a_stated_regimen_is_not_blocked(self, example: Shipment):
        record = _with_seller_rfc(example, "XIQB891116QE4")
        seller = record.parties.seller.model_copy(update={"regimen_fiscal": "612"})
        record = record.model_copy(
            update={"parties": record.parties.model_copy(update={"seller": seller})}
        )
        problems = Cfdi(lambda: None).problems(record)
        assert "cfdi.emisor.regimen_unknown" not in _codes(problems)
        assert cfdi.comprobante(record)["Emisor"]["RegimenFiscal"] == "612"

    def test_a_regimen_not_in_the_catalog_is_a_blocker(self, example: Shipment):
        seller = example.parties.seller.model_copy(update={"regimen_fiscal": "999"})
        record = example.model_copy(
            update={"parties": example.parties.model_copy(update={"seller": seller})}
        )
        problem = next(
            p
            for p in Cfdi(lambda: None).problems(record)
            if p.code == "cfdi.emisor.regimen_unknown"
        )
        assert problem.path == "parties.seller.regimen_fiscal"

    def test_the_lines_product_keys_are_written_and_checked(self, example: Shipment):
        keyed = [line.model_copy(update={"clave_prod_serv": "32101600"}) for line in example.goods]
        record = example.model_copy(update={"goods": keyed})
        codes = _codes(Cfdi(lambda: None).problems(record))
        assert "cfdi.concepto.clave_prod_serv_default" not in codes
        conceptos = cfdi.comprobante(record)["Conceptos"]
        assert {c["ClaveProdServ"] for c in conceptos[: len(keyed)]} == {"32101600"}
        unknown = [keyed[0].model_copy(update={"clave_prod_serv": "99999999"}), *keyed[1:]]
        problems = Cfdi(lambda: None).problems(record.model_copy(update={"goods": unknown}))
        problem = next(p for p in problems if p.code == "cfdi.concepto.clave_prod_serv_unknown")
        assert (problem.severity, problem.path) == (Severity.BLOCKER, "goods[0].clave_prod_serv")

    def test_without_a_csd_cruce_does_not_prepare_it_and_says_so(self):
        status = next(s for s in check(load_shipment(EXAMPLE)).statuses if s.artifact is ARTIFACT)
        assert not status.requirement.required
        assert status.ready
        assert "cfdi.csd.not_configured" in [
            p.code for p in status.artifact.problems(load_shipment(EXAMPLE))
        ]

    def test_the_regimen_societario_is_left_out_of_the_name(self):
        assert emisor_name("Electrónica Tapatía de Control, S.A. de C.V.") == (
            "Electrónica Tapatía de Control"
        )
        assert emisor_name("Servicios Norte S. de R.L. de C.V.") == "Servicios Norte"
        assert emisor_name("Acme Export") == "Acme Export"


@needs_csd
class TestRender:
    def test_it_validates_against_the_shipped_schemas_and_the_seal(
        self, artifact: Cfdi, sealed: bytes
    ):
        assert artifact.validate(sealed) == []

    @pytest.mark.skipif(not OFFICIAL_SAT.is_dir(), reason="official SAT XSDs not available")
    def test_it_validates_against_the_official_schemas(self, sealed: bytes):
        schema = cfdi_schema(OFFICIAL_SAT)
        assert schema.validate(_root(sealed)), schema.error_log

    def test_the_shipped_schemas_are_the_official_ones(self):
        if not OFFICIAL_SAT.is_dir():
            pytest.skip("official SAT XSDs not available")
        for shipped in cfdi.SAT_SCHEMAS.rglob("*.xsd"):
            official = OFFICIAL_SAT / shipped.relative_to(cfdi.SAT_SCHEMAS)
            assert shipped.read_bytes() == official.read_bytes(), shipped

    def test_render_is_deterministic(self, artifact: Cfdi, example: Shipment, sealed: bytes):
        assert artifact.render(example).data == sealed
        assert artifact.render(example).filename == "ETC-2026-EXP-0331-cfdi.xml"

    def test_it_is_an_export_invoice_to_a_foreign_buyer(self, sealed: bytes):
        root = _root(sealed)
        assert root.get("Exportacion") == "02"
        assert root.get("TipoDeComprobante") == "I"
        assert root.get("Moneda") == "USD"
        assert root.get("TipoCambio") == "18.2145"
        assert root.get("NoCertificado") == "30001000000300023708"
        receptor = root.find("cfdi:Receptor", NS)
        assert receptor.get("Rfc") == "XEXX010101000"
        assert receptor.get("ResidenciaFiscal") == "USA"
        assert receptor.get("NumRegIdTrib") == "274418906"
        assert receptor.get("RegimenFiscalReceptor") == "616"
        assert receptor.get("UsoCFDI") == "S01"
        assert receptor.get("DomicilioFiscalReceptor") == root.get("LugarExpedicion") == "44940"
        emisor = root.find("cfdi:Emisor", NS)
        assert emisor.get("Rfc") == TEST_RFC
        assert emisor.get("RegimenFiscal") == "601"

    def test_the_complement_carries_the_sat_codes(self, sealed: bytes):
        cce = _root(sealed).find(".//cce20:ComercioExterior", NS)
        assert cce.get("ClaveDePedimento") == "A1"
        assert cce.get("CertificadoOrigen") == "1"
        assert cce.get("NumCertificadoOrigen") == "ETC-TMEC-2026-BL03"
        assert cce.get("Incoterm") == "FCA"
        assert cce.get("TipoCambioUSD") == "18.2145"
        emisor = cce.find("cce20:Emisor/cce20:Domicilio", NS)
        assert (emisor.get("Estado"), emisor.get("Pais"), emisor.get("CodigoPostal")) == (
            "JAL",
            "MEX",
            "44940",
        )
        receptor = cce.find("cce20:Receptor/cce20:Domicilio", NS)
        assert (receptor.get("Estado"), receptor.get("Pais")) == ("AZ", "USA")

    def test_mercancias_match_the_conceptos_and_add_up_to_total_usd(
        self, sealed: bytes, example: Shipment
    ):
        root = _root(sealed)
        conceptos = {c.get("NoIdentificacion"): c for c in root.iterfind(".//cfdi:Concepto", NS)}
        cce = root.find(".//cce20:ComercioExterior", NS)
        mercancias = cce.findall(".//cce20:Mercancia", NS)
        assert [m.get("NoIdentificacion") for m in mercancias] == list(conceptos)
        for mercancia in mercancias:
            concepto = conceptos[mercancia.get("NoIdentificacion")]
            assert Decimal(mercancia.get("ValorDolares")) == Decimal(concepto.get("Importe"))
        total = sum(Decimal(m.get("ValorDolares")) for m in mercancias)
        assert total == Decimal(cce.get("TotalUSD")) == Decimal(root.get("Total"))
        assert Decimal(cce.get("TotalUSD")) == example.terms.declared_total.amount
        first = mercancias[0]
        assert first.get("FraccionArancelaria") == "8537109999"
        assert first.get("UnidadAduana") == "06"
        assert first.get("CantidadAduana") == "150"
        assert first.get("ValorUnitarioAduana") == "148.00"

    def test_exports_are_taxed_at_zero_percent_iva(self, sealed: bytes):
        concepto = _root(sealed).find(".//cfdi:Concepto", NS)
        assert concepto.get("ObjetoImp") == "02"
        traslado = concepto.find(".//cfdi:Traslado", NS)
        assert (traslado.get("Impuesto"), traslado.get("TasaOCuota")) == ("002", "0.000000")

    @pytest.mark.skipif(not OFFICIAL_EXAMPLE.is_file(), reason="CCE 2.0 example not available")
    def test_it_has_the_structure_of_the_reference_example(self, sealed: bytes):
        reference = etree.parse(str(OFFICIAL_EXAMPLE)).getroot()
        assert cfdi_schema().validate(reference), cfdi_schema().error_log

        def shape(root: Any) -> set[str]:
            return {etree.QName(e).localname for e in root.iter()}

        assert shape(reference) <= shape(_root(sealed))


@needs_csd
class TestValidate:
    def test_a_changed_document_fails_the_seal(self, artifact: Cfdi, sealed: bytes):
        tampered = sealed.replace(b'ValorUnitario="148.00"', b'ValorUnitario="147.00"', 1)
        assert tampered != sealed
        assert "cfdi.sello.invalid" in _codes(artifact.validate(tampered))

    def test_total_usd_must_be_the_sum_of_valor_dolares(self, artifact: Cfdi, sealed: bytes):
        tampered = sealed.replace(b'TotalUSD="108555.00"', b'TotalUSD="108556.00"', 1)
        codes = _codes(artifact.validate(tampered))
        assert "cfdi.cce.total_usd" in codes
        assert "cfdi.sello.invalid" in codes

    def test_a_schema_error_names_the_element(self, artifact: Cfdi, sealed: bytes):
        tampered = sealed.replace(b'Exportacion="02"', b'Exportacion="09"', 1)
        problems = artifact.validate(tampered)
        assert [p.code for p in problems] == ["cfdi.xsd.invalid"]
        assert "Comprobante" in problems[0].path

    def test_malformed_xml_is_reported(self, artifact: Cfdi):
        assert _codes(artifact.validate(b"<cfdi:Comprobante"))["cfdi.xml.malformed"]


class TestStamper:
    def test_the_pac_client_receives_the_sealed_cfdi(self):
        received: list[Any] = []

        class FakePac:
            def stamp(self, document: Any) -> Any:
                received.append(document)
                return type("Document", (), {"xml": b"<stamped/>"})()

        stamper: Stamper = SatcfdiStamper(FakePac())
        if not OFFICIAL_EXAMPLE.is_file():
            pytest.skip("CCE 2.0 example not available")
        assert stamper.stamp(OFFICIAL_EXAMPLE.read_bytes()) == b"<stamped/>"
        assert received[0]["Exportacion"] == "02"


def _terms(record: Shipment, **changes: Any) -> Shipment:
    return record.model_copy(update={"terms": record.terms.model_copy(update=changes)})


class TestMoreRecordProblems:
    def test_an_incoterm_a_buyer_tax_number_and_a_known_unit_are_needed(self, example: Shipment):
        buyer = example.parties.buyer
        assert buyer is not None
        nameless = buyer.model_copy(update={"tax_ids": []})
        parties = example.parties.model_copy(update={"buyer": nameless})
        odd = example.goods[0].model_copy(update={"unit": "ZZZ"})
        record = _terms(example, incoterm=None).model_copy(
            update={"parties": parties, "goods": [odd, *example.goods[1:]]}
        )
        codes = _codes(Cfdi(lambda: None).problems(record))
        assert codes["cfdi.incoterm.missing"] is Severity.BLOCKER
        assert codes["cfdi.receptor.num_reg_id_trib_missing"] is Severity.BLOCKER
        assert codes["cfdi.concepto.unit_unmapped"] is Severity.BLOCKER

    def test_without_a_buyer_or_seller_the_parties_are_blockers(self, example: Shipment):
        parties = example.parties.model_copy(update={"buyer": None, "seller": None})
        codes = _codes(Cfdi(lambda: None).problems(example.model_copy(update={"parties": parties})))
        assert codes["cfdi.receptor.missing"] is Severity.BLOCKER
        assert codes["cfdi.emisor.rfc_missing"] is Severity.BLOCKER

    def test_a_currency_other_than_usd_or_mxn_is_a_blocker(self, example: Shipment):
        codes = _codes(Cfdi(lambda: None).problems(_terms(example, currency="CAD")))
        assert codes["cfdi.moneda.unsupported"] is Severity.BLOCKER
        assert codes["cfdi.concepto.currency_mismatch"] is Severity.BLOCKER

    def test_without_a_rate_in_the_record_the_dof_fix_must_be_loaded(self, example: Shipment):
        codes = _codes(Cfdi(lambda: None).problems(_terms(example, exchange_rate=None)))
        assert codes["cfdi.tipo_cambio.missing"] is Severity.BLOCKER

    def test_without_an_invoice_date_there_is_no_cfdi(self, example: Shipment):
        codes = _codes(Cfdi(lambda: None).problems(_terms(example, invoice_date=None)))
        assert codes["cfdi.fecha.missing"] is Severity.BLOCKER


@needs_csd
class TestVariants:
    def test_without_a_rate_in_the_record_it_takes_the_fix_of_the_day_before(
        self, artifact: Cfdi, example: Shipment
    ):
        record = _terms(example, exchange_rate=None, invoice_date=date(2026, 3, 5))
        assert all(p.severity is Severity.WARNING for p in artifact.problems(record))
        data = artifact.render(record).data
        fix = cfdi.customs_rate(date(2026, 3, 5)).rate
        assert _root(data).get("TipoCambio") == str(fix)
        assert artifact.validate(data) == []

    def test_an_invoice_in_pesos_converts_valor_dolares(self, artifact: Cfdi, example: Shipment):
        goods = [
            line.model_copy(
                update={"unit_price": line.unit_price.model_copy(update={"currency": "MXN"})}
            )
            for line in example.goods
        ]
        charges = [
            c.model_copy(update={"amount": c.amount.model_copy(update={"currency": "MXN"})})
            for c in example.terms.charges
        ]
        record = _terms(example, currency="MXN", charges=charges, declared_total=None)
        record = record.model_copy(update={"goods": goods})
        assert all(p.severity is Severity.WARNING for p in artifact.problems(record))
        data = artifact.render(record).data
        root = _root(data)
        assert root.get("Moneda") == "MXN"
        assert root.get("TipoCambio") is None
        cce = root.find(".//cce20:ComercioExterior", NS)
        first = cce.find(".//cce20:Mercancia", NS)
        assert Decimal(first.get("ValorDolares")) == (Decimal(22200) / Decimal("18.2145")).quantize(
            Decimal("0.01")
        )
        assert artifact.validate(data) == []

    def test_a_consignee_other_than_the_buyer_is_the_destinatario(
        self, artifact: Cfdi, example: Shipment
    ):
        buyer = example.parties.buyer
        assert buyer is not None
        consignee = buyer.model_copy(update={"name": "Saguaro Controls Warehouse, LLC"})
        parties = example.parties.model_copy(update={"consignee": consignee})
        data = artifact.render(example.model_copy(update={"parties": parties})).data
        destinatario = _root(data).find(".//cce20:Destinatario", NS)
        assert destinatario.get("Nombre") == "Saguaro Controls Warehouse, LLC"
        assert destinatario.get("NumRegIdTrib") == "274418906"
        assert artifact.validate(data) == []

    def test_payment_due_at_once_is_pue_by_transfer(self, artifact: Cfdi, example: Shipment):
        root = _root(artifact.render(_terms(example, payment_due_days=0)).data)
        assert (root.get("MetodoPago"), root.get("FormaPago")) == ("PUE", "03")

    def test_credit_terms_are_ppd_to_be_defined(self, sealed: bytes):
        root = _root(sealed)
        assert (root.get("MetodoPago"), root.get("FormaPago")) == ("PPD", "99")

    def test_rendering_without_a_csd_is_refused(self, example: Shipment):
        with pytest.raises(ValueError, match="CSD"):
            Cfdi(lambda: None).render(example)
