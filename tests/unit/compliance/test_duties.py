"""Landed cost, checked against figures worked by hand from the cited sources.

US side: HTSUS general rate 2.7 % for 8537.10.91 (HTSUS 2026 Rev 4/10), IEEPA Mexico +25 %
(9903.01.01; USMCA exemption 9903.01.04 from 2025-03-07), Section 122 +10 % (9903.03.01,
2026-02-24 to 2026-07-23; exemption 9903.03.08), Section 301 Mexico tier +10 %
(9903.05.55 from 2026-07-24; exemption 9903.05.94), MPF 0.3464 % with FY2025 32.71 /
634.62 and FY2026 33.58 / 651.50 (CBP Dec. 25-10). Mexican side: a rate table given by the
test (the bundled LIGIE table has no verified rows), DTA 8 al millar (LFD art. 49 fr. I),
IVA 16 % on valor en aduana + IGI + DTA (LIVA art. 27).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from common.factories import buyer, line, seller, shipment, shipment_data
from cruce.compliance.duties import References, landed_cost
from cruce.model import FxRate, Money
from cruce.reference import fx, hts_store, mx_tariff
from cruce.reference.facts import Period, Source
from cruce.reference.mx_tariff import IgiRate

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> References:
    # only what cruce ships: an empty user folder, so nothing imported on this machine counts
    empty = tmp_path_factory.mktemp("no-imports")
    return References(hts_store.default_store(empty), mx_tariff.LigieTable(()), fx.FxTable(()))


def _northbound(*goods: dict, currency: str = "USD", **terms) -> object:
    data = shipment_data(
        export_country="MX",
        import_country="US",
        parties={"seller": buyer(), "buyer": seller()},
        goods=list(goods),
    )
    data["terms"].update(
        {"incoterm": "FCA", "incoterm_place": "Guadalajara", "currency": currency, **terms}
    )
    return shipment(**data)


def _board(value: str = "10000.00", **changes) -> dict:
    fields = {
        "hts": "8537.10.9170",
        "schedule_b": None,
        "fraccion": "85371099",
        "nico": "99",
        "origin_country": "MX",
        "quantity": "1",
        "unit": "H87",
        "unit_price": f"{value} USD",
    }
    fields.update(changes)
    return line(**fields)


def _amounts(quote) -> dict[str, Decimal | None]:
    found: dict[str, Decimal | None] = {}
    for component in quote.components():
        amount = None if component.amount is None else component.amount.amount
        found[component.key] = amount
    return found


def _reported(quote, key: str) -> str | None:
    return next(c.report for c in quote.components() if c.key == key)


class TestUsTariffActionsByDate:
    @pytest.mark.parametrize(
        ("day", "usmca", "expected"),
        [
            # IEEPA from 2025-03-04; its USMCA exemption only from 2025-03-07
            (
                date(2025, 3, 5),
                False,
                {"action:ieepa_mx_fentanyl": Decimal("2500.00"), "mpf": Decimal("34.64")},
            ),
            (
                date(2025, 3, 5),
                True,
                {"action:ieepa_mx_fentanyl": Decimal("2500.00"), "mpf": Decimal("0.00")},
            ),
            (
                date(2025, 3, 8),
                False,
                {"action:ieepa_mx_fentanyl": Decimal("2500.00"), "mpf": Decimal("34.64")},
            ),
            (
                date(2025, 3, 8),
                True,
                {"action:ieepa_mx_fentanyl": Decimal("0.00"), "mpf": Decimal("0.00")},
            ),
            (
                date(2026, 3, 1),
                False,
                {
                    "duty": Decimal("270.00"),
                    "action:s122_surcharge": Decimal("1000.00"),
                    "mpf": Decimal("34.64"),
                },
            ),
            (
                date(2026, 3, 1),
                True,
                {
                    "duty": Decimal("0.00"),
                    "action:s122_surcharge": Decimal("0.00"),
                    "mpf": Decimal("0.00"),
                },
            ),
            (
                date(2026, 8, 1),
                False,
                {
                    "duty": Decimal("270.00"),
                    "action:s301_forced_labor_mx": Decimal("1000.00"),
                    "mpf": Decimal("34.64"),
                },
            ),
            (
                date(2026, 8, 1),
                True,
                {
                    "duty": Decimal("0.00"),
                    "action:s301_forced_labor_mx": Decimal("0.00"),
                    "mpf": Decimal("0.00"),
                },
            ),
        ],
    )
    def test_the_same_mexican_good_pays_what_its_date_and_claim_say(
        self, bundled, day, usmca, expected
    ):
        quote = landed_cost(_northbound(_board()), day, usmca=usmca, references=bundled)
        amounts = _amounts(quote)
        for key, amount in expected.items():
            assert amounts[key] == amount, key

    def test_the_exemption_heading_is_reported_when_the_claim_exempts(self, bundled):
        quote = landed_cost(_northbound(_board()), date(2025, 3, 8), usmca=True, references=bundled)
        assert _reported(quote, "action:ieepa_mx_fentanyl") == "9903.01.04"
        unclaimed = landed_cost(
            _northbound(_board()), date(2025, 3, 8), usmca=False, references=bundled
        )
        assert _reported(unclaimed, "action:ieepa_mx_fentanyl") == "9903.01.01"

    def test_a_date_before_every_loaded_tariff_revision_is_a_problem_not_a_rate(self, bundled):
        quote = landed_cost(
            _northbound(_board()), date(2025, 3, 5), usmca=False, references=bundled
        )
        assert "cost.us.no_tariff" in {p.code for p in quote.problems}
        assert _amounts(quote)["duty"] is None
        assert quote.total() is None

    def test_the_usmca_claim_takes_the_special_rate_s(self, bundled):
        quote = landed_cost(_northbound(_board()), date(2026, 3, 1), usmca=True, references=bundled)
        assert _reported(quote, "duty") == "S 8537109170"
        assert quote.complete
        # only the carrier's arrival fee (FY2026, class 492) is left
        assert quote.total() == Money.of("7.35", "USD")

    def test_a_complete_unclaimed_quote_adds_every_component(self, bundled):
        quote = landed_cost(
            _northbound(_board()), date(2026, 3, 1), usmca=False, references=bundled
        )
        assert quote.complete
        # 270.00 duty + 1,000.00 section 122 + 34.64 MPF + 7.35 truck arrival fee
        assert quote.total() == Money.of("1311.99", "USD")

    def test_the_truck_arrival_fee_is_reported_with_its_class(self, bundled):
        quote = landed_cost(_northbound(_board()), date(2025, 9, 1), usmca=True, references=bundled)
        fee = next(c for c in quote.components() if c.key == "truck_arrival")
        assert (fee.amount, fee.report) == (Money.of("7.20", "USD"), "492")

    def test_a_negative_line_value_is_a_problem_not_a_negative_duty(self, bundled):
        quote = landed_cost(
            _northbound(_board("-100.00")), date(2026, 3, 1), usmca=False, references=bundled
        )
        assert "cost.us.negative_value" in {p.code for p in quote.problems}
        assert quote.total() is None


class TestMerchandiseProcessingFee:
    @pytest.mark.parametrize(
        ("value", "fee"),
        [("5000.00", "33.58"), ("100000.00", "346.40"), ("500000.00", "651.50")],
    )
    def test_formal_mpf_is_ad_valorem_between_the_minimum_and_the_maximum(
        self, bundled, value, fee
    ):
        quote = landed_cost(
            _northbound(_board(value)), date(2026, 3, 1), usmca=False, references=bundled
        )
        assert _amounts(quote)["mpf"] == Decimal(fee)

    def test_the_fiscal_year_sets_the_minimum(self, bundled):
        before = landed_cost(
            _northbound(_board("5000.00")), date(2025, 9, 30), usmca=False, references=bundled
        )
        after = landed_cost(
            _northbound(_board("5000.00")), date(2025, 10, 1), usmca=False, references=bundled
        )
        assert (_amounts(before)["mpf"], _amounts(after)["mpf"]) == (
            Decimal("32.71"),
            Decimal("33.58"),
        )

    def test_an_entry_under_2500_usd_is_informal_and_pays_the_informal_fee(self, bundled):
        quote = landed_cost(
            _northbound(_board("2000.00")), date(2026, 3, 1), usmca=False, references=bundled
        )
        assert _amounts(quote)["mpf"] == Decimal("2.69")
        assert "entry.us.formal" not in {p.code for p in quote.problems}

    def test_an_entry_over_2500_usd_is_reported_as_formal(self, bundled):
        quote = landed_cost(
            _northbound(_board()), date(2026, 3, 1), usmca=False, references=bundled
        )
        assert "entry.us.formal" in {p.code for p in quote.problems}


class TestSection232:
    def test_a_steel_derivative_pays_on_its_metal_content(self, bundled):
        part = _board(
            hts="8483.60.8000", fraccion="84836099", nico="00", metal_content_value="4000.00 USD"
        )
        quote = landed_cost(_northbound(part), date(2026, 3, 1), usmca=True, references=bundled)
        component = next(c for c in quote.components() if c.key.startswith("action:s232_steel"))
        assert component.base == Money.of("4000.00", "USD")
        assert component.amount == Money.of("2000.00", "USD")
        assert component.report == "9903.81.91"

    def test_without_the_metal_content_the_section_232_amount_is_not_determined(self, bundled):
        part = _board(hts="8483.60.8000", fraccion="84836099", nico="00")
        quote = landed_cost(_northbound(part), date(2026, 3, 1), usmca=True, references=bundled)
        assert "cost.us.metal_content_missing" in {p.code for p in quote.problems}
        assert not quote.complete


class TestRates:
    def test_a_compound_rate_adds_its_specific_and_ad_valorem_parts(self, bundled):
        # 0709.52.05: 8.8¢/kg + 20 %; 100 kg net and USD 1,000 -> 8.80 + 200.00
        mushrooms = _board(
            "1000.00",
            hts="0709.52.0500",
            fraccion=None,
            nico=None,
            origin_country="CL",
            net_weight_kg="100",
            gross_weight_kg="110",
        )
        quote = landed_cost(
            _northbound(mushrooms), date(2026, 3, 1), usmca=False, references=bundled
        )
        assert _amounts(quote)["duty"] == Decimal("208.80")

    def test_a_specific_rate_without_its_quantity_is_not_determined(self, bundled):
        beef = _board(
            "1000.00",
            hts="0201.20.0600",
            fraccion=None,
            nico=None,
            origin_country="AR",
            net_weight_kg=None,
            gross_weight_kg=None,
        )
        quote = landed_cost(_northbound(beef), date(2026, 3, 1), usmca=False, references=bundled)
        assert _amounts(quote)["duty"] is None
        assert "cost.us.quantity_missing" in {p.code for p in quote.problems}

    def test_an_unknown_hts_code_is_a_problem(self, bundled):
        quote = landed_cost(
            _northbound(_board(hts="9999.99.9999")), date(2026, 3, 1), references=bundled
        )
        assert "cost.us.hts_unknown" in {p.code for p in quote.problems}


class TestCurrency:
    def test_a_peso_invoice_is_converted_at_the_stated_rate(self, bundled):
        rate = {
            "base": "USD",
            "quote": "MXN",
            "rate": "18.0000",
            "source": "rate on the invoice",
            "as_of": "2026-02-27",
        }
        quote = landed_cost(
            _northbound(_board(unit_price="180000.00 MXN"), currency="MXN", exchange_rate=rate),
            date(2026, 3, 1),
            usmca=False,
            references=bundled,
        )
        assert quote.lines[0].customs_value == Money.of("10000.00", "USD")

    def test_a_peso_invoice_without_a_rate_is_not_quoted_in_dollars(self, bundled):
        quote = landed_cost(
            _northbound(_board(unit_price="180000.00 MXN"), currency="MXN"),
            date(2026, 3, 1),
            references=bundled,
        )
        assert "cost.us.fx_missing" in {p.code for p in quote.problems}


def _mexico_tables() -> References:
    source = Source("test table: LIGIE rate as given to the test")
    rows = (
        IgiRate("84836099", None, Decimal("0.15"), Decimal(0), Period(date(2026, 1, 1)), source),
    )
    rates = (
        FxRate(
            base="USD",
            quote="MXN",
            rate=Decimal("18.0000"),
            source="test: DOF",
            as_of=date(2026, 2, 27),
        ),
    )
    bundled_only = hts_store.HtsStore(hts_store.bundled_revisions())
    return References(bundled_only, mx_tariff.LigieTable(rows), fx.FxTable(rates))


def _southbound(**changes) -> object:
    fields = {
        "hts": "8483.60.8000",
        "schedule_b": None,
        "fraccion": "84836099",
        "nico": "00",
        "quantity": "1",
        "unit_price": "10000.00 USD",
    }
    fields.update(changes)
    data = shipment_data(goods=[line(**fields)])
    data["terms"].update(
        {
            "incoterm": "FCA",
            "charges": [{"kind": "freight", "amount": "500.00 USD", "billed_on_invoice": False}],
        }
    )
    return shipment(**data)


class TestMexicanSide:
    def test_a_us_good_without_t_mec_pays_igi_dta_and_iva_on_the_cumulative_base(self):
        quote = landed_cost(
            _southbound(), date(2026, 3, 2), usmca=False, references=_mexico_tables()
        )
        amounts = _amounts(quote)
        # valor en aduana (10,000 + 500 freight) x 18 = 189,000.00 MXN
        assert quote.lines[0].customs_value == Money.of("189000.00", "MXN")
        assert amounts["igi"] == Decimal("28350.00")
        assert amounts["dta"] == Decimal("1512.00")
        assert amounts["iva"] == Decimal("35017.92")  # 16 % of 189,000 + 28,350 + 1,512

    def test_with_t_mec_the_igi_is_the_preferential_rate(self):
        quote = landed_cost(
            _southbound(), date(2026, 3, 2), usmca=True, references=_mexico_tables()
        )
        assert _amounts(quote)["igi"] == Decimal("0.00")
        assert quote.components()[0].report == "6"

    def test_the_customs_rate_is_the_one_published_the_day_before(self):
        quote = landed_cost(
            _southbound(), date(2026, 3, 2), usmca=False, references=_mexico_tables()
        )
        assert quote.fx is not None
        assert quote.fx.as_of == date(2026, 2, 27)  # Monday's taxes: Friday's DOF

    def test_a_rate_not_loaded_for_the_date_is_a_problem_not_a_guess(self):
        quote = landed_cost(
            _southbound(), date(2026, 3, 10), usmca=False, references=_mexico_tables()
        )
        assert "cost.mx.fx_missing" in {p.code for p in quote.problems}
        assert quote.lines[0].customs_value is None

    def test_what_is_paid_in_mexico_is_adjusted_to_whole_pesos(self):
        quote = landed_cost(
            _southbound(), date(2026, 3, 2), usmca=False, references=_mexico_tables()
        )
        payable = quote.payable()
        assert payable["iva"] == Money.of("35018", "MXN")  # 35,017.92: 92 centavos round up
        assert payable["dta"] == Money.of("1512", "MXN")

    def test_an_igi_rate_that_is_not_loaded_is_reported(self):
        quote = landed_cost(
            _southbound(fraccion="76169999", nico="99", hts="7616.99.5190"),
            date(2026, 3, 2),
            references=_mexico_tables(),
        )
        assert "cost.mx.igi_not_loaded" in {p.code for p in quote.problems}


def _bom(board_value: str) -> list[dict]:
    # per unit of 10,000.00: a Chinese bare PCB assembly of 8538.90 (excluded by the 8537
    # rule "CTH except 8538.90") worth board_value, and originating Mexican parts
    return [
        {
            "description": "printed circuit assembly",
            "hs_code": "8538.90",
            "origin_country": "CN",
            "value": f"{board_value} USD",
            "originating": "no",
        },
        {
            "description": "enclosure",
            "hs_code": "7616.99",
            "origin_country": "MX",
            "value": "2000.00 USD",
            "originating": "yes",
        },
    ]


class TestClaimsFromTheOriginEngine:
    def test_with_usmca_claims_a_line_the_engine_finds_qualifying(self, bundled):
        # 8538.90 worth 500 = 5 % of the transaction value: within de minimis
        part = _board(materials=_bom("500.00"))
        quote = landed_cost(_northbound(part), date(2026, 3, 1), usmca=True, references=bundled)
        assert _reported(quote, "duty") == "S 8537109170"
        assert not [p for p in quote.problems if p.code.startswith("cost.usmca")]

    def test_with_usmca_leaves_unclaimed_a_line_that_does_not_qualify(self, bundled):
        # a controller of 9032.89 (rule "CTH", or "CTH or from 9032.90 + RVC 45 TV") from a
        # Chinese controller module of 9032.89 worth 60 %: no change of heading, no de
        # minimis; RVC 40 % < 45 %
        module = {
            "description": "controller module",
            "hs_code": "9032.89",
            "origin_country": "CN",
            "value": "6000.00 USD",
            "originating": "no",
        }
        part = _board(hts="9032.89.6040", fraccion="90328999", materials=[module])
        quote = landed_cost(_northbound(part), date(2026, 3, 1), usmca=True, references=bundled)
        assert _reported(quote, "duty") == "9032896040"
        codes = {p.code for p in quote.problems}
        assert "cost.usmca.not_qualifying" in codes

    def test_a_line_the_engine_cannot_decide_is_claimed_with_a_warning(self, bundled):
        quote = landed_cost(_northbound(_board()), date(2026, 3, 1), usmca=True, references=bundled)
        assert _reported(quote, "duty") == "S 8537109170"
        assert "cost.usmca.assumed" in {p.code for p in quote.problems}
