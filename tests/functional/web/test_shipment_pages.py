"""A shipment's overview with its readiness checklist, its landed cost and its origin result."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient

from cruce.reference import mx_tariff
from cruce.store.models import PartyRole
from web_pages import STRANGER, sign_up


class TestOverview:
    def test_the_overview_shows_the_record_and_each_documents_readiness(self, owner, shipment_id):
        page = owner.get(f"/shipments/{shipment_id}")
        assert page.status_code == 200
        assert "PHX-GDL-2026-0117" in page.text or "Shipment" in page.text
        assert 'id="readiness"' in page.text
        assert "Transport and crossing" in page.text
        assert "Nogales" in page.text or "Laredo" in page.text or "CBP" in page.text

    def test_each_problem_of_the_checklist_links_to_the_wizard_input_that_fixes_it(
        self, owner, shipment_id
    ):
        page = owner.get(f"/shipments/{shipment_id}")
        links = re.findall(rf'href="(/shipments/{shipment_id}/edit/[a-z]+#f-[^"]+)"', page.text)
        for link in links:
            step = link.split("/edit/")[1].split("#")[0]
            assert step in {"parties", "goods", "transport", "terms"}

    def test_the_overview_is_in_spanish_for_a_spanish_reader(self, owner, shipment_id):
        page = owner.get(f"/shipments/{shipment_id}?lang=es")
        assert page.text.startswith('<!doctype html>\n<html lang="es">')
        assert "Transporte y cruce" in page.text
        assert "USD7,500.00" in page.text  # Mexico's format of US dollars (CLDR es_MX)

    def test_another_organisation_gets_not_found_and_learns_nothing(self, app, shipment_id):
        with TestClient(app) as other:
            sign_up(other, **STRANGER)
            page = other.get(f"/shipments/{shipment_id}")
        assert page.status_code == 404
        assert "PHX" not in page.text

    def test_an_unknown_shipment_is_a_not_found_page(self, owner):
        page = owner.get(f"/shipments/{uuid.uuid4()}")
        assert page.status_code == 404
        assert "<h1" in page.text

    def test_a_reader_not_signed_in_is_sent_to_sign_in(self, app, shipment_id):
        with TestClient(app) as stranger:
            page = stranger.get(f"/shipments/{shipment_id}", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == "/sign-in"

    def test_reading_the_overview_is_audited(self, owner, shipment_id):
        owner.get(f"/shipments/{shipment_id}")
        audit = owner.get(f"/shipments/{shipment_id}/audit")
        assert audit.status_code == 200
        assert audit.text.count("<tr>") >= 2


class TestLandedCost:
    def test_three_quotes_side_by_side_each_component_with_its_legal_source(
        self, owner, shipment_id
    ):
        page = owner.get(f"/shipments/{shipment_id}/landed-cost")
        assert page.status_code == 200
        for title in ("As claimed in the record", "Without USMCA / T-MEC", "With USMCA / T-MEC"):
            assert title in page.text
        sources = re.findall(r"<summary>Source</summary>", page.text)
        assert sources, "each component names its source"
        assert "Ley de los Impuestos Generales de Importación" in page.text or "LIGIE" in page.text

    def test_the_quote_and_its_sources_are_in_spanish_for_a_spanish_reader(
        self, owner, shipment_id
    ):
        page = owner.get(f"/shipments/{shipment_id}/landed-cost?lang=es")
        assert page.status_code == 200
        assert "<summary>Fuente</summary>" in page.text
        assert "Ley del IVA" in page.text

    def test_a_quote_that_lacks_a_rate_says_so_once_instead_of_showing_a_wrong_total(
        self, owner, shipment_id, monkeypatch
    ):
        # no LIGIE table imported (another test of this process may have loaded one)
        bundled_only = mx_tariff.LigieTable(mx_tariff.bundled_rates(), ())
        monkeypatch.setattr(mx_tariff, "default_table", lambda: bundled_only)
        page = owner.get(f"/shipments/{shipment_id}/landed-cost")
        problems = re.findall(r"<li>(the IGI rate of fracción 76169999[^<]*)</li>", page.text)
        assert len(problems) == 3  # once in each of the three quotes, not once per line
        assert "not determined" in page.text

    def test_another_crossing_date_can_be_quoted_and_a_bad_one_falls_back(self, owner, shipment_id):
        asked = owner.get(f"/shipments/{shipment_id}/landed-cost?on=2026-03-02")
        assert 'value="2026-03-02"' in asked.text
        bad = owner.get(f"/shipments/{shipment_id}/landed-cost?on=not-a-date")
        assert bad.status_code == 200


class TestOrigin:
    def test_each_line_with_a_bill_of_materials_has_its_decision_rule_and_reasons(
        self, owner, store_example
    ):
        northbound = store_example("02-guadalajara-to-phoenix")
        page = owner.get(f"/shipments/{northbound}/origin")
        assert page.status_code == 200
        assert re.search(r"status-(ok|bad)\">(Qualifies|Does not qualify)", page.text)
        assert "<h3>Why</h3>" in page.text
        assert "The rule:" in page.text

    def test_a_line_without_its_bill_of_materials_links_to_where_it_is_entered(
        self, owner, shipment_id
    ):
        page = owner.get(f"/shipments/{shipment_id}/origin")
        assert "Not determined" in page.text
        assert f'href="/shipments/{shipment_id}/edit/goods#f-goods-0-materials"' in page.text

    def test_the_origin_page_in_spanish(self, owner, store_example):
        northbound = store_example("02-guadalajara-to-phoenix")
        page = owner.get(f"/shipments/{northbound}/origin?lang=es")
        assert page.status_code == 200
        assert "<h3>Por qué</h3>" in page.text


class TestACarrierOnTheShipment:
    @pytest.fixture
    def carrier(self, app, shipment_id):
        with TestClient(app) as carrier:
            sign_up(
                carrier,
                name="Rosa Elena Núñez",
                email="rosa@transportes.example",
                organisation="Transportes del Norte SA de CV",
                tax_scheme="mx_rfc",
                tax_id="TNO010101AB1",
            )
            organisation = uuid.UUID(carrier.get("/api/v1/me").json()["organisation"]["id"])
            with app.state.services.store().unit() as unit:
                unit.shipments.add_party(uuid.UUID(shipment_id), organisation, PartyRole.CARRIER)
            yield carrier

    def test_the_carrier_sees_the_overview_without_edit_links_cost_or_origin(
        self, carrier, shipment_id
    ):
        page = carrier.get(f"/shipments/{shipment_id}")
        assert page.status_code == 200
        assert f"/shipments/{shipment_id}/edit/" not in page.text
        assert f'href="/shipments/{shipment_id}/landed-cost"' not in page.text
        assert f'href="/shipments/{shipment_id}/origin"' not in page.text

    def test_the_carrier_is_refused_the_landed_cost_and_the_origin(self, carrier, shipment_id):
        for view in ("landed-cost", "origin"):
            page = carrier.get(f"/shipments/{shipment_id}/{view}")
            assert page.status_code == 403
            assert "Unit price" not in page.text
