"""GET /api/v1/log/...: the public transparency log, its proofs checked with cruce.trust alone."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from cruce.api.anchoring import audit_head_entry, verify_audit
from cruce.api.app import create_app
from cruce.api.deps import Services
from cruce.api.platform import Platform
from cruce.api.ratelimit import RateLimit
from cruce.config import Settings
from cruce.trust import merkle
from cruce.trust.checkpoint import open_checkpoint, verifier_from_vkey

pytestmark = pytest.mark.functional
PASSWORD = "a long enough passphrase"  # noqa: S105 - test accounts
SIGN_UPS = 5


def _sign_up(client: TestClient, n: int) -> None:
    body = {
        "email": f"person{n}@company{n}.example",
        "password": PASSWORD,
        "name": f"Person {n}",
        "organisation": {"name": f"Company {n}", "tax_scheme": "us_ein", "tax_id": "862741953"},
    }
    assert client.post("/api/v1/accounts", json=body).status_code == 201


def _client(tmp_path, verify_rate: str | None = None, **options) -> TestClient:
    settings = Settings(data_dir=tmp_path, **options)
    services = Services(
        settings=settings,
        platform=Platform.from_settings(settings),
        verify_limit=None if verify_rate is None else RateLimit("verify", verify_rate),
    )
    return TestClient(create_app(services=services), raise_server_exceptions=False)


@pytest.fixture
def client(tmp_path) -> TestClient:
    return _client(tmp_path, anchor_events=1)


@pytest.fixture
def logged(client) -> TestClient:
    for n in range(SIGN_UPS):
        _sign_up(client, n)
    return client


def _hashes(body: dict) -> list[bytes]:
    return [base64.b64decode(h) for h in body["hashes"]]


def _checkpoint(client: TestClient):
    vkey = client.get("/api/v1/log/vkey").json()["vkey"]
    note = client.get("/api/v1/log/checkpoint")
    assert note.status_code == 200
    assert note.headers["content-type"].startswith("text/plain")
    return open_checkpoint(note.text, verifier_from_vkey(vkey)).checkpoint


class TestBeforeTheFirstCheckpoint:
    def test_the_log_answers_404_but_publishes_its_key(self, client):
        assert client.get("/api/v1/log/checkpoint").status_code == 404
        assert client.get("/api/v1/log/proof/inclusion?index=0").status_code == 404
        assert client.get("/api/v1/log/entries/0").json()["code"] == "log.empty"
        body = client.get("/api/v1/log/vkey").json()
        assert body["origin"] == "127.0.0.1:8000/log"
        assert verifier_from_vkey(body["vkey"]).name == body["origin"]


class TestAnchoredByRequests:
    def test_each_request_that_writes_events_is_anchored_when_due(self, logged):
        head = _checkpoint(logged)
        assert head.size == SIGN_UPS
        for index in range(head.size):
            entry = logged.get(f"/api/v1/log/entries/{index}").json()
            assert entry["kind"] == "audit_head"
            audit = entry["audit"]
            assert base64.b64decode(entry["entry"]) == audit_head_entry(
                audit["event_id"], audit["head"]
            )

    def test_events_are_anchored_after_the_configured_count(self, tmp_path):
        client = _client(tmp_path, anchor_events=3)
        for n in range(2):
            _sign_up(client, n)  # one audit event each
        assert client.get("/api/v1/log/checkpoint").status_code == 404
        _sign_up(client, 2)
        assert _checkpoint(client).size == 1

    def test_the_audit_log_verifies_against_the_published_key(self, logged):
        platform = logged.app.state.services.platform
        vkey = logged.get("/api/v1/log/vkey").json()["vkey"]
        with platform.unit() as unit:
            check = verify_audit(unit.session, verifier_from_vkey(vkey))
        assert (check.ok, check.anchors) == (True, SIGN_UPS)


class TestProofs:
    def test_every_inclusion_proof_verifies_against_the_signed_checkpoint(self, logged):
        head = _checkpoint(logged)
        for index in range(head.size):
            entry = base64.b64decode(logged.get(f"/api/v1/log/entries/{index}").json()["entry"])
            body = logged.get(f"/api/v1/log/proof/inclusion?index={index}&size={head.size}").json()
            merkle.verify_inclusion(
                merkle.leaf_hash(entry), index, head.size, _hashes(body), head.root_hash
            )

    def test_every_consistency_proof_verifies_against_the_signed_checkpoint(self, logged):
        head = _checkpoint(logged)
        leaves = [
            merkle.leaf_hash(
                base64.b64decode(logged.get(f"/api/v1/log/entries/{i}").json()["entry"])
            )
            for i in range(head.size)
        ]
        assert merkle.root(leaves) == head.root_hash
        for old in range(1, head.size + 1):
            body = logged.get(f"/api/v1/log/proof/consistency?old={old}").json()
            assert body["new"] == head.size
            merkle.verify_consistency(
                old, head.size, merkle.root(leaves[:old]), head.root_hash, _hashes(body)
            )

    def test_a_proof_for_an_older_size_verifies_against_that_size(self, logged):
        leaf = base64.b64decode(logged.get("/api/v1/log/entries/1").json()["entry"])
        first = base64.b64decode(logged.get("/api/v1/log/entries/0").json()["entry"])
        body = logged.get("/api/v1/log/proof/inclusion?index=1&size=2").json()
        root = merkle.node_hash(merkle.leaf_hash(first), merkle.leaf_hash(leaf))
        merkle.verify_inclusion(merkle.leaf_hash(leaf), 1, 2, _hashes(body), root)


class TestBadParameters:
    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("/proof/inclusion?index=-1", "index"),
            ("/proof/inclusion?index=abc", "index"),
            ("/proof/inclusion", "index"),
            (f"/proof/inclusion?index={SIGN_UPS}", "index"),
            ("/proof/inclusion?index=2&size=2", "index"),
            (f"/proof/inclusion?index=0&size={SIGN_UPS + 1}", "size"),
            ("/proof/inclusion?index=0&size=0", "size"),
            ("/proof/consistency?old=0", "old"),
            ("/proof/consistency?old=3&new=2", "old"),
            (f"/proof/consistency?old=1&new={SIGN_UPS + 1}", "new"),
            ("/entries/-1", "index"),
            (f"/entries/{SIGN_UPS}", "index"),
        ],
    )
    def test_an_out_of_range_value_is_a_422_naming_the_field(self, logged, query, field):
        response = logged.get(f"/api/v1/log{query}")
        assert response.status_code == 422, response.text
        body = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert [error["path"] for error in body["errors"]] == [field]

    def test_the_log_is_rate_limited_per_address(self, tmp_path):
        limited = _client(tmp_path, verify_rate="2/minute")
        codes = [limited.get("/api/v1/log/vkey").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert limited.get("/api/v1/log/checkpoint").json()["code"] == "rate_limited.verify"
