"""Shared fixtures: paths to the bundled examples and the shared reference data."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "src" / "cruce" / "examples"
SHARED_DATA = REPO.parent / "shared" / "data"

settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("default", deadline=None)
settings.load_profile("ci" if __import__("os").environ.get("CI") else "default")


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not beside this checkout")
    return SHARED_DATA
