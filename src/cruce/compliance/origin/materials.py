"""How each material of a bill of materials counts in the origin decision of a good.

A material is counted once, before any rule is tried: whether it is originating, what it
adds to the value of non-originating materials (VNM), and whether the tariff shift is
tested on it. The kind of material decides (USMCA Art. 4.9, 4.14-4.16); a self-produced
intermediate material is decided first on its own bill of materials (Art. 4.8); under
accumulation (Art. 4.11) a material made in the territory adds only its foreign content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple, Protocol

from cruce.compliance.origin.result import MaterialVerdict
from cruce.compliance.origin.wording import level_name, material_name
from cruce.i18n import Country, Message, _
from cruce.model.codes import USMCA_COUNTRIES
from cruce.model.goods import MaterialKind, Originating
from cruce.model.money import Money

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from cruce.compliance.origin.result import OriginResult, RvcResult
    from cruce.model.goods import Material
    from cruce.reference.usmca_rules import Alternative, RuleTable


_NOTHING = Decimal(0)


def in_usmca(country: str | None) -> bool:
    """Whether ``country`` is the United States, Mexico or Canada."""
    return country is not None and country.upper() in USMCA_COUNTRIES


_ORIGINATING = _("originating")
_UNKNOWN = _("origin unknown: counted as non-originating")
_NON_ORIGINATING = _("non-originating")
_SHIPPING_PACKING = _("packing for shipment: disregarded (USMCA Art. 4.16)")
_INDIRECT = _("indirect material: originating wherever produced (USMCA Art. 4.9)")
_RETAIL_PACKING = _(
    "retail packaging classified with the good: not subject to the tariff shift, "
    "counted in the regional value content (USMCA Art. 4.15)"
)
_ACCESSORY = _(
    "accessory, spare part or tool delivered with the good: not subject to the "
    "tariff shift, counted in the regional value content (USMCA Art. 4.14)"
)
_SHIFTS = {
    level: _("non-originating; makes the change of {level}", level=level_name(level))
    for level in ("chapter", "heading", "subheading")
}


@dataclass(frozen=True, slots=True)
class Good:
    """The good being decided: its code, the bases of the value computations, the rules."""

    code: str
    tv: Money
    on: date
    table: RuleTable
    nc: Money | None = None
    total_cost: Money | None = None
    parts_with_good: bool = False
    unassembled: bool = False
    zero: Money = field(init=False, repr=False, compare=False)
    """Nothing, in the good's currency."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "zero", Money.trusted(_NOTHING, self.tv.currency))

    @property
    def hs6(self) -> str:
        """The good's subheading."""
        return self.code[:6]


class Counted(NamedTuple):
    """One material as the decision counts it (a named tuple: built once per material)."""

    material: Material
    originating: bool
    vnm: Money
    tested: bool
    reason: Message | None = None
    intermediate: OriginResult | None = None
    disregarded: bool = False


@dataclass(frozen=True, slots=True)
class Attempt:
    """One alternative of the rule tried: the materials failing its shift, its RVC."""

    alternative: Alternative
    failing: tuple[int, ...]
    rvc: tuple[RvcResult, ...]
    rvc_ok: bool
    good_code: str


class Decide(Protocol):
    """The decision itself, for an intermediate material's own bill of materials."""

    def __call__(self, good: Good, materials: Sequence[Material]) -> OriginResult:
        """Decide ``good`` made of ``materials``."""
        ...


def _intermediate(material: Material, good: Good, decide: Decide) -> Counted:
    """A self-produced intermediate material (USMCA Art. 4.8): decide its own origin first."""
    zero = material.value * 0
    if material.hs_code is None or not in_usmca(material.origin_country):
        reason = _(
            "{material}: an intermediate material needs its HS code and the USMCA country "
            "where it is produced; counted as non-originating",
            material=material_name(material),
        )
        return Counted(material, originating=False, vnm=material.value, tested=True, reason=reason)
    own = Good(material.hs_code, material.value, good.on, good.table)
    decided = decide(own, material.materials)
    if decided.qualifies:
        criterion = decided.criterion.value if decided.criterion else ""
        reason = _(
            "intermediate material, originating under criterion {criterion} (USMCA Art. 4.8)",
            criterion=criterion,
        )
        return Counted(material, True, zero, tested=False, reason=reason, intermediate=decided)  # noqa: FBT003
    # Work done in the territory and originating inputs count as originating content:
    # only the intermediate's own non-originating materials count as non-originating.
    inputs_vnm = sum((count(m, own, decide).vnm for m in material.materials), zero)
    reason = _(
        "intermediate material, not originating; only its non-originating materials "
        "({vnm}) count as non-originating (USMCA Art. 4.11; HTSUS General Note 11(c)(iv))",
        vnm=inputs_vnm,
    )
    return Counted(material, False, inputs_vnm, tested=True, reason=reason, intermediate=decided)  # noqa: FBT003


def _accumulated(material: Material) -> Counted:
    """A non-originating material; under accumulation only its foreign content counts."""
    declared = material.non_originating_value
    if declared is None or not in_usmca(material.origin_country):
        return Counted(material, originating=False, vnm=material.value, tested=True)
    reason = _(
        "non-originating, produced in {country}: only its non-originating materials "
        "({vnm}) count in the regional value content (accumulation, USMCA Art. 4.11; HTSUS "
        "General Note 11(c)(iv))",
        country=Country(material.origin_country or ""),
        vnm=declared,
    )
    return Counted(material, originating=False, vnm=declared, tested=True, reason=reason)


def count(material: Material, good: Good, decide: Decide) -> Counted:
    """How ``material`` counts in the decision on ``good`` (same currency as the good)."""
    kind = material.kind
    zero = good.zero
    if kind is MaterialKind.SHIPPING_PACKING:
        reason = _SHIPPING_PACKING
        return Counted(
            material, originating=True, vnm=zero, tested=False, reason=reason, disregarded=True
        )
    if kind is MaterialKind.INDIRECT:
        return Counted(material, originating=True, vnm=zero, tested=False, reason=_INDIRECT)
    if material.materials:
        counted = _intermediate(material, good, decide)
    elif material.originating is Originating.YES:
        cert = material.supplier_certification
        reason = (
            _("originating per supplier certification {cert}", cert=cert) if cert else _ORIGINATING
        )
        counted = Counted(material, originating=True, vnm=zero, tested=False, reason=reason)
    else:
        counted = _accumulated(material)
    if kind is MaterialKind.COMPONENT:
        return counted
    reason = _RETAIL_PACKING if kind is MaterialKind.RETAIL_PACKING else _ACCESSORY
    return counted._replace(tested=False, reason=reason)


def finer_exceptions(material: Material, attempt: Attempt) -> list[str]:
    """The codes the alternative excludes that lie under the material's shorter code.

    A material of ``8538.90`` against "except from 8538.90.10": its code does not say
    whether the exception applies, so the shift cannot be shown either way.
    """
    shift = attempt.alternative.shift
    code = material.hs_code
    if shift is None or code is None:
        return []
    return [
        excepted
        for excepted in shift.except_from
        if (digits := excepted.split("-")[0].replace(".", "")).startswith(code)
        and len(digits) > len(code)
    ]


def culprit(material: Material, attempt: Attempt) -> Message:
    """Why ``material`` fails the shift of ``attempt``'s alternative."""
    name = material_name(material)
    if material.hs_code is None:
        return _(
            "{material} has no HS code: the change of classification cannot be shown",
            material=name,
        )
    shift = attempt.alternative.shift
    level = "heading" if shift is None else shift.level
    digits = {"chapter": 2, "heading": 4, "subheading": 6}[level]
    if material.hs_code[:digits] == attempt.good_code[:digits]:
        return _("{material} does not change {level}", material=name, level=level_name(level))
    finer = finer_exceptions(material, attempt)
    if finer:
        return _(
            "{material}: its code does not show whether it is of {excepted}, which the rule "
            "excludes; give its full HTS number",
            material=name,
            excepted=", ".join(finer),
        )
    return _("{material} is of a code the rule excludes", material=name)


def verdicts(counted: Sequence[Counted], attempt: Attempt | None) -> tuple[MaterialVerdict, ...]:
    """Each material's verdict, under ``attempt``'s alternative when one was tried."""
    shift = None if attempt is None else attempt.alternative.shift
    found = []
    for i, item in enumerate(counted):
        material = item.material
        shifted: bool | None = None
        reason = item.reason
        if attempt is not None and shift is not None and item.tested and not item.originating:
            shifted = i not in attempt.failing
            reason = _SHIFTS[shift.level] if shifted else culprit(material, attempt)
        if reason is None:
            reason = _UNKNOWN if material.originating is Originating.UNKNOWN else _NON_ORIGINATING
        found.append(
            MaterialVerdict(
                position=i,
                description=material.description,
                kind=material.kind,
                value=material.value,
                vnm=item.vnm,
                originating=item.originating,
                shifts=shifted,
                reason=reason,
                intermediate=item.intermediate,
            )
        )
    return tuple(found)
