"""Find the artifacts: cruce's own modules, then those other packages register.

A module of this package (not starting with ``_``, not ``base`` or ``registry``) that
defines ``ARTIFACT`` is an artifact. Other distributions add theirs through the
``cruce.artifacts`` entry-point group, each entry naming an object with the contract.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

import cruce.artifacts

if TYPE_CHECKING:
    from cruce.artifacts.base import Artifact

ENTRY_POINT_GROUP = "cruce.artifacts"
_NOT_ARTIFACTS = frozenset({"base", "registry", "checklist"})


@cache
def all_artifacts() -> tuple[Artifact, ...]:
    """Every artifact, in checklist order; a key appears once."""
    found: dict[str, Artifact] = {}
    for module_info in pkgutil.iter_modules(cruce.artifacts.__path__):
        name = module_info.name
        if name.startswith("_") or name in _NOT_ARTIFACTS:
            continue
        module = importlib.import_module(f"cruce.artifacts.{name}")
        artifact = getattr(module, "ARTIFACT", None)
        if artifact is not None:
            found.setdefault(artifact.key, artifact)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        artifact = entry.load()
        found.setdefault(artifact.key, artifact)
    return tuple(sorted(found.values(), key=lambda a: (a.order, a.key)))


def get(key: str) -> Artifact:
    """The artifact with ``key``; KeyError when there is none."""
    for artifact in all_artifacts():
        if artifact.key == key:
            return artifact
    raise KeyError(key)
