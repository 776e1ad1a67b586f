"""The pedimento draft's data: frozen dataclasses with plain field names, and its codes.

Read by :mod:`cruce.artifacts._pedimento_draft` (which builds them), by the M3 writer, the
PDF in :mod:`cruce.artifacts.pedimento_pdf` and the US/MX cross-check. See
:mod:`cruce.artifacts.pedimento` for where each field comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from cruce.model import Money

if TYPE_CHECKING:
    from datetime import date

    from cruce.i18n import Message
    from cruce.model import FxRate, Problem

KEY: Final = "pedimento"
MXN: Final = "MXN"
USD: Final = "USD"
CENT: Final = Decimal("0.01")
WHOLE: Final = Decimal(1)
CITATION: Final = "Ley Aduanera, arts. 36 y 36-A; RGCE Anexo 22 (instructivo de llenado)"
CLAVE_A1: Final = "A1"
IMPORT, EXPORT = "IMP", "EXP"
OPERATION_CODES: Final = {IMPORT: "1", EXPORT: "2"}  # Anexo 22 field 2; M3 501 field 5
REGIMES: Final = {IMPORT: "IMD", EXPORT: "EXD"}  # Apéndice 16
TRUCK: Final = "7"  # Apéndice 3, Carretero
INTERIOR: Final = "9"  # Apéndice 15, Interior del País
CASH: Final = "0"  # Apéndice 13, Efectivo
TRANSACTION_VALUE, COMMERCIAL_VALUE = "1", "0"  # Apéndice 11
TREATY_IDENTIFIER: Final = "TL"  # Apéndice 8


@dataclass(frozen=True, slots=True)
class PedimentoParty:
    """A party as the pedimento names it: tax number, name and domicile.

    ``tax_id`` is the RFC of the Mexican importer or exporter, or the foreign supplier's or
    buyer's tax number (ID fiscal). ``country`` is ISO 3166 alpha-2, ``state`` the part of
    an ISO 3166-2 code after the country (``JAL``).
    """

    role: str
    name: str
    tax_id: str | None
    street: str
    exterior_number: str
    interior_number: str
    postal_code: str
    municipality: str
    state: str
    country: str


@dataclass(frozen=True, slots=True)
class Contribution:
    """One contribution of the pedimento or of a partida, as the quote computed it.

    ``code`` is Apéndice 12 (``"6"`` IGI), ``rate_type`` Apéndice 18 (``"1"`` porcentual,
    ``"4"`` cuota fija, ``"7"`` al millar), ``payment_form`` Apéndice 13 (``"0"`` efectivo).
    ``rate`` is the number the pedimento writes (16 for 16 %, 8 for 8 al millar, the fee for
    a cuota fija). ``amount`` keeps the quote's cents; ``payable`` is it in whole pesos (CFF
    art. 20). Both are None when the quote could not determine the amount.
    """

    code: str
    abbreviation: str
    rate: Decimal | None
    rate_type: str | None
    rate_text: str
    base: Money | None
    amount: Money | None
    payable: Money | None
    payment_form: str
    citation: str | None

    @property
    def declared(self) -> bool:
        """Written in the M3 file: determined and caused (an amount of zero is not declared)."""
        return self.payable is not None and self.payable.amount != 0


@dataclass(frozen=True, slots=True)
class Identifier:
    """An Anexo 22 Apéndice 8 identifier with its complements."""

    code: str
    complement_1: str = ""
    complement_2: str = ""
    complement_3: str = ""


@dataclass(frozen=True, slots=True)
class Partida:
    """One partida: a goods line of the record, as the pedimento declares it.

    Amounts in pesos (``customs_value``, ``price_paid``) are whole pesos, as declared;
    ``unit_price`` is pesos per UMC unit with five decimals; ``value_usd`` is the customs
    value (imports) or the commercial value (exports) in dollars. The ``*_invoice`` amounts
    are in the invoice's currency: ``customs_value_invoice`` = ``price_paid_invoice`` +
    ``incrementables_invoice`` on an import. ``umt`` is the fracción's tariff unit
    (Apéndice 7 clave), None while cruce does not know it; ``umt_quantity`` the line's
    quantity in it, None when the line does not give it (:mod:`cruce.artifacts.pedimento`).
    """

    sequence: int
    line_index: int
    fraccion: str
    nico: str
    description: str
    umc: str | None
    umc_quantity: Decimal
    umt: str | None
    umt_quantity: Decimal | None
    related: str | None
    valuation_method: str
    country_seller_buyer: str | None
    country_origin_destination: str | None
    price_paid_invoice: Money
    incrementables_invoice: Money
    customs_value_invoice: Money
    price_paid: Money | None
    customs_value: Money | None
    value_usd: Money | None
    unit_price: Decimal | None
    product_code: str
    brand: str
    model: str
    contributions: tuple[Contribution, ...]
    identifiers: tuple[Identifier, ...]


@dataclass(frozen=True, slots=True)
class Incrementables:
    """Costs added to the price paid to reach the customs value, in whole pesos."""

    freight: Money | None
    insurance: Money | None
    packing: Money | None
    other: Money | None


@dataclass(frozen=True, slots=True)
class Invoice:
    """The invoice (CFDI or equivalent document) that covers the goods.

    ``currency_factor`` is the invoice currency's value in dollars (1 for USD); None when
    cruce does not know it.
    """

    number: str | None
    date: date | None
    incoterm: str | None
    currency: str
    value: Money
    value_usd: Money | None
    currency_factor: Decimal | None


@dataclass(frozen=True, slots=True)
class TransportData:
    """The truck that crosses: identification, its country, the carrier and the seals."""

    identification: str
    country: str | None
    carrier: str
    carrier_id: str
    seals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Header:
    """The pedimento's encabezado (Anexo 22, first block).

    ``number`` is the 15-digit pedimento number or None while the agente has not assigned
    it. ``customs_office`` is aduana + sección (3 digits, Apéndice 1). Totals are the sums
    of the partidas' declared amounts; None when any partida's is unknown.
    """

    number: str | None
    patente: str | None
    operation: str
    operation_code: str
    clave: str
    regime: str
    destination_origin: str
    exchange_rate: FxRate | None
    gross_weight_kg: Decimal | None
    customs_office: str | None
    customs_office_name: str
    transport_entry_exit: str
    transport_arrival: str
    transport_departure: str
    value_usd: Money | None
    customs_value: Money | None
    price_paid: Money | None
    incrementables: Incrementables
    entry_date: date | None
    contributions: tuple[Contribution, ...]


@dataclass(frozen=True, slots=True)
class Pedimento:
    """Everything the pedimento draft declares, for both renderers and the cross-check.

    ``importer_exporter`` is the Mexican party; ``supplier_buyer`` the foreign one (the
    seller of an import, the buyer of an export). ``notes`` state what cruce assumed.
    """

    reference: str
    direction: str
    header: Header
    importer_exporter: PedimentoParty | None
    supplier_buyer: PedimentoParty | None
    invoice: Invoice
    transport: TransportData
    identifiers: tuple[Identifier, ...]
    partidas: tuple[Partida, ...]
    notes: tuple[Message, ...] = field(default=())
    problems: tuple[Problem, ...] = field(default=())

    def liquidation(self) -> list[Contribution]:
        """The cuadro de liquidación: each contribution's total in whole pesos, by code."""
        totals: dict[str, list[Contribution]] = {}
        for item in (
            *self.header.contributions,
            *(c for p in self.partidas for c in p.contributions),
        ):
            totals.setdefault(item.code, []).append(item)
        result = []
        for code, items in totals.items():
            amounts = [c.payable for c in items]
            known = None
            if all(a is not None for a in amounts):
                known = Money.trusted(
                    sum((a.amount for a in amounts if a is not None), Decimal(0)), MXN
                )
            first = items[0]
            result.append(
                Contribution(
                    code=code,
                    abbreviation=first.abbreviation,
                    rate=None,
                    rate_type=None,
                    rate_text="",
                    base=None,
                    amount=known,
                    payable=known,
                    payment_form=first.payment_form,
                    citation=first.citation,
                )
            )
        return result
