"""Units of measure: UN/CEFACT Recommendation 20 codes, SAT's c_ClaveUnidad and c_UnidadAduana.

One table (``data/units_rec20_sat.csv``, see ``data/README.md``) holds every code that is
a Rec 20 unit (active, deprecated, or deleted but still listed by SAT), a Rec 21 package
code in its X-prefixed Rec 20 form (``XBX`` box), or a SAT c_ClaveUnidad code. A
hand-written map (``data/rec20_to_unidad_aduana.csv``, one reason per row) gives the
Comercio Exterior 2.0 c_UnidadAduana of the codes that measure the same quantity, so an
amount carries over unchanged. The same claves 1-22 are the pedimento's unidades de medida
(Anexo 22 Apéndice 7, fields UMC and UMT).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Final, Literal

SOURCE: Final = (
    "UN/CEFACT Recommendation 20 Rev 17e (2021) with Rec 21 X-codes (Peppol list), joined "
    "with SAT c_ClaveUnidad (satcfdi 26.10.1) and a hand-written map to c_UnidadAduana (CCE 2.0)"
)

# SAT c_UnidadAduana, Complemento de Comercio Exterior 2.0 (catComExt.xsd; names as in
# satcfdi 26.10.1's catalog). The catalog also lists 1-9 unpadded; the padded form is used.
UNIDAD_ADUANA_NAMES: Final[dict[str, str]] = {
    "01": "KILO",
    "02": "GRAMO",
    "03": "METRO LINEAL",
    "04": "METRO CUADRADO",
    "05": "METRO CUBICO",
    "06": "PIEZA",
    "07": "CABEZA",
    "08": "LITRO",
    "09": "PAR",
    "10": "KILOWATT",
    "11": "MILLAR",
    "12": "JUEGO",
    "13": "KILOWATT/HORA",
    "14": "TONELADA",
    "15": "BARRIL",
    "16": "GRAMO NETO",
    "17": "DECENAS",
    "18": "CIENTOS",
    "19": "DOCENAS",
    "20": "CAJA",
    "21": "BOTELLA",
    "22": "CARAT",
    "99": "SERVICIO",
}
_SERVICIO = "99"  # CCE only; the pedimento's Apéndice 7 stops at 22

Catalog = Literal["rec20", "rec21", "sat"]
Status = Literal["", "D", "X"]


@dataclass(frozen=True, slots=True)
class Unit:
    """One unit code.

    ``catalog`` says where the code comes from: ``rec20`` (Rec 20 Rev 17e), ``rec21``
    (a Rec 21 package code with Rec 20's X prefix) or ``sat`` (only in c_ClaveUnidad, such
    as the mixed-case ``Ohm``). ``status`` is Rec 20's: ``""`` active, ``"D"`` deprecated,
    ``"X"`` deleted (kept only because SAT still lists the code). ``name`` is the English
    Rec 20/21 name (empty for SAT codes without one); ``sat_name`` the Spanish SAT name.
    """

    code: str
    name: str
    status: Status
    catalog: Catalog
    in_sat_clave_unidad: bool
    sat_name: str | None
    unidad_aduana: str | None

    @property
    def pedimento_umc(self) -> str | None:
        """The pedimento's unit clave (Anexo 22 Apéndice 7: ``"1"``-``"22"``), or None."""
        if self.unidad_aduana is None or self.unidad_aduana == _SERVICIO:
            return None
        return str(int(self.unidad_aduana))


def _read(name: str) -> list[dict[str, str]]:
    text = (files("cruce.reference") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _status(value: str) -> Status:
    if value == "":
        return ""
    if value == "D":
        return "D"
    if value == "X":
        return "X"
    raise ValueError(f"status: {value!r}")


def _catalog(value: str) -> Catalog:
    if value == "rec20":
        return "rec20"
    if value == "rec21":
        return "rec21"
    if value == "sat":
        return "sat"
    raise ValueError(f"catalog: {value!r}")


@cache
def _table() -> dict[str, Unit]:
    """Code -> Unit, read from the package data on first use."""
    aduana = {row["code"]: row["unidad_aduana"] for row in _read("rec20_to_unidad_aduana.csv")}
    return {
        row["code"]: Unit(
            code=row["code"],
            name=row["name"],
            status=_status(row["status"]),
            catalog=_catalog(row["catalog"]),
            in_sat_clave_unidad=row["in_sat"] == "yes",
            sat_name=row["sat_name"] or None,
            unidad_aduana=aduana.get(row["code"]),
        )
        for row in _read("units_rec20_sat.csv")
    }


def unit(code: str) -> Unit | None:
    """The unit with this code, or None.

    Codes are case-sensitive (SAT lists ``Ohm`` beside Rec 20's ``OHM``): the exact code is
    tried first, then its upper-case form, so ``"kgm"`` finds ``KGM``.
    """
    table = _table()
    key = code.strip()
    found = table.get(key)
    return found if found is not None else table.get(key.upper())


def is_known(code: str) -> bool:
    """True when :func:`unit` knows ``code``."""
    return unit(code) is not None


def unidad_aduana(code: str) -> str | None:
    """The c_UnidadAduana clave (``"01"`` KILO ...) for a unit code, or None when unmapped."""
    found = unit(code)
    return None if found is None else found.unidad_aduana
