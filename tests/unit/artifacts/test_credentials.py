"""The VC 2.0 credential body of the commercial invoice, the packing list and the certification.

Each body is validated against the W3C CCG Traceability Vocabulary's JSON Schema for its
type and against the VC 2.0 JSON Schema, both as published, from ``../shared/data/trust``
(skipped when that folder is not beside the checkout), and canonicalised as JSON-LD with
the pinned contexts there, as Data Integrity signing does. The
traceability schemas close the credential's top level and type ``price`` as a number;
cruce departs from them on purpose in exactly two ways, which these tests name and allow
and nothing else: the VC 2.0 properties ``name``, ``description`` and ``relatedResource``
at the top level, and prices as decimal strings.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pypdf import PdfReader

from common.factories import buyer, line, seller, shipment, shipment_data
from cruce.artifacts import _text
from cruce.artifacts.credentials import (
    CREDENTIAL_TYPES,
    Issuer,
    credential_body,
    digest_sri,
    file_id,
    split_name,
)
from cruce.artifacts.registry import all_artifacts, get
from cruce.artifacts.usmca_certification import certification_problems
from cruce.ingest.loader import load_shipment
from cruce.model import Address, Severity, Shipment

pytestmark = pytest.mark.unit

TRUST = Path(__file__).resolve().parents[4] / "shared" / "data" / "trust"
EXAMPLES = Path(__file__).resolve().parents[3] / "src" / "cruce" / "examples"
needs_shared = pytest.mark.skipif(not TRUST.is_dir(), reason="shared/data is not here")

CREDENTIAL_ID = "urn:uuid:5f0d1c1e-6a0b-4d55-9d0e-2b1f6f3a7c11"
SIGNED_AT = datetime(2026, 12, 1, 8, 30, 15, tzinfo=timezone(timedelta(hours=-7)))
ISSUER = Issuer(
    did="did:web:sonoran-precision.example",
    name="Sonoran Precision Machining LLC",
    address=Address(
        street="4420 W Buckeye Rd",
        locality="Phoenix",
        subdivision="US-AZ",
        postal_code="85043",
        country="US",
    ),
    phone="+16025550147",
)
# VC 2.0 properties (section 4.6, 5.3) the traceability schemas' closed top level leaves out
VC_PROPERTIES = {"name", "description", "relatedResource"}
DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
CONTEXT_V2 = "https://www.w3.org/ns/credentials/v2"
CONTEXT_TRACEABILITY = "https://w3id.org/traceability/v1"


def make(key: str, record: Shipment, **changes: Any) -> dict[str, Any] | None:
    """The body of ``key`` rendered from ``record``; ``changes`` replace the arguments."""
    arguments: dict[str, Any] = {
        "rendered": get(key).render(record),
        "issuer": ISSUER,
        "credential_id": CREDENTIAL_ID,
        "valid_from": SIGNED_AT,
    } | changes
    rendered = arguments.pop("rendered")
    return credential_body(key, record, rendered, **arguments)


def body(key: str, record: Shipment, issuer: Issuer = ISSUER) -> dict[str, Any]:
    found = make(key, record, issuer=issuer)
    assert found is not None
    return found


def blockers(key: str, record: Shipment) -> list[str]:
    return [p.code for p in get(key).problems(record) if p.severity is Severity.BLOCKER]


# ---------------------------------------------------------------- schemas


def _schema(name: str) -> dict[str, Any]:
    return json.loads((TRUST / name).read_text(encoding="utf-8"))


def _validator(schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _allowed(error: jsonschema.ValidationError) -> bool:
    """One of the two documented departures from the traceability schema."""
    if error.validator == "additionalProperties" and not error.absolute_path:
        return set(error.instance) - set(error.schema["properties"]) <= VC_PROPERTIES
    return (
        error.validator == "type"
        and error.validator_value == "number"
        and list(error.absolute_path)[-1] == "price"
        and isinstance(error.instance, str)
        and DECIMAL.match(error.instance) is not None
    )


def traceability_errors(credential: dict[str, Any]) -> list[str]:
    """What the official schema of the credential's type finds, but the allowed departures."""
    schema = _schema(f"traceability/{credential['type'][1]}.schema.json")
    errors = _validator(schema).iter_errors(credential)
    return [f"{list(e.absolute_path)}: {e.message}" for e in errors if not _allowed(e)]


def vc_errors(credential: dict[str, Any]) -> list[str]:
    validator = _validator(_schema("vc-contexts/verifiable-credential-schema.json"))
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(credential)]


def assert_valid(credential: dict[str, Any]) -> None:
    assert traceability_errors(credential) == []
    assert vc_errors(credential) == []
    # neither schema checks format "uri" without an extra package: the identifiers here
    identifiers = [credential["id"], credential["issuer"]["id"]]
    identifiers += [resource["id"] for resource in credential["relatedResource"]]
    assert all(URL.match(identifier) for identifier in identifiers)


def walk(value: Any) -> list[Any]:
    """Every value in a JSON document, containers included."""
    if isinstance(value, dict):
        return [value, *(v for item in value.values() for v in walk(item))]
    if isinstance(value, list):
        return [value, *(v for item in value for v in walk(item))]
    return [value]


# ---------------------------------------------------------------- a certified shipment


def producer() -> dict[str, Any]:
    return {
        "name": "Circuitos Impresos de Occidente, S.A. de C.V.",
        "tax_ids": [{"scheme": "mx_rfc", "value": "CIO0907153T5"}],
        "address": {
            "street": "Av. Vallarta",
            "exterior_number": "6503",
            "locality": "Zapopan",
            "subdivision": "MX-JAL",
            "postal_code": "45010",
            "country": "MX",
        },
        "contact": {"name": "Ventas", "phone": "+52 33 3110 2200", "email": "ventas@cio.example"},
    }


def circuit(**changes: Any) -> dict[str, Any]:
    """Printed circuits (rule: a change to heading 8534 from any other heading): they qualify."""
    board = {
        "description": "bare board",
        "hs_code": "8534.00",
        "origin_country": "US",
        "value": "3.00 USD",
        "originating": "yes",
        "supplier_certification": "DMI-USMCA-2026-014",
    }
    foil = {
        "description": "copper foil",
        "hs_code": "7410.21",
        "origin_country": "CN",
        "value": "4.00 USD",
        "originating": "no",
    }
    data = line(
        part_number="CIO-PCB-4L",
        description={"en": "Printed circuit, 4 layers", "es": "Circuito impreso, 4 capas"},
        hts="8534.00.0020",
        schedule_b=None,
        fraccion=None,
        nico=None,
        origin_country="MX",
        unit_price="20.00 USD",
        usmca={"claimed": True, "criterion": "B"},
        materials=[board, foil],
        origin={"produced_in": "MX", "transaction_value": "20.00 USD"},
    )
    data.update(changes)
    return data


def certification(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "certifier_role": "exporter",
        "signatory": {
            "name": "Ing. Lucía Ramírez Ochoa",
            "title": "Directora de Comercio Exterior",
            "phone": "+52 33 3812 4400",
            "email": "comex@example.mx",
        },
        "signed_on": "2026-11-01",
        "blanket_period": {"start": "2026-01-01", "end": "2026-12-31"},
        "reference": "MTA-TMEC-2026-01",
    }
    data.update(changes)
    return data


def northbound(**changes: Any) -> Shipment:
    """Mexico to Phoenix: the Mexican seller certifies the circuits it exports."""
    data = shipment_data(
        export_country="MX",
        import_country="US",
        parties={"seller": buyer(), "buyer": seller(), "producers": [producer()]},
        goods=[circuit()],
        usmca_certification=certification(),
    )
    data.update(copy.deepcopy(changes))
    return Shipment.model_validate(data)


def _charged() -> Shipment:
    goods = [line(usmca={"claimed": True, "criterion": "A"}), line(unit_price="350.00 MXN")]
    data = shipment_data(goods=goods)
    data["terms"]["purchase_order"] = "OC-2026-77"
    data["terms"]["charges"] = [
        {"kind": "freight", "amount": "850 USD"},
        {"kind": "insurance", "amount": "120.50 USD"},
        {"kind": "packing", "amount": "99 USD"},
    ]
    return Shipment.model_validate(data)


def _various() -> Shipment:
    other = producer() | {"name": "Placas del Bajío, S.A. de C.V."}
    parties = {"seller": buyer(), "buyer": seller(), "producers": [producer(), other]}
    return northbound(parties=parties, usmca_certification=certification(blanket_period=None))


VARIANTS = [
    ("commercial_invoice", _charged),
    ("packing_list", _charged),
    ("usmca_certification", northbound),
    ("usmca_certification", _various),
]
# Terms the traceability schemas use and its context does not define: JSON-LD expands them
# under the context's @vocab, https://www.w3.org/ns/credentials/issuer-dependent#.
ISSUER_DEPENDENT = {
    "currencyOfSettlement",
    "employee",
    "freeTradeAgreement",
    "invoiceNumber",
    "invoiceSubtotal",
    "lineItemTotalPrice",
    "purchaseOrderNumbers",
    "variousProducers",
}


# ---------------------------------------------------------------- the tests


class TestCredentialBody:
    def test_the_three_documents_and_their_traceability_types(self):
        assert CREDENTIAL_TYPES == {
            "commercial_invoice": "CommercialInvoiceCredential",
            "packing_list": "PackingListCredential",
            "usmca_certification": "USMCACertificationOfOrigin",
        }

    @pytest.mark.parametrize(
        "key", sorted({a.key for a in all_artifacts()} - set(CREDENTIAL_TYPES))
    )
    def test_an_artifact_that_is_no_document_has_no_credential(self, key):
        record = northbound()
        if not get(key).required(record).required:
            pytest.skip(f"{key} is not rendered for this shipment")
        assert make(key, record) is None

    def test_the_envelope_names_the_type_issuer_and_time_in_utc(self):
        credential = body("packing_list", shipment())
        assert credential["@context"] == [
            "https://www.w3.org/ns/credentials/v2",
            "https://w3id.org/traceability/v1",
        ]
        assert credential["type"] == ["VerifiableCredential", "PackingListCredential"]
        assert credential["id"] == CREDENTIAL_ID
        assert credential["validFrom"] == "2026-12-01T15:30:15Z"  # 08:30:15 at UTC-7
        assert "validUntil" not in credential
        assert credential["issuer"]["id"] == "did:web:sonoran-precision.example"
        assert credential["issuer"]["location"]["address"]["addressRegion"] == "AZ"
        assert credential["issuer"]["phoneNumber"] == "+16025550147"

    def test_valid_from_is_utc_to_the_second(self):
        moment = datetime(2026, 12, 1, 23, 59, 59, 900_000, tzinfo=UTC)
        found = make("packing_list", shipment(), valid_from=moment)
        assert found is not None
        assert found["validFrom"] == "2026-12-01T23:59:59Z"

    def test_name_and_description_are_language_value_objects_in_english_and_spanish(self):
        credential = body("commercial_invoice", shipment())
        assert credential["name"] == [
            {"@value": "Commercial invoice", "@language": "en"},
            {"@value": "Factura comercial", "@language": "es"},
        ]
        english, spanish = credential["description"]
        assert english["@language"] == "en"
        assert "INV-2026-0412" in english["@value"]
        assert spanish["@language"] == "es"
        assert spanish["@value"].startswith("Factura comercial INV-2026-0412")

    def test_the_same_record_gives_the_same_body_and_no_floats(self):
        record = northbound()
        first = body("usmca_certification", record)
        assert body("usmca_certification", record) == first
        assert not any(isinstance(value, float) for value in walk(first))

    def test_a_time_without_zone_an_id_that_is_no_url_or_a_bad_did_are_refused(self):
        naive = datetime(2026, 12, 1)  # noqa: DTZ001 - the point of the test
        with pytest.raises(ValueError, match="time zone"):
            make("packing_list", shipment(), valid_from=naive)
        with pytest.raises(ValueError, match="URL"):
            make("packing_list", shipment(), credential_id="invoice 12")
        with pytest.raises(ValueError, match="DID"):
            Issuer(did="sonoran precision", name="Sonoran")

    def test_an_issuer_from_a_party_takes_its_name_address_and_phone(self):
        record = shipment()
        issuer = Issuer.from_party("did:web:example.com", record.parties.seller)
        assert issuer.name == "Sonoran Precision Machining LLC"
        assert issuer.address == record.parties.seller.address
        assert issuer.phone == "+16025550147"


class TestRelatedResource:
    @pytest.mark.parametrize("key", sorted(CREDENTIAL_TYPES))
    def test_the_digest_is_the_rendered_bytes_digest(self, key):
        record = northbound()
        data = get(key).render(record).data
        [resource] = body(key, record)["relatedResource"]
        sha384 = base64.b64encode(hashlib.sha384(data).digest()).decode()
        sha256 = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")
        assert resource == {
            "id": f"ni:///sha-256;{sha256}",
            "mediaType": "application/pdf",
            "digestSRI": f"sha384-{sha384}",
        }
        assert resource["id"] == file_id(data)
        assert resource["digestSRI"] == digest_sri(data)

    def test_the_file_name_carries_the_sha_256_of_the_manifest(self):
        data = b"%PDF-1.7 cruce"
        encoded = file_id(data).removeprefix("ni:///sha-256;")
        decoded = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        assert decoded.hex() == hashlib.sha256(data).hexdigest()


@needs_shared
class TestCommercialInvoice:
    def test_the_body_is_valid_and_states_the_invoice(self):
        credential = body("commercial_invoice", shipment())
        assert_valid(credential)
        subject = credential["credentialSubject"]
        assert subject["type"] == ["Invoice"]
        assert subject["invoiceNumber"] == "INV-2026-0412"
        assert subject["invoiceDate"] == "2026-11-30"
        assert subject["destinationCountry"] == "MX"
        assert subject["portOfEntry"] == {"type": ["Place"], "unLocode": "MXNOG"}
        assert subject["termsOfDelivery"] == "DAP Zapopan, Jalisco, México"
        assert subject["seller"]["name"] == "Sonoran Precision Machining LLC"
        assert subject["buyer"]["location"]["address"] == {
            "type": ["PostalAddress"],
            "streetAddress": "Av. Industria Textil 2575, Col. Parque Industrial Belenes Norte",
            "addressLocality": "Zapopan",
            "addressRegion": "JAL",
            "postalCode": "45150",
            "addressCountry": "MX",
        }
        [item] = subject["itemsShipped"]
        assert item["product"]["commodity"] == {
            "type": ["Commodity"],
            "commodityCode": "761699",
            "commodityCodeType": "HS",
        }
        assert item["product"]["sku"] == "SPM-7616-001"
        assert item["product"]["productPrice"]["price"] == "18.75"
        assert item["itemCount"] == 400
        assert item["lineItemTotalPrice"] == {
            "type": ["PriceSpecification"],
            "price": "7500.00",
            "priceCurrency": "USD",
        }
        assert item["grossWeight"] == {
            "type": ["QuantitativeValue"],
            "value": "110.00",
            "unitCode": "KGM",
        }

    def test_the_totals_are_the_invoice_pdfs(self):
        data = shipment_data(goods=[line(), line(unit_price="0.0375 USD", quantity="1000")])
        data["terms"]["charges"] = [
            {"kind": "freight", "amount": "850 USD", "description": "Phoenix – Zapopan"},
            {"kind": "packing", "amount": "120.50 USD"},
            {"kind": "insurance", "amount": "99 USD", "billed_on_invoice": False},
        ]
        record = Shipment.model_validate(data)
        credential = body("commercial_invoice", record)
        assert_valid(credential)
        subject = credential["credentialSubject"]
        pdf = " ".join(
            page.extract_text()
            for page in PdfReader(io.BytesIO(get("commercial_invoice").render(record).data)).pages
        )
        total = record.invoice_total()["USD"]
        assert _text.money_text(total) in pdf
        assert subject["totalPaymentDue"]["price"] == "8508.00"  # 7500 + 37.50 + 850 + 120.50
        assert Decimal(subject["totalPaymentDue"]["price"]) == total.rounded().amount
        assert subject["invoiceSubtotal"]["price"] == "7537.50"
        assert subject["freightCost"]["price"] == "850.00"
        assert "insuranceCost" not in subject  # known, not billed
        assert subject["comments"] == ["Packing / Embalaje: 120.50 USD"]
        # a unit price keeps its digits, as printed
        assert subject["itemsShipped"][1]["product"]["productPrice"]["price"] == "0.0375"
        assert "0.0375 USD" in pdf

    def test_a_second_currency_total_is_stated_in_the_comments(self):
        record = shipment(goods=[line(), line(unit_price="350.00 MXN")])
        subject = body("commercial_invoice", record)["credentialSubject"]
        assert subject["totalPaymentDue"]["priceCurrency"] == "USD"
        assert subject["totalPaymentDue"]["price"] == "7500.00"
        assert subject["comments"] == ["Invoice total / Total de la factura: 140,000.00 MXN"]


@needs_shared
class TestPackingList:
    def test_the_body_is_valid_and_states_packages_and_weights(self):
        record = shipment(goods=[line(), line(packages=3, package_type="CT", marks="SPM / 2")])
        credential = body("packing_list", record)
        assert_valid(credential)
        subject = credential["credentialSubject"]
        assert subject["type"] == ["PackingList"]
        assert subject["invoiceId"] == "INV-2026-0412"
        assert subject["trackingNumber"] == "PRO884201"
        assert subject["shipToParty"]["name"] == "Maquinados Tapatíos, S.A. de C.V."
        assert subject["totalNumberOfPackages"] == 5
        assert subject["totalItemQuantity"] == 800
        assert subject["totalGrossWeight"]["value"] == "220.00"
        assert subject["totalNetWeight"]["value"] == "192.00"
        second = subject["items"][1]
        assert second["packageQuantity"] == 3
        [package] = second["transportPackages"]
        assert package["packagingType"] == "CT"
        assert package["physicalShippingMarks"] == "SPM / 2"
        assert package["includedTradeLineItems"][0]["itemCount"] == 400

    def test_a_total_some_lines_lack_is_left_out(self):
        record = shipment(goods=[line(), line(net_weight_kg=None, packages=None, unit="KGM")])
        subject = body("packing_list", record)["credentialSubject"]
        assert "totalNetWeight" not in subject
        assert "totalNumberOfPackages" not in subject
        assert "totalItemQuantity" not in subject  # kilograms are no count of articles
        assert subject["totalGrossWeight"]["value"] == "220.00"


@needs_shared
class TestUsmcaCertification:
    def test_the_shipment_is_ready_to_certify(self):
        found = certification_problems(northbound())
        assert [p.code for p in found if p.severity is Severity.BLOCKER] == []

    def test_the_body_is_valid_and_states_the_claims(self):
        credential = body("usmca_certification", northbound())
        assert_valid(credential)
        assert credential["validUntil"] == "2030-11-01T23:59:59Z"  # four years from 2026-11-01
        subject = credential["credentialSubject"]
        assert subject["type"] == ["USMCAClaims"]
        [good] = subject["goods"]
        assert good == {
            "type": ["USMCAProduct"],
            "description": "Printed circuit, 4 layers",
            "commodityCode": "853400",
            "commodityCodeType": "HS",
            "originCriterion": "B",
            "countryOfOrigin": "MX",
        }
        assert subject["exporterDetails"]["name"] == "Maquinados Tapatíos, S.A. de C.V."
        assert subject["exporterDetails"]["taxId"] == "MTA1503109K6"
        assert subject["producerDetails"]["name"] == producer()["name"]
        [importer] = subject["importerDetails"]
        assert importer["taxId"] == "861234567"
        assert "invoiceNumber" not in subject  # a blanket certification covers many
        assert "2026-01-01 to 2026-12-31" in credential["description"][0]["@value"]

    def test_the_issuer_employs_the_signatory(self):
        issuer = body("usmca_certification", northbound())["issuer"]
        assert "phoneNumber" not in issuer  # not in the certification's issuer
        assert issuer["employee"] == {
            "type": ["Person"],
            "firstName": "Lucía",
            "lastName": "Ramírez Ochoa",
            "jobTitle": "Directora de Comercio Exterior",
            "email": "comex@example.mx",
            "phoneNumber": "+523338124400",
        }

    def test_the_engine_gives_the_criterion_the_certifier_does_not(self):
        record = northbound(goods=[circuit(usmca={"claimed": True})])
        [good] = body("usmca_certification", record)["credentialSubject"]["goods"]
        assert good["originCriterion"] == "B"

    def test_a_single_shipment_names_its_invoice(self):
        record = northbound(usmca_certification=certification(blanket_period=None))
        credential = body("usmca_certification", record)
        assert_valid(credential)
        assert credential["credentialSubject"]["invoiceNumber"] == "INV-2026-0412"
        assert "for invoice INV-2026-0412" in credential["description"][0]["@value"]

    def test_several_producers_are_stated_as_various(self):
        other = producer() | {"name": "Placas del Bajío, S.A. de C.V."}
        parties = {"seller": buyer(), "buyer": seller(), "producers": [producer(), other]}
        credential = body("usmca_certification", northbound(parties=parties))
        assert_valid(credential)
        subject = credential["credentialSubject"]
        assert subject["variousProducers"] is True
        assert subject["producerDetails"] == {"type": ["Organization"], "name": "Various / Varios"}

    def test_a_producer_kept_confidential_is_available_upon_request(self):
        record = northbound(usmca_certification=certification(producer_disclosure="upon_request"))
        credential = body("usmca_certification", record)
        assert_valid(credential)
        details = credential["credentialSubject"]["producerDetails"]
        assert details["name"].startswith("Available upon request by the importing authorities")
        assert "variousProducers" not in credential["credentialSubject"]

    def test_a_certification_the_record_lacks_is_refused(self):
        record = shipment()
        rendered = get("packing_list").render(record)
        with pytest.raises(ValueError, match="usmca_certification"):
            make("usmca_certification", record, rendered=rendered)


@needs_shared
class TestOfficialSchemas:
    def test_the_allowed_departures_do_not_hide_a_real_error(self):
        credential = body("commercial_invoice", shipment())
        del credential["credentialSubject"]["invoiceNumber"]
        credential["credentialSubject"]["buyer"]["taxId"] = "MTA1503109K6"
        credential["extra"] = True
        found = " ".join(traceability_errors(credential))
        assert "'invoiceNumber' is a required property" in found
        assert "'taxId' was unexpected" in found
        assert "'extra'" in found

    def test_the_traceability_examples_pass_the_same_checks(self):
        for name in CREDENTIAL_TYPES.values():
            example = _schema(f"traceability/{name}.example.json")
            assert traceability_errors(example) == []


@needs_shared
class TestBundledExamples:
    @pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("0*")))
    def test_every_document_an_example_needs_gives_a_valid_credential(self, example):
        record = load_shipment(EXAMPLES / example / "shipment.yaml")
        issuer = Issuer.from_party("did:web:example.com", record.parties.seller)
        made = []
        for key in CREDENTIAL_TYPES:
            if not get(key).required(record).required or blockers(key, record):
                continue
            assert_valid(body(key, record, issuer))
            made.append(key)
        assert {"commercial_invoice", "packing_list"} <= set(made)
        if example.startswith("02-"):  # the northbound example certifies its origin
            assert "usmca_certification" in made


class TestSplitName:
    @pytest.mark.parametrize(
        ("name", "country", "expected"),
        [
            ("Dana Whitfield", "US", ("Dana", "Whitfield")),
            ("John Paul Smith", "US", ("John Paul", "Smith")),
            ("Mtra. Araceli Gómez Íñiguez", "MX", ("Araceli", "Gómez Íñiguez")),
            ("Ing. Lucía Ramírez", "MX", ("Lucía", "Ramírez")),
            ("María José García López", "MX", ("María José", "García López")),
            ("Juan de la Cruz Pérez", "MX", ("Juan", "de la Cruz Pérez")),
            ("Ludwig van Beethoven", "DE", ("Ludwig", "van Beethoven")),
            ("Gómez Íñiguez, Araceli", "MX", ("Araceli", "Gómez Íñiguez")),
            ("Dr. Smith", "US", ("", "Smith")),
            ("Cher", None, ("", "Cher")),
        ],
    )
    def test_a_name_splits_into_first_and_last(self, name, country, expected):
        assert split_name(name, country) == expected


@needs_shared
class TestJsonLd:
    def test_the_bodies_canonicalise_with_the_pinned_contexts_and_drop_nothing(self):
        pyld = pytest.importorskip("pyld.jsonld")
        files = {
            CONTEXT_V2: TRUST / "vc-contexts" / "credentials-v2.jsonld",
            CONTEXT_TRACEABILITY: TRUST / "traceability" / "traceability-v1.jsonld",
        }

        def loader(url: str, options: object = None) -> dict[str, Any]:  # noqa: ARG001 - PyLD's signature
            document = json.loads(files[url].read_text(encoding="utf-8"))
            return {"contextUrl": None, "documentUrl": url, "document": document}

        def dropped(name: str | None) -> None:
            raise AssertionError(name)

        options = {"documentLoader": loader, "base": "", "algorithm": "URDNA2015"}
        found: set[str] = set()
        for key, record in VARIANTS:
            processor = pyld.JsonLdProcessor(on_property_dropped=dropped)
            nquads = processor.normalize(
                body(key, record()), {**options, "format": "application/n-quads"}
            )
            assert nquads
            found |= set(re.findall(r"issuer-dependent#(\w+)", nquads))
        assert found == ISSUER_DEPENDENT
