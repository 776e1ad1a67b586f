from __future__ import annotations

import operator
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError

from cruce.model import CurrencyMismatchError, FxRate, Money
from cruce.model.money import minor_units, total_by_currency

pytestmark = pytest.mark.unit

CURRENCIES = ("USD", "MXN", "CAD", "EUR", "JPY")
AS_OF = date(2026, 12, 4)

amounts = st.decimals(
    min_value=Decimal("-1e12"),
    max_value=Decimal("1e12"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
currencies = st.sampled_from(CURRENCIES)


@st.composite
def money_in(draw: st.DrawFn, currency: str | None = None) -> Money:
    return Money.of(draw(amounts), currency or draw(currencies))


@st.composite
def same_currency(draw: st.DrawFn, size: int) -> list[Money]:
    currency = draw(currencies)
    return [draw(money_in(currency)) for _ in range(size)]


@st.composite
def two_currencies(draw: st.DrawFn) -> tuple[Money, Money]:
    left, right = draw(st.lists(currencies, min_size=2, max_size=2, unique=True))
    return draw(money_in(left)), draw(money_in(right))


def _error_types(error: ValidationError) -> list[str]:
    return [e["type"] for e in error.errors()]


def _rate(base: str = "USD", quote: str = "MXN", rate: str = "18.2145") -> FxRate:
    return FxRate(
        base=base, quote=quote, rate=Decimal(rate), source="Banxico FIX (SF43718)", as_of=AS_OF
    )


class TestMoneyArithmetic:
    @given(same_currency(2))
    def test_addition_is_commutative_within_a_currency(self, pair):
        a, b = pair
        assert a + b == b + a

    @given(same_currency(3))
    def test_addition_is_associative_within_a_currency(self, triple):
        a, b, c = triple
        assert (a + b) + c == a + (b + c)

    @given(money_in())
    def test_adding_the_negation_gives_zero(self, a):
        assert a + (-a) == Money.zero(a.currency)

    @given(same_currency(2))
    def test_subtracting_undoes_adding(self, pair):
        a, b = pair
        assert (a + b) - b == a

    @given(st.integers(min_value=1, max_value=10).flatmap(same_currency))
    def test_sum_adds_amounts_of_one_currency(self, amounts_):
        total = sum(amounts_)
        assert isinstance(total, Money)
        assert total.currency == amounts_[0].currency
        assert total.amount == sum(m.amount for m in amounts_)

    @given(money_in())
    def test_result_keeps_the_currency(self, a):
        assert (a + a).currency == a.currency
        assert (-a).currency == a.currency

    @given(money_in(), st.integers(min_value=-1000, max_value=1000))
    def test_multiplying_by_an_integer_scales_the_amount(self, a, factor):
        assert (a * factor).amount == a.amount * factor
        assert factor * a == a * factor

    @given(money_in())
    def test_multiplying_by_three_is_adding_three_times(self, a):
        assert a * 3 == a + a + a

    @given(money_in(), st.decimals(min_value=-1000, max_value=1000, places=4))
    def test_multiplying_by_a_decimal_scales_the_amount(self, a, factor):
        product = a * factor
        assert product.amount == a.amount * factor
        assert product.currency == a.currency

    @pytest.mark.parametrize("factor", [1.5, True, "2", None])
    def test_multiplying_by_a_float_bool_or_text_raises_type_error(self, factor):
        with pytest.raises(TypeError):
            Money.of("10.00", "USD") * factor

    def test_adding_a_number_raises_type_error(self):
        with pytest.raises(TypeError):
            Money.of("10.00", "USD") + 5  # type: ignore[operator]

    def test_total_by_currency_keeps_the_order_of_first_appearance(self):
        totals = total_by_currency(
            [Money.of("1.00", "MXN"), Money.of("2.00", "USD"), Money.of("3.00", "MXN")]
        )
        assert list(totals) == ["MXN", "USD"]
        assert totals["MXN"] == Money.of("4.00", "MXN")


class TestCurrencyMismatch:
    @pytest.mark.parametrize(
        "combine",
        [operator.add, operator.sub, operator.lt, operator.le, operator.gt, operator.ge],
        ids=["add", "sub", "lt", "le", "gt", "ge"],
    )
    @given(pair=two_currencies())
    def test_mixing_currencies_always_raises(self, combine, pair):
        left, right = pair
        with pytest.raises(CurrencyMismatchError):
            combine(left, right)

    def test_adding_usd_to_mxn_raises_and_names_both(self):
        with pytest.raises(CurrencyMismatchError) as excinfo:
            Money.of("1.00", "USD") + Money.of("1.00", "MXN")
        assert (excinfo.value.left, excinfo.value.right) == ("USD", "MXN")
        assert "USD" in str(excinfo.value)
        assert "MXN" in str(excinfo.value)

    def test_mismatch_is_a_value_error(self):
        assert issubclass(CurrencyMismatchError, ValueError)

    @pytest.mark.parametrize("combine", [operator.lt, operator.le, operator.gt, operator.ge])
    def test_comparing_with_a_number_raises_type_error(self, combine):
        # Python's answer to an unsupported comparison; the model lets an AttributeError out
        with pytest.raises(TypeError):
            combine(Money.of("1.00", "USD"), 1)

    @given(same_currency(2))
    def test_comparisons_within_a_currency_follow_the_amounts(self, pair):
        a, b = pair
        assert (a < b) == (a.amount < b.amount)
        assert (a >= b) == (a.amount >= b.amount)


class TestRounding:
    @pytest.mark.parametrize(
        ("amount", "currency", "expected"),
        [
            ("2.345", "USD", "2.35"),  # half-up, where banker's rounding gives 2.34
            ("2.344", "USD", "2.34"),
            ("0.005", "USD", "0.01"),
            ("-2.345", "USD", "-2.35"),  # half away from zero
            ("1.005", "MXN", "1.01"),
            ("2.5", "JPY", "3"),  # the yen has no minor unit
            ("3.5", "JPY", "4"),
            ("2.4999", "JPY", "2"),
            ("10", "USD", "10.00"),
        ],
    )
    def test_rounded_is_half_up_to_the_minor_unit(self, amount, currency, expected):
        result = Money.of(amount, currency).rounded()
        assert result.amount == Decimal(expected)
        assert str(result.amount) == expected
        assert result.currency == currency

    @pytest.mark.parametrize(("currency", "digits"), [("USD", 2), ("MXN", 2), ("JPY", 0)])
    def test_minor_units_follow_iso_4217(self, currency, digits):
        assert minor_units(currency) == digits

    @given(
        st.decimals(min_value=-(10**9), max_value=10**9, places=6),
        currencies,
    )
    def test_rounding_moves_the_amount_by_half_a_minor_unit_at_most(self, amount, currency):
        rounded = Money.of(amount, currency).rounded()
        unit = Decimal(1).scaleb(-minor_units(currency))
        assert abs(rounded.amount - amount) <= unit / 2
        assert rounded.amount.as_tuple().exponent == -minor_units(currency)

    @given(money_in())
    def test_rounding_twice_changes_nothing(self, a):
        assert a.rounded().rounded() == a.rounded()


class TestConversion:
    @given(
        st.decimals(min_value=0, max_value=10**9, places=2),
        st.decimals(min_value=Decimal("0.0001"), max_value=10_000, places=4),
        st.lists(currencies, min_size=2, max_size=2, unique=True),
    )
    def test_converting_there_and_back_returns_within_rounding(self, amount, rate, pair):
        base, quote = pair
        fx = _rate(base, quote, str(rate))
        original = Money.of(amount, base).rounded()
        there = original.convert(fx)
        back = there.result.convert(fx)
        assert there.result.currency == quote
        assert back.result.currency == base
        half_base = Decimal(1).scaleb(-minor_units(base)) / 2
        half_quote = Decimal(1).scaleb(-minor_units(quote)) / 2
        assert abs(back.result.amount - original.amount) <= half_quote / rate + half_base

    def test_conversion_rounds_to_the_target_currency(self):
        conversion = Money.of("100.00", "USD").convert(_rate())
        assert conversion.result == Money.of("1821.45", "MXN")

    def test_converting_the_quote_currency_divides_by_the_rate(self):
        conversion = Money.of("1821.45", "MXN").convert(_rate())
        assert conversion.result == Money.of("100.00", "USD")

    def test_conversion_keeps_the_rate_its_source_and_date(self):
        fx = _rate()
        conversion = Money.of("10.00", "USD").convert(fx)
        assert conversion.rate == fx
        assert conversion.rate.source == "Banxico FIX (SF43718)"
        assert conversion.rate.as_of == AS_OF
        assert conversion.original == Money.of("10.00", "USD")

    def test_converting_a_third_currency_raises(self):
        with pytest.raises(CurrencyMismatchError):
            Money.of("10.00", "EUR").convert(_rate())


class TestMoneyText:
    @pytest.mark.parametrize(
        ("text", "amount", "currency"),
        [
            ("12.50 USD", "12.50", "USD"),
            ("USD 12.50", "12.50", "USD"),
            ("1,250.00 USD", "1250.00", "USD"),
            ("MXN 1,234,567.89", "1234567.89", "MXN"),
            ("  18.75 USD  ", "18.75", "USD"),
            ("-3.10 EUR", "-3.10", "EUR"),
            ("12.50 usd", "12.50", "USD"),
            ("7 MXN", "7", "MXN"),
            (".5 USD", "0.5", "USD"),
        ],
    )
    def test_text_form_parses(self, text, amount, currency):
        money = Money.model_validate(text)
        assert money.amount == Decimal(amount)
        assert money.currency == currency

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "USD",
            "12.50",
            "twelve USD",
            "12.50 US",
            "12.50 USDX",
            "$12.50",
            "12.50USD",
            "1.2.3 USD",
            "12.50 USD USD",
            "12.50 USD;",
            "1e3 USD",
        ],
    )
    def test_garbage_raises_money_format(self, text):
        with pytest.raises(ValidationError) as excinfo:
            Money.model_validate(text)
        assert _error_types(excinfo.value) == ["money.format"]

    @pytest.mark.parametrize("text", ["12,50 EUR", "1,2,3 USD", "1,25.00 USD", ",,,5 USD"])
    def test_commas_that_do_not_group_thousands_are_rejected(self, text):
        # "12,50 EUR" is twelve euros fifty in most of the world; reading it as 1250 is worse
        # than refusing it
        with pytest.raises(ValidationError):
            Money.model_validate(text)

    @given(st.text().filter(lambda s: not any(c.isdigit() for c in s)))
    def test_text_without_digits_never_parses(self, text):
        with pytest.raises(ValidationError):
            Money.model_validate(text)

    @pytest.mark.parametrize("value", [12.5, 12, Decimal("12.50"), 0])
    def test_bare_numbers_are_rejected_for_lack_of_a_currency(self, value):
        with pytest.raises(ValidationError) as excinfo:
            Money.model_validate(value)
        assert _error_types(excinfo.value) == ["money.currency_missing"]

    def test_a_boolean_is_not_money(self):
        with pytest.raises(ValidationError):
            Money.model_validate(True)  # noqa: FBT003 - the value under test

    @pytest.mark.parametrize(
        "value", ["12.50 XYZ", "12.50 ABC", {"amount": "1", "currency": "ZZZ"}]
    )
    def test_unknown_currency_is_rejected(self, value):
        with pytest.raises(ValidationError) as excinfo:
            Money.model_validate(value)
        assert "currency.unknown" in _error_types(excinfo.value)

    @pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1.1234567"])
    def test_non_finite_or_over_precise_amounts_are_rejected(self, amount):
        with pytest.raises(ValidationError):
            Money.model_validate({"amount": amount, "currency": "USD"})

    def test_unknown_fields_are_rejected(self):
        with pytest.raises(ValidationError) as excinfo:
            Money.model_validate({"amount": "1", "currency": "USD", "rate": "1"})
        assert _error_types(excinfo.value) == ["extra_forbidden"]

    @given(money_in())
    def test_str_parses_back_to_the_same_amount(self, a):
        assert Money.model_validate(str(a)) == a

    @given(money_in())
    def test_json_round_trip(self, a):
        assert Money.model_validate_json(a.model_dump_json()) == a

    def test_money_is_immutable(self):
        money = Money.of("1.00", "USD")
        with pytest.raises(ValidationError):
            money.amount = Decimal(2)  # type: ignore[misc]

    def test_of_reads_text_without_going_through_float(self):
        assert Money.of("0.1", "USD").amount + Money.of("0.2", "USD").amount == Decimal("0.3")

    def test_of_refuses_text_that_is_not_a_number(self):
        with pytest.raises(ValueError, match="not a decimal amount"):
            Money.of("ten", "USD")


class TestFxRate:
    def test_the_same_currency_twice_is_refused(self):
        with pytest.raises(ValidationError) as excinfo:
            _rate("USD", "USD", "1")
        assert _error_types(excinfo.value) == ["fx.same_currency"]

    @given(currencies)
    def test_no_currency_has_a_rate_to_itself(self, currency):
        with pytest.raises(ValidationError):
            _rate(currency, currency, "1")

    @pytest.mark.parametrize("rate", ["0", "-1", "-0.0001"])
    def test_non_positive_rates_are_refused(self, rate):
        with pytest.raises(ValidationError) as excinfo:
            _rate(rate=rate)
        assert _error_types(excinfo.value) == ["greater_than"]

    @pytest.mark.parametrize("rate", ["NaN", "Infinity"])
    def test_non_finite_rates_are_refused(self, rate):
        with pytest.raises(ValidationError):
            _rate(rate=rate)

    def test_a_rate_needs_its_source(self):
        with pytest.raises(ValidationError):
            FxRate(base="USD", quote="MXN", rate=Decimal(18), source="", as_of=AS_OF)

    @given(st.lists(currencies, min_size=2, max_size=2, unique=True))
    def test_any_two_distinct_currencies_make_a_rate(self, pair):
        base, quote = pair
        assume(base != quote)
        fx = _rate(base, quote, "2")
        assert (fx.base, fx.quote) == (base, quote)
