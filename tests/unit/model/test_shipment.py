from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from common.factories import line, shipment, shipment_data
from cruce.model import Money, Shipment

pytestmark = pytest.mark.unit


def _errors(error: ValidationError) -> list[tuple[tuple[Any, ...], str]]:
    return [(e["loc"], e["type"]) for e in error.errors()]


def _terms(**changes: Any) -> dict[str, Any]:
    return {**shipment_data()["terms"], **changes}


def _full() -> Shipment:
    """The factory shipment with every optional part filled in."""
    data = shipment_data()
    data["parties"]["producers"] = [data["parties"]["seller"]]
    data["goods"].append(
        line(
            part_number="SPM-8481-020",
            description={
                "en": "Brass ball valve, 1/2 in",
                "es": "Válvula de bola de latón, ½ pulg.",
            },
            hts="8481.80.1085",
            fraccion="84818021",
            nico="00",
            quantity="12.5",
            unit_price="3.335 USD",
            value="41.69 USD",
            usmca={"claimed": True, "criterion": "C", "certification_reference": "BL-2026"},
            serial_numbers=["A-1", "A-2"],
            materials=[
                {
                    "description": "Brass bar C36000",
                    "hs_code": "7407.21",
                    "origin_country": "MX",
                    "value": "1.10 USD",
                    "quantity": "0.12",
                    "originating": "yes",
                    "supplier": "Latones de Occidente",
                    "supplier_certification": "LO-2026-01",
                }
            ],
        )
    )
    data["transport"].update(
        carrier_caat="T4K9",
        truck={"number": "ECO-118", "plate": "41AH6T", "vin": "3AKJHHDR9PS584117"},
        trailers=[{"plate": "48UJ2K", "plate_jurisdiction": "MX"}],
        containers=["CSQU 305438 3"],
        seals=["SFP-0448120"],
        driver={"name": "José Luis Ochoa", "nationality": "MX", "fast_card": "982710455"},
        fast=True,
    )
    data["terms"].update(
        purchase_order="OC-0877",
        payment_due_days=30,
        charges=[
            {"kind": "freight", "amount": "3150.00 USD"},
            {"kind": "insurance", "amount": "245.00 USD", "billed_on_invoice": False},
        ],
        declared_total="10691.69 USD",
        exchange_rate={
            "base": "USD",
            "quote": "MXN",
            "rate": "18.2145",
            "source": "Banxico FIX (SF43718)",
            "as_of": "2026-12-04",
        },
    )
    data["notes"] = "Entrega en andén 3 — horario de 8:00 a 14:00."
    return Shipment.model_validate(data)


class TestDirection:
    def test_a_southbound_shipment_is_us_mx(self):
        assert shipment().direction == "US-MX"

    def test_a_northbound_shipment_is_mx_us(self):
        assert shipment(export_country="MX", import_country="US").direction == "MX-US"

    def test_country_codes_are_upper_cased(self):
        assert shipment(export_country="us", import_country="mx").direction == "US-MX"

    def test_an_unknown_country_is_reported_at_its_field(self):
        with pytest.raises(ValidationError) as excinfo:
            shipment(export_country="XX")
        assert _errors(excinfo.value) == [(("export_country",), "country.unknown")]


class TestTotals:
    def test_goods_total_sums_the_line_values(self):
        record = shipment(goods=[line(), line(quantity="2", unit_price="0.335 USD")])
        assert record.goods_total() == {"USD": Money.of("7500.67", "USD")}

    def test_goods_total_is_kept_per_currency(self):
        record = shipment(
            goods=[
                line(unit_price="10.00 MXN", quantity="3"),
                line(unit_price="1.00 USD", quantity="4"),
                line(unit_price="5.00 MXN", quantity="1"),
            ]
        )
        totals = record.goods_total()
        assert list(totals) == ["MXN", "USD"]
        assert totals == {"MXN": Money.of("35.00", "MXN"), "USD": Money.of("4.00", "USD")}

    def test_no_goods_means_no_totals(self):
        record = shipment(goods=[])
        assert record.goods_total() == {}
        assert record.invoice_total() == {}

    def test_invoice_total_adds_the_charges_billed_on_the_invoice(self):
        record = shipment(
            terms=_terms(
                charges=[
                    {"kind": "freight", "amount": "3150.00 USD"},
                    {"kind": "packing", "amount": "180.00 USD", "billed_on_invoice": True},
                ]
            )
        )
        assert record.invoice_total() == {"USD": Money.of("10830.00", "USD")}

    def test_invoice_total_leaves_out_charges_not_billed(self):
        record = shipment(
            terms=_terms(
                charges=[
                    {"kind": "freight", "amount": "3150.00 USD", "billed_on_invoice": False},
                    {"kind": "insurance", "amount": "245.00 USD", "billed_on_invoice": False},
                ]
            )
        )
        assert record.invoice_total() == record.goods_total() == {"USD": Money.of("7500", "USD")}

    def test_a_charge_in_another_currency_is_totalled_apart(self):
        record = shipment(terms=_terms(charges=[{"kind": "other", "amount": "850.00 MXN"}]))
        assert record.invoice_total() == {
            "USD": Money.of("7500.00", "USD"),
            "MXN": Money.of("850.00", "MXN"),
        }

    @given(
        st.lists(
            st.tuples(
                st.integers(min_value=1, max_value=10_000),
                st.decimals(min_value=0, max_value=10_000, places=2),
            ),
            min_size=1,
            max_size=20,
        ),
        st.lists(st.tuples(st.decimals(min_value=0, max_value=5000, places=2), st.booleans())),
    )
    def test_invoice_total_is_goods_plus_billed_charges(self, lines, charges):
        record = shipment(
            goods=[line(quantity=str(q), unit_price=f"{p} USD") for q, p in lines],
            terms=_terms(
                charges=[
                    {"kind": "other", "amount": f"{amount} USD", "billed_on_invoice": billed}
                    for amount, billed in charges[:20]
                ]
            ),
        )
        goods = sum(q * p for q, p in lines)
        billed = sum(amount for amount, billed in charges[:20] if billed)
        assert record.goods_total()["USD"].amount == goods
        assert record.invoice_total()["USD"].amount == goods + billed


class TestRecord:
    def test_unknown_fields_are_rejected(self):
        with pytest.raises(ValidationError) as excinfo:
            shipment(colour="blue")
        assert _errors(excinfo.value) == [(("colour",), "extra_forbidden")]

    def test_unknown_fields_deep_inside_are_rejected_with_their_path(self):
        data = shipment_data()
        data["transport"]["crossing"]["garita"] = "Mariposa"
        with pytest.raises(ValidationError) as excinfo:
            Shipment.model_validate(data)
        assert _errors(excinfo.value) == [(("transport", "crossing", "garita"), "extra_forbidden")]

    def test_errors_in_a_goods_line_name_its_index(self):
        with pytest.raises(ValidationError) as excinfo:
            shipment(goods=[line(), line(hts="8481.80")])
        assert _errors(excinfo.value) == [(("goods", 1, "hts"), "string_pattern_mismatch")]

    def test_record_version_is_one(self):
        assert shipment().record_version == "1"
        with pytest.raises(ValidationError) as excinfo:
            shipment(record_version="2")
        assert _errors(excinfo.value) == [(("record_version",), "literal_error")]

    def test_reference_terms_and_countries_are_required(self):
        data = shipment_data()
        for key in ("reference", "terms", "export_country", "import_country"):
            del data[key]
        with pytest.raises(ValidationError) as excinfo:
            Shipment.model_validate(data)
        assert sorted(_errors(excinfo.value)) == [
            (("export_country",), "missing"),
            (("import_country",), "missing"),
            (("reference",), "missing"),
            (("terms",), "missing"),
        ]

    def test_the_planned_crossing_needs_its_utc_offset(self):
        data = shipment_data()
        data["transport"]["planned_crossing"] = "2026-12-03T09:00:00"
        with pytest.raises(ValidationError) as excinfo:
            Shipment.model_validate(data)
        assert _errors(excinfo.value) == [(("transport", "planned_crossing"), "timezone_aware")]

    def test_arizona_time_is_seven_hours_behind_utc(self):
        crossing = shipment().transport.planned_crossing
        assert crossing.utcoffset().total_seconds() == -7 * 3600

    def test_the_record_is_immutable(self):
        record = shipment()
        with pytest.raises(ValidationError):
            record.reference = "other"  # type: ignore[misc]

    def test_containers_are_stored_compact(self):
        assert _full().transport.containers == ["CSQU3054383"]


class TestJsonRoundTrip:
    def test_the_factory_shipment_survives_a_json_round_trip(self):
        record = shipment()
        assert Shipment.model_validate_json(record.model_dump_json()) == record

    def test_a_shipment_with_every_part_survives_a_json_round_trip(self):
        record = _full()
        assert Shipment.model_validate_json(record.model_dump_json()) == record

    def test_the_round_trip_keeps_amounts_exact(self):
        record = Shipment.model_validate_json(_full().model_dump_json())
        assert record.goods[1].unit_price == Money.of("3.335", "USD")
        assert str(record.goods[1].quantity) == "12.5"
        assert record.terms.exchange_rate.rate.as_tuple().exponent == -4

    def test_a_python_round_trip_gives_the_same_record(self):
        record = _full()
        assert Shipment.model_validate(record.model_dump()) == record

    @given(
        st.lists(
            st.tuples(
                st.decimals(min_value=Decimal("0.001"), max_value=10**6, places=3),
                st.decimals(min_value=0, max_value=10**5, places=4),
                st.text(min_size=1, max_size=40).filter(lambda s: s.strip() == s and s),
            ),
            min_size=1,
            max_size=5,
        )
    )
    def test_any_goods_survive_a_json_round_trip(self, goods):
        record = shipment(
            goods=[
                line(quantity=q, unit_price=f"{p} USD", description={"en": text, "es": text})
                for q, p, text in goods
            ]
        )
        assert Shipment.model_validate_json(record.model_dump_json()) == record
