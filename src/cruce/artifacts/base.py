"""The artifact contract: every document or filing answers the same four questions.

================  ====================================================================
``required``      is it legally required for this shipment, and why (with its source)
``problems``      what is missing or invalid for it (stable code, field path, EN/ES)
``render``        its bytes, file name and media type
``validate``      the check of rendered bytes against the official format
================  ====================================================================

An artifact is a module in ``cruce.artifacts`` that defines ``ARTIFACT``, an object with
these four methods and the attributes below. The registry finds it; nothing else changes
when a document is added (docs/dev/architecture.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from cruce.i18n import Message
    from cruce.model import Problem, Shipment


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(reference: str, suffix: str) -> str:
    """A safe file name: ``SPM/2026 #12`` + ``-x.pdf`` -> ``SPM-2026-12-x.pdf``."""
    stem = _UNSAFE.sub("-", reference).strip("-.") or "shipment"
    return f"{stem}{suffix}"


@dataclass(frozen=True, slots=True)
class Requirement:
    """Whether an artifact is needed for a shipment, why, and on what authority."""

    required: bool
    reason: Message
    citation: str | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    """An artifact's bytes with the name and media type to store or send them under."""

    filename: str
    media_type: str
    data: bytes


class Artifact(Protocol):
    """What every document or filing module exposes as ``ARTIFACT``."""

    key: str
    """Stable identifier, e.g. ``commercial_invoice``; used in manifests and problem codes."""
    title: Message
    """The artifact's name, in both languages."""
    media_type: str
    order: int
    """Position in checklists and packs (lower first)."""

    def required(self, shipment: Shipment) -> Requirement:
        """Whether the shipment needs this artifact, and why."""
        ...

    def problems(self, shipment: Shipment) -> list[Problem]:
        """What is missing or invalid in the shipment for this artifact."""
        ...

    def render(self, shipment: Shipment) -> Rendered:
        """The artifact's bytes. Call only when ``problems`` has no blockers."""
        ...

    def validate(self, data: bytes) -> list[Problem]:
        """Problems found checking rendered bytes against the official format; empty when valid."""
        ...
