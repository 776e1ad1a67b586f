"""The published JSON Schema of the record, tighter than pydantic's default where it matters.

Decimals travel as strings in cruce's JSON ("18.75", never a float), so the schema gives
the string form a pattern: a validator of the published schema then refuses "many" as a
quantity just as the model does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic.json_schema import GenerateJsonSchema

if TYPE_CHECKING:
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import core_schema

DECIMAL_PATTERN = r"^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


class RecordJsonSchema(GenerateJsonSchema):
    """Pydantic's generator, with a pattern on decimal strings and the 2020-12 dialect named."""

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> JsonSchemaValue:
        """Numbers, or strings that read as decimal numbers."""
        json_schema = super().decimal_schema(schema)
        for branch in json_schema.get("anyOf", []):
            if branch.get("type") == "string":
                branch.setdefault("pattern", DECIMAL_PATTERN)
        return json_schema

    def generate(self, schema: core_schema.CoreSchema, mode: Any = "validation") -> JsonSchemaValue:  # noqa: ANN401 - pydantic's signature
        """The schema with its dialect."""
        return {"$schema": DIALECT, **super().generate(schema, mode=mode)}
