"""Money: a Decimal amount with its ISO 4217 currency, and FX conversions that keep their source.

Arithmetic between two amounts of different currencies raises :class:`CurrencyMismatchError`;
the only way from one currency to another is :meth:`Money.convert` with an :class:`FxRate`,
and the result remembers the rate, its source and its date.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Self

import pycountry
from babel.numbers import get_currency_precision
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    WithJsonSchema,
    model_validator,
)

from cruce.i18n import N_
from cruce.model.errors import invalid

if TYPE_CHECKING:
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import CoreSchema

# An amount is ASCII digits, optionally grouped by thousands with commas, with a decimal point.
_AMOUNT = r"-?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)"
_MONEY_TEXT = re.compile(
    rf"^\s*(?:(?P<c1>[A-Za-z]{{3}})\s+(?P<a1>{_AMOUNT})|(?P<a2>{_AMOUNT})\s+(?P<c2>[A-Za-z]{{3}}))\s*$"
)
MONEY_TEXT_PATTERN = rf"^\s*([A-Za-z]{{3}}\s+{_AMOUNT}|{_AMOUNT}\s+[A-Za-z]{{3}})\s*$"


class CurrencyMismatchError(ValueError):
    """Two amounts in different currencies were combined without a conversion."""

    def __init__(self, left: str, right: str) -> None:
        super().__init__(f"cannot combine {left} with {right} without an FX conversion")
        self.left = left
        self.right = right


@lru_cache(maxsize=512)
def check_currency(code: str) -> str:
    """Return ``code`` upper-cased when it is an ISO 4217 currency; raise otherwise."""
    normalised = code.strip().upper()
    if len(normalised) != 3 or pycountry.currencies.get(alpha_3=normalised) is None:  # noqa: PLR2004
        raise invalid(
            "currency.unknown",
            N_("'{value}' is not an ISO 4217 currency code (e.g. USD, MXN)"),
            {"value": code},
        )
    return normalised


CurrencyCode = Annotated[
    str,
    AfterValidator(check_currency),
    WithJsonSchema(
        {"type": "string", "pattern": r"^\s*[A-Za-z]{3}\s*$", "examples": ["USD", "MXN"]}
    ),
]


def minor_units(currency: str) -> int:
    """Digits after the decimal point of ``currency`` (2 for USD and MXN, 0 for JPY)."""
    return int(get_currency_precision(currency))


_new = object.__new__
_set = object.__setattr__


class Money(BaseModel):
    """An amount of one currency.

    Accepts ``{"amount": "12.50", "currency": "USD"}`` or the text ``"12.50 USD"``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: Decimal = Field(allow_inf_nan=False, max_digits=24, decimal_places=6)
    currency: CurrencyCode

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:  # noqa: ANN401 - pydantic hands over raw input
        if isinstance(data, str):
            match = _MONEY_TEXT.match(data)
            if match is None:
                raise invalid(
                    "money.format",
                    N_("'{value}' is not an amount with its currency, e.g. '1250.00 USD'"),
                    {"value": data[:40]},
                )
            amount = (match["a1"] or match["a2"]).replace(",", "")
            currency = match["c1"] or match["c2"]
            return {"amount": amount, "currency": currency}
        if isinstance(data, int | float | Decimal) and not isinstance(data, bool):
            raise invalid(
                "money.currency_missing",
                N_("the amount {value} needs its currency, e.g. '{value} USD'"),
                {"value": str(data)},
            )
        return data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Publish both accepted forms: the object and the ``"12.50 USD"`` text."""
        object_schema = handler(core_schema)
        return {
            "anyOf": [
                object_schema,
                {"type": "string", "pattern": MONEY_TEXT_PATTERN, "examples": ["1250.00 USD"]},
            ]
        }

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Build an amount; ``amount`` is read as a Decimal, never through a float."""
        try:
            value = Decimal(amount) if not isinstance(amount, Decimal) else amount
        except InvalidOperation as error:
            raise ValueError(f"not a decimal amount: {amount!r}") from error
        return cls(amount=value, currency=currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in ``currency``."""
        return cls.trusted(Decimal(0), check_currency(currency))

    @classmethod
    def trusted(cls, amount: Decimal, currency: str) -> Money:
        """An amount computed from validated ones, built without validating it again.

        Results of arithmetic on valid amounts are valid; the input limits (digits, decimal
        places) guard what comes from outside, not a product's extra decimal places. This
        is pydantic's ``model_construct`` without its defaults machinery (Money has no
        defaults), because quotes build tens of thousands of amounts.
        """
        money = _new(cls)
        _set(money, "__dict__", {"amount": amount, "currency": currency})
        _set(money, "__pydantic_fields_set__", {"amount", "currency"})
        _set(money, "__pydantic_extra__", None)
        _set(money, "__pydantic_private__", None)
        return money

    _result = trusted

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatchError(self.currency, other.currency)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self._result(self.amount + other.amount, self.currency)

    def __radd__(self, other: object) -> Money:
        # sum() starts from the integer 0
        if type(other) is int and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self._result(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return self._result(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, Decimal | int):
            return NotImplemented
        return self._result(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.amount >= other.amount

    def rounded(self) -> Money:
        """Rounded half-up to the currency's minor unit (cents for USD and MXN)."""
        exponent = Decimal(1).scaleb(-minor_units(self.currency))
        return self._result(self.amount.quantize(exponent, rounding=ROUND_HALF_UP), self.currency)

    def convert(self, rate: FxRate) -> Conversion:
        """This amount in the rate's other currency, with the rate kept beside the result."""
        if self.currency == rate.base:
            result = self._result(self.amount * rate.rate, rate.quote)
        elif self.currency == rate.quote:
            result = self._result(self.amount / rate.rate, rate.base)
        else:
            raise CurrencyMismatchError(self.currency, f"{rate.base}/{rate.quote}")
        return Conversion(original=self, result=result.rounded(), rate=rate)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class FxRate(BaseModel):
    """One unit of ``base`` costs ``rate`` units of ``quote``, per ``source`` on ``as_of``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: CurrencyCode
    quote: CurrencyCode
    rate: Decimal = Field(gt=0, allow_inf_nan=False, max_digits=20)
    source: str = Field(min_length=1, max_length=200, examples=["Banxico FIX (SF43718)"])
    as_of: date

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        if self.base == self.quote:
            raise invalid(
                "fx.same_currency",
                N_("an exchange rate needs two different currencies, not {value} twice"),
                {"value": self.base},
            )
        return self


class Conversion(BaseModel):
    """The result of converting an amount, with the rate (and so its source and date) used."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    original: Money
    result: Money
    rate: FxRate


def total_by_currency(amounts: list[Money]) -> dict[str, Money]:
    """Sum amounts per currency, currencies in order of first appearance."""
    totals: dict[str, Money] = {}
    for amount in amounts:
        current = totals.get(amount.currency)
        totals[amount.currency] = amount if current is None else current + amount
    return totals
