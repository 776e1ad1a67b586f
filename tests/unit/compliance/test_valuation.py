from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.factories import line, shipment, shipment_data
from cruce.compliance.valuation import mx_values, us_values
from cruce.model import Money

pytestmark = pytest.mark.unit


def _with(incoterm: str, charges: list[dict], goods: list[dict] | None = None):
    data = shipment_data(goods=goods or [line()])
    data["terms"]["incoterm"] = incoterm
    data["terms"]["charges"] = charges
    return shipment(**data)


def _usd(text: str) -> Money:
    return Money.of(text, "USD")


class TestUsValue:
    def test_freight_billed_on_the_invoice_stays_out_of_the_value(self):
        record = _with("DAP", [{"kind": "freight", "amount": "850.00 USD"}])
        assert us_values(record)[0].value == _usd("7500.00")

    def test_freight_inside_a_delivered_price_is_deducted(self):
        record = _with(
            "DAP", [{"kind": "freight", "amount": "850.00 USD", "billed_on_invoice": False}]
        )
        value = us_values(record)[0]
        assert value.value == _usd("6650.00")
        assert value.adjustments[0].amount == _usd("-850.00")

    def test_freight_the_buyer_pays_apart_under_fca_changes_nothing(self):
        record = _with(
            "FCA", [{"kind": "freight", "amount": "850.00 USD", "billed_on_invoice": False}]
        )
        assert us_values(record)[0].value == _usd("7500.00")

    def test_packing_is_added_to_the_us_value(self):
        record = _with(
            "FCA", [{"kind": "packing", "amount": "120.00 USD", "billed_on_invoice": False}]
        )
        assert us_values(record)[0].value == _usd("7620.00")


class TestMexicanValue:
    def test_freight_billed_on_the_invoice_is_part_of_the_price_paid(self):
        record = _with("DAP", [{"kind": "freight", "amount": "850.00 USD"}])
        assert mx_values(record)[0].value == _usd("8350.00")

    def test_freight_and_insurance_the_buyer_pays_are_incrementables(self):
        record = _with(
            "FCA",
            [
                {"kind": "freight", "amount": "600.00 USD", "billed_on_invoice": False},
                {"kind": "insurance", "amount": "45.00 USD", "billed_on_invoice": False},
            ],
        )
        assert mx_values(record)[0].value == _usd("8145.00")

    def test_freight_inside_a_delivered_price_is_not_added_twice(self):
        record = _with(
            "DAP", [{"kind": "freight", "amount": "850.00 USD", "billed_on_invoice": False}]
        )
        assert mx_values(record)[0].value == _usd("7500.00")


class TestSpreading:
    def test_a_charge_is_spread_by_value_and_the_shares_add_up(self):
        goods = [
            line(quantity="1", unit_price="100.00 USD"),
            line(quantity="2", unit_price="100.00 USD"),
            line(quantity="3", unit_price="100.00 USD"),
        ]
        record = _with(
            "FCA", [{"kind": "freight", "amount": "100.00 USD", "billed_on_invoice": False}], goods
        )
        added = [v.value - v.price for v in mx_values(record)]
        assert added == [_usd("16.67"), _usd("33.33"), _usd("50.00")]

    @given(
        st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=12),
        st.integers(min_value=0, max_value=1_000_000),
    )
    def test_shares_always_add_up_to_the_charge(self, prices, cents):
        goods = [line(quantity="1", unit_price=f"{p}.00 USD") for p in prices]
        charge = Decimal(cents) / 100
        record = _with(
            "FCA",
            [{"kind": "freight", "amount": f"{charge} USD", "billed_on_invoice": False}],
            goods,
        )
        added = sum((v.value.amount - v.price.amount for v in mx_values(record)), Decimal(0))
        assert added == charge
