from __future__ import annotations

import pytest
import uvicorn
from typer.testing import CliRunner

from cruce.cli import EXIT_READY, app

pytestmark = pytest.mark.functional


def test_serve_runs_the_api_factory_without_uvicorns_access_log(monkeypatch):
    called = {}
    monkeypatch.setattr(
        uvicorn, "run", lambda target, **options: called.update(options, target=target)
    )
    result = CliRunner().invoke(app, ["serve", "--port", "8123"])
    assert result.exit_code == EXIT_READY, result.output
    assert called["target"] == "cruce.api.app:create_app"
    assert called["factory"] is True
    assert (called["host"], called["port"]) == ("127.0.0.1", 8123)
    assert called["access_log"] is False
