"""The shipment record itself, as canonical JSON (RFC 8785), valid against cruce's JSON Schema.

Its problems are the record's own (``cruce.compliance.readiness``): every other document
is derived from this record, so a blocker here blocks the pack.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import jsonschema
import rfc8785

from cruce.artifacts._json import json_problems
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.compliance.readiness import record_problems
from cruce.i18n import _
from cruce.model import Shipment
from cruce.model.schema import RecordJsonSchema

if TYPE_CHECKING:
    from cruce.model import Problem

MEDIA_TYPE = "application/json"


@cache
def shipment_schema() -> dict[str, Any]:
    """The published JSON Schema of the record (schema/shipment.schema.json in the repository)."""
    return Shipment.model_json_schema(schema_generator=RecordJsonSchema)


@cache
def _validator() -> jsonschema.Draft202012Validator:
    # compiled once: the schema is the model's and does not change while cruce runs
    return jsonschema.Draft202012Validator(shipment_schema())


def canonical_json(shipment: Shipment) -> bytes:
    """The record as RFC 8785 canonical JSON: decimals as strings, empty fields left out."""
    return rfc8785.dumps(shipment.model_dump(mode="json", exclude_none=True))


class ShipmentRecord:
    """The canonical JSON of the record."""

    key = "shipment_record"
    title = _("Shipment record")
    media_type = MEDIA_TYPE
    order = 10

    def required(self, shipment: Shipment) -> Requirement:  # noqa: ARG002 - same for every shipment
        """Always: every other document is derived from it."""
        return Requirement(
            required=True,
            reason=_("Every document is derived from this record; it is kept with them"),
        )

    def problems(self, shipment: Shipment) -> list[Problem]:
        """The record's own problems."""
        return record_problems(shipment)

    def render(self, shipment: Shipment) -> Rendered:
        """Canonical JSON bytes."""
        return Rendered(
            safe_filename(shipment.reference, "-record.json"), MEDIA_TYPE, canonical_json(shipment)
        )

    def validate(self, data: bytes) -> list[Problem]:
        """Valid JSON, valid against its schema, and in canonical form."""
        return json_problems(data, _validator(), self.key, self.title)


ARTIFACT = ShipmentRecord()
