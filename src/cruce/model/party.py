"""Parties to a shipment: who they are, where, how to reach them, and how they are identified."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Self

import phonenumbers
import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    model_validator,
)

from cruce.i18n import N_
from cruce.model.codes import CountryCode, SubdivisionCode
from cruce.model.errors import invalid
from cruce.model.identifiers import compact
from cruce.model.money import CurrencyCode

Text = Annotated[str, Field(min_length=1, max_length=300)]
ShortText = Annotated[str, Field(min_length=1, max_length=100)]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class TaxScheme(StrEnum):
    """The kinds of tax identifier a party to a US-MX shipment may carry."""

    US_EIN = "us_ein"
    MX_RFC = "mx_rfc"
    MX_CURP = "mx_curp"
    FOREIGN = "foreign"  # the foreign party's tax number (CFDI NumRegIdTrib), with its country


class TaxId(_Record):
    """A tax identifier, stored compact (no spaces or hyphens) and upper-case."""

    scheme: TaxScheme
    value: Annotated[str, Field(min_length=1, max_length=40), AfterValidator(compact)]
    country: CountryCode | None = Field(
        default=None, description="Issuing country; required for scheme 'foreign'."
    )

    @model_validator(mode="after")
    def _country_for_foreign(self) -> Self:
        if self.scheme is TaxScheme.FOREIGN and self.country is None:
            raise invalid(
                "tax_id.country_missing",
                N_("a foreign tax number needs the country that issued it"),
            )
        return self


class Address(_Record):
    """A postal address; ``subdivision`` is ISO 3166-2 (``US-AZ``, ``MX-JAL``)."""

    street: Text
    exterior_number: ShortText | None = None
    interior_number: ShortText | None = None
    neighborhood: Text | None = Field(default=None, description="Colonia in Mexico.")
    locality: Text = Field(description="City or town.")
    municipality: Text | None = Field(default=None, description="Municipio (MX) or county.")
    subdivision: SubdivisionCode | None = None
    postal_code: Annotated[str, Field(min_length=3, max_length=10)] | None = None
    country: CountryCode

    @model_validator(mode="after")
    def _subdivision_in_country(self) -> Self:
        if self.subdivision is not None and not self.subdivision.startswith(f"{self.country}-"):
            raise invalid(
                "subdivision.country_mismatch",
                N_("subdivision {value} is not in country {country}"),
                {"value": self.subdivision, "country": self.country},
            )
        return self


def _in_country(phone: str | int, country: object) -> str | None:
    """A phone read in ``country`` when it lacks a country code, in E.164 when it parses.

    Without a usable country a national number cannot be read; the country's own error is
    reported and the record refused, so the phone is left out rather than reported twice.
    """
    raw = str(phone).strip()
    if raw.startswith("+"):
        return raw
    if (
        not isinstance(country, str)
        or pycountry.countries.get(alpha_2=country.strip().upper()) is None
    ):
        return None
    try:
        parsed = phonenumbers.parse(raw, country.strip().upper())
    except phonenumbers.NumberParseException:
        return raw  # Contact reports it, at its own field
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _e164(value: Any) -> Any:  # noqa: ANN401 - raw input
    if not isinstance(value, str | int) or isinstance(value, bool):
        return value
    raw = str(value)
    try:
        parsed = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException as error:
        raise invalid(
            "phone.unparseable",
            N_(
                "'{value}' is not a phone number; write it with its country code (+52 33 1234 5678)"
            ),
            {"value": raw[:40]},
        ) from error
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class Contact(_Record):
    """A person to reach; the phone is stored in E.164 form (``+526641234567``)."""

    name: Text | None = None
    phone: Annotated[str, BeforeValidator(_e164)] | None = None
    email: EmailStr | None = None


class BankAccount(_Record):
    """Where a party is paid: a CLABE in Mexico, ABA + account in the US, IBAN + BIC elsewhere."""

    currency: CurrencyCode | None = None
    bank_name: Text | None = None
    clabe: Annotated[str, Field(min_length=1, max_length=30)] | None = None
    aba_routing: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    account_number: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    iban: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    bic: Annotated[str, Field(min_length=8, max_length=11)] | None = None


class Party(_Record):
    """An organisation or person taking a role on the shipment."""

    name: Text
    tax_ids: list[TaxId] = Field(default_factory=list, max_length=5)
    address: Address
    contact: Contact | None = None
    regimen_fiscal: Annotated[str, Field(pattern=r"^\d{3}$")] | None = Field(
        default=None,
        description="Mexican tax regime (SAT c_RegimenFiscal, 3 digits: 601 general de ley).",
    )
    patente: Annotated[str, Field(pattern=r"^\d{4}$")] | None = Field(
        default=None, description="Mexican agente aduanal's patente (4 digits)."
    )
    filer_code: Annotated[str, Field(pattern=r"^[A-Z0-9]{3}$")] | None = Field(
        default=None, description="US customs broker's ACE filer code (3 characters)."
    )
    bank_accounts: list[BankAccount] = Field(default_factory=list, max_length=10)

    @model_validator(mode="before")
    @classmethod
    def _national_phone(cls, data: Any) -> Any:  # noqa: ANN401 - raw input
        """Read a phone written without its country code as a number of the address's country."""
        if not isinstance(data, dict):
            return data
        contact, address = data.get("contact"), data.get("address")
        if not isinstance(contact, dict) or not isinstance(address, dict):
            return data
        phone = contact.get("phone")
        if isinstance(phone, str | int) and not isinstance(phone, bool):
            return {
                **data,
                "contact": {**contact, "phone": _in_country(phone, address.get("country"))},
            }
        return data

    def tax_id(self, scheme: TaxScheme) -> TaxId | None:
        """The party's first identifier of ``scheme``, if any."""
        return next((t for t in self.tax_ids if t.scheme is scheme), None)


class ConsigneeType(StrEnum):
    """The ultimate consignee's type as AES codes it (15 CFR 30.6(a)(28))."""

    DIRECT_CONSUMER = "D"
    GOVERNMENT = "G"
    RESELLER = "R"
    OTHER = "O"


class Parties(_Record):
    """The roles of a shipment. Seller and buyer are the commercial sides; the rest as needed."""

    seller: Party | None = Field(default=None, description="Seller and exporter of record.")
    buyer: Party | None = Field(default=None, description="Buyer and importer of record.")
    consignee: Party | None = Field(
        default=None, description="Who receives the goods, when not the buyer."
    )
    producers: list[Party] = Field(default_factory=list, max_length=50)
    carrier: Party | None = None
    us_customs_broker: Party | None = None
    mx_customs_broker: Party | None = Field(default=None, description="Agente aduanal (patente).")
    notify_party: Party | None = None
    consignee_type: ConsigneeType | None = Field(
        default=None,
        description="What the ultimate consignee is (EEI, 15 CFR 30.6(a)(28)).",
    )

    def ship_to(self) -> Party | None:
        """Where the goods go: the consignee, or the buyer when there is none."""
        return self.consignee or self.buyer
