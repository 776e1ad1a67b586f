"""The pedimento draft for the agente aduanal: Anexo 22 data and the SAAI M3 validation file.

The Mexican side of a truck crossing is declared in a pedimento (Ley Aduanera arts. 36 and
36-A; RGCE Anexo 22, instructivo de llenado): importación definitiva (clave A1, régimen IMD)
for a US→MX shipment, exportación definitiva (A1, EXD) for a MX→US one. The agente aduanal
files it; cruce prepares it from the record so that nothing is retyped.

:func:`draft` builds the :class:`Pedimento` (frozen dataclasses, plain field names, read by
the PDF in :mod:`cruce.artifacts.pedimento_pdf` and by the US/MX cross-check). This module's
artifact renders the draft as the SAAI M3 validation file ("archivo de validación"): text,
one record a line, fields separated by ``|``, in the layouts of ``saai_m3_records.yaml``
(*Lineamientos Técnicos de Registros VOCE-SAAI M3* v9.0). The file is a draft: the agente
assigns the pedimento number and the file's daily sequence, signs record 800 with the
e.firma and completes what cruce leaves empty (the CURP of the agente, the UMT).

==========================  ====================================================  ==========
pedimento data              where it comes from                                   M3 record
==========================  ====================================================  ==========
number, patente, aduana     ``customs.pedimento``; the broker's patente; the       500, 501
                            crossing's aduana and sección (Apéndice 1)
tipo de operación, clave    direction: 1 IMP / 2 EXP (Anexo 22 field 2); A1;      501
régimen                     IMD / EXD (Apéndices 2 and 16)
tipo de cambio              the DOF rate customs applies (``reference.fx``)        501
incrementables              freight, insurance, packing the buyer pays apart       501
                            (``compliance.valuation``; LA arts. 64-65)
importer / exporter         the Mexican party: RFC, name, domicile                 501
invoice, supplier / buyer   invoice number, date, Incoterm (Apéndice 14),          505
                            currency, the foreign party
fecha de entrada            the crossing date (imports)                            506
contributions               the landed-cost quote (``compliance.duties``): DTA,    509, 510,
                            PRV and its IVA per pedimento; IGI and IVA per         556, 557
                            partida, Apéndice 12, 13 and 18 codes
seals                       ``transport.seals`` with the truck's plates            516
partidas                    each goods line: fracción + NICO, UMC (Apéndice 7),     551
                            values in pesos and dollars, vinculación, método de
                            valoración (Apéndice 11), countries (Apéndice 4)
identifier TL               a T-MEC preference claimed on an import (Apéndice 8)   554
==========================  ====================================================  ==========

Amounts: values and contributions are written in whole pesos, as the M3 integer fields
require. Contributions follow Código Fiscal de la Federación art. 20 (1 to 50 centavos
down, 51 to 99 up), as :meth:`LandedCost.payable` does; values (valor en aduana, precio
pagado, incrementables) are rounded half up, a choice of cruce's that the sources read do
not settle. The pedimento totals are the sums of the partidas' declared amounts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Final

from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.compliance.duties import UnsupportedDestinationError, landed_cost
from cruce.compliance.valuation import INCREMENTABLE, mx_values
from cruce.i18n import Message, _
from cruce.model import ChargeKind, Money, TaxScheme, TransportMode
from cruce.model.problems import blocker, has_blockers, warning
from cruce.reference import anexo22, fx, mx_fees, units
from cruce.reference.facts import NotCoveredError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cruce.compliance.duties import Component, LandedCost, References
    from cruce.model import FxRate, GoodsLine, Party, Problem, Shipment
    from cruce.reference.anexo22 import M3Record

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
ENTRY_DATE: Final = "1"  # M3 506 tipo de fecha, ENTRADA (Anexo 22 field FECHAS, option I)
NEW_PEDIMENTO: Final = "1"  # M3 500 field 2, pedimento nuevo
FILE_SEQUENCE: Final = "001"  # the day's consecutive of the file: the agente's to assign
TREATY_IDENTIFIER: Final = "TL"  # Apéndice 8
SEPARATOR: Final = "|"
DEDUCTIONS: Final = (
    "decrementables_fletes",
    "decrementables_seguros",
    "decrementables_carga",
    "decrementables_descarga",
    "otros_decrementables",
)
_DATE_LENGTH: Final = 8
_TRAILER: Final = ["800", "801"]
_FILE_NAME = re.compile(r"^m\d{7}\.\d{3}$")
_NUMBER = re.compile(r"^\d+$")
_LOW_ASCII, _HIGH_ASCII = 32, 126
_PLAIN: Final = str.maketrans(
    {"–": "-", "—": "-", "×": "X", "“": '"', "”": '"', "’": "'", "°": "O"}
)


# ---------------------------------------------------------------- the draft


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
    ``incrementables_invoice`` on an import. ``umt`` and ``umt_quantity`` are None while
    cruce does not know the fracción's tariff unit.
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


def _operation(shipment: Shipment) -> str:
    return IMPORT if shipment.import_country == "MX" else EXPORT


def _mexican(shipment: Shipment) -> Party | None:
    parties = shipment.parties
    return parties.buyer if _operation(shipment) == IMPORT else parties.seller


def _foreign(shipment: Shipment) -> Party | None:
    parties = shipment.parties
    return parties.seller if _operation(shipment) == IMPORT else parties.buyer


def _rfc(party: Party | None) -> str | None:
    if party is None:
        return None
    return next((t.value for t in party.tax_ids if t.scheme is TaxScheme.MX_RFC), None)


def _foreign_id(party: Party | None) -> str | None:
    if party is None or not party.tax_ids:
        return None
    return party.tax_ids[0].value


def _party(role: str, party: Party | None, tax_id: str | None) -> PedimentoParty | None:
    if party is None:
        return None
    address = party.address
    state = (address.subdivision or "").partition("-")[2]
    return PedimentoParty(
        role=role,
        name=party.name,
        tax_id=tax_id,
        street=address.street,
        exterior_number=address.exterior_number or "",
        interior_number=address.interior_number or "",
        postal_code=address.postal_code or "",
        municipality=address.municipality or address.locality,
        state=state,
        country=address.country,
    )


def _mxn(amount: Decimal) -> Money:
    return Money.trusted(amount.quantize(CENT, rounding=ROUND_HALF_UP), MXN)


def _whole(money: Money | None) -> Money | None:
    """A value in whole pesos, half up."""
    if money is None:
        return None
    return Money.trusted(money.amount.quantize(WHOLE, rounding=ROUND_HALF_UP), money.currency)


def _payable(money: Money | None) -> Money | None:
    """A contribution in whole pesos: 1 to 50 centavos down, 51 to 99 up (CFF art. 20)."""
    if money is None:
        return None
    return Money.trusted(money.amount.quantize(WHOLE, rounding=ROUND_HALF_DOWN), money.currency)


def _to_mxn(money: Money, rate: FxRate | None) -> Money | None:
    if money.currency == MXN:
        return _mxn(money.amount)
    if rate is not None and money.currency == rate.base and rate.quote == MXN:
        return _mxn(money.amount * rate.rate)
    return None


def _to_usd(money: Money, rate: FxRate | None) -> Money | None:
    if money.currency == USD:
        return Money.trusted(money.amount.quantize(CENT, rounding=ROUND_HALF_UP), USD)
    if money.currency == MXN and rate is not None and rate.base == USD and rate.quote == MXN:
        return Money.trusted((money.amount / rate.rate).quantize(CENT, rounding=ROUND_HALF_UP), USD)
    return None


def _sum(amounts: Sequence[Money | None], currency: str) -> Money | None:
    if any(a is None for a in amounts):
        return None
    return Money.trusted(sum((a.amount for a in amounts if a is not None), Decimal(0)), currency)


def _rate_number(text: str) -> Decimal | None:
    """``"16%"`` -> 16, ``"8 al millar"`` -> 8, ``"290.00 MXN"`` -> 290.00."""
    match = re.match(r"^\s*(-?\d+(?:\.\d+)?)", text)
    if match is None:
        return None
    try:
        return Decimal(match.group(1))
    except InvalidOperation:
        return None


def _contribution(component: Component, code: str, rate_type: str | None) -> Contribution:
    return Contribution(
        code=code,
        abbreviation=anexo22.contribution_abbreviation(code),
        rate=_rate_number(component.rate),
        rate_type=rate_type,
        rate_text=component.rate,
        base=component.base,
        amount=component.amount,
        payable=_payable(component.amount),
        payment_form=CASH,
        citation=None if component.source is None else component.source.citation,
    )


_ENTRY_CODES: Final = {
    "dta": ("DTA", "dta_per_thousand"),
    "prevalidacion": ("PRV", "fixed"),
    "prevalidacion_iva": ("IVA_PRV", "ad_valorem"),
}


def _quote_contributions(
    quote: LandedCost,
) -> tuple[tuple[Contribution, ...], dict[int, tuple[Contribution, ...]]]:
    """The quote's components as pedimento contributions: per pedimento and per line."""
    entry = tuple(
        _contribution(
            component,
            mx_fees.contribution_code(_ENTRY_CODES[component.key][0]),
            mx_fees.rate_type_code(_ENTRY_CODES[component.key][1]),
        )
        for component in quote.entry
        if component.key in _ENTRY_CODES
    )
    lines = {
        cost.index: tuple(
            _contribution(
                component,
                component.report or mx_fees.contribution_code(component.key.upper()),
                mx_fees.rate_type_code("ad_valorem"),
            )
            for component in cost.components
        )
        for cost in quote.lines
    }
    return entry, lines


def _export_contributions(on: date) -> tuple[Contribution, ...]:
    """Per pedimento on an export: the DTA's fixed fee and the prevalidación with its IVA."""
    found: list[Contribution] = []
    try:
        rule = mx_fees.dta(on).fixed_fee("V")
    except NotCoveredError:
        rule = None
    dta_code = mx_fees.contribution_code("DTA")
    if rule is not None and rule.determined and rule.fixed is not None:
        found.append(
            Contribution(
                dta_code,
                "DTA",
                rule.fixed.amount,
                mx_fees.rate_type_code("fixed"),
                f"{rule.fixed.amount} MXN",
                None,
                rule.fixed,
                _payable(rule.fixed),
                CASH,
                rule.source.citation,
            )
        )
    else:
        found.append(
            Contribution(
                dta_code,
                "DTA",
                None,
                mx_fees.rate_type_code("fixed"),
                "",
                None,
                None,
                None,
                CASH,
                None if rule is None else rule.source.citation,
            )
        )
    try:
        row = mx_fees.prevalidacion_row(on)
        iva = mx_fees.iva_rate(on)
    except NotCoveredError:
        row = None
    if row is not None and row.amount is not None:
        tax = _mxn(row.amount.amount * iva.rate)
        found.append(
            Contribution(
                mx_fees.contribution_code("PRV"),
                "PRV",
                row.amount.amount,
                mx_fees.rate_type_code("fixed"),
                f"{row.amount.amount} MXN",
                None,
                row.amount,
                _payable(row.amount),
                CASH,
                row.source.citation,
            )
        )
        found.append(
            Contribution(
                mx_fees.contribution_code("IVA_PRV"),
                "IVA/PRV",
                iva.rate * 100,
                mx_fees.rate_type_code("ad_valorem"),
                f"{(iva.rate * 100).normalize()}%",
                row.amount,
                tax,
                _payable(tax),
                CASH,
                iva.source.citation,
            )
        )
    else:
        source = None if row is None else row.source.citation
        found.append(
            Contribution(
                mx_fees.contribution_code("PRV"),
                "PRV",
                None,
                mx_fees.rate_type_code("fixed"),
                "",
                None,
                None,
                None,
                CASH,
                source,
            )
        )
    return tuple(found)


@dataclass(frozen=True, slots=True)
class _LineMoney:
    price_paid: Money
    incrementables: Money
    customs_value: Money
    by_kind: dict[ChargeKind, Money]


def _line_money(shipment: Shipment) -> list[_LineMoney]:
    """Each line's price paid, incrementables and customs value in the invoice's currency.

    ``compliance.valuation`` adds to a line, in the order of ``terms.charges``, its share of
    every charge billed on the invoice (part of the price paid) and, when the buyer pays the
    main carriage, of every freight, insurance or packing cost not billed (incrementables).
    An export declares the commercial value: the price paid, without incrementables.
    """
    incoterm = shipment.terms.incoterm
    seller_carries = incoterm is not None and incoterm.seller_pays_main_carriage
    decided = [
        charge
        for charge in shipment.terms.charges
        if charge.billed_on_invoice or (charge.kind in INCREMENTABLE and not seller_carries)
    ]
    exporting = _operation(shipment) == EXPORT
    result = []
    for value in mx_values(shipment):
        price = value.price
        extra = Money.zero(price.currency)
        by_kind: dict[ChargeKind, Money] = {}
        paired = len(decided) == len(value.adjustments)
        for charge, adjustment in zip(decided if paired else [], value.adjustments, strict=False):
            if charge.billed_on_invoice or not paired:
                price = price + adjustment.amount
            elif not exporting:
                extra = extra + adjustment.amount
                before = by_kind.get(charge.kind, Money.zero(price.currency))
                by_kind[charge.kind] = before + adjustment.amount
        if not paired:  # not expected: every adjustment counts as part of the price
            price = value.value
        result.append(_LineMoney(price, extra, price + extra, by_kind))
    return result


def _umc(line: GoodsLine) -> str | None:
    found = units.unit(line.unit)
    return None if found is None else found.pedimento_umc


def _country(alpha2: str | None) -> str | None:
    if alpha2 is None:
        return None
    found = anexo22.m3_country(alpha2)
    return None if found is None else found.code


def _related(shipment: Shipment) -> str | None:
    related = shipment.terms.related_parties
    if related is None:
        return None
    return "1" if related else "0"


def _description(line: GoodsLine) -> str:
    return line.description.get("es")


def _crossing(shipment: Shipment) -> tuple[str | None, str]:
    port = shipment.transport.crossing
    if port is None:
        return None, ""
    return f"{port.aduana}{port.seccion}", port.aduana_name


def _transport(shipment: Shipment) -> TransportData:
    transport = shipment.transport
    truck = transport.truck
    parts = []
    country = None
    if truck is not None:
        parts += [p for p in (truck.plate, truck.number) if p]
        if truck.plate_jurisdiction:
            country = truck.plate_jurisdiction[:2]
    carrier = shipment.parties.carrier
    carrier_id = _rfc(carrier) or transport.carrier_caat or transport.carrier_scac or ""
    return TransportData(
        identification=" ".join(parts),
        country=country,
        carrier="" if carrier is None else carrier.name,
        carrier_id=carrier_id,
        seals=tuple(transport.seals),
    )


def _rate(on: date | None, problems: list[Problem], table: fx.FxTable | None) -> FxRate | None:
    if on is None:
        return None
    try:
        return fx.customs_rate(on, table=table)
    except NotCoveredError:
        problems.append(
            warning(
                f"{KEY}.exchange_rate.missing",
                "terms.currency",
                _(
                    "the exchange rate customs applies on {day} is not loaded (cruce reference "
                    "import-fx); the draft leaves the amounts in pesos to the agente aduanal",
                    day=on.isoformat(),
                ),
            )
        )
        return None


def _quote(
    shipment: Shipment, on: date, problems: list[Problem], references: References | None
) -> LandedCost | None:
    try:
        quote = landed_cost(shipment, on, references=references)
    except (UnsupportedDestinationError, NotCoveredError) as error:
        problems.append(
            warning(
                f"{KEY}.quote.unavailable",
                "",
                _("the Mexican contributions cannot be quoted: {reason}", reason=str(error)),
            )
        )
        return None
    seen: set[str] = set()
    for problem in quote.problems:
        if problem.code in seen or problem.code == "cost.mx.fx_missing":
            continue
        seen.add(problem.code)
        problems.append(warning(f"{KEY}.{problem.code}", problem.path, problem.message))
    return quote


def _tl(shipment: Shipment, line: GoodsLine) -> tuple[Identifier, ...]:
    if _operation(shipment) != IMPORT or not line.usmca.claimed:
        return ()
    exporter = _country(shipment.export_country) or ""
    return (Identifier(TREATY_IDENTIFIER, exporter),)


def _partida(
    shipment: Shipment,
    index: int,
    money: _LineMoney,
    rate: FxRate | None,
    contributions: tuple[Contribution, ...],
) -> Partida:
    line = shipment.goods[index]
    operation = _operation(shipment)
    paid = _to_mxn(money.price_paid, rate)
    value = _to_mxn(money.customs_value, rate)
    quantity = line.quantity
    unit_price = (
        None
        if paid is None
        else (paid.amount / quantity).quantize(Decimal("0.00001"), ROUND_HALF_UP)
    )
    foreign = _foreign(shipment)
    if operation == IMPORT:
        seller_buyer = _country(foreign.address.country if foreign else shipment.export_country)
        origin_destination = _country(line.origin_country)
    else:
        seller_buyer = _country(foreign.address.country if foreign else shipment.import_country)
        origin_destination = _country(shipment.import_country)
    return Partida(
        sequence=index + 1,
        line_index=index,
        fraccion=line.fraccion or "",
        nico=line.nico or "",
        description=_description(line),
        umc=_umc(line),
        umc_quantity=quantity,
        umt=None,
        umt_quantity=None,
        related=_related(shipment),
        valuation_method=TRANSACTION_VALUE if operation == IMPORT else COMMERCIAL_VALUE,
        country_seller_buyer=seller_buyer,
        country_origin_destination=origin_destination,
        price_paid_invoice=money.price_paid,
        incrementables_invoice=money.incrementables,
        customs_value_invoice=money.customs_value,
        price_paid=_whole(paid),
        customs_value=_whole(value),
        value_usd=_to_usd(money.customs_value, rate),
        unit_price=unit_price,
        product_code=line.part_number or "",
        brand=line.brand or "",
        model=line.model or "",
        contributions=contributions,
        identifiers=_tl(shipment, line),
    )


def _incrementables(moneys: list[_LineMoney], rate: FxRate | None) -> Incrementables:
    def total(kinds: set[ChargeKind]) -> Money | None:
        amounts = [
            _to_mxn(amount, rate)
            for money in moneys
            for kind, amount in money.by_kind.items()
            if kind in kinds
        ]
        if not amounts:
            return Money.zero(MXN)
        return _whole(_sum(amounts, MXN))

    return Incrementables(
        freight=total({ChargeKind.FREIGHT}),
        insurance=total({ChargeKind.INSURANCE}),
        packing=total({ChargeKind.PACKING}),
        other=total({ChargeKind.OTHER}),
    )


def _gross_weight(shipment: Shipment) -> Decimal | None:
    weights = [line.gross_weight_kg for line in shipment.goods]
    if not weights or any(w is None for w in weights):
        return None
    return sum((w for w in weights if w is not None), Decimal(0))


def _invoice(shipment: Shipment, rate: FxRate | None) -> Invoice:
    terms = shipment.terms
    totals = shipment.invoice_total()
    value = totals.get(terms.currency, Money.zero(terms.currency))
    factor: Decimal | None = None
    if terms.currency == USD:
        factor = Decimal(1)
    elif terms.currency == MXN and rate is not None:
        factor = (1 / rate.rate).quantize(Decimal("0.000001"), ROUND_HALF_UP)
    return Invoice(
        number=terms.invoice_number,
        date=terms.invoice_date,
        incoterm=None if terms.incoterm is None else terms.incoterm.value,
        currency=terms.currency,
        value=value,
        value_usd=_to_usd(value, rate),
        currency_factor=factor,
    )


def draft(shipment: Shipment, *, references: References | None = None) -> Pedimento:
    """The pedimento of ``shipment``'s Mexican side, with the problems found building it.

    ``references`` are the tables the landed-cost quote reads (the bundled ones and the
    user's imports by default).
    """
    problems: list[Problem] = []
    operation = _operation(shipment)
    on = shipment.crossing_date()
    rate = _rate(on, problems, None if references is None else references.fx)
    entry: tuple[Contribution, ...] = ()
    per_line: dict[int, tuple[Contribution, ...]] = {}
    if on is not None and shipment.goods:
        if operation == IMPORT:
            quote = _quote(shipment, on, problems, references)
            if quote is not None:
                entry, per_line = _quote_contributions(quote)
        else:
            entry = _export_contributions(on)
    moneys = _line_money(shipment)
    partidas = tuple(
        _partida(shipment, i, money, rate, per_line.get(i, ())) for i, money in enumerate(moneys)
    )
    office, office_name = _crossing(shipment)
    broker = shipment.parties.mx_customs_broker
    mexican, foreign = _mexican(shipment), _foreign(shipment)
    header = Header(
        number=shipment.customs.pedimento,
        patente=None if broker is None else broker.patente,
        operation=operation,
        operation_code=OPERATION_CODES[operation],
        clave=CLAVE_A1,
        regime=REGIMES[operation],
        destination_origin=INTERIOR,
        exchange_rate=rate,
        gross_weight_kg=_gross_weight(shipment),
        customs_office=office,
        customs_office_name=office_name,
        transport_entry_exit=TRUCK,
        transport_arrival=TRUCK,
        transport_departure=TRUCK,
        value_usd=_sum([p.value_usd for p in partidas], USD) if partidas else None,
        customs_value=_sum([p.customs_value for p in partidas], MXN) if partidas else None,
        price_paid=_sum([p.price_paid for p in partidas], MXN) if partidas else None,
        incrementables=_incrementables(moneys, rate)
        if operation == IMPORT
        else _no_incrementables(),
        entry_date=on,
        contributions=entry,
    )
    notes = [
        _(
            "The destination is declared as the interior of the country (Apéndice 15, clave 9); "
            "the agente aduanal changes it for a border region or free zone"
        ),
        _("The tariff unit (UMT) of each fracción is left for the agente aduanal"),
    ]
    if operation == EXPORT:
        notes.append(
            _("On an export the customs value is the commercial value (Apéndice 11, clave 0)")
        )
    return Pedimento(
        reference=shipment.reference,
        direction=shipment.direction,
        header=header,
        importer_exporter=_party(
            "importer" if operation == IMPORT else "exporter", mexican, _rfc(mexican)
        ),
        supplier_buyer=_party(
            "supplier" if operation == IMPORT else "buyer", foreign, _foreign_id(foreign)
        ),
        invoice=_invoice(shipment, rate),
        transport=_transport(shipment),
        identifiers=(),
        partidas=partidas,
        notes=tuple(notes),
        problems=tuple(problems),
    )


def _no_incrementables() -> Incrementables:
    zero = Money.zero(MXN)
    return Incrementables(zero, zero, zero, zero)


# ---------------------------------------------------------------- problems


def required(shipment: Shipment) -> Requirement:
    """A pedimento for every truck crossing between the US and Mexico, either way."""
    between = {shipment.export_country, shipment.import_country} == {"US", "MX"}
    if not between:
        return Requirement(
            required=False,
            reason=_("cruce prepares the pedimento of goods crossing between the US and Mexico"),
        )
    if shipment.transport.mode is not TransportMode.TRUCK:
        return Requirement(
            required=False,
            reason=_("cruce prepares the pedimento of goods that cross by truck"),
        )
    if shipment.import_country == "MX":
        reason = _(
            "Goods imported into Mexico are declared to customs in a pedimento that the agente "
            "aduanal files (importación definitiva, clave A1)"
        )
    else:
        reason = _(
            "Goods exported from Mexico are declared to customs in a pedimento that the agente "
            "aduanal files (exportación definitiva, clave A1)"
        )
    return Requirement(required=True, reason=reason, citation=CITATION)


def _header_problems(shipment: Shipment) -> list[Problem]:
    found: list[Problem] = []
    operation = _operation(shipment)
    parties = shipment.parties
    mexican_path = "parties.buyer" if operation == IMPORT else "parties.seller"
    foreign_path = "parties.seller" if operation == IMPORT else "parties.buyer"
    mexican = _mexican(shipment)
    if mexican is None:
        message = (
            _("The pedimento needs the importer (the Mexican buyer)")
            if operation == IMPORT
            else _("The pedimento needs the exporter (the Mexican seller)")
        )
        found.append(blocker(f"{KEY}.importer_exporter.missing", mexican_path, message))
    elif _rfc(mexican) is None:
        found.append(
            blocker(
                f"{KEY}.rfc.missing",
                f"{mexican_path}.tax_ids",
                _("The pedimento needs the RFC of the importer or exporter (Anexo 22)"),
            )
        )
    if _foreign(shipment) is None:
        message = (
            _("The pedimento needs the supplier (the foreign seller)")
            if operation == IMPORT
            else _("The pedimento needs the buyer abroad")
        )
        found.append(blocker(f"{KEY}.supplier_buyer.missing", foreign_path, message))
    broker = parties.mx_customs_broker
    if broker is None or broker.patente is None:
        found.append(
            warning(
                f"{KEY}.patente.missing",
                "parties.mx_customs_broker.patente",
                _(
                    "The patente of the agente aduanal is not known; the agente who files the "
                    "pedimento completes it"
                ),
            )
        )
    if shipment.transport.crossing is None:
        found.append(
            blocker(
                f"{KEY}.crossing.missing",
                "transport.crossing",
                _("The pedimento needs the aduana and sección where the goods cross"),
            )
        )
    if shipment.crossing_date() is None:
        found.append(
            blocker(
                f"{KEY}.date.missing",
                "transport.planned_crossing",
                _("The pedimento needs the crossing date: give the planned crossing"),
            )
        )
    return found


def record_problems(shipment: Shipment) -> list[Problem]:
    """What the pedimento cannot be drafted without (blockers) or should have (warnings)."""
    found = _header_problems(shipment)
    terms = shipment.terms
    if terms.invoice_number is None:
        found.append(
            blocker(
                f"{KEY}.invoice_number.missing",
                "terms.invoice_number",
                _("The pedimento needs the invoice number"),
            )
        )
    if terms.invoice_date is None:
        found.append(
            blocker(
                f"{KEY}.invoice_date.missing",
                "terms.invoice_date",
                _("The pedimento needs the invoice date"),
            )
        )
    if not shipment.goods:
        found.append(blocker(f"{KEY}.goods.missing", "goods", _("The pedimento has no partidas")))
    found += _line_problems(shipment)
    found += _weight_problems(shipment)
    found += _number_problems(shipment)
    if terms.related_parties is None:
        found.append(
            warning(
                f"{KEY}.related_parties.unknown",
                "terms.related_parties",
                _(
                    "Whether the seller and the buyer are related is not known; the pedimento "
                    "declares it in every partida (VINC.)"
                ),
            )
        )
    elif terms.related_parties:
        found.append(
            warning(
                f"{KEY}.related_parties.affects_value",
                "terms.related_parties",
                _(
                    "The parties are related: the draft declares that it does not affect the "
                    "customs value (VINC. 1); the agente aduanal confirms it"
                ),
            )
        )
    if shipment.transport.seals and (
        shipment.transport.truck is None or not shipment.transport.truck.plate
    ):
        found.append(
            warning(
                f"{KEY}.seals.vehicle_missing",
                "transport.truck.plate",
                _("The seals are declared with the plates of the truck, which are missing"),
            )
        )
    return found


def _line_problems(shipment: Shipment) -> list[Problem]:
    found: list[Problem] = []
    for index, line in enumerate(shipment.goods):
        path, number = f"goods[{index}]", index + 1
        if line.fraccion is None:
            found.append(
                blocker(
                    f"{KEY}.fraccion.missing",
                    f"{path}.fraccion",
                    _("Line {line}: the pedimento needs the fracción arancelaria", line=number),
                )
            )
        if line.nico is None:
            found.append(
                blocker(
                    f"{KEY}.nico.missing",
                    f"{path}.nico",
                    _("Line {line}: the pedimento needs the NICO of the fracción", line=number),
                )
            )
        if line.origin_country is None:
            found.append(
                blocker(
                    f"{KEY}.origin_country.missing",
                    f"{path}.origin_country",
                    _("Line {line}: the pedimento needs the country of origin", line=number),
                )
            )
        if _umc(line) is None:
            found.append(
                blocker(
                    f"{KEY}.umc.unknown",
                    f"{path}.unit",
                    _(
                        "Line {line}: the unit {unit} has no pedimento unit (Anexo 22 "
                        "Apéndice 7); give the quantity in one that has",
                        line=number,
                        unit=line.unit,
                    ),
                )
            )
    return found


def _weight_problems(shipment: Shipment) -> list[Problem]:
    weights = [line.gross_weight_kg for line in shipment.goods]
    if not weights:
        return []
    if all(w is None for w in weights):
        return [
            blocker(
                f"{KEY}.gross_weight.missing",
                "goods[0].gross_weight_kg",
                _("The pedimento needs the gross weight of the goods"),
            )
        ]
    missing = [i for i, w in enumerate(weights) if w is None]
    if missing:
        return [
            warning(
                f"{KEY}.gross_weight.partial",
                f"goods[{missing[0]}].gross_weight_kg",
                _(
                    "The gross weight of {count} lines is missing; the pedimento's gross weight "
                    "is left for the agente aduanal",
                    count=len(missing),
                ),
            )
        ]
    return []


def _number_problems(shipment: Shipment) -> list[Problem]:
    parts = shipment.customs.pedimento_parts()
    if parts is None:
        return [
            warning(
                f"{KEY}.number.missing",
                "customs.pedimento",
                _("The pedimento number is not known yet; the agente aduanal assigns it"),
            )
        ]
    found: list[Problem] = []
    broker = shipment.parties.mx_customs_broker
    if broker is not None and broker.patente is not None and parts["patente"] != broker.patente:
        found.append(
            warning(
                f"{KEY}.number.patente_mismatch",
                "customs.pedimento",
                _(
                    "The pedimento number carries patente {number}, the agente aduanal's is "
                    "{patente}",
                    number=parts["patente"],
                    patente=broker.patente,
                ),
            )
        )
    port = shipment.transport.crossing
    if port is not None and parts["aduana"] != port.aduana:
        found.append(
            warning(
                f"{KEY}.number.aduana_mismatch",
                "customs.pedimento",
                _(
                    "The pedimento number carries aduana {number}; the goods cross at aduana "
                    "{aduana}",
                    number=parts["aduana"],
                    aduana=port.aduana,
                ),
            )
        )
    return found


def draft_problems(pedimento: Pedimento) -> list[Problem]:
    """Warnings about what the draft leaves undetermined, one per kind."""
    found = list(pedimento.problems)
    if any(p.umt is None for p in pedimento.partidas):
        found.append(
            warning(
                f"{KEY}.umt.unknown",
                "goods",
                _(
                    "cruce does not know the tariff unit (UMT) of the fracciones; the agente "
                    "aduanal declares it with its quantity"
                ),
            )
        )
    undetermined: dict[str, int] = {}
    for partida in pedimento.partidas:
        for item in partida.contributions:
            if item.payable is None:
                undetermined[item.abbreviation] = undetermined.get(item.abbreviation, 0) + 1
    for abbreviation, count in undetermined.items():
        found.append(
            warning(
                f"{KEY}.contribution.undetermined",
                "goods",
                _(
                    "{contribution} is not determined for {count} partidas; the draft leaves it "
                    "for the agente aduanal",
                    contribution=abbreviation,
                    count=count,
                ),
            )
        )
    found.extend(
        warning(
            f"{KEY}.contribution.undetermined",
            "",
            _(
                "{contribution} is not determined; the draft leaves it for the agente aduanal",
                contribution=item.abbreviation,
            ),
        )
        for item in pedimento.header.contributions
        if item.payable is None
    )
    return found


# ---------------------------------------------------------------- the M3 file


def _ascii(text: str, length: int) -> str:
    """Text as the M3 file takes it: ASCII capitals, no separator, within ``length``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = "".join(c if _LOW_ASCII <= ord(c) <= _HIGH_ASCII else " " for c in plain)
    plain = " ".join(plain.replace(SEPARATOR, "/").split()).upper()
    return plain[:length]


def _decimal_text(value: Decimal | None, decimals: int) -> str:
    if value is None:
        return ""
    step = Decimal(1).scaleb(-decimals)
    return f"{value.quantize(step, rounding=ROUND_HALF_UP):f}"


def _integer_text(money: Money | None) -> str:
    return "" if money is None else f"{money.amount.quantize(WHOLE, rounding=ROUND_HALF_UP):f}"


def _date_text(day: date | None) -> str:
    return "" if day is None else day.strftime("%d%m%Y")


def _number7(pedimento: Pedimento) -> str:
    number = pedimento.header.number
    return "0000000" if number is None else number[8:]


def _file_name(pedimento: Pedimento) -> str:
    patente = (pedimento.header.patente or "0000").zfill(4)
    day = pedimento.header.entry_date or pedimento.invoice.date or date(2000, 1, 1)
    return f"m{patente}{FILE_SEQUENCE}.{day.timetuple().tm_yday:03d}"


class _Writer:
    """Records checked against their layout as they are written."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, code: str, values: dict[str, str]) -> None:
        layout = anexo22.record(code)
        unknown = set(values) - {f.key for f in layout.fields}
        if unknown:
            raise KeyError(f"record {code} has no fields {sorted(unknown)}")
        cells = []
        for item in layout.fields:
            value = code if item.key == "registro" else values.get(item.key, "")
            if item.type == "A" and item.key != "archivo":
                value = _ascii(value, item.length)
            cells.append(value)
        self.lines.append(SEPARATOR.join(cells) + SEPARATOR)


def _party_cells(party: PedimentoParty | None) -> dict[str, str]:
    if party is None:
        return {}
    return {
        "nombre": party.name,
        "calle": party.street,
        "numero_interior": party.interior_number,
        "numero_exterior": party.exterior_number,
        "codigo_postal": party.postal_code,
        "municipio": party.municipality,
    }


def _m3_header(writer: _Writer, pedimento: Pedimento, number: str) -> None:
    header = pedimento.header
    office = header.customs_office or ""
    patente = header.patente or ""
    writer.add(
        "500",
        {
            "tipo_movimiento": NEW_PEDIMENTO,
            "patente": patente,
            "pedimento": number,
            "aduana_despacho": office,
        },
    )
    mexican = pedimento.importer_exporter
    increments = header.incrementables
    rate = header.exchange_rate
    general = {
        "patente": patente,
        "pedimento": number,
        "aduana_despacho": office,
        "tipo_operacion": header.operation_code,
        "clave_pedimento": header.clave,
        "aduana_entrada_salida": office,
        "rfc_importador": "" if mexican is None else mexican.tax_id or "",
        "tipo_cambio": _decimal_text(None if rate is None else rate.rate, 5),
        "fletes": _integer_text(increments.freight),
        "seguros": _integer_text(increments.insurance),
        "embalajes": _integer_text(increments.packing),
        "otros_incrementables": _integer_text(increments.other),
        "peso_bruto": _decimal_text(header.gross_weight_kg, 3),
        "medio_salida": header.transport_departure,
        "medio_arribo": header.transport_arrival,
        "medio_entrada_salida": header.transport_entry_exit,
        "destino_origen": header.destination_origin,
        **_party_cells(mexican),
        "entidad": "" if mexican is None else mexican.state,
        "pais": "" if mexican is None else _country(mexican.country) or "",
        **dict.fromkeys(DEDUCTIONS, "0"),
    }
    writer.add("501", general)
    for seal in pedimento.transport.seals:
        writer.add(
            "516",
            {
                "pedimento": number,
                "transporte": pedimento.transport.identification,
                "candado": seal,
            },
        )
    invoice, foreign = pedimento.invoice, pedimento.supplier_buyer
    writer.add(
        "505",
        {
            "pedimento": number,
            "fecha": _date_text(invoice.date),
            "factura": invoice.number or "",
            "termino": invoice.incoterm or "",
            "moneda": invoice.currency,
            "valor_dolares": _decimal_text(
                None if invoice.value_usd is None else invoice.value_usd.amount, 2
            ),
            "valor_moneda": _decimal_text(invoice.value.amount, 2),
            "pais": "" if foreign is None else _country(foreign.country) or "",
            "id_fiscal": "" if foreign is None else foreign.tax_id or "",
            **_party_cells(foreign),
        },
    )
    if header.operation == IMPORT and header.entry_date is not None:
        writer.add(
            "506",
            {"pedimento": number, "tipo_fecha": ENTRY_DATE, "fecha": _date_text(header.entry_date)},
        )
    for item in header.contributions:
        if item.declared:
            writer.add(
                "509",
                {
                    "pedimento": number,
                    "contribucion": item.code,
                    "tasa": _decimal_text(item.rate, 10),
                    "tipo_tasa": item.rate_type or "",
                },
            )
    for code, (form, amount) in _declared_totals(pedimento).items():
        writer.add(
            "510",
            {
                "pedimento": number,
                "contribucion": code,
                "forma_pago": form,
                "importe": _integer_text(Money.trusted(amount, MXN)),
            },
        )


def _declared_totals(pedimento: Pedimento) -> dict[str, tuple[str, Decimal]]:
    """Per contribution code, the sum of what the file declares (records 557 and the header's).

    A contribution that is undetermined for some partidas adds up the determined ones only:
    the file's 510 and 557 records agree, and the draft's warnings say what is missing.
    """
    totals: dict[str, tuple[str, Decimal]] = {}
    items = (
        *pedimento.header.contributions,
        *(c for p in pedimento.partidas for c in p.contributions),
    )
    for item in items:
        if item.declared and item.payable is not None:
            form, amount = totals.get(item.code, (item.payment_form, Decimal(0)))
            totals[item.code] = (form, amount + item.payable.amount)
    return totals


def _m3_partida(writer: _Writer, partida: Partida, number: str) -> None:
    key = {"pedimento": number, "fraccion": partida.fraccion, "partida": str(partida.sequence)}
    writer.add(
        "551",
        {
            **key,
            "subdivision": partida.nico,
            "descripcion": partida.description,
            "precio_unitario": _decimal_text(partida.unit_price, 5),
            "valor_aduana": _integer_text(partida.customs_value),
            "precio_pagado": _integer_text(partida.price_paid),
            "valor_dolares": _decimal_text(
                None if partida.value_usd is None else partida.value_usd.amount, 2
            ),
            "cantidad_umc": _decimal_text(partida.umc_quantity, 3),
            "umc": partida.umc or "",
            "cantidad_umt": _decimal_text(partida.umt_quantity, 5),
            "umt": partida.umt or "",
            "vinculacion": partida.related or "",
            "metodo_valoracion": partida.valuation_method,
            "codigo_producto": partida.product_code,
            "marca": partida.brand,
            "modelo": partida.model,
            "pais_origen_destino": partida.country_origin_destination or "",
            "pais_vendedor_comprador": partida.country_seller_buyer or "",
        },
    )
    for identifier in partida.identifiers:
        writer.add(
            "554",
            {
                **key,
                "identificador": identifier.code,
                "complemento_1": identifier.complement_1,
                "complemento_2": identifier.complement_2,
                "complemento_3": identifier.complement_3,
            },
        )
    declared = [c for c in partida.contributions if c.declared]
    for item in declared:
        writer.add(
            "556",
            {
                **key,
                "contribucion": item.code,
                "tasa": _decimal_text(item.rate, 10),
                "tipo_tasa": item.rate_type or "",
            },
        )
    for item in declared:
        writer.add(
            "557",
            {
                **key,
                "contribucion": item.code,
                "forma_pago": item.payment_form,
                "importe": _integer_text(item.payable),
            },
        )


def m3_file(pedimento: Pedimento) -> tuple[str, bytes]:
    """The SAAI M3 validation file of ``pedimento``: its name and its ASCII bytes."""
    number = _number7(pedimento)
    writer = _Writer()
    _m3_header(writer, pedimento, number)
    for partida in pedimento.partidas:
        _m3_partida(writer, partida, number)
    writer.add("800", {"pedimento": number})
    name = _file_name(pedimento)
    writer.add("801", {"archivo": name, "pedimentos": "1", "registros": str(len(writer.lines))})
    return name, ("\n".join(writer.lines) + "\n").encode("ascii")


# ---------------------------------------------------------------- reading and validating


def read_records(data: bytes) -> list[list[str]]:
    """The records of an M3 file, each split into its fields (the trailing ``|`` dropped).

    ValueError when the bytes are not ASCII text of ``|``-terminated records.
    """
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as error:
        raise ValueError(f"not ASCII (byte {error.start})") from error
    if "\r" in text:
        raise ValueError("records end with a line feed alone")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.endswith(SEPARATOR):
            raise ValueError(f"record {number} does not end with '|'")
        records.append(line[:-1].split(SEPARATOR))
    return records


def _bad_date(value: str) -> bool:
    if not (len(value) == _DATE_LENGTH and value.isdigit()):
        return True
    try:
        date(int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError:
        return True
    return False


def _format_problem(layout: M3Record, position: int, value: str) -> bool:
    """True when ``value`` does not fit field ``position`` of ``layout`` (empty always fits)."""
    item = layout.fields[position]
    if value == "":
        return False
    if item.type == "N":
        return not (_NUMBER.match(value) and len(value) <= item.length)
    if item.type == "D":
        pattern = rf"^\d{{1,{item.integers}}}(\.\d{{1,{item.decimals}}})?$"
        return re.match(pattern, value) is None
    if item.type == "F":
        return _bad_date(value)
    return len(value) > item.length or any(not _LOW_ASCII <= ord(c) <= _HIGH_ASCII for c in value)


def _m3_problem(kind: str, message: Message) -> Problem:
    return blocker(f"{KEY}.m3.{kind}", "", message)


def _structure(records: list[list[str]]) -> list[Problem]:
    layouts = anexo22.m3_layout().records
    found: list[Problem] = []
    for number, fields in enumerate(records, start=1):
        code = fields[0]
        layout = layouts.get(code)
        if layout is None:
            found.append(
                _m3_problem(
                    "record_unknown",
                    _(
                        "Record {number}: {code} is not a record cruce writes",
                        number=number,
                        code=code,
                    ),
                )
            )
            continue
        if len(fields) != len(layout.fields):
            found.append(
                _m3_problem(
                    "field_count",
                    _(
                        "Record {number} ({code}) has {count} fields; its layout has {expected}",
                        number=number,
                        code=code,
                        count=len(fields),
                        expected=len(layout.fields),
                    ),
                )
            )
            continue
        for position, value in enumerate(fields):
            if _format_problem(layout, position, value):
                found.append(
                    _m3_problem(
                        "field_format",
                        _(
                            "Record {number} ({code}): {field} '{value}' does not fit its format",
                            number=number,
                            code=code,
                            field=layout.fields[position].title,
                            value=value,
                        ),
                    )
                )
    return found


def _order(records: list[list[str]]) -> list[Problem]:
    codes = [r[0] for r in records]
    found: list[Problem] = []
    if not codes or codes[0] != "500" or codes.count("500") != 1 or codes.count("501") != 1:
        found.append(
            _m3_problem(
                "order", _("The file must start with one record 500 and hold one record 501")
            )
        )
    if codes[-2:] != _TRAILER or codes.count("801") != 1:
        found.append(_m3_problem("order", _("The file must end with records 800 and 801")))
    return found


def _partida_refs(records: list[list[str]]) -> list[Problem]:
    """Partidas numbered 1, 2, 3...; 554, 556 and 557 after the 551 they name."""
    found: list[Problem] = []
    partidas: dict[str, str] = {}
    for position, fields in enumerate(records, start=1):
        code = fields[0]
        if code == "551":
            partidas[fields[3]] = fields[2]
            expected = str(len(partidas))
            if fields[3] != expected:
                message = _(
                    "Partida {found} is out of sequence; expected {expected}",
                    found=fields[3],
                    expected=expected,
                )
                found.append(_m3_problem("partida_sequence", message))
            found += _unit_price(fields, position)
        elif code in {"554", "556", "557"} and partidas.get(fields[3]) != fields[2]:
            message = _(
                "Record {number} refers to a partida the file has not declared", number=position
            )
            found.append(_m3_problem("partida_unknown", message))
    return found


def _totals(records: list[list[str]]) -> list[Problem]:
    """Each contribution of the partidas (557) adds up to the pedimento's (510)."""
    partidas: dict[str, Decimal] = {}
    pedimento: dict[str, Decimal] = {}
    for fields in records:
        if fields[0] == "557" and fields[6]:
            partidas[fields[4]] = partidas.get(fields[4], Decimal(0)) + Decimal(fields[6])
        elif fields[0] == "510" and fields[4]:
            pedimento[fields[2]] = pedimento.get(fields[2], Decimal(0)) + Decimal(fields[4])
    found: list[Problem] = []
    for code, total in partidas.items():
        if pedimento.get(code) != total:
            message = _(
                "Contribution {code}: the partidas add up to {partidas}, the pedimento declares "
                "{pedimento}",
                code=code,
                partidas=str(total),
                pedimento=str(pedimento.get(code, "-")),
            )
            found.append(_m3_problem("totals", message))
    return found


def _consistency(records: list[list[str]]) -> list[Problem]:
    layouts = anexo22.m3_layout().records
    found: list[Problem] = []
    number = records[0][layouts["500"].index("pedimento")]
    for position, fields in enumerate(records, start=1):
        layout = layouts[fields[0]]
        keys = [f.key for f in layout.fields]
        if "pedimento" in keys and fields[keys.index("pedimento")] != number:
            message = _("Record {number} names another pedimento", number=position)
            found.append(_m3_problem("number_mismatch", message))
    found += _partida_refs(records)
    found += _totals(records)
    found += _trailer(records[-1], len(records) - 1)
    return found


def _unit_price(fields: list[str], position: int) -> list[Problem]:
    price, paid, quantity = fields[6], fields[8], fields[10]
    if not (price and paid and quantity):
        return []
    gap = abs(Decimal(price) * Decimal(quantity) - Decimal(paid))
    if gap > 1 + Decimal(quantity) * Decimal("0.00001"):
        return [
            _m3_problem(
                "unit_price",
                _(
                    "Record {number}: unit price times quantity is not the price paid",
                    number=position,
                ),
            )
        ]
    return []


def _trailer(fields: list[str], count: int) -> list[Problem]:
    found = []
    if not _FILE_NAME.match(fields[1]):
        found.append(
            _m3_problem(
                "file_name",
                _("The file name {name} is not m + patente + sequence . day", name=fields[1]),
            )
        )
    if fields[3] != str(count):
        found.append(
            _m3_problem(
                "record_count",
                _(
                    "Record 801 counts {declared} records; the file has {count}",
                    declared=fields[3],
                    count=count,
                ),
            )
        )
    return found


def validate_m3(data: bytes) -> list[Problem]:
    """The structure of an M3 file: records, field counts and formats, numbers and totals."""
    try:
        records = read_records(data)
    except ValueError as error:
        return [
            _m3_problem(
                "unreadable",
                _("The file is not an M3 validation file: {reason}", reason=str(error)),
            )
        ]
    if not records:
        return [_m3_problem("empty", _("The file has no records"))]
    found = _structure(records)
    if found:
        return found
    found = _order(records)
    if found:
        return found
    return _consistency(records)


# ---------------------------------------------------------------- the artifact


class PedimentoM3:
    """The pedimento draft as the SAAI M3 validation file the agente aduanal transmits."""

    key = KEY
    title = _("Pedimento draft (SAAI M3 validation file)")
    media_type = "text/plain"
    order = 45

    def required(self, shipment: Shipment) -> Requirement:
        """Every truck crossing between the US and Mexico, either way."""
        return required(shipment)

    def problems(self, shipment: Shipment) -> list[Problem]:
        """Blockers from the record; when there are none, the draft's warnings."""
        if not required(shipment).required:
            return []
        found = record_problems(shipment)
        if has_blockers(found):
            return found
        return found + draft_problems(draft(shipment))

    def render(self, shipment: Shipment) -> Rendered:
        """The M3 file; named ``<reference>-pedimento-<m3 name>.txt``."""
        name, data = m3_file(draft(shipment))
        return Rendered(
            safe_filename(shipment.reference, f"-pedimento-{name}.txt"), self.media_type, data
        )

    def validate(self, data: bytes) -> list[Problem]:
        """The structure of the M3 file (:func:`validate_m3`)."""
        return validate_m3(data)


ARTIFACT: Final = PedimentoM3()
