"""The USMCA / T-MEC certification of origin as data: JSON valid against cruce's schema.

The nine minimum data elements of USMCA Annex 5-A (19 CFR 182.12(a)(4)) under named keys,
each carrying its element number, with the validity (four years from the signature), the
date until which the records are kept (five years), the low-value waiver when it applies
and the SHA-256 of the origin evidence (``origin_evidence``) the certifier relies on.

The schema is :data:`SCHEMA`, shipped in the package; ``schema/usmca-certification.schema.json``
in the repository is its published copy (a test fails when they differ). Problems are the
certification's own (:func:`cruce.artifacts.usmca_certification.certification_problems`):
the PDF and this file are the same certification, so both report them.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any, Final

import jsonschema
import rfc8785

from cruce import __version__
from cruce.artifacts import _certification as cert
from cruce.artifacts import origin_evidence as evidence
from cruce.artifacts._json import json_problems
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.artifacts.usmca_certification import certification_problems
from cruce.i18n import _

if TYPE_CHECKING:
    from cruce.artifacts._certification import Elements, PartyElement
    from cruce.model import Party, Problem, Shipment, UsmcaCertification

KEY: Final = "usmca_certification_json"
MEDIA_TYPE: Final = "application/json"
SCHEMA_ID: Final = "https://cruce.dev/schema/usmca-certification/1"
WAIVER_NOTE: Final = {
    "en": (
        "No certification of origin is required for this importation: the goods counted are "
        "worth no more than the limit. This one is given voluntarily."
    ),
    "es": (
        "Esta importación no requiere certificación de origen: las mercancías consideradas no "
        "exceden el límite. Esta se emite de forma voluntaria."
    ),
}


def _object(properties: dict[str, Any], *optional: str, **more: Any) -> dict[str, Any]:  # noqa: ANN401 - schema keywords
    """A closed object whose properties are all required but ``optional``."""
    required = [name for name in properties if name not in optional]
    return {
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
        **more,
    }


def _element(
    number: int,
    properties: dict[str, Any],
    *optional: str,
    **more: Any,  # noqa: ANN401 - schema keywords
) -> dict[str, Any]:
    """Data element ``number``: an object carrying its number beside ``properties``."""
    return _object({"element": {"const": number}, **properties}, *optional, **more)


def _party_element(number: int, excluded: str) -> dict[str, Any]:
    """Elements 3 to 5: a status and, when named, the parties; ``excluded`` a status not used."""
    return {
        "allOf": [
            {"$ref": "#/$defs/party_element"},
            {"properties": {"element": {"const": number}, "status": {"not": {"const": excluded}}}},
        ]
    }


def _list(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "minItems": 1, "items": item}


_STRING: Final = {"type": "string", "minLength": 1}
_DATE: Final = {"type": "string", "format": "date"}
_LINE: Final = {"type": "integer", "minimum": 1}
_PARTY_STATUSES: Final = ("named", "same_as_certifier", "same_as_exporter")

SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "cruce USMCA certification of origin",
    "description": (
        "The nine minimum data elements of USMCA Annex 5-A (19 CFR 182.12(a)(4)) as cruce "
        "writes them, numbered as the Annex numbers them, with the validity, the record "
        "retention and the SHA-256 of the origin evidence the certification rests on."
    ),
    **_object(
        {
            "certification_version": {"const": "1"},
            "generator": {"type": "string", "pattern": "^cruce \\S+$"},
            "reference": _STRING,
            "shipment": _object(
                {
                    "reference": _STRING,
                    "direction": {"type": "string", "pattern": "^[A-Z]{2}-[A-Z]{2}$"},
                    "invoice_number": _STRING,
                    "invoice_date": _DATE,
                },
                "invoice_number",
                "invoice_date",
            ),
            "importing_country": {"$ref": "#/$defs/country"},
            "certification_by": _element(
                1, {"role": {"enum": ["importer", "exporter", "producer"]}}
            ),
            "certifier": _element(
                2,
                {
                    "name": _STRING,
                    "title": _STRING,
                    "organization": {"$ref": "#/$defs/party"},
                    "phone": {"$ref": "#/$defs/phone"},
                    "email": {"$ref": "#/$defs/email"},
                },
            ),
            "exporter": _party_element(3, "same_as_exporter"),
            "producer": _party_element(4, "unknown"),
            "importer": _party_element(5, "same_as_exporter"),
            "goods": _element(
                6,
                {
                    "items": _list(
                        _object(
                            {
                                "line": _LINE,
                                "part_number": _STRING,
                                "description": {"$ref": "#/$defs/text"},
                                "hs6": {"type": "string", "pattern": "^[0-9]{6}$"},
                            },
                            "part_number",
                        )
                    )
                },
            ),
            "origin_criteria": _element(
                7,
                {
                    "items": _list(
                        _object(
                            {
                                "line": _LINE,
                                "criterion": {"enum": ["A", "B", "C", "D"]},
                                "source": {"enum": ["certifier", "cruce"]},
                            }
                        )
                    )
                },
            ),
            "blanket_period": _element(
                8,
                {
                    "single_shipment": {"type": "boolean"},
                    "start": _DATE,
                    "end": _DATE,
                    "invoice_number": _STRING,
                },
                "start",
                "end",
                "invoice_number",
                **{
                    "if": {"properties": {"single_shipment": {"const": False}}},
                    "then": {"required": ["start", "end"]},
                },
            ),
            "signature": _element(
                9,
                {
                    "name": _STRING,
                    "title": _STRING,
                    "date": _DATE,
                    "statement": _object(
                        {"en": _STRING, "es": _STRING, "citation": {"$ref": "#/$defs/text"}}
                    ),
                },
            ),
            "validity": _object({"valid_from": _DATE, "valid_until": _DATE, "citation": _STRING}),
            "records": _object(
                {
                    "years": {"type": "integer", "minimum": 1},
                    "counted_from": _DATE,
                    "retain_until": _DATE,
                    "citation": _STRING,
                }
            ),
            "low_value_waiver": _object(
                {
                    "value": {"$ref": "#/$defs/money"},
                    "limit": {"$ref": "#/$defs/money"},
                    "citation": _STRING,
                    "note": {"$ref": "#/$defs/text"},
                }
            ),
            "evidence": _object(
                {
                    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "media_type": {"const": "application/json"},
                    "filename": {"type": "string", "pattern": "^[A-Za-z0-9._-]+$"},
                }
            ),
        },
        "reference",
        "low_value_waiver",
    ),
    "allOf": [
        {
            "$comment": "Only a certifying producer may leave the exporter unknown (element 3).",
            "if": {
                "properties": {
                    "certification_by": {"properties": {"role": {"not": {"const": "producer"}}}}
                }
            },
            "then": {
                "properties": {
                    "exporter": {"properties": {"status": {"not": {"const": "unknown"}}}}
                }
            },
        }
    ],
    "$defs": {
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "phone": {"type": "string", "pattern": "^\\+[1-9][0-9]{6,14}$"},
        "email": {"type": "string", "format": "email"},
        "text": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {"en": _STRING, "es": _STRING},
        },
        "money": _object(
            {
                "amount": {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$"},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            }
        ),
        "address": _object(
            {
                "street": _STRING,
                "exterior_number": _STRING,
                "interior_number": _STRING,
                "neighborhood": _STRING,
                "locality": _STRING,
                "municipality": _STRING,
                "subdivision": {"type": "string", "pattern": "^[A-Z]{2}-[A-Z0-9]{1,3}$"},
                "postal_code": _STRING,
                "country": {"$ref": "#/$defs/country"},
            },
            "exterior_number",
            "interior_number",
            "neighborhood",
            "municipality",
            "subdivision",
            "postal_code",
        ),
        "party": _object(
            {
                "name": _STRING,
                "address": {"$ref": "#/$defs/address"},
                "phone": {"$ref": "#/$defs/phone"},
                "email": {"$ref": "#/$defs/email"},
                "tax_ids": {
                    "type": "array",
                    "items": _object(
                        {
                            "scheme": _STRING,
                            "value": _STRING,
                            "country": {"$ref": "#/$defs/country"},
                        },
                        "country",
                    ),
                },
            },
            "phone",
            "email",
            "tax_ids",
        ),
        "party_element": {
            **_object(
                {
                    "element": {"type": "integer"},
                    "status": {"enum": [*_PARTY_STATUSES, "various", "upon_request", "unknown"]},
                    "parties": {"type": "array", "items": {"$ref": "#/$defs/party"}},
                }
            ),
            "if": {"properties": {"status": {"enum": list(_PARTY_STATUSES)}}},
            "then": {"properties": {"parties": {"minItems": 1}}},
            "else": {"properties": {"parties": {"maxItems": 0}}},
        },
    },
}


@cache
def _validator() -> jsonschema.Draft202012Validator:
    # compiled once: the schema is a constant of the package
    return jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


# ---------------------------------------------------------------- the document


def _party(party: Party) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": party.name,
        "address": party.address.model_dump(mode="json", exclude_none=True),
    }
    if party.tax_ids:
        data["tax_ids"] = [t.model_dump(mode="json", exclude_none=True) for t in party.tax_ids]
    contact = party.contact
    if contact is not None and contact.phone is not None:
        data["phone"] = contact.phone
    if contact is not None and contact.email is not None:
        data["email"] = str(contact.email)
    return data


def _party_json(number: int, element: PartyElement) -> dict[str, Any]:
    named = element.status in _PARTY_STATUSES
    return {
        "element": number,
        "status": element.status,
        "parties": [_party(p) for p in element.parties] if named else [],
    }


def _optional(**values: Any) -> dict[str, Any]:  # noqa: ANN401 - JSON values
    return {key: value for key, value in values.items() if value is not None}


def _certifier(found: Elements) -> dict[str, Any]:
    signatory = found.certification.signatory
    return {
        "element": 2,
        "name": None if signatory is None else signatory.name,
        "title": None if signatory is None else signatory.title,
        "organization": None if found.certifier is None else _party(found.certifier),
        "phone": found.phone,
        "email": found.email,
    }


def _goods(found: Elements) -> tuple[dict[str, Any], dict[str, Any]]:
    goods = [
        _optional(
            line=item.number,
            part_number=item.line.part_number,
            description=item.line.description.model_dump(mode="json", exclude_none=True),
            hs6=item.hs6,
        )
        for item in found.lines
    ]
    criteria = [
        _optional(
            line=item.number,
            criterion=None if item.criterion is None else item.criterion.value,
            source=item.criterion_source,
        )
        for item in found.lines
    ]
    return {"element": 6, "items": goods}, {"element": 7, "items": criteria}


def _iso(day: object) -> str | None:
    return None if day is None else str(day)


def _blanket(shipment: Shipment, certification: UsmcaCertification) -> dict[str, Any]:
    period = certification.blanket_period
    if period is None:
        return _optional(
            element=8, single_shipment=True, invoice_number=shipment.terms.invoice_number
        )
    return {
        "element": 8,
        "single_shipment": False,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


def _dates(
    shipment: Shipment, certification: UsmcaCertification, found: Elements
) -> dict[str, Any]:
    kept = cert.retention(shipment, certification)
    day = cert.determination_date(shipment)[0]
    keeping = cert.retention_rule(kept[0] if kept else day)
    return {
        "validity": {
            "valid_from": _iso(certification.signed_on),
            "valid_until": _iso(found.valid_until),
            "citation": cert.validity_rule(certification.signed_on or day).source.citation,
        },
        "records": {
            "years": keeping.years,
            "counted_from": None if kept is None else kept[0].isoformat(),
            "retain_until": None if kept is None else kept[1].isoformat(),
            "citation": keeping.source.citation,
        },
    }


def document(shipment: Shipment) -> dict[str, Any]:
    """The certification as a JSON-ready dict (valid against :data:`SCHEMA` when complete)."""
    certification = shipment.usmca_certification
    if certification is None:
        msg = "the record has no usmca_certification: check problems() first"
        raise ValueError(msg)
    found = cert.elements(shipment, certification)
    signatory = certification.signatory
    terms = shipment.terms
    goods, criteria = _goods(found)
    data: dict[str, Any] = {
        "certification_version": "1",
        "generator": f"cruce {__version__}",
        "shipment": _optional(
            reference=shipment.reference,
            direction=shipment.direction,
            invoice_number=terms.invoice_number,
            invoice_date=_iso(terms.invoice_date),
        ),
        "importing_country": shipment.import_country,
        "certification_by": {"element": 1, "role": certification.certifier_role.value},
        "certifier": _certifier(found),
        "exporter": _party_json(3, found.exporter),
        "producer": _party_json(4, found.producer),
        "importer": _party_json(5, found.importer),
        "goods": goods,
        "origin_criteria": criteria,
        "blanket_period": _blanket(shipment, certification),
        "signature": {
            "element": 9,
            "name": None if signatory is None else signatory.name,
            "title": None if signatory is None else signatory.title,
            "date": _iso(certification.signed_on),
            "statement": {
                "en": cert.STATEMENT_EN,
                "es": cert.STATEMENT_ES,
                "citation": {"en": cert.STATEMENT_EN_CITATION, "es": cert.STATEMENT_ES_CITATION},
            },
        },
        **_dates(shipment, certification, found),
        "evidence": {
            "sha256": evidence.evidence_sha256(shipment),
            "media_type": evidence.MEDIA_TYPE,
            "filename": evidence.evidence_filename(shipment),
        },
    }
    if certification.reference is not None:
        data["reference"] = certification.reference
    waived = cert.waiver(shipment)
    if waived.applies and waived.value is not None:
        data["low_value_waiver"] = {
            "value": waived.value.rounded().model_dump(mode="json"),
            "limit": waived.limit_money.rounded().model_dump(mode="json"),
            "citation": waived.limit.citation,
            "note": WAIVER_NOTE,
        }
    return data


# ---------------------------------------------------------------- the artifact


class UsmcaCertificationJson:
    """The certification of origin as JSON, for systems that read it rather than print it."""

    key = KEY
    title = _("USMCA certification of origin (data)")
    media_type = MEDIA_TYPE
    order = 41

    def required(self, shipment: Shipment) -> Requirement:
        """Whenever the printed certification is."""
        return cert.requirement(shipment)

    def problems(self, shipment: Shipment) -> list[Problem]:
        """The certification's problems (the same as the PDF's)."""
        return certification_problems(shipment)

    def render(self, shipment: Shipment) -> Rendered:
        """RFC 8785 canonical JSON bytes."""
        return Rendered(
            safe_filename(shipment.reference, "-usmca-certification.json"),
            MEDIA_TYPE,
            rfc8785.dumps(document(shipment)),
        )

    def validate(self, data: bytes) -> list[Problem]:
        """Valid JSON, valid against its schema, and in canonical form."""
        return json_problems(data, _validator(), KEY, self.title)


ARTIFACT: Final = UsmcaCertificationJson()


if __name__ == "__main__":  # `make schema` writes the published copy
    import sys

    sys.stdout.write(json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n")
