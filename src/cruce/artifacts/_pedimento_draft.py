"""The pedimento draft: :func:`draft` builds the :class:`Pedimento` of a shipment.

See :mod:`cruce.artifacts.pedimento` for where each field comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from cruce.artifacts._pedimento_contributions import (
    export_contributions,
    money_sum,
    quote_contributions,
    to_mxn,
    to_usd,
    whole_pesos,
)
from cruce.artifacts._pedimento_model import (
    CLAVE_A1,
    COMMERCIAL_VALUE,
    EXPORT,
    IMPORT,
    INTERIOR,
    KEY,
    MXN,
    OPERATION_CODES,
    REGIMES,
    TRANSACTION_VALUE,
    TREATY_IDENTIFIER,
    TRUCK,
    USD,
    Contribution,
    Header,
    Identifier,
    Incrementables,
    Invoice,
    Partida,
    Pedimento,
    PedimentoParty,
    TransportData,
)
from cruce.artifacts._pedimento_umt import tariff_unit_of, umt_quantity, umt_warning
from cruce.compliance.duties import UnsupportedDestinationError, landed_cost
from cruce.compliance.valuation import INCREMENTABLE, mx_values
from cruce.i18n import _
from cruce.model import ChargeKind, Money, TaxScheme
from cruce.model.problems import warning
from cruce.reference import anexo22, fx, units
from cruce.reference.facts import NotCoveredError

if TYPE_CHECKING:
    from datetime import date

    from cruce.compliance.duties import LandedCost, References
    from cruce.model import FxRate, GoodsLine, Party, Problem, Shipment


def operation_of(shipment: Shipment) -> str:
    return IMPORT if shipment.import_country == "MX" else EXPORT


def mexican_party(shipment: Shipment) -> Party | None:
    parties = shipment.parties
    return parties.buyer if operation_of(shipment) == IMPORT else parties.seller


def foreign_party(shipment: Shipment) -> Party | None:
    parties = shipment.parties
    return parties.seller if operation_of(shipment) == IMPORT else parties.buyer


def rfc_of(party: Party | None) -> str | None:
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
    exporting = operation_of(shipment) == EXPORT
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


def line_umc(line: GoodsLine) -> str | None:
    found = units.unit(line.unit)
    return None if found is None else found.pedimento_umc


def m3_country_code(alpha2: str | None) -> str | None:
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
    carrier_id = rfc_of(carrier) or transport.carrier_caat or transport.carrier_scac or ""
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
    if operation_of(shipment) != IMPORT or not line.usmca.claimed:
        return ()
    exporter = m3_country_code(shipment.export_country) or ""
    return (Identifier(TREATY_IDENTIFIER, exporter),)


def _partida(
    shipment: Shipment,
    index: int,
    money: _LineMoney,
    rate: FxRate | None,
    contributions: tuple[Contribution, ...],
    *,
    umt: str | None,
) -> Partida:
    line = shipment.goods[index]
    umc = line_umc(line)
    operation = operation_of(shipment)
    paid = to_mxn(money.price_paid, rate)
    value = to_mxn(money.customs_value, rate)
    quantity = line.quantity
    unit_price = (
        None
        if paid is None
        else (paid.amount / quantity).quantize(Decimal("0.00001"), ROUND_HALF_UP)
    )
    foreign = foreign_party(shipment)
    if operation == IMPORT:
        seller_buyer = m3_country_code(
            foreign.address.country if foreign else shipment.export_country
        )
        origin_destination = m3_country_code(line.origin_country)
    else:
        seller_buyer = m3_country_code(
            foreign.address.country if foreign else shipment.import_country
        )
        origin_destination = m3_country_code(shipment.import_country)
    return Partida(
        sequence=index + 1,
        line_index=index,
        fraccion=line.fraccion or "",
        nico=line.nico or "",
        description=_description(line),
        umc=umc,
        umc_quantity=quantity,
        umt=umt,
        umt_quantity=None if umt is None else umt_quantity(line, umt, umc),
        related=_related(shipment),
        valuation_method=TRANSACTION_VALUE if operation == IMPORT else COMMERCIAL_VALUE,
        country_seller_buyer=seller_buyer,
        country_origin_destination=origin_destination,
        price_paid_invoice=money.price_paid,
        incrementables_invoice=money.incrementables,
        customs_value_invoice=money.customs_value,
        price_paid=whole_pesos(paid),
        customs_value=whole_pesos(value),
        value_usd=to_usd(money.customs_value, rate),
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
            to_mxn(amount, rate)
            for money in moneys
            for kind, amount in money.by_kind.items()
            if kind in kinds
        ]
        if not amounts:
            return Money.zero(MXN)
        return whole_pesos(money_sum(amounts, MXN))

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
        value_usd=to_usd(value, rate),
        currency_factor=factor,
    )


_LAST: list[tuple[Shipment, Pedimento]] = []


def draft(shipment: Shipment, *, references: References | None = None) -> Pedimento:
    """The pedimento of ``shipment``'s Mexican side, with the problems found building it.

    ``references`` are the tables the landed-cost quote reads (the bundled ones and the
    user's imports by default). With the default tables the last draft is kept: the
    checklist, the two renderings and the cross-check all ask for the same record's.
    """
    if references is None:
        if _LAST and _LAST[0][0] is shipment:
            return _LAST[0][1]
        found = _draft(shipment, references=None)
        _LAST[:] = [(shipment, found)]
        return found
    return _draft(shipment, references=references)


def _draft(shipment: Shipment, *, references: References | None) -> Pedimento:
    """:func:`draft`, computed."""
    problems: list[Problem] = []
    operation = operation_of(shipment)
    on = shipment.crossing_date()
    rate = _rate(on, problems, None if references is None else references.fx)
    entry: tuple[Contribution, ...] = ()
    per_line: dict[int, tuple[Contribution, ...]] = {}
    if on is not None and shipment.goods:
        if operation == IMPORT:
            quote = _quote(shipment, on, problems, references)
            if quote is not None:
                entry, per_line = quote_contributions(quote)
        else:
            entry = export_contributions(on)
    moneys = _line_money(shipment)
    ligie = None if references is None else references.ligie
    partidas = tuple(
        _partida(
            shipment,
            i,
            money,
            rate,
            per_line.get(i, ()),
            umt=tariff_unit_of(shipment.goods[i], on, ligie),
        )
        for i, money in enumerate(moneys)
    )
    problems.extend(
        umt_warning(p.line_index, shipment.goods[p.line_index], p.umt)
        for p in partidas
        if p.umt is not None and p.umt_quantity is None
    )
    office, office_name = _crossing(shipment)
    broker = shipment.parties.mx_customs_broker
    mexican, foreign = mexican_party(shipment), foreign_party(shipment)
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
        value_usd=money_sum([p.value_usd for p in partidas], USD) if partidas else None,
        customs_value=money_sum([p.customs_value for p in partidas], MXN) if partidas else None,
        price_paid=money_sum([p.price_paid for p in partidas], MXN) if partidas else None,
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
    ]
    if all(p.umt is None for p in partidas):
        notes.append(_("The tariff unit (UMT) of each fracción is left for the agente aduanal"))
    else:
        notes.append(
            _(
                "The tariff unit (UMT) of a fracción comes from the LIGIE rows loaded (cruce "
                "reference import-ligie); the agente aduanal states it where the draft leaves "
                "it empty"
            )
        )
    if operation == EXPORT:
        notes.append(
            _("On an export the customs value is the commercial value (Apéndice 11, clave 0)")
        )
    return Pedimento(
        reference=shipment.reference,
        direction=shipment.direction,
        header=header,
        importer_exporter=_party(
            "importer" if operation == IMPORT else "exporter", mexican, rfc_of(mexican)
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
