"""Rates of duty as the US tariff schedule writes them, read into a typed expression.

The general and column 2 rates of the HTSUS are text: ``Free``, ``2.5%``, ``1.3¢/kg``,
``$1.02/doz.``, ``2.2¢/kg + 5%``. :func:`parse_rate` reads the forms that are a duty on the
customs value, on a quantity, or the sum of both, and refuses every other text with a
:class:`RateParseError` that says why: a rate that refers to another provision ("The duty
provided in the applicable subheading + 25%"), a percentage of part of the article's value
("+ 6% on the case"), a sliding scale ("less 0.020668¢/kg for each degree under 100
degrees") or a condition ("1.5¢/jewel over 7"). Nothing is guessed.

Units of a specific rate as :class:`SpecificPart` names them (``unit``), from what the
official texts write after the ``/``:

- ``kg`` (also ``clean kg``), ``g``, ``t`` (metric ton): weights;
- ``liter``, ``pf. liter`` (proof liter), ``bbl``: volumes;
- ``m`` (also ``lin. m``), ``m2``, ``m3``: lengths, areas, volumes;
- ``doz`` (``doz.``), ``gross``, ``pair`` (``pr.``): counts in dozens, gross and pairs;
- ``No.`` for ``each``, ``article`` and ``head``; and for ``1,000``, ``1000`` and
  ``thousand`` with ``per`` 1000 ("$1.15/1,000" is 1.15 dollars per 1000 articles);
- ``jewel``, ``pack``, ``line/gross``: as written (rare; never derived from a goods line).

A specific part measured on something other than the goods' own quantity keeps that in
``qualifier`` ("3.9¢/kg on drained weight" -> ``kg`` qualified by ``drained weight``;
"0.9¢/kg on lead content", "1.5¢/kg of total sugars", "clean kg", "including weight of
container"). Such a part is understood but needs its own quantity: :func:`apply_rate` looks
it up under :attr:`SpecificPart.measure` (``"kg (drained weight)"``) and raises
:class:`MissingQuantityError` when the caller did not give it, instead of charging the
net weight.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Literal

from cruce.i18n import Message, _

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cruce.model.goods import GoodsLine

RateKind = Literal["free", "ad_valorem", "specific", "compound"]
_MAX_TEXT: Final = 2000
_MARKS = re.compile(r"[&<\n\t\r\u00a0]|- |  ")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_WORD_BREAK = re.compile(r"(?<=[a-z])- (?=[a-z])")  # "thou- sand", "appli- cable"
_FOOTNOTE = re.compile(r"(?:\s+\d{1,2}/)+$")  # "Free 1/" in the printed schedule
_NUMBER = r"\d+(?:\.\d+)?"
_AD_VALOREM = re.compile(rf"({_NUMBER})\s*%")
_FRACTION_PERCENT = re.compile(r"\d+\s+\d+\s*/\s*\d+\s*%")
_SPECIFIC = re.compile(
    rf"(?:\$\s*(?P<dollars>{_NUMBER})|(?P<cents>{_NUMBER})\s*¢)\s*"
    r"(?:(?P<each>each)\b|/\s*(?P<unit>.+))(?P<rest>.*)",
    re.IGNORECASE,
)
_REFERS = re.compile(
    r"^(the |a duty|see |no change)|duty provided|rate applicable|applicable to", re.IGNORECASE
)
_SLIDING = re.compile(r"\b(less|degree|not less|but not|exceed)\b", re.IGNORECASE)
_END = r"(?![a-z0-9²³])"
# (pattern at the start of the text after "/", canonical unit, per, qualifier)
_UNITS: Final[tuple[tuple[re.Pattern[str], str, int, str], ...]] = tuple(
    (re.compile(pattern + _END), unit, per, qualifier)
    for pattern, unit, per, qualifier in (
        (r"clean\s*kg", "kg", 1, "clean"),
        (r"kg", "kg", 1, ""),
        (r"gross", "gross", 1, ""),
        (r"g", "g", 1, ""),
        (r"thou-?\s*sand", "No.", 1000, ""),
        (r"1,?000", "No.", 1000, ""),
        (r"t", "t", 1, ""),
        (r"pf\.?\s*liter", "pf. liter", 1, ""),
        (r"liter", "liter", 1, ""),
        (r"lin\.?\s*m", "m", 1, ""),
        (r"m(?:2|²)", "m2", 1, ""),
        (r"m(?:3|³)", "m3", 1, ""),
        (r"m", "m", 1, ""),
        (r"doz\s*\.?", "doz", 1, ""),
        (r"pr\s*\.?", "pair", 1, ""),
        (r"line\s*/\s*gross", "line/gross", 1, ""),
        (r"bbl", "bbl", 1, ""),
        (r"jewel", "jewel", 1, ""),
        (r"pack", "pack", 1, ""),
        (r"article", "No.", 1, ""),
        (r"head", "No.", 1, ""),
    )
)
# What may follow the unit: the measure the specific part is charged on.
_QUALIFIERS: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), qualifier)
    for pattern, qualifier in (
        (r"", ""),
        (r"pins", ""),
        (r"on drained weight", "drained weight"),
        (r"of total sugars", "total sugars"),
        (r"(?:on|of) ([a-z ]+) content", r"\1 content"),
        (r"on (?:entire )?contents? (?:and|of) container", "contents and container"),
        (r", including weight of container", "contents and container"),
        (r"of recording surface", "recording surface"),
        (r"of immediate containers", "immediate containers"),
    )
)


class RateParseError(ValueError):
    """A rate text that is not a duty cruce can compute; ``reason`` says why."""

    def __init__(self, text: str, reason: Message) -> None:
        super().__init__(f"{text[:120]!r}: {reason}")
        self.text = text
        self.reason = reason


class MissingQuantityError(LookupError):
    """A specific rate needs a quantity (in ``unit``) that was not given."""

    def __init__(self, unit: str, rate: str = "") -> None:
        self.message = _(
            "the rate '{rate}' is charged per {unit}: give that quantity", rate=rate, unit=unit
        )
        super().__init__(str(self.message))
        self.unit = unit
        self.rate = rate


@dataclass(frozen=True, slots=True)
class SpecificPart:
    """``amount`` US dollars per ``per`` ``unit`` ("1.3¢/kg": 0.013 per 1 kg)."""

    amount: Decimal
    per: Decimal
    unit: str
    text: str
    qualifier: str = ""

    @property
    def measure(self) -> str:
        """The key of the quantity this part is charged on: ``kg`` or ``kg (drained weight)``."""
        return f"{self.unit} ({self.qualifier})" if self.qualifier else self.unit


@dataclass(frozen=True, slots=True)
class Rate:
    """A rate of duty: free, a fraction of the customs value, amounts per unit, or a sum."""

    text: str
    free: bool
    ad_valorem: Decimal | None
    specific: tuple[SpecificPart, ...] = ()

    @property
    def kind(self) -> RateKind:
        """``free``, ``ad_valorem``, ``specific`` or ``compound`` (both of the last two)."""
        if self.free:
            return "free"
        if self.specific and self.ad_valorem is not None:
            return "compound"
        return "specific" if self.specific else "ad_valorem"


def clean_text(text: str, *, footnotes: bool = True) -> str:
    """Text as printed: entities decoded, tags dropped, spaces single, words rejoined.

    With ``footnotes`` (for rate texts), trailing footnote markers ("Free 1/") go too.
    """
    if _MARKS.search(text) is None and not (footnotes and text.endswith("/")):
        return text.strip()  # the common case, fast
    cleaned = _TAG.sub(" ", html.unescape(text)).replace("\u00a0", " ")
    cleaned = _WORD_BREAK.sub("", " ".join(cleaned.split()))
    return _FOOTNOTE.sub("", cleaned).strip() if footnotes else cleaned


def _unknown(text: str, term: str) -> RateParseError:
    return RateParseError(text, _("'{term}' is not a rate of duty cruce can read", term=term))


def _specific(text: str, term: str) -> SpecificPart:
    match = _SPECIFIC.fullmatch(term)
    if match is None:
        raise _unknown(text, term)
    if match["dollars"] is not None:
        amount = Decimal(match["dollars"])
    else:
        amount = Decimal(match["cents"]).scaleb(-2)
    if match["each"] is not None:
        rest = match["rest"].strip()
        if rest:
            raise _unknown(text, term)
        return SpecificPart(amount, Decimal(1), "No.", term)
    written = match["unit"].strip().lower()
    written = re.sub(r"(?<=\d)(?=[a-z])", " ", written)  # "m2of recording surface"
    for pattern, unit, per, base in _UNITS:
        found = pattern.match(written)
        if found is None:
            continue
        rest = " ".join(written[found.end() :].split())
        for qualifier_pattern, template in _QUALIFIERS:
            qualified = qualifier_pattern.fullmatch(rest)
            if qualified is not None:
                qualifier = qualified.expand(template) if template else ""
                joined = " ".join(part for part in (base, qualifier) if part)
                return SpecificPart(amount, Decimal(per), unit, term, joined)
        if _SLIDING.search(rest) or rest.startswith("over"):
            raise RateParseError(
                text, _("the rate depends on a scale or a condition: '{term}'", term=term)
            )
        raise _unknown(text, term)
    raise RateParseError(
        text, _("'{unit}' is not a unit cruce knows for a specific rate", unit=written)
    )


def _ad_valorem(text: str, term: str) -> Decimal | None:
    match = _AD_VALOREM.fullmatch(term)
    if match is not None:
        return Decimal(match[1]).scaleb(-2)
    if _FRACTION_PERCENT.fullmatch(term):
        raise RateParseError(
            text, _("the percentage '{term}' cannot be held exactly as a decimal", term=term)
        )
    if _AD_VALOREM.match(term) or re.match(rf"{_NUMBER}\s*percent\b", term, re.IGNORECASE):
        raise RateParseError(
            text,
            _("'{term}' is charged on part of the value, not on the customs value", term=term),
        )
    return None


def parse_rate(text: str) -> Rate:
    """Read a rate text of the HTSUS general or column 2 column; RateParseError when unsure.

    ``Free``; ``N%`` (a fraction of the customs value); specific parts (``N¢/unit``,
    ``$N/unit``, ``N¢ each``); or a sum of one ad valorem part and specific parts joined by
    ``+`` in any order. Spacing does not matter; HTML entities and tags, footnote markers
    ("1/") and words broken across lines ("thou- sand") are cleaned first. Amounts stay
    exact: "1.3¢" is ``Decimal("0.013")`` dollars, "2.5%" is ``Decimal("0.025")``.
    """
    if not isinstance(text, str) or len(text) > _MAX_TEXT:
        raise RateParseError(str(text)[:_MAX_TEXT], _("the rate text is missing or too long"))
    cleaned = clean_text(text)
    if not cleaned:
        raise RateParseError(text, _("the rate text is empty"))
    if cleaned.lower() == "free":
        return Rate(text=cleaned, free=True, ad_valorem=None)
    if _REFERS.search(cleaned):
        raise RateParseError(
            text, _("the rate refers to another provision: '{rate}'", rate=cleaned[:120])
        )
    ad_valorem: Decimal | None = None
    parts: list[SpecificPart] = []
    for raw in cleaned.split("+"):
        term = raw.strip()
        if not term:
            raise _unknown(text, cleaned)
        value = _ad_valorem(text, term)
        if value is None:
            parts.append(_specific(text, term))
        elif ad_valorem is not None:
            raise RateParseError(text, _("the rate has more than one ad valorem part"))
        else:
            ad_valorem = value
    return Rate(text=cleaned, free=False, ad_valorem=ad_valorem, specific=tuple(parts))


def apply_rate(rate: Rate, value: Decimal, quantities: Mapping[str, Decimal]) -> Decimal:
    """The duty in US dollars on goods of customs ``value`` (USD) and ``quantities``.

    ``quantities`` maps :attr:`SpecificPart.measure` keys (``kg``, ``No.``, ``doz``,
    ``kg (drained weight)`` ...) to amounts; :func:`hts_quantities` gives those a goods line
    allows. The result is exact (not rounded): the caller rounds as the authority does.
    Raises MissingQuantityError when a specific part's quantity is not given and ValueError
    for a negative value or quantity.
    """
    if value < 0:
        raise ValueError(str(_("the customs value cannot be negative: {value}", value=value)))
    if rate.free:
        return Decimal(0)
    duty = Decimal(0) if rate.ad_valorem is None else value * rate.ad_valorem
    for part in rate.specific:
        quantity = quantities.get(part.measure)
        if quantity is None:
            raise MissingQuantityError(part.measure, rate.text)
        if quantity < 0:
            raise ValueError(str(_("the quantity cannot be negative: {value}", value=quantity)))
        charged = part.amount * quantity
        duty += charged if part.per == 1 else charged / part.per
    return duty


# Rec 20 codes that count single articles, and the multiples that count articles too.
_PIECES: Final[dict[str, int]] = {
    "H87": 1, "C62": 1, "EA": 1, "NAR": 1, "HEA": 1,
    "DZN": 12, "DPC": 12, "GRO": 144, "MIL": 1000,
}  # fmt: skip
_PAIRS: Final[dict[str, int]] = {"PR": 1, "NPR": 1, "DPR": 12}
_KILOGRAMS: Final[dict[str, int]] = {"KGM": 0, "GRM": -3, "TNE": 3}  # power of ten to kg
_MEASURES: Final[dict[str, tuple[str, int]]] = {
    "LTR": ("liter", 0),
    "MLT": ("liter", -3),
    "MTK": ("m2", 0),
    "MTQ": ("m3", 0),
    "MTR": ("m", 0),
    "BLL": ("bbl", 0),
}


def hts_quantities(line: GoodsLine) -> dict[str, Decimal]:
    """The quantities of ``line`` a specific rate can be charged on, keyed by HTS unit.

    Weight: a duty per kilogram is charged on the net weight of the goods, without their
    packing, unless the rate text says otherwise ("including weight of container", "on
    drained weight"): duties are based on the quantity at the time of importation (19 CFR
    159.21) and weight-based duties on net weight after the tare is deducted (19 CFR
    159.22, "Net weights and tares"). So ``kg`` is ``net_weight_kg`` (never the gross
    weight); without it, a quantity given in KGM, GRM or TNE. ``g`` and ``t`` follow from
    ``kg``.

    Counts: ``No.`` and ``pcs`` from a quantity in piece units (H87, C62, EA, NAR, HEA) or
    their multiples (DZN, DPC x 12, GRO x 144, MIL x 1000); ``doz`` and ``gross`` from the
    pieces (a quantity in DZN is taken as given). ``pair`` from PR, NPR (DPR x 12).
    Measures: ``liter`` (LTR, MLT), ``m2`` (MTK), ``m3`` (MTQ), ``m`` (MTR), ``bbl`` (BLL).
    A qualified measure (drained weight, metal content, proof liters) is never derived.
    """
    quantities: dict[str, Decimal] = {}
    unit, quantity = line.unit, line.quantity
    kilograms = line.net_weight_kg
    if kilograms is None and unit in _KILOGRAMS:
        kilograms = quantity.scaleb(_KILOGRAMS[unit])
    if kilograms is not None:
        quantities["kg"] = kilograms
        quantities["g"] = kilograms.scaleb(3)
        quantities["t"] = kilograms.scaleb(-3)
    if unit in _PIECES:
        pieces = quantity * _PIECES[unit]
        quantities["No."] = quantities["pcs"] = pieces
        quantities["doz"] = quantity if unit == "DZN" else pieces / 12
        quantities["gross"] = quantity if unit == "GRO" else pieces / 144
    if unit in _PAIRS:
        quantities["pair"] = quantity * _PAIRS[unit]
    if unit in _MEASURES:
        name, power = _MEASURES[unit]
        quantities[name] = quantity.scaleb(power)
    return quantities
