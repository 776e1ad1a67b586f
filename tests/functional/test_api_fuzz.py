"""schemathesis against the OpenAPI description: generated requests, no 5xx, responses conform.

The number of examples per operation is ``CRUCE_FUZZ_EXAMPLES`` (default 60 in ``make test``);
a longer run: ``CRUCE_FUZZ_EXAMPLES=2500 .venv/bin/pytest tests/functional/test_api_fuzz.py``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from cruce.api.app import create_app
from cruce.api.deps import Services
from cruce.api.platform import Platform
from cruce.config import Settings

pytestmark = pytest.mark.functional
EXAMPLES = int(os.environ.get("CRUCE_FUZZ_EXAMPLES", "60"))


def _app():
    # a fresh SQLite database; no rate limits: the fuzzer is one client sending thousands
    # of requests on purpose
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="cruce-fuzz-")))
    return create_app(
        services=Services(settings=settings, platform=Platform.from_settings(settings))
    )


schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", _app())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_request_breaks_the_server_or_the_schema(case):
    response = case.call()
    assert response.status_code < 500, response.text
    # A request valid by the schema may still be refused on its meaning (an uploaded file
    # that holds no credential is a 422 problem), so "positive data is accepted" is not
    # asked; every other check is: status codes, content types, headers and bodies as
    # documented, and no server error.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])
