"""Mexican contributions on imports: DTA, IVA, prevalidación and the pedimento's contribution codes.

Every figure is a dated row of ``data/mx_fees.yaml`` with its legal source (where it was
verified: ``data/MX_SOURCES.md``). A row may say that cruce does not know a figure for a
period (``determined: false``); such rows are returned as they are, so the caller can say
"not determined" instead of computing with a guess. A date that no row covers raises
:class:`~cruce.reference.facts.NotCoveredError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Final, Literal

import yaml

from cruce.model.money import Money
from cruce.reference.facts import (
    NotCoveredError,
    Period,
    Source,
    all_in_force,
    in_force,
    period_from,
    source_from,
)

if TYPE_CHECKING:
    from datetime import date

CURRENCY: Final = "MXN"
DtaKind = Literal["ad_valorem", "fixed", "fta_originating"]


@dataclass(frozen=True, slots=True)
class DtaRule:
    """One case of the derecho de trámite aduanero (LFD art. 49).

    ``rate`` is an ad valorem fraction (``0.008`` = 8 al millar) and ``fixed`` a fixed fee;
    a rule that is not ``determined`` has neither: cruce does not know it for the period.
    """

    kind: DtaKind
    lfd_fraccion: str
    rate: Decimal | None
    fixed: Money | None
    determined: bool
    description: str
    period: Period
    source: Source
    agreement: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class DtaRules:
    """The DTA rules in force on a date."""

    on: date
    definitive: DtaRule
    rules: tuple[DtaRule, ...]

    def fixed_fee(self, lfd_fraccion: str) -> DtaRule | None:
        """The fixed fee of a fracción of art. 49 (``"IV"``), or a not-determined row."""
        for rule in self.rules:
            if rule.kind == "fixed" and rule.lfd_fraccion == lfd_fraccion:
                return rule
        for rule in self.rules:
            if rule.kind == "fixed" and rule.lfd_fraccion == "*":
                return rule
        return None

    def originating(self, agreement: str) -> DtaRule | None:
        """The treatment of goods originating under ``agreement`` (``"T-MEC"``), if a row says."""
        for rule in self.rules:
            if rule.kind == "fta_originating" and rule.agreement == agreement:
                return rule
        return None


@dataclass(frozen=True, slots=True)
class IvaRate:
    """IVA on imports: the rate and how the base is built (LIVA arts. 1 and 27)."""

    rate: Decimal
    base: str
    border_stimulus_applies: bool
    period: Period
    source: Source
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Fee:
    """A fee per pedimento (before IVA); ``amount`` None when not determined for the period."""

    name: str
    amount: Money | None
    period: Period
    source: Source
    notes: str = ""


@dataclass(frozen=True, slots=True)
class _Tables:
    dta: tuple[DtaRule, ...]
    iva: tuple[IvaRate, ...]
    iva_export: tuple[IvaRate, ...]
    prevalidacion: tuple[Fee, ...]
    contribution_codes: dict[str, str]
    contribution_source: Source
    rate_types: dict[str, str]
    rate_type_source: Source


def _money(value: Any) -> Money | None:  # noqa: ANN401 - YAML scalar
    return None if value is None else Money.of(str(value), CURRENCY)


def _decimal(value: Any) -> Decimal | None:  # noqa: ANN401 - YAML scalar
    return None if value is None else Decimal(str(value))


def _dta(row: dict[str, Any]) -> DtaRule:
    determined = bool(row.get("determined", True))
    rate = _decimal(row.get("rate"))
    fixed = _money(row.get("amount"))
    if determined == (rate is None and fixed is None):
        raise ValueError(f"a determined DTA row needs a rate or an amount, others neither: {row!r}")
    return DtaRule(
        kind=row["kind"],
        lfd_fraccion=str(row.get("lfd_fraccion", "")),
        rate=rate,
        fixed=fixed,
        determined=determined,
        description=row["description"],
        period=period_from(row, "mx_fees.yaml"),
        source=source_from(row.get("source"), "mx_fees.yaml"),
        agreement=str(row.get("agreement", "")),
        notes=str(row.get("notes", "")),
    )


def _iva(row: dict[str, object]) -> IvaRate:
    return IvaRate(
        rate=Decimal(str(row["rate"])),
        base=str(row["base"]),
        border_stimulus_applies=bool(row["border_stimulus_applies"]),
        period=period_from(row, "mx_fees.yaml"),
        source=source_from(row.get("source"), "mx_fees.yaml"),
        notes=str(row.get("notes", "")),
    )


@cache
def _tables() -> _Tables:
    text = (files("cruce.reference") / "data" / "mx_fees.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    iva = tuple(_iva(row) for row in data["iva"])
    iva_export = tuple(_iva(row) for row in data["iva_export"])
    prevalidacion = tuple(
        Fee(
            name="prevalidacion",
            amount=_money(row.get("amount")) if row.get("determined", True) else None,
            period=period_from(row, "mx_fees.yaml"),
            source=source_from(row.get("source"), "mx_fees.yaml"),
            notes=str(row.get("notes", "")),
        )
        for row in data["prevalidacion"]
    )
    codes = data["contribution_codes"]
    types = data["rate_types"]
    return _Tables(
        dta=tuple(_dta(row) for row in data["dta"]),
        iva=iva,
        iva_export=iva_export,
        prevalidacion=prevalidacion,
        contribution_codes={str(k): str(v) for k, v in codes["codes"].items()},
        contribution_source=Source(codes["source"]),
        rate_types={str(k): str(v) for k, v in types["codes"].items()},
        rate_type_source=Source(types["source"]),
    )


def dta_rows() -> tuple[DtaRule, ...]:
    """Every DTA row shipped, in file order."""
    return _tables().dta


def iva_rows() -> tuple[IvaRate, ...]:
    """Every IVA row shipped."""
    return _tables().iva


def prevalidacion_rows() -> tuple[Fee, ...]:
    """Every prevalidación row shipped."""
    return _tables().prevalidacion


def dta(on: date) -> DtaRules:
    """The DTA rules in force on ``on``; NotCoveredError when the definitive-import rate is not."""
    rows = all_in_force(_tables().dta, on)
    definitive = [row for row in rows if row.kind == "ad_valorem" and row.lfd_fraccion == "I"]
    if not definitive:
        raise NotCoveredError("DTA (LFD art. 49 fr. I)", on)
    return DtaRules(on=on, definitive=definitive[0], rules=tuple(rows))


def iva_rate(on: date) -> IvaRate:
    """IVA on imports in force on ``on``."""
    return in_force(_tables().iva, on, "IVA (LIVA art. 1)")


def iva_export_rate(on: date) -> IvaRate:
    """IVA on the definitive export of goods in force on ``on`` (LIVA art. 29: 0 %)."""
    return in_force(_tables().iva_export, on, "IVA on exports (LIVA art. 29)")


def prevalidacion(on: date) -> Fee | None:
    """The prevalidación fee per pedimento on ``on``; None when its amount is not determined."""
    fee = in_force(_tables().prevalidacion, on, "prevalidación (LA art. 16-A)")
    return fee if fee.amount is not None else None


def prevalidacion_row(on: date) -> Fee:
    """The prevalidación row in force on ``on``, also when it says the amount is not determined."""
    return in_force(_tables().prevalidacion, on, "prevalidación (LA art. 16-A)")


def contribution_code(name: str) -> str:
    """The Anexo 22 Apéndice 12 code of a contribution: ``DTA`` 1, ``IVA`` 3, ``IGI`` 6."""
    codes = _tables().contribution_codes
    key = name.strip().upper().replace("/", "_")
    if key not in codes:
        raise LookupError(f"no Apéndice 12 code for {name!r}; known: {', '.join(sorted(codes))}")
    return codes[key]


def contribution_codes_source() -> Source:
    """Where the contribution codes come from."""
    return _tables().contribution_source


def rate_type_code(name: str) -> str:
    """The Anexo 22 Apéndice 18 code of a rate type: ``ad_valorem`` 1, ``fixed`` 4."""
    types = _tables().rate_types
    if name not in types:
        raise LookupError(f"no Apéndice 18 code for {name!r}; known: {', '.join(sorted(types))}")
    return types[name]


def rate_types_source() -> Source:
    """Where the rate-type codes come from."""
    return _tables().rate_type_source
