"""The OpenAPI 3.1 description: every error documented as RFC 9457 problem details.

FastAPI documents request validation errors as its own ``HTTPValidationError`` JSON; cruce
answers every error with ``application/problem+json`` (:mod:`cruce.api.problems`), so the
description says so: each operation's 4xx/5xx responses and a ``default`` response carry
the :class:`ProblemDetails` schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from cruce.api.problems import MEDIA_TYPE

if TYPE_CHECKING:
    from fastapi import FastAPI

REF = "#/components/schemas/{model}"
_FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")


class ProblemField(BaseModel):
    """One field at fault."""

    path: str = Field(description="The field, e.g. goods[3].quantity.")
    detail: str


class ProblemDetails(BaseModel):
    """An error (RFC 9457), with cruce's code, fields and request id."""

    type: str
    title: str
    status: int
    code: str = Field(description="Stable code programs key on, e.g. request.invalid.")
    detail: str | None = None
    errors: list[ProblemField] | None = None
    request_id: str | None = None


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {MEDIA_TYPE: {"schema": {"$ref": REF.format(model="ProblemDetails")}}},
    }


def describe(app: FastAPI) -> dict[str, Any]:
    """The application's OpenAPI document, built once."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        routes=app.routes,
        openapi_version=app.openapi_version,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_ERRORS:
        components.pop(name, None)
    problem = ProblemDetails.model_json_schema(ref_template=REF)
    components.update(problem.pop("$defs", {}))
    components["ProblemDetails"] = problem
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status in list(responses):
                if status[:1] in {"4", "5"}:
                    responses[status] = _problem_response(responses[status]["description"])
            responses["default"] = _problem_response("An error, as RFC 9457 problem details")
    app.openapi_schema = schema
    return schema


def install(app: FastAPI) -> None:
    """Serve :func:`describe` as the application's OpenAPI document."""
    app.openapi = lambda: describe(app)  # type: ignore[method-assign]
