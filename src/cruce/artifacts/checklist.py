"""The readiness checklist and the pack: every artifact's requirement, problems and bytes.

Pure: nothing here touches the disk. The CLI (and later the API) store what it returns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cruce import __version__
from cruce.artifacts.registry import all_artifacts
from cruce.model.problems import Problem, Severity, has_blockers

if TYPE_CHECKING:
    from collections.abc import Callable

    from cruce.artifacts.base import Artifact, Rendered, Requirement
    from cruce.model import Shipment


@dataclass(frozen=True, slots=True)
class ArtifactStatus:
    """One line of the checklist: an artifact, whether it is needed, and what stops it."""

    artifact: Artifact
    requirement: Requirement
    problems: list[Problem]

    @property
    def blockers(self) -> list[Problem]:
        """The problems that stop the artifact."""
        return [p for p in self.problems if p.severity is Severity.BLOCKER]

    @property
    def warnings(self) -> list[Problem]:
        """The problems worth a look."""
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ready(self) -> bool:
        """Not needed, or needed and without blockers."""
        return not self.requirement.required or not self.blockers


@dataclass(frozen=True, slots=True)
class Checklist:
    """The readiness of every artifact for one shipment."""

    shipment: Shipment
    statuses: list[ArtifactStatus]

    @property
    def ready(self) -> bool:
        """Every required artifact is free of blockers."""
        return all(status.ready for status in self.statuses)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (``cruce check --json``)."""
        return {
            "shipment": self.shipment.reference,
            "direction": self.shipment.direction,
            "ready": self.ready,
            "artifacts": [
                {
                    "key": s.artifact.key,
                    "title": s.artifact.title.both(),
                    "required": s.requirement.required,
                    "reason": s.requirement.reason.both(),
                    "citation": s.requirement.citation,
                    "ready": s.ready,
                    "problems": [p.as_dict() for p in s.problems],
                }
                for s in self.statuses
            ],
        }


def check(shipment: Shipment) -> Checklist:
    """The checklist: each artifact's requirement and problems."""
    statuses = [
        ArtifactStatus(artifact, artifact.required(shipment), artifact.problems(shipment))
        for artifact in all_artifacts()
    ]
    return Checklist(shipment, statuses)


@dataclass(frozen=True, slots=True)
class PackedArtifact:
    """A rendered, validated artifact with its digest."""

    status: ArtifactStatus
    rendered: Rendered
    validation: list[Problem] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes."""
        return hashlib.sha256(self.rendered.data).hexdigest()


@dataclass(frozen=True, slots=True)
class Pack:
    """Every required artifact of a shipment, rendered and validated, and its manifest."""

    checklist: Checklist
    artifacts: list[PackedArtifact]

    @property
    def valid(self) -> bool:
        """Every artifact passed its format check."""
        return all(not has_blockers(a.validation) for a in self.artifacts)

    def manifest(self, generated_at: str) -> dict[str, Any]:
        """The manifest: file, media type, size and SHA-256 of each artifact."""
        shipment = self.checklist.shipment
        return {
            "manifest_version": "1",
            "generator": f"cruce {__version__}",
            "generated_at": generated_at,
            "shipment": {"reference": shipment.reference, "direction": shipment.direction},
            "artifacts": [
                {
                    "key": a.status.artifact.key,
                    "title": a.status.artifact.title.both(),
                    "file": a.rendered.filename,
                    "media_type": a.rendered.media_type,
                    "bytes": len(a.rendered.data),
                    "sha256": a.sha256,
                    "required_because": a.status.requirement.reason.both(),
                    "citation": a.status.requirement.citation,
                    "valid": not has_blockers(a.validation),
                    "validation": [p.as_dict() for p in a.validation],
                }
                for a in self.artifacts
            ],
        }


class NotReadyError(Exception):
    """The shipment has blockers: nothing is rendered."""

    def __init__(self, checklist: Checklist) -> None:
        super().__init__(f"{checklist.shipment.reference} has blockers")
        self.checklist = checklist


def pack(shipment: Shipment, progress: Callable[[Artifact], None] | None = None) -> Pack:
    """Render and validate every required artifact; raise NotReadyError when any has blockers.

    ``progress`` is called after each artifact is done.
    """
    checklist = check(shipment)
    if not checklist.ready:
        raise NotReadyError(checklist)
    packed: list[PackedArtifact] = []
    for status in checklist.statuses:
        if not status.requirement.required:
            continue
        rendered = status.artifact.render(shipment)
        packed.append(PackedArtifact(status, rendered, status.artifact.validate(rendered.data)))
        if progress is not None:
            progress(status.artifact)
    return Pack(checklist, packed)
