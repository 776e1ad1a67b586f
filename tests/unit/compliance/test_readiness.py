from __future__ import annotations

import pytest

from common.factories import buyer, line, seller, shipment, shipment_data
from cruce.compliance.readiness import record_problems
from cruce.model import Severity

pytestmark = pytest.mark.unit


def _codes(**changes) -> dict[str, tuple[str, Severity]]:
    return {p.code: (p.path, p.severity) for p in record_problems(shipment(**changes))}


class TestRecordProblems:
    def test_the_complete_factory_shipment_has_no_problems(self):
        assert record_problems(shipment()) == []

    def test_a_draft_without_parties_or_goods_is_left_to_the_documents_to_report(self):
        assert _codes(parties={}, goods=[]) == {}

    def test_an_rfc_of_the_wrong_shape_is_a_blocker_at_its_field(self):
        bad = buyer()
        bad["tax_ids"] = [{"scheme": "mx_rfc", "value": "MTA15031"}]
        codes = _codes(parties={"seller": seller(), "buyer": bad})
        assert codes["party.buyer.tax_id.invalid"] == (
            "parties.buyer.tax_ids[0].value",
            Severity.BLOCKER,
        )

    def test_an_rfc_whose_check_digit_fails_is_a_warning_to_confirm(self):
        odd = buyer()
        odd["tax_ids"] = [{"scheme": "mx_rfc", "value": "MTA1503109K7"}]
        codes = _codes(parties={"seller": seller(), "buyer": odd})
        assert codes["party.buyer.tax_id.check_digit"][1] is Severity.WARNING

    def test_a_curp_whose_check_digit_fails_is_a_blocker(self):
        person = buyer()
        person["tax_ids"] = [
            {"scheme": "mx_rfc", "value": "MTA1503109K6"},
            {"scheme": "mx_curp", "value": "BOXW310820HNERXN08"},
        ]
        codes = _codes(parties={"seller": seller(), "buyer": person})
        assert codes["party.buyer.tax_id.check_digit"] == (
            "parties.buyer.tax_ids[1].value",
            Severity.BLOCKER,
        )

    def test_an_importer_into_mexico_without_rfc_is_warned(self):
        anonymous = buyer()
        anonymous["tax_ids"] = []
        codes = _codes(parties={"seller": seller(), "buyer": anonymous})
        assert "party.buyer.tax_id.missing" in codes

    def test_a_clabe_with_a_wrong_check_digit_is_a_blocker(self):
        paid = seller()
        paid["bank_accounts"] = [{"clabe": "032180000118359718"}]
        codes = _codes(parties={"seller": paid, "buyer": buyer()})
        assert codes["party.seller.clabe.invalid"] == (
            "parties.seller.bank_accounts[0].clabe",
            Severity.BLOCKER,
        )

    def test_a_valid_clabe_passes(self):
        paid = seller()
        paid["bank_accounts"] = [{"clabe": "032180000118359719"}]
        assert _codes(parties={"seller": paid, "buyer": buyer()}) == {}

    def test_net_weight_over_gross_weight_is_a_blocker(self):
        codes = _codes(goods=[line(net_weight_kg="120", gross_weight_kg="110")])
        assert codes["goods.weight.net_exceeds_gross"] == (
            "goods[0].net_weight_kg",
            Severity.BLOCKER,
        )

    def test_classifications_must_share_their_hs6(self):
        codes = _codes(goods=[line(schedule_b="7616.10.0000")])
        assert codes["goods.hs6.inconsistent"][1] is Severity.BLOCKER

    def test_a_fraccion_not_in_the_sat_catalog_is_a_blocker(self):
        codes = _codes(
            goods=[line(hts="7616.99.5190", fraccion="76169998", nico=None, schedule_b=None)]
        )
        assert codes["goods.fraccion.unknown"] == ("goods[0].fraccion", Severity.BLOCKER)

    def test_a_nico_that_does_not_exist_under_its_fraccion_is_a_blocker(self):
        codes = _codes(goods=[line(nico="42")])
        assert codes["goods.nico.unknown"] == ("goods[0].nico", Severity.BLOCKER)

    def test_a_nico_without_fraccion_is_a_blocker(self):
        codes = _codes(goods=[line(fraccion=None, nico="99")])
        assert "goods.nico.without_fraccion" in codes

    def test_declared_total_must_match_lines_plus_billed_charges(self):
        data = shipment_data()
        data["terms"]["charges"] = [
            {"kind": "freight", "amount": "850.00 USD"},
            {"kind": "insurance", "amount": "40.00 USD", "billed_on_invoice": False},
        ]
        data["terms"]["declared_total"] = "8350.00 USD"
        assert record_problems(shipment(**data)) == []
        data["terms"]["declared_total"] = "8390.00 USD"
        codes = {p.code for p in record_problems(shipment(**data))}
        assert "terms.declared_total.mismatch" in codes

    def test_a_line_value_that_is_not_quantity_times_price_is_warned(self):
        codes = _codes(goods=[line(value="7600.00 USD")])
        assert codes["goods.value.mismatch"][1] is Severity.WARNING

    def test_a_line_in_another_currency_than_the_invoice_is_warned(self):
        codes = _codes(goods=[line(unit_price="350.00 MXN")])
        assert "goods.currency.differs" in codes

    def test_a_unit_outside_sats_catalog_blocks_a_mexican_shipment(self):
        codes = _codes(goods=[line(unit="XPX")])
        assert "goods.unit.not_in_sat_catalog" in codes or "goods.unit.no_unidad_aduana" in codes

    def test_a_container_with_a_wrong_check_digit_is_a_blocker(self):
        data = shipment_data()
        data["transport"]["containers"] = ["CSQU3054383", "CSQU3054384"]
        codes = {(p.code, p.path) for p in record_problems(shipment(**data))}
        assert codes == {("transport.container.invalid", "transport.containers[1]")}

    def test_a_usmca_claim_needs_its_criterion(self):
        codes = _codes(goods=[line(usmca={"claimed": True})])
        assert codes["goods.usmca.criterion_missing"][1] is Severity.WARNING

    def test_export_and_import_in_the_same_country_is_a_blocker(self):
        codes = _codes(import_country="US")
        assert "route.same_country" in codes

    def test_every_problem_has_a_message_in_both_languages(self):
        data = shipment_data(
            parties={}, goods=[line(net_weight_kg="500", schedule_b="1234567890", nico="42")]
        )
        for problem in record_problems(shipment(**data)):
            both = problem.message.both()
            assert both["en"]
            assert both["es"]


class TestEntryFindings:
    def test_a_us_import_over_2500_usd_is_noted_as_a_formal_entry(self):
        from common.factories import buyer as mx_party  # noqa: PLC0415
        from common.factories import seller as us_party  # noqa: PLC0415

        record = shipment(
            export_country="MX",
            import_country="US",
            parties={"seller": mx_party(), "buyer": us_party()},
        )
        found = {p.code: p.severity for p in record_problems(record)}
        assert found == {"entry.us.formal": Severity.INFO}

    def test_an_import_into_mexico_has_no_us_entry_finding(self):
        assert "entry.us.formal" not in {p.code for p in record_problems(shipment())}


def _circuits(board_value: str, *, usmca: dict) -> dict:
    # printed circuits 8534 (rule CTH), 20.00 a unit, from a Chinese bare board of 8534
    return line(
        hts="8534.00.0020",
        origin_country="MX",
        unit_price="20.00 USD",
        usmca=usmca,
        materials=[
            {
                "description": "bare board",
                "hs_code": "8534.00",
                "origin_country": "CN",
                "value": f"{board_value} USD",
                "originating": "no",
            },
            {
                "description": "copper foil",
                "hs_code": "7410.21",
                "origin_country": "MX",
                "value": "4.00 USD",
                "originating": "yes",
            },
        ],
    )


class TestUsmcaClaimAgainstTheOriginEngine:
    def test_a_claim_that_does_not_qualify_blocks(self):
        goods = [_circuits("9.00", usmca={"claimed": True, "criterion": "B"})]
        path, severity = _codes(goods=goods)["goods.usmca.not_qualifying"]
        assert path == "goods[0].usmca.claimed"
        assert severity is Severity.BLOCKER

    def test_a_claim_that_qualifies_raises_nothing(self):
        goods = [_circuits("1.50", usmca={"claimed": True, "criterion": "B"})]
        assert not [c for c in _codes(goods=goods) if c.startswith("goods.usmca")]

    def test_a_claimed_criterion_other_than_the_one_found_warns(self):
        goods = [_circuits("1.50", usmca={"claimed": True, "criterion": "C"})]
        assert _codes(goods=goods)["goods.usmca.criterion_differs"][1] is Severity.WARNING

    def test_an_unclaimed_line_that_qualifies_is_noted(self):
        goods = [_circuits("1.50", usmca={"claimed": False})]
        assert _codes(goods=goods)["goods.usmca.unclaimed"][1] is Severity.INFO
