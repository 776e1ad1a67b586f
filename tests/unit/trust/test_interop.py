"""Credentials cruce issues verify in independent implementations, not only in cruce.

- eddsa-jcs-2022: a verifier written here from the W3C Recommendation's algorithm with raw
  primitives (rfc8785, hashlib, cryptography), sharing no code with cruce.trust;
- SD-JWT: the reference implementation of RFC 9901 (PyPI ``sd-jwt``, OpenWallet Foundation);
- vc+jwt: jwcrypto, a JOSE implementation other than the one cruce uses (joserfc).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS
from sd_jwt.verifier import SDJWTVerifier

from cruce.trust import jose, sd_jwt
from cruce.trust.data_integrity import sign
from cruce.trust.did import did_key, did_key_method
from cruce.trust.keys import KeyPair

pytestmark = pytest.mark.unit

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _B58.index(char)
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + raw


def _credential(issuer: str) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/traceability/v1"],
        "id": "urn:uuid:5c8e2c3a-7b1f-4a3e-9d1a-2f6b1c0e9a77",
        "type": ["VerifiableCredential", "CommercialInvoiceCredential"],
        "issuer": issuer,
        "validFrom": "2026-11-27T12:00:00Z",
        "credentialSubject": {
            "type": ["Invoice"],
            "invoiceNumber": "SPM-2026-1187",
            "totalPaymentDue": {
                "type": ["PriceSpecification"],
                "price": "11050.00",
                "priceCurrency": "USD",
            },
        },
    }


def _independent_jcs_verify(secured: dict, public_key: bytes) -> bool:
    """eddsa-jcs-2022 verification (W3C vc-di-eddsa 3.3.2-3.3.6), from the Recommendation."""
    document = {k: v for k, v in secured.items() if k != "proof"}
    proof = dict(secured["proof"])
    value = proof.pop("proofValue")
    proof["@context"] = document["@context"]
    digest = (
        hashlib.sha256(rfc8785.dumps(proof)).digest()
        + hashlib.sha256(rfc8785.dumps(document)).digest()
    )
    assert value.startswith("z")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(_b58decode(value[1:]), digest)
    except Exception:  # noqa: BLE001 - any failure is "does not verify"
        return False
    return True


class TestIndependentVerifiers:
    def test_an_eddsa_jcs_2022_proof_verifies_by_the_recommendations_algorithm(self):
        key = KeyPair.generate()
        issuer = did_key(key.public_key)
        secured = sign(
            _credential(issuer),
            key,
            did_key_method(key.public_key),
            created=datetime(2026, 11, 27, 12, tzinfo=UTC),
        )
        assert _independent_jcs_verify(secured, key.public_key.raw)
        secured["credentialSubject"]["invoiceNumber"] = "SPM-2026-1188"
        assert not _independent_jcs_verify(secured, key.public_key.raw)

    def test_an_sd_jwt_presentation_verifies_in_the_reference_implementation(self):
        private = Ed25519PrivateKey.generate()
        x = base64.urlsafe_b64encode(private.public_key().public_bytes_raw()).rstrip(b"=")
        jwk = JWK(kty="OKP", crv="Ed25519", x=x.decode())
        issued = sd_jwt.issue(
            _credential("did:web:acme.example"), private, kid="did:web:acme.example#k1"
        )
        hidden = [p for p in issued.paths().values() if "totalPaymentDue" in p]
        shown = sd_jwt.present(issued, withhold=hidden)
        payload = SDJWTVerifier(shown, lambda _iss, _header: jwk).get_verified_payload()
        assert payload["credentialSubject"]["invoiceNumber"] == "SPM-2026-1187"
        assert "totalPaymentDue" not in payload["credentialSubject"]

    def test_a_vc_jwt_verifies_in_jwcrypto(self):
        private = Ed25519PrivateKey.generate()
        x = base64.urlsafe_b64encode(private.public_key().public_bytes_raw()).rstrip(b"=")
        token = jose.secure(_credential("did:web:acme.example"), private, "did:web:acme.example#k1")
        checked = JWS()
        checked.deserialize(token)
        checked.verify(JWK(kty="OKP", crv="Ed25519", x=x.decode()))
        assert json.loads(checked.payload)["id"] == "urn:uuid:5c8e2c3a-7b1f-4a3e-9d1a-2f6b1c0e9a77"
        assert checked.jose_header["typ"] == "vc+jwt"
