"""The wizard's fields: what each step asks, by the path of the record's field it fills.

Every input is named by its field's path in the shipment record (``goods[2].hts``,
``parties.buyer.address.street``) and has the id :func:`cruce.web.fields.anchor` gives that
path, so a readiness problem links to the input that fixes it. A group of fields (a party,
its address, a goods line) is a fieldset with the id of its own path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from cruce.i18n import Message, _
from cruce.model.codes import ChargeKind, Incoterm, TransportMode
from cruce.reference import ports

if TYPE_CHECKING:
    from cruce.reference.ports import Crossing, LandPort


@dataclass(frozen=True, slots=True)
class Field:
    """One input: its path below its group, label, kind and choices."""

    name: str
    label: Message
    kind: str = "text"  # text, select, yesno, date, email, tel, decimal, whole, textarea
    options: tuple[tuple[str, Message | str], ...] = ()
    hint: Message | None = None
    short: bool = False
    autocomplete: str = ""


YES_NO: Final[tuple[tuple[str, Message | str], ...]] = (
    ("", _("Not stated")),
    ("yes", _("Yes")),
    ("no", _("No")),
)
TAX_SCHEMES: Final[tuple[tuple[str, Message | str], ...]] = (
    ("", _("Choose…")),
    ("us_ein", _("US employer identification number (EIN)")),
    ("mx_rfc", _("Mexican RFC")),
    ("mx_curp", _("Mexican CURP")),
    ("foreign", _("Another country's tax number")),
)
PARTY_FIELDS: Final[tuple[Field, ...]] = (
    Field("name", _("Legal name"), autocomplete="organization"),
    Field("tax_ids[0].scheme", _("Kind of tax number"), "select", TAX_SCHEMES),
    Field("tax_ids[0].value", _("Tax number"), hint=_("EIN 86-2741953, RFC EIO090417K36")),
    Field(
        "tax_ids[0].country",
        _("Country that issued the tax number"),
        hint=_("Only for another country's tax number: two letters, e.g. CA"),
        short=True,
    ),
    Field("address.street", _("Street"), autocomplete="address-line1"),
    Field("address.exterior_number", _("Exterior number"), short=True),
    Field("address.interior_number", _("Interior number"), short=True),
    Field("address.neighborhood", _("Neighbourhood (colonia)")),
    Field("address.locality", _("City or town"), autocomplete="address-level2"),
    Field("address.municipality", _("Municipality or county")),
    Field(
        "address.subdivision", _("State"), hint=_("Country and state: US-AZ, MX-JAL"), short=True
    ),
    Field("address.postal_code", _("Postal code"), short=True, autocomplete="postal-code"),
    Field(
        "address.country",
        _("Country"),
        hint=_("Two letters: US, MX, CA"),
        short=True,
        autocomplete="country",
    ),
    Field("contact.name", _("Contact person")),
    Field("contact.phone", _("Phone"), "tel", hint=_("With its country code: +52 33 1234 5678")),
    Field("contact.email", _("E-mail"), "email"),
)
ROLE_FIELDS: Final[dict[str, tuple[Field, ...]]] = {
    "carrier": (
        Field(
            "regimen_fiscal",
            _("Mexican tax regime (régimen fiscal)"),
            hint=_("Three digits, e.g. 601"),
            short=True,
        ),
    ),
    "us_customs_broker": (
        Field("filer_code", _("ACE filer code"), hint=_("Three characters"), short=True),
    ),
    "mx_customs_broker": (
        Field("patente", _("Patente of the agente aduanal"), hint=_("Four digits"), short=True),
    ),
}
ROLES: Final[tuple[tuple[str, Message, Message | None], ...]] = (
    ("seller", _("Seller and exporter"), None),
    ("buyer", _("Buyer and importer"), None),
    ("consignee", _("Consignee"), _("Only when the goods go to someone other than the buyer")),
    ("carrier", _("Carrier"), _("The trucking company that crosses the border")),
    ("us_customs_broker", _("US customs broker"), _("Files the EEI for you")),
    ("mx_customs_broker", _("Mexican customs broker (agente aduanal)"), _("Files the pedimento")),
)
CONSIGNEE_TYPES: Final[tuple[tuple[str, Message | str], ...]] = (
    ("", _("Not stated")),
    ("D", _("Direct consumer")),
    ("G", _("Government entity")),
    ("R", _("Reseller")),
    ("O", _("Other (e.g. a manufacturer using the goods)")),
)
CRITERIA: Final[tuple[tuple[str, Message | str], ...]] = (
    ("", _("Not stated")),
    ("A", _("A: wholly obtained or produced")),
    ("B", _("B: meets the product-specific rule")),
    ("C", _("C: only from originating materials")),
    ("D", _("D: Article 4.2(d)")),
)
LINE_FIELDS: Final[tuple[Field, ...]] = (
    Field("description.en", _("Description in English")),
    Field("description.es", _("Description in Spanish")),
    Field("part_number", _("Part number"), short=True),
    Field("hts", _("HTS code (US import)"), hint=_("10 digits; dots allowed"), short=True),
    Field("schedule_b", _("Schedule B (US export)"), hint=_("10 digits"), short=True),
    Field("fraccion", _("Fracción arancelaria"), hint=_("8 digits"), short=True),
    Field("nico", _("NICO"), hint=_("2 digits"), short=True),
    Field("origin_country", _("Country of origin"), hint=_("Two letters: US"), short=True),
    Field("quantity", _("Quantity"), "decimal", short=True),
    Field("unit", _("Unit"), hint=_("H87 piece, KGM kilogram, SET set"), short=True),
    Field("unit_price.amount", _("Unit price"), "decimal", short=True),
    Field("unit_price.currency", _("Currency"), hint=_("USD, MXN"), short=True),
    Field("net_weight_kg", _("Net weight (kg)"), "decimal", short=True),
    Field("gross_weight_kg", _("Gross weight (kg)"), "decimal", short=True),
    Field("packages", _("Packages"), "whole", short=True),
    Field("package_type", _("Package type"), hint=_("PX pallet, CT carton"), short=True),
    Field("usmca.claimed", _("Claim USMCA / T-MEC preference"), "yesno", YES_NO),
    Field("usmca.criterion", _("Origin criterion"), "select", CRITERIA),
    Field("eccn", _("Export classification (ECCN)"), hint=_("EAR99 for most goods"), short=True),
    Field("hazmat", _("Hazardous materials"), "yesno", YES_NO),
)
LINE_KEYS: Final = ("description.en", "description.es", "quantity", "unit_price.amount", "hts")
"""A line without any of these is blank, and left out."""
CHARGE_KINDS: Final[tuple[tuple[str, Message | str], ...]] = (
    ("", _("Choose…")),
    (ChargeKind.FREIGHT.value, _("Freight")),
    (ChargeKind.INSURANCE.value, _("Insurance")),
    (ChargeKind.PACKING.value, _("Packing")),
    (ChargeKind.OTHER.value, _("Other")),
)
CHARGE_FIELDS: Final[tuple[Field, ...]] = (
    Field("kind", _("Kind of charge"), "select", CHARGE_KINDS),
    Field("amount.amount", _("Amount"), "decimal", short=True),
    Field("amount.currency", _("Currency"), short=True),
    Field("billed_on_invoice", _("Billed on the invoice"), "yesno", YES_NO),
    Field("description", _("Description")),
)
MODES: Final[tuple[tuple[str, Message | str], ...]] = (
    (TransportMode.TRUCK.value, _("Truck")),
    (TransportMode.RAIL.value, _("Rail")),
    (TransportMode.AIR.value, _("Air")),
    (TransportMode.OCEAN.value, _("Ocean")),
)
TRANSPORT_FIELDS: Final[tuple[Field, ...]] = (
    Field("transport.mode", _("Mode of transport"), "select", MODES),
    Field(
        "transport.carrier_scac",
        _("Carrier's SCAC"),
        hint=_("Standard Carrier Alpha Code, 2 to 4 letters"),
        short=True,
    ),
    Field("transport.carrier_caat", _("Carrier's CAAT"), hint=_("4 characters"), short=True),
    Field("transport.pro_number", _("PRO number"), short=True),
    Field("transport.fast", _("Crosses in a FAST lane"), "yesno", YES_NO),
)
INCOTERMS: Final[tuple[tuple[str, Message | str], ...]] = (
    ("", _("Choose…")),
    *((term.value, term.value) for term in Incoterm),
)
CURRENCIES: Final[tuple[tuple[str, Message | str], ...]] = (
    ("USD", _("US dollar (USD)")),
    ("MXN", _("Mexican peso (MXN)")),
    ("CAD", _("Canadian dollar (CAD)")),
    ("EUR", _("Euro (EUR)")),
)
DIRECTIONS: Final[tuple[tuple[str, Message | str], ...]] = (
    ("US-MX", _("United States to Mexico (southbound)")),
    ("MX-US", _("Mexico to the United States (northbound)")),
)
USMCA_MODES: Final[tuple[tuple[str, Message | str], ...]] = (
    ("", _("As marked on each goods line")),
    ("all", _("Claim it for every line")),
    ("none", _("Claim it for no line")),
)
TERMS_FIELDS: Final[tuple[Field, ...]] = (
    Field("reference", _("Your reference for this shipment")),
    Field("terms.invoice_number", _("Invoice number"), short=True),
    Field("terms.invoice_date", _("Invoice date"), "date", short=True),
    Field("terms.currency", _("Invoice currency"), "select", CURRENCIES),
    Field("terms.incoterm", _("Incoterm"), "select", INCOTERMS),
    Field(
        "terms.incoterm_place",
        _("Incoterm's named place"),
        hint=_("e.g. Zapopan, Jalisco (the buyer's plant)"),
    ),
    Field("terms.payment_terms", _("Payment terms"), hint=_("e.g. Net 30 days, wire transfer")),
    Field("terms.payment_due_days", _("Days to pay"), "whole", short=True),
    Field("terms.purchase_order", _("Buyer's purchase order"), short=True),
    Field(
        "terms.related_parties",
        _("Are the seller and the buyer related?"),
        "yesno",
        YES_NO,
        hint=_("Related: one owns 10 % or more of the other"),
    ),
)
CERTIFIER_ROLES: Final[tuple[tuple[str, Message | str], ...]] = (
    ("", _("Not here: the certification is on file (give its reference above)")),
    ("exporter", _("The exporter certifies")),
    ("producer", _("The producer certifies")),
    ("importer", _("The importer certifies")),
)
CERTIFICATION_FIELDS: Final[tuple[Field, ...]] = (
    Field(
        "usmca_certification.certifier_role",
        _("Who certifies the origin (USMCA Art. 5.2)"),
        "select",
        CERTIFIER_ROLES,
        hint=_("cruce writes and signs the certification of origin when you choose who certifies"),
    ),
    Field(
        "_wizard.producer",
        _("Who produces the goods (the certification's producer)"),
        "select",
        (
            ("", _("Choose…")),
            ("seller", _("The seller makes them")),
            ("various", _("Various producers (stated as 'Various')")),
            ("upon_request", _("Available upon request by the importing authorities")),
        ),
    ),
    Field("usmca_certification.signatory.name", _("Signatory's name"), autocomplete="name"),
    Field("usmca_certification.signatory.title", _("Signatory's title")),
    Field("usmca_certification.signatory.phone", _("Signatory's telephone"), "tel", short=True),
    Field("usmca_certification.signatory.email", _("Signatory's e-mail"), "email"),
    Field("usmca_certification.signed_on", _("Signed on"), "date", short=True),
    Field(
        "usmca_certification.blanket_period.start",
        _("Blanket period: first day"),
        "date",
        hint=_("Only for repeated shipments of identical goods: at most 12 months"),
        short=True,
    ),
    Field(
        "usmca_certification.blanket_period.end", _("Blanket period: last day"), "date", short=True
    ),
)
_TIME_ZONES: Final = {
    "US-CA": "America/Los_Angeles",
    "US-AZ": "America/Phoenix",
    "US-NM": "America/Denver",
    "US-TX": "America/Chicago",
}
_MOUNTAIN_TX: Final = frozenset({"2402", "2404"})  # El Paso and Hudspeth counties


def time_zone(port: LandPort) -> str:
    """The IANA time zone of the US side of a land port."""
    if port.cbp_port_code in _MOUNTAIN_TX:
        return "America/Denver"
    return _TIME_ZONES.get(port.us_state, "America/Chicago")


@dataclass(frozen=True, slots=True)
class PortChoice:
    """One crossing in the picker: its key, the port and the crossing."""

    key: str
    port: LandPort
    crossing_name: str
    mx_city: str
    aduana: str
    seccion: str
    trucks: str

    def record(self) -> dict[str, str]:
        """The crossing as the record's ``transport.crossing``."""
        model = next(
            p for p in self.port.to_ports() if (p.aduana, p.seccion) == (self.aduana, self.seccion)
        )
        return model.model_dump(mode="json", exclude_none=True)


def _choice(port: LandPort, side: LandPort | Crossing, *, primary: bool) -> PortChoice:
    key = port.cbp_port_code if primary else f"{port.cbp_port_code}/{side.aduana}-{side.seccion}"
    return PortChoice(
        key,
        port,
        side.crossing_name,
        side.mx_city,
        side.aduana,
        side.seccion,
        side.commercial_trucks,
    )


def port_choices() -> list[tuple[str, list[PortChoice]]]:
    """The land ports' crossings grouped by US state, west to east."""
    groups: dict[str, list[PortChoice]] = {}
    for port in ports.land_ports():
        found = groups.setdefault(port.us_state, [])
        found.append(_choice(port, port, primary=True))
        found.extend(_choice(port, side, primary=False) for side in port.alternatives)
    return list(groups.items())


def port_choice(key: str) -> PortChoice | None:
    """The crossing of a picker key (``2304`` or ``2304/24-0``), or None."""
    code = key.partition("/")[0]
    for _state, choices in port_choices():
        for choice in choices:
            if choice.key == key and choice.port.cbp_port_code == code:
                return choice
    return None


def choice_of(crossing: object) -> str:
    """The picker key of a record's crossing (a port mapping), or ``""``."""
    if not isinstance(crossing, dict):
        return ""
    code = str(crossing.get("cbp_port_code", ""))
    wanted = (str(crossing.get("aduana", "")), str(crossing.get("seccion", "")))
    for _state, choices in port_choices():
        for choice in choices:
            if choice.port.cbp_port_code == code and (choice.aduana, choice.seccion) == wanted:
                return choice.key
    return ""
