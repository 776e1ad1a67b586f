"""Input errors: why a file cannot be read as a shipment, naming the field, row and column.

Every failure to read outside input ends as an :class:`InputError` holding one or more
:class:`InputIssue`; nothing else escapes the loaders. Pydantic's validation errors are
translated here into bilingual messages (pydantic's own text is English only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cruce.i18n import N_, Locale, Message, _
from cruce.model.errors import TEMPLATE_KEY

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from pydantic import ValidationError

MAX_ISSUES = 50


@dataclass(frozen=True, slots=True)
class InputIssue:
    """One reason the input is unusable.

    ``path`` is the field in the record (``goods[16].unit_price``); ``source`` names the
    file, and ``row`` / ``column`` the cell of a sheet, when the value came from one.
    """

    code: str
    path: str
    message: Message
    source: str | None = None
    row: int | None = None
    column: str | None = None

    def where(self, locale: Locale = "en") -> str:
        """``goods.xlsx, row 17, column unit_price`` or ``shipment.yaml: parties.buyer.name``."""
        parts = [self.source] if self.source else []
        if self.row is not None:
            parts.append(_("row {row}", row=self.row).render(locale))
        if self.column is not None:
            parts.append(_("column {column}", column=self.column).render(locale))
        place = ", ".join(parts)
        if self.path and self.row is None:
            return f"{place}: {self.path}" if place else self.path
        return place or self.path

    def render(self, locale: Locale) -> str:
        """Where and what, in ``locale``."""
        where = self.where(locale)
        text = self.message.render(locale)
        return f"{where}: {text}" if where else text

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form with the message in every language."""
        return {
            "code": self.code,
            "path": self.path,
            "source": self.source,
            "row": self.row,
            "column": self.column,
            "message": self.message.both(),
        }


class InputError(Exception):
    """The input cannot be read as a shipment; ``issues`` say why."""

    def __init__(self, issues: Iterable[InputIssue]) -> None:
        self.issues = list(issues)[:MAX_ISSUES]
        super().__init__("; ".join(issue.render("en") for issue in self.issues))


def issue(code: str, message: Message, *, path: str = "", source: str | None = None) -> InputError:
    """An error with a single issue."""
    return InputError([InputIssue(code, path, message, source)])


def format_path(location: Iterable[int | str]) -> str:
    """``("goods", 3, "unit_price")`` -> ``goods[3].unit_price``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


# Pydantic's error types, as messages in both languages. Parameters come from the error's ctx.
_PYDANTIC_MESSAGES: Mapping[str, str] = {
    "missing": N_("this field is required"),
    "extra_forbidden": N_("this field is not part of the shipment record (check its spelling)"),
    "string_type": N_("expected text"),
    "string_too_short": N_("must have at least {min_length} characters"),
    "string_too_long": N_("must have at most {max_length} characters"),
    "string_pattern_mismatch": N_("'{input}' does not have the required format"),
    "int_type": N_("expected a whole number"),
    "int_parsing": N_("'{input}' is not a whole number"),
    "int_from_float": N_("'{input}' is not a whole number"),
    "decimal_type": N_("expected a number"),
    "decimal_parsing": N_("'{input}' is not a number"),
    "decimal_max_digits": N_("'{input}' has more than {max_digits} digits"),
    "decimal_max_places": N_("'{input}' has more than {decimal_places} decimal places"),
    "decimal_whole_digits": N_("'{input}' has too many digits before the decimal point"),
    "finite_number": N_("'{input}' is not a finite number"),
    "greater_than": N_("must be greater than {gt}"),
    "greater_than_equal": N_("must be {ge} or more"),
    "less_than": N_("must be less than {lt}"),
    "less_than_equal": N_("must be {le} or less"),
    "bool_type": N_("expected yes or no (true/false)"),
    "bool_parsing": N_("'{input}' is not yes or no (true/false)"),
    "list_type": N_("expected a list"),
    "too_long": N_("at most {max_length} entries are allowed"),
    "too_short": N_("at least {min_length} entries are required"),
    "dict_type": N_("expected a group of fields"),
    "model_type": N_("expected a group of fields"),
    "model_attributes_type": N_("expected a group of fields"),
    "enum": N_("'{input}' is not one of: {expected}"),
    "literal_error": N_("'{input}' is not one of: {expected}"),
    "date_type": N_("expected a date (YYYY-MM-DD)"),
    "date_parsing": N_("'{input}' is not a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("'{input}' is not a date (YYYY-MM-DD)"),
    "date_from_datetime_inexact": N_("'{input}' is not a date (YYYY-MM-DD)"),
    "datetime_type": N_("expected a date and time with its UTC offset"),
    "datetime_parsing": N_("'{input}' is not a date and time (e.g. 2026-12-03T09:00:00-07:00)"),
    "datetime_from_date_parsing": N_(
        "'{input}' is not a date and time (e.g. 2026-12-03T09:00:00-07:00)"
    ),
    "timezone_aware": N_("give the time with its UTC offset, e.g. 2026-12-03T09:00:00-07:00"),
    "value_error": N_("'{input}' is not valid"),
}
_INPUT_PREVIEW = 40


def _preview(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _INPUT_PREVIEW else text[: _INPUT_PREVIEW - 1] + "…"


def message_for(error: Mapping[str, Any]) -> tuple[str, Message]:
    """The stable code and the bilingual message of one pydantic error."""
    kind = str(error["type"])
    ctx = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    # cruce's own validators carry their catalogued template (cruce.model.errors.invalid)
    template = ctx.pop(TEMPLATE_KEY, None) or _PYDANTIC_MESSAGES.get(kind)
    params = {"input": _preview(error.get("input")), **ctx}
    if template is None:
        # An error type with no translation yet: say so in both languages, keep pydantic's text.
        template = N_("invalid value: {detail}")
        params["detail"] = str(error.get("msg", kind))
    return f"input.{kind}", _(template, **params)


def issues_from_validation(
    error: ValidationError,
    *,
    prefix: tuple[int | str, ...] = (),
    source: str | None = None,
    locate: Callable[[tuple[int | str, ...]], tuple[int | None, str | None]] | None = None,
) -> list[InputIssue]:
    """Translate a pydantic error into issues.

    ``locate`` maps a field's location to a sheet's row and column, when it came from one.
    """
    found: list[InputIssue] = []
    for item in error.errors(include_url=False):
        location = tuple(part for part in item["loc"] if not _is_union_tag(part))
        code, message = message_for(item)
        row, column = locate(location) if locate else (None, None)
        found.append(InputIssue(code, format_path(prefix + location), message, source, row, column))
    return found


def _is_union_tag(part: int | str) -> bool:
    # pydantic adds the branch of a union to the location ("function-after[...]", "str", ...)
    return isinstance(part, str) and (
        "[" in part or part in {"str", "int", "float", "decimal", "bool", "dict", "list"}
    )
