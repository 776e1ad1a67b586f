"""The requests a producer sends its suppliers for statements of origin of their materials.

The worked shipment: one line of machined brackets that claims USMCA, made from an
aluminium extrusion and a rubber gasket of unknown origin (two named suppliers), stainless
fasteners stated originating without the supplier's certification reference (first
supplier again), a nylon bushing of unknown origin nobody named a supplier for, and what
is never asked about: a certified billet, a Chinese bearing known to be non-originating,
cutting fluid (indirect) and the export pallet (packing for shipment).
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from common.factories import buyer, line, seller, shipment
from cruce.artifacts.checklist import check
from cruce.artifacts.registry import get
from cruce.artifacts.supplier_requests import (
    ARTIFACT,
    REQUEST_EN,
    REQUEST_ES,
    asked_materials,
    requester,
    supplier_requests,
)
from cruce.artifacts.usmca_certification import ARTIFACT as CERTIFICATION_PDF
from cruce.model import Severity, Shipment

pytestmark = pytest.mark.unit

ALUMINIOS = "Aluminios del Bajío, S.A. de C.V."
SEALS = "Pacific Seal Co."


def material(description: Any, originating: str = "unknown", **more: Any) -> dict[str, Any]:
    return {
        "description": description,
        "hs_code": "7604.29",
        "origin_country": "MX",
        "value": "2.00 USD",
        "originating": originating,
        **more,
    }


def bill() -> list[dict[str, Any]]:
    return [
        material(
            {"en": "Anodised aluminium extrusion", "es": "Perfil de aluminio anodizado"},
            supplier=ALUMINIOS,
            quantity="1",
        ),
        material("Rubber gasket", supplier=SEALS, hs_code="4016.93", origin_country="US"),
        material("Stainless steel fasteners", "yes", supplier=ALUMINIOS, hs_code="7318.15"),
        material("Nylon bushing", hs_code="3926.90"),
        material("Aluminium billet", "yes", supplier=ALUMINIOS, supplier_certification="AB-1"),
        material("Ball bearing", "no", supplier="Ningbo Bearing", origin_country="CN"),
        material("Cutting fluid", kind="indirect", supplier="Lubricantes del Norte"),
        material("Export pallet", kind="shipping_packing", supplier="Tarimas MX"),
    ]


def claimed_line(materials: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    return line(usmca={"claimed": True, "criterion": "B"}, materials=materials, **changes)


def record(materials: list[dict[str, Any]] | None = None, **changes: Any) -> Shipment:
    return shipment(goods=[claimed_line(bill() if materials is None else materials)], **changes)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pages(data: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def problems(shipment: Shipment) -> list[tuple[str, str, Severity]]:
    return [(p.code, p.path, p.severity) for p in ARTIFACT.problems(shipment)]


class TestRegistry:
    def test_it_is_found_after_the_certification_of_origin(self):
        assert get("supplier_requests") is ARTIFACT
        assert ARTIFACT.order == 43
        assert ARTIFACT.order > CERTIFICATION_PDF.order
        assert ARTIFACT.media_type == "application/pdf"


class TestWhichMaterials:
    def test_unknown_and_uncertified_originating_materials_are_asked_about(self):
        asked = [a.material.description.en for a in asked_materials(record())]
        assert asked == [
            "Anodised aluminium extrusion",
            "Rubber gasket",
            "Stainless steel fasteners",
            "Nylon bushing",
        ]

    def test_indirect_materials_and_shipping_packing_are_never_asked_about(self):
        only_exempt = [
            material("Cutting fluid", kind="indirect", supplier="Lubricantes del Norte"),
            material("Export pallet", "yes", kind="shipping_packing", supplier="Tarimas MX"),
        ]
        assert asked_materials(record(only_exempt)) == []
        assert ARTIFACT.required(record(only_exempt)).required is False

    def test_an_intermediate_materials_unknown_input_is_asked_about(self):
        housing = material(
            "Machined housing (made in-house)",
            hs_code="7616.99",
            materials=[
                material("Aluminium ingot", "yes", supplier=ALUMINIOS, supplier_certification="A"),
                material("Zinc die-cast insert", supplier="Fundición Tapatía"),
                material("Mould release agent", kind="indirect", supplier="Fundición Tapatía"),
            ],
        )
        asked = asked_materials(record([housing]))
        assert [(a.path, a.material.description.en) for a in asked] == [
            ("goods[0].materials[0].materials[1]", "Zinc die-cast insert")
        ]
        assert [m.description.en for m in asked[0].within] == ["Machined housing (made in-house)"]

    def test_a_line_that_gives_its_bill_without_claiming_is_asked_about_too(self):
        unclaimed = shipment(goods=[line(materials=[material("Rubber gasket", supplier=SEALS)])])
        assert [r.supplier for r in supplier_requests(unclaimed)] == [SEALS]


class TestGrouping:
    def test_one_request_per_supplier_and_the_unnamed_last(self):
        requests = supplier_requests(record())
        assert [(r.reference, r.supplier, len(r.materials)) for r in requests] == [
            ("SPM-2026-0412-SR-1", ALUMINIOS, 2),
            ("SPM-2026-0412-SR-2", SEALS, 1),
            ("SPM-2026-0412-SR-3", None, 1),
        ]

    def test_supplier_names_differing_in_case_or_spacing_are_one_supplier(self):
        materials = [
            material("Rubber gasket", supplier=SEALS),
            material("O-ring", supplier="PACIFIC  seal co."),
        ]
        requests = supplier_requests(record(materials))
        assert [(r.supplier, len(r.materials)) for r in requests] == [(SEALS, 2)]

    def test_materials_of_several_lines_go_into_one_request(self):
        goods = [
            claimed_line([material("Rubber gasket", supplier=SEALS)]),
            claimed_line([material("O-ring", supplier=SEALS)], part_number="SPM-2"),
        ]
        (request,) = supplier_requests(shipment(goods=goods))
        assert [a.path for a in request.materials] == [
            "goods[0].materials[0]",
            "goods[1].materials[0]",
        ]


class TestRequired:
    def test_required_when_a_material_needs_its_suppliers_statement(self):
        requirement = ARTIFACT.required(record())
        assert requirement.required is True
        assert "4 material(s)" in str(requirement.reason)
        assert "3 supplier(s)" in str(requirement.reason)
        assert requirement.citation == "USMCA Art. 5.2, Art. 5.8; 19 CFR 182.13(a)(3)"

    def test_not_required_when_every_material_is_certified_or_non_originating(self):
        settled = [
            material("Aluminium billet", "yes", supplier=ALUMINIOS, supplier_certification="AB-1"),
            material("Ball bearing", "no", supplier="Ningbo Bearing", origin_country="CN"),
        ]
        requirement = ARTIFACT.required(record(settled))
        assert requirement.required is False
        assert "certification reference" in str(requirement.reason)
        assert ARTIFACT.problems(record(settled)) == []

    def test_not_required_without_a_bill_of_materials(self):
        requirement = ARTIFACT.required(shipment())
        assert requirement.required is False
        assert "bill of materials" in str(requirement.reason)


class TestProblems:
    def test_a_material_without_a_supplier_is_a_warning_at_its_supplier_field(self):
        assert problems(record()) == [
            (
                "supplier_requests.supplier.missing",
                "goods[0].materials[3].supplier",
                Severity.WARNING,
            )
        ]
        (problem,) = ARTIFACT.problems(record())
        assert "Line 1" in str(problem.message)
        assert "Nylon bushing" in str(problem.message)

    def test_no_blockers_so_the_checklist_counts_it_ready(self):
        (status,) = [s for s in check(record()).statuses if s.artifact is ARTIFACT]
        assert status.requirement.required is True
        assert status.blockers == []
        assert status.ready is True

    def test_a_seller_in_the_export_country_asks_when_no_producer_is_listed(self):
        assert requester(record()).name == seller()["name"]

    def test_the_first_producer_asks_when_one_is_listed(self):
        parties = {"seller": seller(), "buyer": buyer(), "producers": [buyer()]}
        assert requester(record(parties=parties)).name == buyer()["name"]

    def test_a_certifying_producer_asks_when_no_producer_is_listed(self):
        abroad = {"seller": buyer(), "buyer": seller()}  # a seller outside the export country
        certification = {"certifier_role": "producer", "certifier": seller()}
        assert requester(record(parties=abroad)) is None
        found = requester(record(parties=abroad, usmca_certification=certification))
        assert found.name == seller()["name"]

    def test_no_producer_to_ask_is_a_warning(self):
        abroad = record(parties={"seller": buyer(), "buyer": seller()})
        assert ("supplier_requests.producer.missing", "parties.producers", Severity.WARNING) in (
            problems(abroad)
        )


@pytest.fixture(scope="module")
def rendered():
    return ARTIFACT.render(record())


class TestPdf:
    def test_it_renders_and_validates(self, rendered):
        assert rendered.filename == "SPM-2026-0412-supplier-requests.pdf"
        assert rendered.media_type == "application/pdf"
        assert ARTIFACT.validate(rendered.data) == []

    def test_each_request_starts_on_its_own_page(self, rendered):
        texts = pages(rendered.data)
        assert len(texts) == 3
        for number, text in enumerate(texts, start=1):
            assert f"SPM-2026-0412-SR-{number}" in text
        assert ALUMINIOS in texts[0]
        assert SEALS in texts[1]
        assert "Supplier not named" in texts[2]

    def test_it_names_the_suppliers_the_materials_and_who_asks(self, rendered):
        text = " ".join(pages(rendered.data))
        for expected in (
            ALUMINIOS,
            SEALS,
            seller()["name"],
            "Anodised aluminium extrusion",
            "Perfil de aluminio anodizado",
            "Rubber gasket",
            "Stainless steel fasteners",
            "Nylon bushing",
            "7604.29",
            "MX – Mexico / México",
            "2026-11-30",
        ):
            assert expected in text
        for never in ("Aluminium billet", "Ball bearing", "Cutting fluid", "Export pallet"):
            assert never not in text

    def test_it_carries_the_request_in_both_languages_and_the_blanks(self, rendered):
        text = " ".join(pages(rendered.data))
        assert flat(REQUEST_EN) in text
        assert flat(REQUEST_ES) in text
        for blank in ("Originating / Originario", "☐ A", "☐ D", "HS-6", "Signature / Firma"):
            assert blank in text

    def test_an_intermediate_material_shows_the_good_it_goes_into(self):
        housing = material(
            "Machined housing",
            materials=[material("Zinc die-cast insert", supplier="Fundición Tapatía")],
        )
        text = " ".join(pages(ARTIFACT.render(record([housing])).data))
        assert "Zinc die-cast insert" in text
        assert "› Machined housing" in text

    def test_the_same_record_gives_the_same_bytes(self, rendered):
        assert ARTIFACT.render(record()).data == rendered.data

    def test_with_nothing_to_ask_it_still_renders_a_valid_page(self):
        rendered = ARTIFACT.render(shipment())
        assert ARTIFACT.validate(rendered.data) == []
        assert "No material needs" in pages(rendered.data)[0]

    def test_damaged_bytes_are_a_blocker(self):
        (problem,) = ARTIFACT.validate(b"not a pdf")
        assert problem.code == "supplier_requests.pdf.unreadable"
        assert problem.severity is Severity.BLOCKER
