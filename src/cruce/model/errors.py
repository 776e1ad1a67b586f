"""Validation errors raised by the model, carrying their catalogued message template."""

from __future__ import annotations

from pydantic_core import PydanticCustomError

TEMPLATE_KEY = "msgid"


def invalid(code: str, template: str, ctx: dict[str, str] | None = None) -> PydanticCustomError:
    """A pydantic error whose English ``template`` (marked with ``N_``) is also its msgid.

    Pydantic reports the formatted text only; the template travels in the context so the
    loader can translate the message (``cruce.ingest.errors``).
    """
    return PydanticCustomError(code, template, {**(ctx or {}), TEMPLATE_KEY: template})
