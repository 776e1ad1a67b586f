"""What a verification found, check by check, in words anyone can read in both languages.

A report keeps four checks apart, as a customs officer asks them: is the document unchanged
and signed (integrity), is it still in force (status), who issued it and how that is known
(issuer), and is it in the public log (log). Each check passed, failed, or could not be
made (with what is missing); the document is valid only when none failed and integrity and
issuer passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from cruce.i18n import Message, _

if TYPE_CHECKING:
    from cruce.i18n import Locale


class Outcome(StrEnum):
    """How one check ended."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_CHECKED = "not_checked"


class CheckName(StrEnum):
    """The four checks, in the order they are shown."""

    INTEGRITY = "integrity"
    STATUS = "status"
    ISSUER = "issuer"
    LOG = "log"


TITLES = {
    CheckName.INTEGRITY: _("Integrity: signed and unchanged"),
    CheckName.STATUS: _("Status: not revoked"),
    CheckName.ISSUER: _("Issuer"),
    CheckName.LOG: _("Transparency log"),
}


@dataclass(frozen=True, slots=True)
class Check:
    """One check's outcome and the sentence that explains it."""

    name: CheckName
    outcome: Outcome
    detail: Message

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form with the title and the detail in both languages."""
        return {
            "check": self.name.value,
            "title": TITLES[self.name].both(),
            "outcome": self.outcome.value,
            "detail": self.detail.both(),
        }


@dataclass(frozen=True, slots=True)
class Report:
    """Every check made on one credential or document."""

    subject: str
    checks: tuple[Check, ...]
    facts: dict[str, str] = field(default_factory=dict)

    def outcome(self, name: CheckName) -> Outcome:
        """The outcome of one check (not checked when it was not made)."""
        return next((c.outcome for c in self.checks if c.name is name), Outcome.NOT_CHECKED)

    @property
    def valid(self) -> bool:
        """No check failed, and the signature and the issuer were both established."""
        if any(c.outcome is Outcome.FAILED for c in self.checks):
            return False
        needed = (CheckName.INTEGRITY, CheckName.ISSUER)
        return all(self.outcome(name) is Outcome.PASSED for name in needed)

    def verdict(self) -> Message:
        """One sentence for the top of the report."""
        if self.valid:
            return _("Valid")
        if any(c.outcome is Outcome.FAILED for c in self.checks):
            return _("Not valid")
        return _("Not established: some checks could not be made")

    def in_locale(self, locale: Locale) -> dict[str, Any]:
        """The JSON-ready form with every text in ``locale`` only (the API's answer)."""
        return {
            "subject": self.subject,
            "valid": self.valid,
            "verdict": self.verdict().render(locale),
            "checks": [
                {
                    "check": c.name.value,
                    "title": TITLES[c.name].render(locale),
                    "outcome": c.outcome.value,
                    "detail": c.detail.render(locale),
                }
                for c in self.checks
            ],
            "facts": dict(self.facts),
        }

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (``cruce verify --json``)."""
        return {
            "subject": self.subject,
            "valid": self.valid,
            "verdict": self.verdict().both(),
            "checks": [c.as_dict() for c in self.checks],
            "facts": dict(self.facts),
        }
