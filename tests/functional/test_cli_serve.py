"""``cruce serve`` and ``cruce serve --demo``: the server's options, the demo's data and output."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import func, select
from typer.testing import CliRunner

from cruce.api.demo import DEMO_EMAIL, DEMO_PASSWORD, seed
from cruce.api.platform import Platform
from cruce.cli import EXIT_READY, EXIT_UNUSABLE, app
from cruce.config import Settings, get_settings
from cruce.store.models import Membership, Organisation, User
from cruce.store.models import Shipment as ShipmentRow

pytestmark = pytest.mark.functional
CRUCE = Path(sys.executable).with_name("cruce")
EXAMPLE_REFERENCES = {"SPM-2026-1187", "ETC-2026-EXP-0331", "DIS-2026-SO-55810"}
STARTUP = 60.0
"""How long a server may take to seed and listen before the test gives up (not asserted)."""
PRODUCTION = {
    "CRUCE_ENVIRONMENT": "production",
    "CRUCE_KEKS": "k1:" + "A" * 43 + "=",
    "CRUCE_SESSION_SECRET": "s" * 40,
    "CRUCE_DATABASE_URL": "sqlite:////nonexistent/cruce.db",
    "CRUCE_LOG_KEY": "A" * 43 + "=",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def fresh_settings():
    """``get_settings`` read again from the environment the test sets, and forgotten after."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _no_server(monkeypatch) -> None:
    def refuse(*_args, **_options):
        pytest.fail("uvicorn.run was called")

    monkeypatch.setattr(uvicorn, "run", refuse)


class TestServe:
    def test_serve_runs_the_web_app_factory_without_uvicorns_access_log(self, monkeypatch):
        called = {}
        monkeypatch.setattr(
            uvicorn, "run", lambda target, **options: called.update(options, target=target)
        )
        port = _free_port()
        result = CliRunner().invoke(app, ["serve", "--port", str(port)])
        assert result.exit_code == EXIT_READY, result.output
        assert called["target"] == "cruce.web.app:create_app"
        assert called["factory"] is True
        assert (called["host"], called["port"]) == ("127.0.0.1", port)
        assert called["access_log"] is False

    def test_a_port_another_program_listens_on_is_said_in_a_sentence_with_exit_2(self, monkeypatch):
        _no_server(monkeypatch)
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            result = CliRunner().invoke(app, ["--lang", "en", "serve", "--port", str(port)])
        assert result.exit_code == EXIT_UNUSABLE
        assert f"Port {port} on 127.0.0.1 is taken" in result.output
        assert "--port" in result.output
        assert "Traceback" not in result.output


def _count(unit, model) -> int:
    return unit.session.scalar(select(func.count()).select_from(model))


class TestDemoData:
    def test_seeding_twice_gives_one_organisation_one_user_and_three_shipments(self, tmp_path):
        settings = Settings(data_dir=tmp_path)
        platform = Platform.from_settings(settings)
        first = seed(platform, settings)
        second = seed(platform, settings)
        assert (second.user_id, second.organisation_id) == (first.user_id, first.organisation_id)
        assert second.token == first.token
        assert [item.created for item in first.shipments] == [True, True, True]
        assert [item.created for item in second.shipments] == [False, False, False]
        with platform.unit() as unit:
            assert _count(unit, Organisation) == 1
            assert _count(unit, User) == 1
            assert _count(unit, Membership) == 1
            assert _count(unit, ShipmentRow) == 3
            page = unit.shipments.list(first.organisation_id)
            assert {item.reference for item in page.items} == EXAMPLE_REFERENCES
            live = [
                t for t in unit.tokens.for_organisation(first.organisation_id) if not t.revoked_at
            ]
            assert len(live) == 1

    def test_the_demo_organisation_is_the_first_examples_seller_with_its_tax_id_and_address(
        self, tmp_path
    ):
        settings = Settings(data_dir=tmp_path)
        platform = Platform.from_settings(settings)
        account = seed(platform, settings)
        with platform.unit() as unit:
            organisation = unit.organisations.get(account.organisation_id)
            stored = unit.shipments.get(account.shipments[2].id)
        assert (organisation.name, organisation.tax_scheme, organisation.tax_id) == (
            "Sonoran Precision Machining LLC",
            "us_ein",
            "862741953",
        )
        assert organisation.address is not None
        assert organisation.address["locality"] == "Phoenix"  # a new shipment's seller starts here
        assert len(stored.record.goods) == 250  # example 03's goods sheet was read

    def test_a_lost_token_file_gives_a_new_token_and_revokes_the_old_one(self, tmp_path):
        settings = Settings(data_dir=tmp_path)
        platform = Platform.from_settings(settings)
        first = seed(platform, settings)
        (tmp_path / "demo-token.txt").unlink()
        second = seed(platform, settings)
        assert second.token != first.token
        with platform.unit() as unit:
            tokens = unit.tokens.for_organisation(first.organisation_id)
        assert sorted(t.revoked_at is None for t in tokens) == [False, True]

    @pytest.mark.usefixtures("fresh_settings")
    def test_production_refuses_demo_mode(self, monkeypatch, tmp_path):
        _no_server(monkeypatch)
        for name, value in PRODUCTION.items():
            monkeypatch.setenv(name, value)
        result = CliRunner().invoke(
            app, ["--lang", "en", "serve", "--demo", "--demo-dir", str(tmp_path / "demo")]
        )
        assert result.exit_code == EXIT_UNUSABLE
        assert "refused in production" in result.output
        assert not (tmp_path / "demo").exists()

    @pytest.mark.usefixtures("fresh_settings")
    def test_production_without_its_secrets_is_refused_in_a_sentence(self, monkeypatch, tmp_path):
        _no_server(monkeypatch)
        monkeypatch.setenv("CRUCE_ENVIRONMENT", "production")
        for name in ("CRUCE_KEKS", "CRUCE_SESSION_SECRET", "CRUCE_DATABASE_URL", "CRUCE_LOG_KEY"):
            monkeypatch.delenv(name, raising=False)
        result = CliRunner().invoke(
            app, ["--lang", "en", "serve", "--demo", "--demo-dir", str(tmp_path / "demo")]
        )
        assert result.exit_code == EXIT_UNUSABLE
        assert "CRUCE_KEKS" in result.output
        assert "Traceback" not in result.output


class _Server:
    """``cruce serve --demo`` in a subprocess, its output collected as it comes."""

    def __init__(self, cwd: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CRUCE_")}
        env["CRUCE_ENVIRONMENT"] = "development"
        for _attempt in range(3):  # another program may take the free port before the server
            self.port = _free_port()
            self.lines: list[str] = []
            self.process = subprocess.Popen(  # noqa: S603 - our own command
                [str(CRUCE), "--lang", "en", "serve", "--demo", "--port", str(self.port)],
                cwd=cwd,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            self.reader = threading.Thread(target=self._read, daemon=True)
            self.reader.start()
            if self._listening():
                return
        pytest.fail(f"the server did not start:\n{self.output}")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def _listening(self) -> bool:
        """Whether this process listens on its port (uvicorn says so once it is bound)."""
        deadline = time.monotonic() + STARTUP
        while f"running on http://127.0.0.1:{self.port}" not in self.output:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                return False
            time.sleep(0.05)
        return True

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _call(
    port: int, method: str, path: str, body: dict | None = None, token: str | None = None
) -> tuple[int, dict, dict[str, str]]:
    """One request to the server on ``port``: its status, JSON body and headers."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, json.dumps(body) if body else None, headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else {}, dict(response.getheaders())
    finally:
        connection.close()


class TestDemoServer:
    def test_serve_demo_prints_the_url_and_a_sign_in_that_work(self, tmp_path):
        server = _Server(cwd=tmp_path)
        port = server.port
        try:
            output = server.output
            base = f"http://127.0.0.1:{port}"
            assert f"API and its documentation: {base}/api/v1/docs" in output
            assert f"Web app: {base}/" in output
            page = HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                page.request("GET", "/sign-in")
                answer = page.getresponse()
                assert answer.status == 200
                assert b'<form method="post" action="/sign-in"' in answer.read()
            finally:
                page.close()
            signin = re.search(r"Sign in with (\S+) and the password (\S+) ", output)
            token = re.search(r"API token: (cruce_api_\S+)", output)
            assert signin is not None, output
            assert token is not None, output
            assert signin.groups() == (DEMO_EMAIL, DEMO_PASSWORD)
            assert f'curl -H "Authorization: Bearer {token[1]}" {base}/api/v1/shipments' in output

            status, listed, _headers = _call(port, "GET", "/api/v1/shipments", token=token[1])
            assert status == 200, listed
            assert {item["reference"] for item in listed["items"]} == EXAMPLE_REFERENCES
            status, session, headers = _call(
                port, "POST", "/api/v1/sessions", {"email": signin[1], "password": signin[2]}
            )
            assert status == 201, session
            assert "csrf_token" in session
            assert headers["set-cookie"].startswith("cruce_session=")
        finally:
            server.stop()
        assert (tmp_path / "cruce-demo" / "service" / "cruce.db").is_file()
