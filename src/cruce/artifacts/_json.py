"""The format check every JSON artifact shares: JSON, its schema, RFC 8785 canonical form.

Codes: ``<key>.json.malformed``, ``<key>.schema.invalid`` (at the failing field, the first
20 errors) and ``<key>.json.not_canonical`` (a warning, or a blocker for files whose hash
is cited elsewhere).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING

import rfc8785

from cruce.i18n import _
from cruce.model.problems import blocker, warning

if TYPE_CHECKING:
    import jsonschema

    from cruce.i18n import Message
    from cruce.model import Problem

_MAX_ERRORS = 20
_MAX_REASON = 200


def json_problems(
    data: bytes,
    validator: jsonschema.protocols.Validator,
    key: str,
    document: Message,
    *,
    canonical_required: bool = False,
) -> list[Problem]:
    """What is wrong with ``data`` as the JSON artifact ``key`` (``document`` names it)."""
    try:
        parsed = json.loads(data.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return [
            blocker(f"{key}.json.malformed", "", _("{document}: not valid JSON", document=document))
        ]
    errors = sorted(validator.iter_errors(parsed), key=lambda e: list(e.absolute_path))
    if errors:
        return [
            blocker(
                f"{key}.schema.invalid",
                ".".join(str(p) for p in error.absolute_path),
                _(
                    "{document}: does not match its schema: {reason}",
                    document=document,
                    reason=error.message[:_MAX_REASON],
                ),
            )
            for error in errors[:_MAX_ERRORS]
        ]
    if rfc8785.dumps(json.loads(data)) != data:
        message = _("{document}: not in canonical (RFC 8785) form", document=document)
        severity = blocker if canonical_required else warning
        return [severity(f"{key}.json.not_canonical", "", message)]
    return []
