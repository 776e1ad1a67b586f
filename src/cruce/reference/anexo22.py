"""Anexo 22 RGCE codes and the SAAI M3 record layouts the pedimento draft writes.

Two files of ``data/`` (described in ``data/README.md`` and ``data/MX_SOURCES.md``):

- ``anexo22_codes.yaml``: the subset of Anexo 22's appendices a pedimento draft needs
  (clave A1, medios de transporte, países in their SAAI M3 form, unidades de medida,
  identifier TL, valuation methods, contributions, formas de pago, términos de facturación,
  destinos, regímenes, tipos de tasa), copied from a transcription of Anexo 22 c. 2024.
- ``saai_m3_records.yaml``: the records of the validation file (500, 501, 505, 506, 509,
  510, 516, 551, 554, 556, 557, 800, 801), each field with its name, type and maximum
  length, after the *Lineamientos Técnicos de Registros VOCE-SAAI M3* v9.0 (2021); records
  whose field order could not be read at a source are listed as left out, never guessed.

Country codes: the M3 file writes countries in three letters (Apéndice 4, column "SAAI M3"),
which are ISO 3166-1 alpha-3 for all but eight historic or special rows of the transcription
(ANT, CIA, CUR, DSM, EMU, GZA, LHM, RKE); :func:`m3_country` converts an alpha-2 code that way
and says whether the shipped appendix lists it (the transcription stops at 149 countries and
lacks Mexico, whose M3 code ``MEX`` real files show).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Final, Literal

import pycountry
import yaml

CODES_FILE: Final = "anexo22_codes.yaml"
LAYOUT_FILE: Final = "saai_m3_records.yaml"
FieldType = Literal["N", "D", "A", "F"]


@dataclass(frozen=True, slots=True)
class M3Field:
    """One field of an M3 record: name, Spanish title, type and maximum size.

    ``length`` is the maximum number of characters of an ``N``, ``A`` or ``F`` field; a
    ``D`` (decimal) field has ``integers`` digits before the point and ``decimals`` after.
    """

    key: str
    title: str
    type: FieldType
    length: int
    integers: int = 0
    decimals: int = 0


@dataclass(frozen=True, slots=True)
class M3Record:
    """The layout of one record type; ``status`` says how it was confirmed."""

    code: str
    name: str
    status: str
    fields: tuple[M3Field, ...]

    def index(self, key: str) -> int:
        """The 0-based position of field ``key`` in a split record."""
        for position, field in enumerate(self.fields):
            if field.key == key:
                return position
        raise KeyError(f"record {self.code} has no field {key!r}")


@dataclass(frozen=True, slots=True)
class M3Layout:
    """Every record cruce writes, the date format, the file-name rule and the source."""

    edition: str
    source: str
    url: str
    date_format: str
    file_name_pattern: str
    records: dict[str, M3Record]
    left_out: dict[str, str]


def _field(row: list[Any]) -> M3Field:
    key, title, kind, size = row
    if kind == "D":
        integers, decimals = (int(part) for part in str(size).split(","))
        return M3Field(str(key), str(title), "D", integers + decimals + 1, integers, decimals)
    if kind not in {"N", "A", "F"}:
        raise ValueError(f"unknown M3 field type {kind!r} in {LAYOUT_FILE}")
    return M3Field(str(key), str(title), kind, int(size))


def _text(name: str) -> str:
    return (files("cruce.reference") / "data" / name).read_text("utf-8")


@cache
def m3_layout() -> M3Layout:
    """The record layouts of the SAAI M3 validation file (``data/saai_m3_records.yaml``)."""
    data = yaml.safe_load(_text(LAYOUT_FILE))
    records = {
        str(code): M3Record(
            code=str(code),
            name=str(record["name"]),
            status=str(record["status"]),
            fields=tuple(_field(row) for row in record["fields"]),
        )
        for code, record in data["records"].items()
    }
    return M3Layout(
        edition=str(data["edition"]),
        source=" ".join(str(data["source"]).split()),
        url=str(data["url"]),
        date_format=str(data["date_format"]),
        file_name_pattern=str(data["file_name"]["pattern"]),
        records=records,
        left_out={str(k): str(v) for k, v in data["left_out"].items()},
    )


def record(code: str) -> M3Record:
    """The layout of record ``code`` (``"551"``); KeyError for a record cruce does not write."""
    return m3_layout().records[code]


@cache
def _codes() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(_text(CODES_FILE))
    return data


def source() -> str:
    """Where the appendix codes come from."""
    return str(_codes()["source"])


def appendix(number: int) -> dict[str, Any]:
    """The shipped codes of Apéndice ``number`` as clave -> description (or details)."""
    return {str(k): v for k, v in _codes()[f"apendice_{number}"].items()}


def describe(number: int, code: str) -> str:
    """The Spanish description of ``code`` in Apéndice ``number``; KeyError when not shipped."""
    value = appendix(number)[code]
    if isinstance(value, dict):
        return str(value.get("contribucion") or value.get("descripcion") or "")
    return str(value)


def contribution_abbreviation(code: str) -> str:
    """``"6"`` -> ``"IGI/IGE"`` (Apéndice 12)."""
    return str(appendix(12)[code]["abreviacion"])


@dataclass(frozen=True, slots=True)
class M3Country:
    """A country in the M3 file's three letters, and whether the shipped Apéndice 4 lists it."""

    code: str
    listed: bool


def m3_country(alpha2: str) -> M3Country | None:
    """``"US"`` -> ``USA`` (listed); None for a code ISO 3166 does not know."""
    country = pycountry.countries.get(alpha_2=alpha2.upper())
    if country is None:
        return None
    code = str(country.alpha_3)
    return M3Country(code, code in appendix(4))


def umc_name(code: str) -> str:
    """The Apéndice 7 name of a unit clave (``"6"`` -> ``"Pieza"``)."""
    return describe(7, code)
