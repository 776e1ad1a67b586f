"""Check identifiers the record carries: tax numbers, containers, bank account keys.

Each ``check_*`` function returns ``None`` when the value is valid, or the reason it is not:
``"format"`` (wrong length or characters) or ``"check_digit"`` (well formed, but the check
digit does not match). The algorithms are python-stdnum's and clabe's; this module only
normalises and names the outcome.
"""

from __future__ import annotations

import re
from typing import Literal

import clabe
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.iso6346 import validate as _iso6346
from stdnum.mx import curp as _curp
from stdnum.mx import rfc as _rfc
from stdnum.us import ein as _ein
from stdnum.us import rtn as _rtn

Failure = Literal["format", "check_digit"]

# RFCs that SAT publishes for counterparts without a Mexican tax number (Anexo 20, CFDI 4.0).
GENERIC_RFCS = frozenset({"XAXX010101000", "XEXX010101000"})
RFC_MORAL_LENGTH = 12
RFC_FISICA_LENGTH = 13
CLABE_LENGTH = 18
_CLABE_FORMAT = re.compile(r"^[0-9]{18}$")
_CONTAINER_FORMAT = re.compile(r"^[A-Z]{3}[UJZR][0-9]{7}$")


def compact(value: str) -> str:
    """Drop spaces, hyphens and dots; upper-case. How identifiers are compared and stored."""
    return re.sub(r"[\s\-.]", "", value).upper()


def _stdnum(validate: object, value: str) -> Failure | None:
    try:
        validate(value)  # type: ignore[operator]
    except InvalidChecksum:
        return "check_digit"
    except ValidationError:
        return "format"
    return None


def check_rfc(value: str) -> Failure | None:
    """A Mexican RFC: 12 characters (persona moral) or 13 (persona física) with its check digit."""
    number = compact(value)
    if number in GENERIC_RFCS:
        return None
    if len(number) not in {RFC_MORAL_LENGTH, RFC_FISICA_LENGTH}:
        return "format"
    failure = _stdnum(_rfc.validate, number)
    if failure is not None:
        return failure
    return _stdnum(lambda n: _rfc.validate(n, validate_check_digits=True), number)


def rfc_kind(value: str) -> Literal["moral", "fisica"] | None:
    """``moral`` for a 12-character RFC (a company), ``fisica`` for 13 (a person)."""
    length = len(compact(value))
    if length == RFC_MORAL_LENGTH:
        return "moral"
    if length == RFC_FISICA_LENGTH:
        return "fisica"
    return None


def check_curp(value: str) -> Failure | None:
    """A Mexican CURP: 18 characters with its check digit."""
    return _stdnum(_curp.validate, compact(value))


def check_ein(value: str) -> Failure | None:
    """A US EIN: 9 digits with a prefix the IRS assigns (EINs carry no check digit)."""
    return _stdnum(_ein.validate, compact(value))


def check_aba(value: str) -> Failure | None:
    """A US ABA routing transit number: 9 digits with its check digit."""
    return _stdnum(_rtn.validate, compact(value))


def check_container(value: str) -> Failure | None:
    """An ISO 6346 container number (owner code, category, serial, check digit)."""
    number = compact(value)
    if not _CONTAINER_FORMAT.match(number):
        return "format"
    return _stdnum(_iso6346, number)


def check_clabe(value: str) -> Failure | None:
    """A Mexican CLABE: 18 digits, of which the last is a check digit."""
    number = compact(value)
    if not _CLABE_FORMAT.match(number):
        return "format"
    if clabe.compute_control_digit(number[:-1]) != number[-1]:
        return "check_digit"
    return None
