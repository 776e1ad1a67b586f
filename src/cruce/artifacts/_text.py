"""Text the trade documents print: numbers, money, weights, codes, addresses, parties.

Amounts stay Decimal down to the text; nothing passes through float. Dates print as
ISO 8601 (2026-11-30), which neither side of the border misreads.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import TYPE_CHECKING, Final

import phonenumbers
import pycountry
from babel import Locale as BabelLocale

from cruce.artifacts._labels import LABELS
from cruce.model import Address, Party, Shipment, TaxScheme
from cruce.model.money import minor_units

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cruce.model import Money

EIN_LENGTH: Final = 9


# ---------------------------------------------------------------- text formats


def decimal_text(value: Decimal, min_places: int = 0) -> str:
    """``1234.5`` -> ``1,234.50`` with ``min_places=2``: every significant digit, grouped."""
    exponent = value.normalize().as_tuple().exponent
    places = max(min_places, -exponent) if isinstance(exponent, int) else min_places
    return f"{value:,.{places}f}"


def money_text(money: Money) -> str:
    """An amount rounded half-up to its currency's minor unit: ``7,500.00 USD``."""
    places = minor_units(money.currency)
    amount = money.amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{amount:,.{places}f} {money.currency}"


def price_text(money: Money) -> str:
    """A unit price keeps its extra decimals (``0.0375 USD``): rounding it would misstate it."""
    return f"{decimal_text(money.amount, minor_units(money.currency))} {money.currency}"


def weight_text(kilograms: Decimal) -> str:
    """Kilograms with two decimals at least: ``96.00``."""
    return decimal_text(kilograms, 2)


def weight_sum(weights: Sequence[Decimal | None]) -> str:
    """The total of the weights given, saying so when some lines have none."""
    known = [w for w in weights if w is not None]
    if not known:
        return "—"
    text = f"{weight_text(sum(known, Decimal(0)))} kg"
    return text if len(known) == len(weights) else f"{text} {LABELS['partial']}"


def quantity_text(quantity: Decimal, unit: str) -> str:
    """``400 H87`` and, when the code is a common one, its name on a second line."""
    label = LABELS.get(f"unit.{unit}")
    text = f"{decimal_text(quantity)} {unit}"
    return f"{text}\n{label}" if label else text


def tariff_text(digits: str) -> str:
    """``7616995190`` -> ``7616.99.5190``; ``76169999`` -> ``7616.99.99``."""
    return f"{digits[:4]}.{digits[4:6]}.{digits[6:]}"


@cache
def country_text(code: str) -> str:
    """``MX`` -> ``MX – Mexico / México``, the name in both languages when they differ."""
    names = [BabelLocale.parse(lang).territories.get(code, code) for lang in ("en", "es")]
    return f"{code} – {' / '.join(dict.fromkeys(names))}"


def subdivision_name(code: str) -> str:
    """``MX-JAL`` -> ``Jalisco``."""
    subdivision = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    return code if subdivision is None else str(subdivision.name)


def address_lines(address: Address) -> list[str]:
    """A postal address in the order each country's post reads it."""
    street = " ".join(p for p in (address.street, address.exterior_number) if p)
    if address.interior_number:
        street += f", int. {address.interior_number}"
    lines = [street]
    if address.neighborhood:
        lines.append(
            f"Col. {address.neighborhood}" if address.country == "MX" else address.neighborhood
        )
    place = [address.locality]
    if address.municipality and address.municipality != address.locality:
        place.append(address.municipality)
    if address.subdivision:
        place.append(subdivision_name(address.subdivision))
    city = ", ".join(place)
    lines.append(f"{city} {address.postal_code}" if address.postal_code else city)
    lines.append(country_text(address.country))
    return lines


def _tax_id_text(scheme: TaxScheme, value: str, country: str | None) -> str:
    if scheme is TaxScheme.US_EIN and len(value) == EIN_LENGTH:
        value = f"{value[:2]}-{value[2:]}"
    suffix = f" ({country})" if country else ""
    return f"{LABELS[f'tax.{scheme.value}']}{suffix} {value}"


def _phone_text(e164: str) -> str:
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def party_details(party: Party) -> str:
    """Address, tax identifiers and contact of a party, one item a line (the name aside)."""
    lines = address_lines(party.address)
    lines += [_tax_id_text(t.scheme, t.value, t.country) for t in party.tax_ids]
    contact = party.contact
    if contact is not None:
        reach = [contact.name, _phone_text(contact.phone) if contact.phone else None, contact.email]
        lines.append(" · ".join(str(item) for item in reach if item))
    return "\n".join(lines)


def header_lines(shipment: Shipment) -> list[str]:
    """Invoice number, date and shipment reference for the top right of every page."""
    terms = shipment.terms
    return [
        f"{LABELS['invoice_number']}: {terms.invoice_number or '—'}",
        f"{LABELS['date']}: {terms.invoice_date or '—'}",
        f"{LABELS['reference']}: {shipment.reference}",
    ]


def party_blocks(shipment: Shipment) -> list[tuple[str, Party]]:
    """Seller, buyer, the consignee when it is someone else, and the producers."""
    parties = shipment.parties
    blocks: list[tuple[str, Party]] = []
    if parties.seller is not None:
        blocks.append((LABELS["seller"], parties.seller))
    if parties.buyer is not None:
        blocks.append((LABELS["buyer"], parties.buyer))
    if parties.consignee is not None and parties.consignee != parties.buyer:
        blocks.append((LABELS["consignee"], parties.consignee))
    blocks += [(LABELS["producer"], producer) for producer in parties.producers]
    return blocks


def transport_fields(shipment: Shipment) -> list[tuple[str, str]]:
    """Mode, carrier and the crossing as each side names it."""
    transport = shipment.transport
    pairs = [
        (LABELS["direction"], f"{shipment.export_country} → {shipment.import_country}"),
        (LABELS["mode"], LABELS[f"mode.{transport.mode.value}"]),
        (LABELS["carrier"], transport.carrier_scac or "—"),
        (LABELS["pro_number"], transport.pro_number or "—"),
    ]
    port = transport.crossing
    if port is not None:
        pairs.append((LABELS["cbp_port"], f"{port.cbp_port_code} {port.cbp_port_name}"))
        pairs.append((LABELS["aduana"], f"{port.aduana}-{port.seccion} {port.aduana_name}"))
    if transport.planned_crossing is not None:
        moment = transport.planned_crossing
        pairs.append((LABELS["planned_crossing"], moment.isoformat(sep=" ", timespec="minutes")))
    return pairs
