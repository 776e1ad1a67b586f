"""Problems: what stops or weakens a document, each with a stable code, a field and a message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cruce.i18n import Locale, Message


class Severity(StrEnum):
    """A blocker stops the document; a warning is worth a look; info is a finding to know."""

    BLOCKER = "blocker"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing missing or wrong.

    ``code`` is stable (``party.buyer.tax_id.invalid``): programs key on it. ``path`` names
    the field in the record (``parties.buyer.tax_ids[0].value``); ``message`` renders in
    English and Spanish.
    """

    code: str
    path: str
    severity: Severity
    message: Message

    def render(self, locale: Locale) -> str:
        """The message in ``locale``."""
        return self.message.render(locale)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form with the message in every language."""
        return {
            "code": self.code,
            "path": self.path,
            "severity": self.severity.value,
            "message": self.message.both(),
        }


def blocker(code: str, path: str, message: Message) -> Problem:
    """A problem that stops the document."""
    return Problem(code, path, Severity.BLOCKER, message)


def warning(code: str, path: str, message: Message) -> Problem:
    """A problem worth a look that does not stop the document."""
    return Problem(code, path, Severity.WARNING, message)


def info(code: str, path: str, message: Message) -> Problem:
    """A finding the person should know (e.g. "formal entry required"), not a fault."""
    return Problem(code, path, Severity.INFO, message)


def has_blockers(problems: list[Problem]) -> bool:
    """True when any problem is a blocker."""
    return any(p.severity is Severity.BLOCKER for p in problems)
