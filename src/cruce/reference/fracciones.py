"""Mexican tariff codes: SAT's c_FraccionArancelaria of the Comercio Exterior 2.0 complement.

Codes and Spanish descriptions only, no IGI rates (``data/README.md``). The catalog holds
8-digit fracciones, current and legacy (479 of them just "Derogada"), and 10-digit codes,
fracción + NICO. It carries no validity dates, so "current" is inferred: a fracción is
current when the catalog lists NICOs under it. Codes that the CCE 2.0 XSD accepts but the
described catalog lacks are known too, with an empty description.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Final

SOURCE: Final = (
    "SAT c_FraccionArancelaria, Complemento de Comercio Exterior 2.0, as bundled in satcfdi "
    "26.10.1 (catalog with descriptions + catComExt.xsd codes; no IGI rates)"
)
DEROGADA: Final = "Derogada"
_FRACCION = 8
_NICO = 2
_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass(frozen=True, slots=True)
class TariffItem:
    """A fracción (8 digits) or a fracción + NICO (10 digits).

    ``derogada``: the catalog's text for the code is "Derogada". ``current``: the code is
    a NICO, or a fracción with NICOs under it. The two can both be true for a fracción
    derogated in the old TIGIE and reused, with NICOs, in the current LIGIE.
    ``description`` is empty when the catalog has no text for the code.
    """

    code: str
    description: str
    derogada: bool
    current: bool


@dataclass(frozen=True, slots=True)
class _Catalog:
    fracciones: dict[str, str]
    nicos: dict[str, str]
    children: dict[str, tuple[str, ...]]


@cache
def _catalog() -> _Catalog:
    data = files("cruce.reference") / "data"
    raw = gzip.decompress((data / "cce20_c_FraccionArancelaria.csv.gz").read_bytes())
    fracciones: dict[str, str] = {}
    nicos: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(raw.decode("utf-8"))):
        target = fracciones if len(row["clave"]) == _FRACCION else nicos
        target[row["clave"]] = row["valor"]
    for code in (data / "cce20_fraccion_codes_xsd_only.txt").read_text("utf-8").split():
        nicos.setdefault(code, "")
    children: dict[str, list[str]] = {}
    for code in sorted(nicos):
        children.setdefault(code[:_FRACCION], []).append(code)
    return _Catalog(fracciones, nicos, {key: tuple(value) for key, value in children.items()})


def _digits(code: str, length: int) -> str | None:
    """``"7616.99.99"`` -> ``"76169999"``; None unless exactly ``length`` ASCII digits."""
    compact = _SEPARATORS.sub("", code)
    return compact if len(compact) == length and compact.isascii() and compact.isdigit() else None


def catalog_edition() -> str:
    """Which catalog this is, and where it came from."""
    return SOURCE


def fraccion(code8: str) -> TariffItem | None:
    """The 8-digit fracción (dots and spaces allowed), or None when the catalog lacks it.

    A current fracción that the catalog lists only through its NICOs is returned too; its
    description is that of its single NICO ``00`` when it has one, and empty otherwise.
    """
    key = _digits(code8, _FRACCION)
    if key is None:
        return None
    catalog = _catalog()
    children = catalog.children.get(key, ())
    description = catalog.fracciones.get(key)
    if description is not None:
        return TariffItem(
            key, description, derogada=description == DEROGADA, current=bool(children)
        )
    if not children:
        return None
    only = children[0] if children == (key + "00",) else None
    text = catalog.nicos[only] if only is not None else ""
    return TariffItem(key, text, derogada=False, current=True)


def nico(fraccion8: str, nico2: str) -> TariffItem | None:
    """The 10-digit entry of fracción ``fraccion8`` and NICO ``nico2``, or None."""
    key8 = _digits(fraccion8, _FRACCION)
    key2 = _digits(nico2, _NICO)
    if key8 is None or key2 is None:
        return None
    code = key8 + key2
    description = _catalog().nicos.get(code)
    if description is None:
        return None
    return TariffItem(code, description, derogada=False, current=True)


def nicos_of(fraccion8: str) -> list[TariffItem]:
    """Every NICO entry under a fracción, in code order (empty for legacy or unknown codes)."""
    key = _digits(fraccion8, _FRACCION)
    if key is None:
        return []
    catalog = _catalog()
    return [
        TariffItem(code, catalog.nicos[code], derogada=False, current=True)
        for code in catalog.children.get(key, ())
    ]
