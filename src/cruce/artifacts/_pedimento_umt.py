"""The tariff unit (UMT) of a partida and the line's quantity in it.

The rule is in :mod:`cruce.artifacts.pedimento`: the UMT comes from the LIGIE row of the
fracción (:mod:`cruce.reference.mx_tariff`); its quantity is the line's quantity when the
UMT is the line's UMC, the net weight when the UMT is the kilo, otherwise left to the
agente aduanal with a warning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from cruce.artifacts._pedimento_model import KEY
from cruce.i18n import _
from cruce.model.problems import warning
from cruce.reference import anexo22, mx_tariff, units

if TYPE_CHECKING:
    from datetime import date
    from decimal import Decimal

    from cruce.model import GoodsLine, Problem

KILOGRAM: Final = "KGM"  # UN/CEFACT Rec 20: the unit of a line's net_weight_kg


def tariff_unit_of(
    line: GoodsLine, on: date | None, ligie: mx_tariff.LigieTable | None
) -> str | None:
    """The UMT of the line's fracción in force on ``on``, as an Apéndice 7 clave.

    None when no loaded row gives one, or gives one the shipped Apéndice 7 does not list
    (an import refuses it; a table built in code may not have been checked).
    """
    if on is None or not line.fraccion:
        return None
    try:
        found = mx_tariff.tariff_unit(line.fraccion, line.nico, on, table=ligie)
    except ValueError:  # not an 8-digit fracción: the record's problems say so
        return None
    return None if found is None else mx_tariff.unit_clave(found)


def _kilo() -> str | None:
    """The Apéndice 7 clave of the kilogram, the unit of the net weight."""
    found = units.unit(KILOGRAM)
    return None if found is None else found.pedimento_umc


def umt_quantity(line: GoodsLine, umt: str, umc: str | None) -> Decimal | None:
    """The line's quantity in its UMT: the quantity in the same unit, or the net weight in kg.

    None when the line says neither (the agente aduanal states it).
    """
    if umt == umc:
        return line.quantity
    if umt == _kilo() and line.net_weight_kg is not None:
        return line.net_weight_kg
    return None


def umt_warning(index: int, line: GoodsLine, umt: str) -> Problem:
    kilo = umt == _kilo()
    return warning(
        f"{KEY}.umt_quantity.unknown",
        f"goods[{index}].{'net_weight_kg' if kilo else 'quantity'}",
        _(
            "Line {line}: the tariff unit (UMT) of fracción {fraccion} is {umt} ({name}); "
            "cruce cannot derive the quantity in it from the line, so the agente aduanal "
            "must state it",
            line=index + 1,
            fraccion=line.fraccion or "",
            umt=umt,
            name=anexo22.umc_name(umt),
        ),
    )
