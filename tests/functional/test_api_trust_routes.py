"""The public trust evidence of the service's issuers: DID documents, status lists, log proofs."""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from cruce.trust import merkle
from cruce.trust.checkpoint import open_checkpoint, verifier_from_vkey
from cruce.trust.did import did_web_url
from cruce.trust.jsonld import jcs
from functional.test_api_documents import INVOICE, Packed, make_world

pytestmark = pytest.mark.functional


@dataclass
class Twice(Packed):
    first: dict


@pytest.fixture(scope="module")
def packed(tmp_path_factory) -> Twice:
    """Example 01 packed twice by its owner, so that its issuer's log has grown once."""
    world = make_world(tmp_path_factory.mktemp("trust"))
    shipment = world.create()
    first = world.pack(shipment)
    assert first.status_code == 201, first.text
    second = world.pack(shipment)
    assert second.status_code == 201, second.text
    return Twice(world, shipment, second.json(), second.headers["location"], first.json())


def _credential_of(packed: Packed, document: dict) -> dict:
    response = packed.world.client.get(f"{document['url']}/credential", headers=packed.world.owner)
    assert response.status_code == 200
    return response.json()


def _credential(packed: Packed, key: str = INVOICE) -> dict:
    document = next(d for d in packed.response["documents"] if d["artifact_key"] == key)
    return _credential_of(packed, document)


def _leaf(credential: dict) -> bytes:
    return merkle.leaf_hash(hashlib.sha256(jcs(credential)).digest())


def _log(packed: Packed) -> str:
    return f"/api/v1/orgs/{packed.world.owner_org}/log"


def _checkpoint(packed: Packed):
    client = packed.world.client
    note = client.get(f"{_log(packed)}/checkpoint")
    assert note.status_code == 200
    assert note.headers["content-type"].startswith("text/plain")
    vkey = client.get(f"{_log(packed)}/vkey").json()["vkey"]
    return open_checkpoint(note.text, verifier_from_vkey(vkey)).checkpoint


def _hashes(body: dict) -> list[bytes]:
    return [base64.b64decode(h) for h in body["hashes"]]


class TestDidWeb:
    def test_the_did_document_resolves_at_the_did_web_path(self, packed):
        credential = _credential(packed)
        did = credential["issuer"]["id"]
        assert did.startswith("did:web:127.0.0.1%3A8000:orgs:")  # the settings' public URL
        path = urlsplit(did_web_url(did)).path
        assert path == f"/orgs/{packed.world.owner_org}/did.json"
        response = packed.world.client.get(path)  # no account
        assert response.status_code == 200
        document = response.json()
        assert document["id"] == did
        assert credential["proof"]["verificationMethod"].split("#")[0] == did
        identity = next(s for s in document["service"] if s["type"] == "RegisteredIdentity")
        assert identity["serviceEndpoint"]["registeredId"] == "86-2741953"

    def test_the_status_list_is_where_the_credentials_say(self, packed):
        status = _credential(packed)["credentialStatus"]
        path = urlsplit(status["statusListCredential"]).path
        assert path == f"/orgs/{packed.world.owner_org}/status/1"
        response = packed.world.client.get(path)
        assert response.status_code == 200
        assert response.json()["id"] == status["statusListCredential"]
        assert "BitstringStatusListCredential" in response.json()["type"]

    def test_an_organisation_without_an_issuer_is_a_404(self, packed):
        client = packed.world.client
        # one that exists but never packed, and one that does not exist
        for org in (packed.world.carrier_org, uuid.uuid4()):
            for path in (
                f"/orgs/{org}/did.json",
                f"/orgs/{org}/status/1",
                f"/api/v1/orgs/{org}/log/checkpoint",
                f"/api/v1/orgs/{org}/log/vkey",
                f"/api/v1/orgs/{org}/log/proof/inclusion?index=0",
                f"/api/v1/orgs/{org}/log/proof/consistency?old=1",
            ):
                assert client.get(path).status_code == 404, path


class TestLogProofs:
    def test_a_logged_credential_is_included_in_the_checkpoint(self, packed):
        credential = _credential(packed)
        document = next(d for d in packed.response["documents"] if d["artifact_key"] == INVOICE)
        checkpoint = _checkpoint(packed)
        response = packed.world.client.get(
            f"{_log(packed)}/proof/inclusion",
            params={"index": document["log_index"], "size": checkpoint.size},
        )
        assert response.status_code == 200, response.text
        leaf = _leaf(credential)
        merkle.verify_inclusion(
            leaf,
            document["log_index"],
            checkpoint.size,
            _hashes(response.json()),
            checkpoint.root_hash,
        )
        with pytest.raises(merkle.ProofError):  # the check can fail: another entry's leaf
            merkle.verify_inclusion(
                merkle.leaf_hash(b"\x00" * 32),
                document["log_index"],
                checkpoint.size,
                _hashes(response.json()),
                checkpoint.root_hash,
            )

    def test_the_log_only_grew_between_the_two_packs(self, packed):
        checkpoint = _checkpoint(packed)
        logged = sorted(
            (d for d in packed.first["documents"] if d["log_index"] is not None),
            key=lambda d: d["log_index"],
        )
        old = len(logged)
        assert checkpoint.size == 2 * old
        old_root = merkle.root(_leaf(_credential_of(packed, d)) for d in logged)
        response = packed.world.client.get(f"{_log(packed)}/proof/consistency", params={"old": old})
        assert response.status_code == 200
        assert response.json()["new"] == checkpoint.size
        proof = _hashes(response.json())
        merkle.verify_consistency(old, checkpoint.size, old_root, checkpoint.root_hash, proof)
        with pytest.raises(merkle.ProofError):  # the check can fail: a wrong old root
            merkle.verify_consistency(
                old, checkpoint.size, b"\x00" * 32, checkpoint.root_hash, proof
            )

    @pytest.mark.parametrize(
        ("path", "params", "field"),
        [
            ("inclusion", {"index": 0, "size": 10_000}, "size"),
            ("inclusion", {"index": 10_000}, "index"),
            ("inclusion", {"index": -1}, "index"),
            ("consistency", {"old": 1, "new": 10_000}, "new"),
            ("consistency", {"old": 10_000}, "old"),
            ("consistency", {"old": 0}, "old"),
        ],
    )
    def test_a_proof_out_of_range_is_a_422_naming_the_parameter(self, packed, path, params, field):
        response = packed.world.client.get(f"{_log(packed)}/proof/{path}", params=params)
        assert response.status_code == 422
        assert field in [error["path"] for error in response.json()["errors"]]
