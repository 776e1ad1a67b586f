"""A refused form: its problems by field, in the reader's language, and the form sent back.

Every field's problem is shown next to it (and listed at the top, each a link to its field,
for a screen reader and a small screen); what the reader typed is kept, but never a password.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cruce.i18n import Message, _
from cruce.web import pages

if TYPE_CHECKING:
    from collections.abc import Mapping

    from fastapi import Request
    from fastapi.responses import HTMLResponse
    from pydantic import ValidationError

    from cruce.api.problems import ApiError
    from cruce.web.pages import Reader

_PYDANTIC: dict[str, Message] = {
    "missing": _("This field is required"),
    "string_too_short": _("This field is required"),
    "string_too_long": _("This is too long"),
    "string_pattern_mismatch": _("This contains a character that is not allowed"),
    "value_error": _("This is not a valid e-mail address"),
    "literal_error": _("Choose one of the options"),
    "enum": _("Choose one of the options"),
}


@dataclass(slots=True)
class FormProblems:
    """Problems by field name (``""``: the form as a whole)."""

    by_field: dict[str, list[Message]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def add(self, name: str, message: Message) -> None:
        """One more problem on ``name``."""
        self.by_field.setdefault(name, []).append(message)

    def of(self, name: str) -> list[Message]:
        """The problems of one field."""
        return self.by_field.get(name, [])

    def items(self) -> list[tuple[str, Message]]:
        """Every (field, problem), in the form's order of arrival."""
        return [(name, message) for name, found in self.by_field.items() for message in found]

    @classmethod
    def from_validation(
        cls, error: ValidationError, names: Mapping[str, str] | None = None
    ) -> FormProblems:
        """The problems pydantic found, named as the form names its fields."""
        problems = cls()
        for found in error.errors():
            path = ".".join(str(part) for part in found["loc"])
            name = (names or {}).get(path, path)
            problems.add(name, _PYDANTIC.get(found["type"], _("This value is not valid")))
        return problems

    @classmethod
    def from_api(cls, error: ApiError, names: Mapping[str, str] | None = None) -> FormProblems:
        """The problems of a refusal by the core: each field's, else the whole form's."""
        problems = cls()
        for item in error.errors:
            problems.add((names or {}).get(item.path, item.path), item.message)
        if not error.errors:
            problems.add("", error.message)
        return problems


def refused_form(
    request: Request, who: Reader, template: str, context: Mapping[str, Any]
) -> HTMLResponse:
    """The form again, 403: it did not carry this browser's form token."""
    problems = FormProblems()
    problems.add("", _("This form has expired; please send it again"))
    return pages.render(request, who, template, {**context, "problems": problems}, 403)
