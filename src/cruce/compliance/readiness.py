"""Checks the record alone allows: identifiers, totals, weights, classifications, units.

These are the problems of the shipment record itself, whatever document is made from it.
Each document adds its own (what *it* needs) in its artifact module.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import phonenumbers

from cruce.compliance.duties.us import formal_entry
from cruce.compliance.origin.claims import claim_problems
from cruce.compliance.valuation import us_values
from cruce.i18n import _
from cruce.model.codes import USMCA_COUNTRIES
from cruce.model.identifiers import (
    check_aba,
    check_clabe,
    check_container,
    check_curp,
    check_ein,
    check_rfc,
)
from cruce.model.party import TaxScheme
from cruce.model.problems import Problem, blocker, warning
from cruce.reference import fracciones, units, us_fees
from cruce.reference.facts import NotCoveredError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from cruce.model import GoodsLine, Party, Shipment
    from cruce.model.identifiers import Failure

ROUNDING_TOLERANCE = Decimal("0.01")
_POSTAL_CODES = {"US": re.compile(r"^\d{5}(-\d{4})?$"), "MX": re.compile(r"^\d{5}$")}
_CHECKERS: dict[TaxScheme, tuple[str, Callable[[str], Failure | None]]] = {
    TaxScheme.MX_RFC: ("RFC", check_rfc),
    TaxScheme.MX_CURP: ("CURP", check_curp),
    TaxScheme.US_EIN: ("EIN", check_ein),
}


def record_problems(shipment: Shipment) -> list[Problem]:
    """Every problem of the record, in the order of its fields, then what the entry needs."""
    return [
        *_route(shipment),
        *_parties(shipment),
        *_goods(shipment),
        *_totals(shipment),
        *_transport(shipment),
        *_entry(shipment),
    ]


def _entry(shipment: Shipment) -> Iterator[Problem]:
    """Findings about the import entry the record implies (e.g. a formal US entry)."""
    if shipment.import_country != "US" or not shipment.goods:
        return
    on = shipment.crossing_date() or date.today()  # noqa: DTZ011 - a calendar day
    values = [v.value for v in us_values(shipment)]
    if any(v.currency != "USD" for v in values):
        return  # valued in USD only with a rate: the cost quote says so
    try:
        limit = us_fees.threshold("informal_entry_limit", on)
    except NotCoveredError:
        return
    total = sum((v.amount for v in values), Decimal(0))
    if total > limit.amount:
        yield formal_entry(total, limit)


def _route(shipment: Shipment) -> Iterator[Problem]:
    if shipment.export_country == shipment.import_country:
        yield blocker(
            "route.same_country",
            "import_country",
            _(
                "the goods must cross a border: export and import country are both {country}",
                country=shipment.export_country,
            ),
        )
    elif {shipment.export_country, shipment.import_country} != {"US", "MX"}:
        yield warning(
            "route.not_us_mx",
            "import_country",
            _(
                "cruce's checks are written for US-Mexico shipments; "
                "{route} is checked only in part",
                route=shipment.direction,
            ),
        )


def _parties(shipment: Shipment) -> Iterator[Problem]:
    parties = shipment.parties
    # A missing seller, buyer or goods is reported by each document that needs them, not here:
    # a record without them is a draft, not a wrong record.
    roles: list[tuple[str, str, Party]] = [
        (role, f"parties.{role}", party)
        for role in (
            "seller",
            "buyer",
            "consignee",
            "carrier",
            "us_customs_broker",
            "mx_customs_broker",
            "notify_party",
        )
        if (party := getattr(parties, role)) is not None
    ]
    roles += [("producer", f"parties.producers[{i}]", p) for i, p in enumerate(parties.producers)]
    for role, path, party in roles:
        yield from _party(role, path, party)
    if (
        parties.buyer is not None
        and shipment.import_country == "MX"
        and parties.buyer.tax_id(TaxScheme.MX_RFC) is None
    ):
        yield warning(
            "party.buyer.tax_id.missing",
            "parties.buyer.tax_ids",
            _("an importer into Mexico needs its RFC for the pedimento"),
        )
    if (
        parties.seller is not None
        and shipment.export_country == "MX"
        and parties.seller.tax_id(TaxScheme.MX_RFC) is None
    ):
        yield warning(
            "party.seller.tax_id.missing",
            "parties.seller.tax_ids",
            _("an exporter from Mexico needs its RFC for the CFDI"),
        )


def _party(role: str, path: str, party: Party) -> Iterator[Problem]:
    yield from _tax_ids(role, path, party)
    yield from _address_and_contact(role, path, party)
    yield from _bank_accounts(role, path, party)


def _tax_ids(role: str, path: str, party: Party) -> Iterator[Problem]:
    for index, tax_id in enumerate(party.tax_ids):
        checker = _CHECKERS.get(tax_id.scheme)
        if checker is None:
            continue
        name, check = checker
        failure = check(tax_id.value)
        field = f"{path}.tax_ids[{index}].value"
        if failure == "format":
            yield blocker(
                f"party.{role}.tax_id.invalid",
                field,
                _("'{value}' is not a valid {scheme}", value=tax_id.value, scheme=name),
            )
        elif failure == "check_digit":
            # SAT has issued RFCs whose check digit does not verify; the person must confirm it.
            report = warning if tax_id.scheme is TaxScheme.MX_RFC else blocker
            yield report(
                f"party.{role}.tax_id.check_digit",
                field,
                _(
                    "the check digit of {scheme} '{value}' does not match; "
                    "confirm it against the official registration",
                    scheme=name,
                    value=tax_id.value,
                ),
            )


def _address_and_contact(role: str, path: str, party: Party) -> Iterator[Problem]:
    address = party.address
    pattern = _POSTAL_CODES.get(address.country)
    if pattern is not None and address.postal_code is None:
        yield warning(
            f"party.{role}.postal_code.missing",
            f"{path}.address.postal_code",
            _("the postal code is missing"),
        )
    elif pattern is not None and address.postal_code and not pattern.match(address.postal_code):
        yield warning(
            f"party.{role}.postal_code.invalid",
            f"{path}.address.postal_code",
            _(
                "'{value}' is not a postal code of {country}",
                value=address.postal_code,
                country=address.country,
            ),
        )
    if party.contact is not None and party.contact.phone is not None:
        number = phonenumbers.parse(party.contact.phone)
        if not phonenumbers.is_valid_number(number):
            yield warning(
                f"party.{role}.phone.invalid",
                f"{path}.contact.phone",
                _("{value} is not a valid phone number", value=party.contact.phone),
            )


def _bank_accounts(role: str, path: str, party: Party) -> Iterator[Problem]:
    for index, account in enumerate(party.bank_accounts):
        account_path = f"{path}.bank_accounts[{index}]"
        if account.clabe is not None and (failure := check_clabe(account.clabe)) is not None:
            yield blocker(
                f"party.{role}.clabe.invalid",
                f"{account_path}.clabe",
                _(
                    "'{value}' is not a valid CLABE (18 digits with a check digit)",
                    value=account.clabe,
                )
                if failure == "format"
                else _("the check digit of CLABE '{value}' does not match", value=account.clabe),
            )
        if account.aba_routing is not None and check_aba(account.aba_routing) is not None:
            yield blocker(
                f"party.{role}.aba.invalid",
                f"{account_path}.aba_routing",
                _("'{value}' is not a valid ABA routing number", value=account.aba_routing),
            )


def _goods(shipment: Shipment) -> Iterator[Problem]:
    mexican = "MX" in {shipment.export_country, shipment.import_country}
    for index, line in enumerate(shipment.goods):
        yield from _line(index, line, shipment, mexican=mexican)


def _line(index: int, line: GoodsLine, shipment: Shipment, *, mexican: bool) -> Iterator[Problem]:
    path = f"goods[{index}]"
    number = index + 1
    yield from _weights_and_classification(path, number, line)
    yield from _fraccion(path, number, line)
    yield from _prices(path, number, line, shipment.terms.currency)
    if mexican:
        yield from _sat_units(path, number, line)
    if line.usmca.claimed:
        yield from _usmca(path, number, line)
    yield from claim_problems(index, line, shipment.crossing_date() or date.today())  # noqa: DTZ011 - a calendar day


def _weights_and_classification(path: str, number: int, line: GoodsLine) -> Iterator[Problem]:
    if (
        line.net_weight_kg is not None
        and line.gross_weight_kg is not None
        and line.net_weight_kg > line.gross_weight_kg
    ):
        yield blocker(
            "goods.weight.net_exceeds_gross",
            f"{path}.net_weight_kg",
            _(
                "line {line}: net weight {net} kg is more than gross weight {gross} kg",
                line=number,
                net=line.net_weight_kg,
                gross=line.gross_weight_kg,
            ),
        )
    hs6 = line.hs6()
    if len(set(hs6.values())) > 1:
        found = ", ".join(f"{scheme} {code}" for scheme, code in hs6.items())
        yield blocker(
            "goods.hs6.inconsistent",
            f"{path}.hts",
            _(
                "line {line}: the classifications do not share their first six digits ({found})",
                line=number,
                found=found,
            ),
        )


def _prices(path: str, number: int, line: GoodsLine, currency: str) -> Iterator[Problem]:
    if line.unit_price.currency != currency:
        yield warning(
            "goods.currency.differs",
            f"{path}.unit_price",
            _(
                "line {line} is priced in {currency}, the invoice in {invoice}",
                line=number,
                currency=line.unit_price.currency,
                invoice=currency,
            ),
        )
    if line.value is not None:
        computed = (line.unit_price * line.quantity).rounded()
        if (
            line.value.currency != computed.currency
            or abs(line.value.amount - computed.amount) > ROUNDING_TOLERANCE
        ):
            yield warning(
                "goods.value.mismatch",
                f"{path}.value",
                _(
                    "line {line}: value {value} is not quantity x unit price ({computed})",
                    line=number,
                    value=line.value,
                    computed=computed,
                ),
            )


def _sat_units(path: str, number: int, line: GoodsLine) -> Iterator[Problem]:
    unit = units.unit(line.unit)
    if unit is not None and not unit.in_sat_clave_unidad:
        yield blocker(
            "goods.unit.not_in_sat_catalog",
            f"{path}.unit",
            _(
                "line {line}: unit {unit} is not in SAT's c_ClaveUnidad catalog",
                line=number,
                unit=line.unit,
            ),
        )
    elif units.unidad_aduana(line.unit) is None:
        yield warning(
            "goods.unit.no_unidad_aduana",
            f"{path}.unit",
            _(
                "line {line}: unit {unit} has no equivalent in SAT's c_UnidadAduana; "
                "the quantity must be stated in the tariff unit",
                line=number,
                unit=line.unit,
            ),
        )


def _usmca(path: str, number: int, line: GoodsLine) -> Iterator[Problem]:
    if line.origin_country is not None and line.origin_country not in USMCA_COUNTRIES:
        yield warning(
            "goods.usmca.origin_country",
            f"{path}.origin_country",
            _(
                "line {line}: USMCA is claimed for goods of {country}",
                line=number,
                country=line.origin_country,
            ),
        )
    if line.usmca.criterion is None:
        yield warning(
            "goods.usmca.criterion_missing",
            f"{path}.usmca.criterion",
            _(
                "line {line}: a USMCA claim needs its origin criterion (A, B, C or D)",
                line=number,
            ),
        )


def _fraccion(path: str, number: int, line: GoodsLine) -> Iterator[Problem]:
    if line.nico is not None and line.fraccion is None:
        yield blocker(
            "goods.nico.without_fraccion",
            f"{path}.nico",
            _("line {line}: a NICO needs its fracción arancelaria", line=number),
        )
    if line.fraccion is None:
        return
    item = fracciones.fraccion(line.fraccion)
    if item is None:
        yield blocker(
            "goods.fraccion.unknown",
            f"{path}.fraccion",
            _(
                "line {line}: fracción {code} is not in SAT's catalog",
                line=number,
                code=line.fraccion,
            ),
        )
    elif item.derogada and not item.current:
        yield blocker(
            "goods.fraccion.derogada",
            f"{path}.fraccion",
            _(
                "line {line}: fracción {code} has been repealed (derogada)",
                line=number,
                code=line.fraccion,
            ),
        )
    elif line.nico is not None and fracciones.nico(line.fraccion, line.nico) is None:
        yield blocker(
            "goods.nico.unknown",
            f"{path}.nico",
            _(
                "line {line}: NICO {nico} does not exist under fracción {code}",
                line=number,
                nico=line.nico,
                code=line.fraccion,
            ),
        )


def _totals(shipment: Shipment) -> Iterator[Problem]:
    declared = shipment.terms.declared_total
    if declared is None or not shipment.goods:
        return
    totals = shipment.invoice_total()
    computed = totals.get(declared.currency)
    if (
        computed is None
        or len(totals) > 1
        or abs(computed.amount - declared.amount) > ROUNDING_TOLERANCE
    ):
        found = ", ".join(str(t.rounded()) for t in totals.values())
        yield blocker(
            "terms.declared_total.mismatch",
            "terms.declared_total",
            _(
                "the invoice total {declared} does not match "
                "the lines and billed charges ({found})",
                declared=declared,
                found=found,
            ),
        )


def _transport(shipment: Shipment) -> Iterator[Problem]:
    for index, container in enumerate(shipment.transport.containers):
        failure = check_container(container)
        if failure is not None:
            yield blocker(
                "transport.container.invalid",
                f"transport.containers[{index}]",
                _("'{value}' is not an ISO 6346 container number", value=container)
                if failure == "format"
                else _("the check digit of container '{value}' does not match", value=container),
            )
