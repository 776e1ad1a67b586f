"""The server killed (SIGKILL) in the middle of a POST: nothing half-written, the retry runs once.

Each test starts ``cruce serve`` in a subprocess on a SQLite file, signs up and takes an API
token through the API, and sends a POST with an ``Idempotency-Key`` from a thread. To land
the kill where it matters, and every time, the first server runs with a small hook (the
``_LAUNCHER`` below, a test harness, not part of cruce): when the request stores its
response under the key (``IdempotencyRepository.complete``, the last step inside the
request's transaction) it flushes every row to SQLite, writes a marker file and sleeps,
either before the transaction commits ("inside") or just after ("after"). The test sees
the marker and sends SIGKILL; the request never gets its answer.

Then the database is opened as it was left (its WAL recovered as on any restart) and the
server is started again, without the hook, on the same file:

- killed inside the transaction: no shipment (or no document), no row of it anywhere, and
  the key not left claimed: the retry with the same key runs (201) and stores exactly one;
- killed after the commit (the answer lost): exactly one complete shipment, whose record
  reads back and parses; the retry replays the first 201 and stores nothing more.

A third request with the same key replays the same response. The pack tests follow the
contract of ``POST /shipments/{id}/packs`` and skip while the route does not exist.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

import pytest

from cruce.artifacts.shipment_record import canonical_json
from cruce.ingest.loader import load_shipment, parse_shipment

pytestmark = pytest.mark.functional
CRUCE = Path(sys.executable).with_name("cruce")
EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "cruce" / "examples"
PASSWORD = "a long enough passphrase"  # noqa: S105 - a test account
PACKS_PATH = "/api/v1/shipments/{shipment_id}/packs"
WAIT = 90.0
"""How long to wait for a server to listen or a request to reach the hook (never asserted)."""

_LAUNCHER = """
import os, sys, time
from pathlib import Path

from sqlalchemy import event

from cruce.store.repositories.idempotency import IdempotencyRepository

marker, moment = Path(os.environ["CRASH_MARKER"]), os.environ["CRASH_AT"]
complete = IdempotencyRepository.complete


def hooked(self, *args, **kwargs):
    complete(self, *args, **kwargs)
    self.session.flush()  # every row of the request is now written in the transaction

    def stop(_session=None):
        written = marker.with_suffix(".tmp")
        written.write_text(moment)
        written.replace(marker)  # whole: the test reads it as soon as it exists
        time.sleep(600)  # until SIGKILL

    if moment == "inside":
        stop()
    else:
        event.listen(self.session, "after_commit", stop, once=True)


IdempotencyRepository.complete = hooked
from cruce.cli import main

sys.argv = ["cruce", *sys.argv[1:]]
main()
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``cruce serve`` on the test's SQLite file; ``crash_at`` runs it with the hook."""

    def __init__(self, data_dir: Path, crash_at: str | None = None) -> None:
        self.port = _free_port()
        self.marker = data_dir / "crash-marker"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CRUCE_")}
        env |= {"CRUCE_DATA_DIR": str(data_dir), "CRUCE_ENVIRONMENT": "development"}
        command = [str(CRUCE), "serve"]
        if crash_at is not None:
            env |= {"CRASH_MARKER": str(self.marker), "CRASH_AT": crash_at}
            command = [sys.executable, "-c", _LAUNCHER, "serve"]
        for _attempt in range(3):  # another program may take the free port before the server
            self.log_path = data_dir / f"server-{self.port}.log"
            self.log = self.log_path.open("wb")
            self.process = subprocess.Popen(  # noqa: S603 - our own command
                [*command, "--port", str(self.port)],
                env=env,
                stdout=self.log,
                stderr=subprocess.STDOUT,
            )
            if self._listening():
                return
            self.port = _free_port()
        pytest.fail(f"the server did not start: {self.log_path.read_text()}")

    def _listening(self) -> bool:
        """Whether this process listens on the port (uvicorn says so once it is bound)."""
        deadline = time.monotonic() + WAIT
        said = f"running on http://127.0.0.1:{self.port}"
        while said not in self.log_path.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                return False
            time.sleep(0.05)
        return True

    def call(
        self,
        method: str,
        path: str,
        body: bytes | dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any, dict[str, str]]:
        """One request: the status, the JSON body and the headers (names in lower case)."""
        sent = {"Content-Type": "application/json", **(headers or {})}
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        connection = HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, data, sent)
            response = connection.getresponse()
            raw = response.read()
            found = {name.lower(): value for name, value in response.getheaders()}
            return response.status, json.loads(raw) if raw else None, found
        finally:
            connection.close()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no rollback, no flush of anything but what SQLite wrote."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture
def servers():
    """Every server a test starts, stopped at its end whatever happened."""
    started: list[Server] = []

    def start(data_dir: Path, crash_at: str | None = None) -> Server:
        server = Server(data_dir, crash_at)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def _token(server: Server) -> dict[str, str]:
    """A new account's API token, as the Authorization header."""
    account = {
        "email": "dana@sonoran-precision.example",
        "password": PASSWORD,
        "name": "Dana Whitfield",
        "organisation": {
            "name": "Sonoran Precision Machining LLC",
            "tax_scheme": "us_ein",
            "tax_id": "862741953",
        },
    }
    status, body, _headers = server.call("POST", "/api/v1/accounts", account)
    assert status == 201, body
    signin = {"email": account["email"], "password": PASSWORD}
    status, session, headers = server.call("POST", "/api/v1/sessions", signin)
    assert status == 201, session
    cookie = headers["set-cookie"].split(";", 1)[0]
    status, token, _headers = server.call(
        "POST",
        "/api/v1/tokens",
        {"name": "crash test"},
        {"Cookie": cookie, "X-CSRF-Token": session["csrf_token"]},
    )
    assert status == 201, token
    return {"Authorization": f"Bearer {token['token']}"}


class InFlight:
    """A request sent from a thread; the server is killed before it answers."""

    def __init__(self, server: Server, method: str, path: str, body: bytes | None, headers):
        self.outcome: tuple[int, Any, dict[str, str]] | OSError | None = None
        self.thread = threading.Thread(
            target=self._send, args=(server, method, path, body, headers), daemon=True
        )
        self.thread.start()

    def _send(self, server: Server, method: str, path: str, body: bytes | None, headers) -> None:
        try:
            self.outcome = server.call(method, path, body, headers)
        except OSError as error:  # the connection dies with the server
            self.outcome = error


def _kill_at_the_hook(server: Server, request: InFlight, moment: str) -> None:
    """Wait until the request is at the hook, then SIGKILL the server; it never answered."""
    deadline = time.monotonic() + WAIT
    while not server.marker.exists():
        if not request.thread.is_alive() or time.monotonic() > deadline:
            server.stop()
            pytest.fail(f"the request did not reach the hook: {request.outcome}")
        time.sleep(0.01)
    assert server.marker.read_text() == moment
    server.kill()
    request.thread.join(timeout=WAIT)
    assert isinstance(request.outcome, OSError), request.outcome
    server.marker.unlink()


def _rows(data_dir: Path, *tables: str) -> dict[str, int]:
    """Row counts as the killed server left the file (SQLite recovers its WAL on opening)."""
    connection = sqlite3.connect(data_dir / "cruce.db")
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - our names
            for table in tables
        }
    finally:
        connection.close()


def _goods_sheet_example_as_json() -> bytes:
    """Example 03, 250 goods lines read from its sheet, as one JSON record (~180 kB)."""
    return canonical_json(load_shipment(EXAMPLES / "03-goods-sheet-250" / "shipment.yaml"))


def _shipments(server: Server, auth: dict[str, str]) -> list[dict[str, Any]]:
    status, page, _headers = server.call("GET", "/api/v1/shipments", headers=auth)
    assert status == 200, page
    return page["items"]


def _record_parses(server: Server, auth: dict[str, str], shipment_id: str) -> None:
    status, read, _headers = server.call("GET", f"/api/v1/shipments/{shipment_id}", headers=auth)
    assert status == 200, read
    record = parse_shipment(json.dumps(read["record"]).encode(), filename="shipment.json")
    assert len(record.goods) == 250


class TestCreateShipment:
    def test_killed_inside_its_transaction_nothing_is_stored_and_the_retry_creates_one(
        self, tmp_path, servers
    ):
        first = servers(tmp_path, crash_at="inside")
        auth = _token(first)
        body = _goods_sheet_example_as_json()
        headers = {**auth, "Idempotency-Key": "create-250-lines"}
        request = InFlight(first, "POST", "/api/v1/shipments", body, headers)
        _kill_at_the_hook(first, request, "inside")

        left = _rows(tmp_path, "shipments", "shipment_versions", "idempotency_keys")
        assert left == {"shipments": 0, "shipment_versions": 0, "idempotency_keys": 0}
        again = servers(tmp_path)
        assert _shipments(again, auth) == []

        status, created, found = again.call("POST", "/api/v1/shipments", body, headers)
        assert status == 201, created
        assert [item["id"] for item in _shipments(again, auth)] == [created["id"]]
        _record_parses(again, auth, created["id"])
        status, replayed, replayed_headers = again.call("POST", "/api/v1/shipments", body, headers)
        assert (status, replayed) == (201, created)
        assert replayed_headers["location"] == found["location"]
        assert len(_shipments(again, auth)) == 1

    def test_killed_after_its_commit_the_retry_gets_the_lost_answer_and_nothing_more(
        self, tmp_path, servers
    ):
        first = servers(tmp_path, crash_at="after")
        auth = _token(first)
        body = _goods_sheet_example_as_json()
        headers = {**auth, "Idempotency-Key": "create-250-lines"}
        request = InFlight(first, "POST", "/api/v1/shipments", body, headers)
        _kill_at_the_hook(first, request, "after")

        left = _rows(tmp_path, "shipments", "shipment_versions", "idempotency_keys")
        assert left == {"shipments": 1, "shipment_versions": 1, "idempotency_keys": 1}
        again = servers(tmp_path)
        (stored,) = _shipments(again, auth)
        _record_parses(again, auth, stored["id"])

        status, replayed, _headers = again.call("POST", "/api/v1/shipments", body, headers)
        assert status == 201, replayed
        assert replayed["id"] == stored["id"]
        status, third, _headers = again.call("POST", "/api/v1/shipments", body, headers)
        assert (status, third) == (201, replayed)
        assert [item["id"] for item in _shipments(again, auth)] == [stored["id"]]


def _packs_route(server: Server) -> str:
    """The pack route's path for this server, or a skip while it does not exist."""
    status, description, _headers = server.call("GET", "/api/v1/openapi.json")
    assert status == 200
    if PACKS_PATH not in description["paths"]:
        pytest.skip("POST /api/v1/shipments/{shipment_id}/packs is not in the API yet")
    return PACKS_PATH


def _documents(server: Server, auth: dict[str, str], shipment_id: str) -> list[dict[str, Any]]:
    status, listed, _headers = server.call(
        "GET", f"/api/v1/shipments/{shipment_id}/documents", headers=auth
    )
    assert status == 200, listed
    return listed["documents"]


class TestPack:
    def _shipment(self, server: Server, auth: dict[str, str]) -> str:
        """Example 01 (ready to pack) as a new shipment; no key, so the hook stays asleep."""
        record = (EXAMPLES / "01-phoenix-to-guadalajara" / "shipment.yaml").read_bytes()
        status, created, _headers = server.call(
            "POST",
            "/api/v1/shipments",
            record,
            {**auth, "Content-Type": "application/yaml"},
        )
        assert status == 201, created
        return str(created["id"])

    def test_killed_inside_its_transaction_no_document_is_stored_and_the_retry_packs_once(
        self, tmp_path, servers
    ):
        first = servers(tmp_path, crash_at="inside")
        route = _packs_route(first)
        auth = _token(first)
        shipment_id = self._shipment(first, auth)
        path = route.format(shipment_id=shipment_id)
        headers = {**auth, "Idempotency-Key": "pack-once"}
        request = InFlight(first, "POST", path, None, headers)
        _kill_at_the_hook(first, request, "inside")

        left = _rows(tmp_path, "documents", "idempotency_keys")
        assert left == {"documents": 0, "idempotency_keys": 0}
        again = servers(tmp_path)
        assert _documents(again, auth, shipment_id) == []

        status, packed, _headers = again.call("POST", path, None, headers)
        assert status == 201, packed
        ids = [item["id"] for item in packed["documents"]]
        assert ids
        assert sorted(item["id"] for item in _documents(again, auth, shipment_id)) == sorted(ids)
        status, replayed, _headers = again.call("POST", path, None, headers)
        assert (status, replayed) == (201, packed)
        assert len(_documents(again, auth, shipment_id)) == len(ids)

    def test_killed_after_its_commit_the_retry_gets_the_lost_answer_and_nothing_more(
        self, tmp_path, servers
    ):
        first = servers(tmp_path, crash_at="after")
        route = _packs_route(first)
        auth = _token(first)
        shipment_id = self._shipment(first, auth)
        path = route.format(shipment_id=shipment_id)
        headers = {**auth, "Idempotency-Key": "pack-once"}
        request = InFlight(first, "POST", path, None, headers)
        _kill_at_the_hook(first, request, "after")

        again = servers(tmp_path)
        stored = sorted(item["id"] for item in _documents(again, auth, shipment_id))
        assert stored
        status, replayed, _headers = again.call("POST", path, None, headers)
        assert status == 201, replayed
        assert sorted(item["id"] for item in replayed["documents"]) == stored
        status, third, _headers = again.call("POST", path, None, headers)
        assert (status, third) == (201, replayed)
        assert sorted(item["id"] for item in _documents(again, auth, shipment_id)) == stored
