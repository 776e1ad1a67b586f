"""The evidence behind a USMCA / T-MEC origin claim, as canonical JSON (RFC 8785).

Per claimed line: its classification, its bill of materials (values, HS codes, origin
countries, originating flags, supplier certification references), the producer's origin
facts (``line.origin``: transaction value, net cost, place of production) and the origin
engine's decision (:meth:`cruce.compliance.origin.OriginResult.as_dict`), with the day it
was decided on and why that day. The certification of origin cites the SHA-256 of these
bytes, so a changed material value changes the hash the certificate carries.

The importer (for a certification it completes) and the certifier must keep the records
that show the goods originate for five years (USMCA Art. 5.8; 19 CFR 182.15(a)): this file
is cruce's part of them. The origin problems themselves (a good that does not qualify, one
cruce cannot decide) are the certification's (``usmca_certification``); the evidence has
one of its own: no date to decide on.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import TYPE_CHECKING, Any, Final

import jsonschema
import rfc8785

from cruce import __version__
from cruce.artifacts import _certification as cert
from cruce.artifacts._json import json_problems
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.i18n import _
from cruce.model.problems import warning

if TYPE_CHECKING:
    from cruce.artifacts._certification import CertifiedLine
    from cruce.model import Problem, Shipment

KEY: Final = "origin_evidence"
MEDIA_TYPE: Final = "application/json"
SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["evidence_version", "generator", "shipment", "determined_on", "lines"],
    "properties": {
        "evidence_version": {"const": "1"},
        "generator": {"type": "string", "pattern": "^cruce \\S+$"},
        "determined_on": {"type": "string", "format": "date"},
        "date_basis": {"enum": ["planned_crossing", "invoice_date", "signed_on", "today"]},
        "lines": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["line", "materials", "result"],
                "properties": {
                    "line": {"type": "integer", "minimum": 1},
                    "materials": {"type": "array"},
                    "result": {"type": "object", "required": ["qualifies", "criterion"]},
                },
            },
        },
    },
}


def evidence_filename(shipment: Shipment) -> str:
    """The evidence file's name."""
    return safe_filename(shipment.reference, "-origin-evidence.json")


def _line_evidence(item: CertifiedLine) -> dict[str, Any]:
    line = item.line
    entry: dict[str, Any] = {
        "line": item.number,
        "path": item.path,
        "description": line.description.model_dump(mode="json", exclude_none=True),
        "classification": {
            key: value
            for key, value in (
                ("hts", line.hts),
                ("schedule_b", line.schedule_b),
                ("fraccion", line.fraccion),
                ("nico", line.nico),
                ("hs6", item.hs6),
            )
            if value is not None
        },
        "unit_price": line.unit_price.model_dump(mode="json"),
        "claim": line.usmca.model_dump(mode="json", exclude_none=True),
        "materials": [m.model_dump(mode="json", exclude_none=True) for m in line.materials],
        "result": item.result.as_dict(),
    }
    if line.part_number is not None:
        entry["part_number"] = line.part_number
    if line.origin_country is not None:
        entry["origin_country"] = line.origin_country
    if line.origin is not None:
        entry["origin_facts"] = line.origin.model_dump(mode="json", exclude_none=True)
    return entry


def evidence_document(shipment: Shipment) -> dict[str, Any]:
    """The evidence behind the certification: per claimed line, its BOM, facts and decision."""
    on, basis = cert.determination_date(shipment)
    terms = shipment.terms
    reference = {
        "reference": shipment.reference,
        "direction": shipment.direction,
        "invoice_number": terms.invoice_number,
        "invoice_date": None if terms.invoice_date is None else terms.invoice_date.isoformat(),
    }
    document: dict[str, Any] = {
        "evidence_version": "1",
        "generator": f"cruce {__version__}",
        "shipment": {key: value for key, value in reference.items() if value is not None},
        "determined_on": on.isoformat(),
        "date_basis": basis,
        "lines": [_line_evidence(item) for item in cert.certified_lines(shipment)],
    }
    certification = shipment.usmca_certification
    if certification is not None and certification.reference is not None:
        document["certification_reference"] = certification.reference
    return document


def evidence_bytes(shipment: Shipment) -> bytes:
    """The evidence as RFC 8785 canonical JSON: the same record always gives the same bytes."""
    return rfc8785.dumps(evidence_document(shipment))


def evidence_sha256(shipment: Shipment) -> str:
    """Hex SHA-256 of the evidence bytes: what the certification cites."""
    return hashlib.sha256(evidence_bytes(shipment)).hexdigest()


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


class OriginEvidence:
    """What shows the claimed goods originate: bills of materials, facts, decisions."""

    key = KEY
    title = _("USMCA origin evidence")
    media_type = MEDIA_TYPE
    order = 40

    def required(self, shipment: Shipment) -> Requirement:
        """Whenever a line claims USMCA preference: the claim rests on these records."""
        lines = cert.claimed(shipment)
        if not lines:
            return Requirement(
                required=False,
                reason=_("No line claims USMCA / T-MEC preference: there is no origin to show"),
                citation="USMCA Art. 5.8",
            )
        return Requirement(
            required=True,
            reason=_(
                "USMCA / T-MEC preference is claimed on {count} line(s): the records that show "
                "the goods originate are kept five years, and the certification cites them",
                count=len(lines),
            ),
            citation=cert.retention_rule(cert.determination_date(shipment)[0]).source.citation,
        )

    def problems(self, shipment: Shipment) -> list[Problem]:
        """Only the date: without one, origin is decided as of today and the file drifts."""
        if not cert.claimed(shipment):
            return []
        _on, basis = cert.determination_date(shipment)
        if basis != "today":
            return []
        msg = _(
            "The record has no crossing, invoice or signature date: origin is decided as of "
            "today, and the evidence (and its hash) changes from day to day"
        )
        return [warning(f"{KEY}.date.missing", "transport.planned_crossing", msg)]

    def render(self, shipment: Shipment) -> Rendered:
        """Canonical JSON bytes: the same record (and day) always gives the same bytes."""
        return Rendered(evidence_filename(shipment), self.media_type, evidence_bytes(shipment))

    def validate(self, data: bytes) -> list[Problem]:
        """Valid JSON, valid against its schema, and in canonical form."""
        return json_problems(data, _validator(), KEY, self.title, canonical_required=True)


ARTIFACT: Final = OriginEvidence()
