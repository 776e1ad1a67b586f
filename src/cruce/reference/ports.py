"""US–Mexico land ports of entry: the CBP port, its crossings and the Mexican aduana/sección.

The table ships with cruce (``data/us_mx_land_ports.csv`` and ``data/us_mx_port_crossings.csv``,
see ``data/README.md``). Each port has one primary crossing, the one trucks use where there
is one; a port with several bridges keeps the others in :attr:`LandPort.alternatives`, each
with its own aduana and sección. Mappings that still need an agente aduanal's confirmation
carry ``uncertain=True`` and say why in ``notes``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Final, Literal

from cruce.model import Port

SOURCE: Final = (
    "US–MX land ports compiled for cruce (shared/data/us_mx_ports/us_mx_land_ports.csv, "
    "2026-11-27): CBP Schedule D codes, Anexo 22 Apéndice 1 aduanas, UN/LOCODE 2018-1"
)

Trucks = Literal["yes", "limited", "no"]
_PORT_CODE = re.compile(r"[0-9]{4}")


@dataclass(frozen=True, slots=True)
class Crossing:
    """Another crossing of a port, with the Mexican aduana and sección it lands in."""

    crossing_name: str
    commercial_trucks: Trucks
    aduana: str
    seccion: str
    aduana_name: str
    mx_city: str
    mx_state: str
    us_unlocode: str | None
    mx_unlocode: str | None
    uncertain: bool
    notes: str


@dataclass(frozen=True, slots=True)
class LandPort:
    """A CBP land port on the Mexican border and the crossing trucks use there.

    ``us_state`` and ``mx_state`` are ISO 3166-2 codes (``US-AZ``, ``MX-SON``);
    ``aduana_name`` is the Anexo 22 Apéndice 1 denominación of the aduana-sección pair.
    """

    cbp_port_code: str
    cbp_port_name: str
    us_state: str
    crossing_name: str
    commercial_trucks: Trucks
    aduana: str
    seccion: str
    aduana_name: str
    mx_city: str
    mx_state: str
    us_unlocode: str | None
    mx_unlocode: str | None
    uncertain: bool
    notes: str
    alternatives: tuple[Crossing, ...] = ()

    def to_port(self) -> Port:
        """The primary crossing as the shipment model's :class:`~cruce.model.Port`."""
        return Port(
            cbp_port_code=self.cbp_port_code,
            cbp_port_name=self.cbp_port_name,
            aduana=self.aduana,
            seccion=self.seccion,
            aduana_name=self.aduana_name,
            us_unlocode=self.us_unlocode,
            mx_unlocode=self.mx_unlocode,
        )

    def to_ports(self) -> tuple[Port, ...]:
        """Every crossing of the port as a model Port, the primary one first."""
        others = tuple(
            Port(
                cbp_port_code=self.cbp_port_code,
                cbp_port_name=self.cbp_port_name,
                aduana=crossing.aduana,
                seccion=crossing.seccion,
                aduana_name=crossing.aduana_name,
                us_unlocode=crossing.us_unlocode,
                mx_unlocode=crossing.mx_unlocode,
            )
            for crossing in self.alternatives
        )
        return (self.to_port(), *others)


def _rows(name: str) -> list[dict[str, str]]:
    text = (files("cruce.reference") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _trucks(value: str) -> Trucks:
    if value == "yes":
        return "yes"
    if value == "limited":
        return "limited"
    if value == "no":
        return "no"
    raise ValueError(f"commercial_trucks: {value!r}")


def _crossing(row: dict[str, str]) -> Crossing:
    return Crossing(
        crossing_name=row["crossing_name"],
        commercial_trucks=_trucks(row["commercial_trucks"]),
        aduana=row["aduana"],
        seccion=row["seccion"],
        aduana_name=row["aduana_name"],
        mx_city=row["mx_city"],
        mx_state=row["mx_state"],
        us_unlocode=row["us_unlocode"] or None,
        mx_unlocode=row["mx_unlocode"] or None,
        uncertain=row["uncertain"] == "yes",
        notes=row["notes"],
    )


@cache
def land_ports() -> tuple[LandPort, ...]:
    """Every US–MX land port in the table, west to east."""
    alternatives: dict[str, list[Crossing]] = {}
    for row in _rows("us_mx_port_crossings.csv"):
        alternatives.setdefault(row["cbp_port_code"], []).append(_crossing(row))
    ports = []
    for row in _rows("us_mx_land_ports.csv"):
        main = _crossing(row)
        ports.append(
            LandPort(
                cbp_port_code=row["cbp_port_code"],
                cbp_port_name=row["cbp_port_name"],
                us_state=row["us_state"],
                crossing_name=main.crossing_name,
                commercial_trucks=main.commercial_trucks,
                aduana=main.aduana,
                seccion=main.seccion,
                aduana_name=main.aduana_name,
                mx_city=main.mx_city,
                mx_state=main.mx_state,
                us_unlocode=main.us_unlocode,
                mx_unlocode=main.mx_unlocode,
                uncertain=main.uncertain,
                notes=main.notes,
                alternatives=tuple(alternatives.get(row["cbp_port_code"], ())),
            )
        )
    return tuple(ports)


@cache
def _by_code() -> dict[str, LandPort]:
    return {port.cbp_port_code: port for port in land_ports()}


def port_by_code(code: str) -> LandPort | None:
    """The land port with this CBP port code (4 digits, e.g. ``"2604"``), or None."""
    key = code.strip()
    return _by_code().get(key) if _PORT_CODE.fullmatch(key) else None


def _fold(text: str) -> str:
    """Case-folded, accents dropped, punctuation as spaces: ``Juárez–X`` -> ``juarez x``."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[\W_]+", " ", bare.casefold()).split())


@cache
def _search_index() -> tuple[tuple[LandPort, str, frozenset[str]], ...]:
    """Per port: the folded names to match inside, and the codes to match whole."""
    index = []
    for port in land_ports():
        sides: tuple[LandPort | Crossing, ...] = (port, *port.alternatives)
        names = [port.cbp_port_name]
        codes = {port.cbp_port_code.casefold()}
        for side in sides:
            names += [side.crossing_name, side.mx_city]
            codes |= {c.casefold() for c in (side.us_unlocode, side.mx_unlocode) if c}
        index.append((port, " | ".join(_fold(name) for name in names), frozenset(codes)))
    return tuple(index)


def find_ports(text: str) -> list[LandPort]:
    """Ports whose CBP name, crossing, Mexican city, UN/LOCODE or CBP code match ``text``.

    Matching ignores case, accents and punctuation: ``"juarez"`` finds El Paso (Ciudad
    Juárez), ``"uslrd"`` finds Laredo. Names match on any part; codes match whole. Ports
    matched by a code come first, then the rest in table order. Blank text matches nothing.
    """
    query = _fold(text)
    if not query:
        return []
    by_code = []
    by_name = []
    for port, names, codes in _search_index():
        if query.replace(" ", "") in codes:
            by_code.append(port)
        elif query in names:
            by_name.append(port)
    return by_code + by_name
