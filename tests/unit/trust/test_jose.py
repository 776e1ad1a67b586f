from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws
from joserfc.jwk import ECKey, OKPKey

from cruce.trust import jose
from cruce.trust.jose import Failure

pytestmark = pytest.mark.unit

KID = "did:web:exporter.example#key-2026"
CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "urn:uuid:7f1d2c3e-0000-4000-8000-000000000001",
    "type": ["VerifiableCredential", "ExampleDocumentCredential"],
    "issuer": "did:web:exporter.example",
    "validFrom": "2026-11-27T00:00:00Z",
    "credentialSubject": {"name": "Aceros del Norte", "city": "Monterrey, Nuevo León"},
}


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _segments(token: str) -> list[dict]:
    header, payload, _ = token.split(".")
    return [
        json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))) for s in (header, payload)
    ]


def _swap_payload(token: str, payload: bytes) -> str:
    header, _, signature = token.split(".")
    return f"{header}.{jose.b64url_encode(payload)}.{signature}"


class TestSecure:
    def test_header_is_the_vc_jose_cose_header(self, key):
        header, _ = _segments(jose.secure(CREDENTIAL, key, KID))
        assert header == {"alg": "EdDSA", "typ": "vc+jwt", "kid": KID, "cty": "vc"}
        assert jose.MEDIA_TYPE == "application/vc+jwt"

    def test_payload_is_the_credential_itself_without_jwt_claims(self, key):
        _, payload = _segments(jose.secure(CREDENTIAL, key, KID))
        assert payload == CREDENTIAL

    def test_fully_specified_ed25519_alg_on_request(self, key):
        token = jose.secure(CREDENTIAL, key, KID, alg="Ed25519")
        assert _segments(token)[0]["alg"] == "Ed25519"
        assert jose.verify(token, key.public_key()).verified

    def test_signing_is_deterministic(self, key):
        assert jose.secure(CREDENTIAL, key, KID) == jose.secure(CREDENTIAL, key, KID)

    @pytest.mark.parametrize("claim", ["vc", "vp"])
    def test_refuses_a_vc_or_vp_claim(self, key, claim):
        with pytest.raises(ValueError, match="must not be present"):
            jose.secure({**CREDENTIAL, claim: {}}, key, KID)

    def test_refuses_what_is_not_a_verifiable_credential(self, key):
        with pytest.raises(ValueError, match="VerifiableCredential"):
            jose.secure({**CREDENTIAL, "type": ["Invoice"]}, key, KID)

    def test_refuses_an_empty_kid(self, key):
        with pytest.raises(ValueError, match="kid"):
            jose.secure(CREDENTIAL, key, "")


class TestVerify:
    def test_round_trip_through_a_resolver_given_the_kid(self, key):
        asked = []

        def resolver(kid):
            asked.append(kid)
            return key.public_key() if kid == KID else None

        result = jose.verify(jose.secure(CREDENTIAL, key, KID), resolver)
        assert result.verified
        assert result.reason is None
        assert result.message is None
        assert result.credential == CREDENTIAL
        assert result.header["kid"] == KID
        assert asked == [KID]

    def test_a_public_jwk_is_a_key(self, key):
        token = jose.secure(CREDENTIAL, key, KID)
        assert jose.verify(token, jose.public_jwk(key)).verified

    def test_tampered_payload_fails(self, key):
        token = jose.secure(CREDENTIAL, key, KID)
        forged = {**CREDENTIAL, "credentialSubject": {"name": "Someone Else"}}
        result = jose.verify(_swap_payload(token, jose.json_bytes(forged)), key.public_key())
        assert not result.verified
        assert result.reason is Failure.BAD_SIGNATURE
        assert result.credential is None

    def test_tampered_signature_fails(self, key):
        token = jose.secure(CREDENTIAL, key, KID)
        head, body, signature = token.split(".")
        flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
        result = jose.verify(f"{head}.{body}.{flipped}", key.public_key())
        assert result.reason is Failure.BAD_SIGNATURE

    def test_another_key_fails(self, key):
        token = jose.secure(CREDENTIAL, key, KID)
        result = jose.verify(token, Ed25519PrivateKey.generate().public_key())
        assert result.reason is Failure.BAD_SIGNATURE
        assert "signature does not match" in result.message.render("en")

    def test_an_unknown_kid_fails(self, key):
        result = jose.verify(jose.secure(CREDENTIAL, key, KID), lambda _kid: None)
        assert result.reason is Failure.UNKNOWN_KEY

    @pytest.mark.parametrize("typ", ["JWT", "vc+sd-jwt", "vp+jwt", None])
    def test_wrong_typ_fails_even_when_well_signed(self, key, typ):
        header = {"alg": "EdDSA", "kid": KID} | ({"typ": typ} if typ else {})
        token = jose.sign_compact(header, jose.json_bytes(CREDENTIAL), key)
        assert jose.verify(token, key.public_key()).reason is Failure.WRONG_TYPE

    def test_typ_may_spell_out_the_media_type(self, key):
        header = {"alg": "EdDSA", "typ": "application/vc+jwt"}
        token = jose.sign_compact(header, jose.json_bytes(CREDENTIAL), key)
        assert jose.verify(token, key.public_key()).verified

    def test_wrong_cty_fails(self, key):
        header = {"alg": "EdDSA", "typ": "vc+jwt", "cty": "json"}
        token = jose.sign_compact(header, jose.json_bytes(CREDENTIAL), key)
        assert jose.verify(token, key.public_key()).reason is Failure.WRONG_TYPE

    def test_alg_none_is_refused(self, key):
        header = jose.b64url_encode(b'{"alg":"none","typ":"vc+jwt"}')
        token = f"{header}.{jose.b64url_encode(jose.json_bytes(CREDENTIAL))}."
        assert jose.verify(token, key.public_key()).reason is Failure.UNSUPPORTED_ALGORITHM

    def test_an_ed25519_key_does_not_verify_an_es256_header(self, key):
        token = jose.secure(CREDENTIAL, key, KID)
        _, body, signature = token.split(".")
        header = jose.b64url_encode(b'{"alg":"ES256","typ":"vc+jwt"}')
        result = jose.verify(f"{header}.{body}.{signature}", key.public_key())
        assert result.reason is Failure.BAD_SIGNATURE

    def test_es256_credentials_of_hsm_issuers_verify(self):
        p256 = ec.generate_private_key(ec.SECP256R1())
        header = {"alg": "ES256", "typ": "vc+jwt", "kid": KID}
        token = jws.serialize_compact(header, jose.json_bytes(CREDENTIAL), ECKey.import_key(p256))
        assert jose.verify(token, p256.public_key()).verified
        jwk = ECKey.import_key(p256.public_key()).as_dict()
        assert jose.verify(token, jwk).verified

    def test_other_curves_are_unknown_keys(self, key):
        p384 = ec.generate_private_key(ec.SECP384R1()).public_key()
        token = jose.secure(CREDENTIAL, key, KID)
        assert jose.verify(token, p384).reason is Failure.UNKNOWN_KEY
        ed448 = {"kty": "OKP", "crv": "Ed448", "x": "AAAA"}
        assert jose.verify(token, ed448).reason is Failure.UNKNOWN_KEY

    def test_a_private_jwk_is_used_for_its_public_part_only(self, key):
        private = OKPKey.import_key(key).as_dict(private=True)
        assert "d" in private
        assert jose.verify(jose.secure(CREDENTIAL, key, KID), private).verified

    @pytest.mark.parametrize(
        "token", ["", "a.b", "a.b.c.d", "!!!.???.***", "bm90IGpzb24.e30.AA", 42]
    )
    def test_malformed_tokens_fail_as_malformed(self, key, token):
        assert jose.verify(token, key.public_key()).reason is Failure.MALFORMED

    def test_duplicate_member_names_are_malformed(self, key):
        payload = b'{"type":["VerifiableCredential"],"issuer":"a","issuer":"b"}'
        token = jose.sign_compact({"alg": "EdDSA", "typ": "vc+jwt"}, payload, key)
        assert jose.verify(token, key.public_key()).reason is Failure.MALFORMED

    @pytest.mark.parametrize(
        "payload",
        [
            {**CREDENTIAL, "vc": CREDENTIAL},
            {"iss": "did:web:exporter.example", "sub": "x"},
            ["VerifiableCredential"],
        ],
    )
    def test_a_payload_that_is_no_credential_fails(self, key, payload):
        token = jose.sign_compact({"alg": "EdDSA", "typ": "vc+jwt"}, jose.json_bytes(payload), key)
        assert jose.verify(token, key.public_key()).reason is Failure.NOT_A_CREDENTIAL

    def test_unencoded_payloads_are_refused(self, key):
        header = {"alg": "EdDSA", "typ": "vc+jwt", "b64": False, "crit": ["b64"]}
        token = jws.serialize_compact(
            header, jose.json_bytes(CREDENTIAL), OKPKey.import_key(key), registry=jose.REGISTRY
        )
        assert jose.verify(token, key.public_key()).reason is Failure.MALFORMED

    def test_large_documents_are_not_cut_by_token_size_limits(self, key):
        lines = [{"description": f"line {i}", "quantity": "1"} for i in range(5000)]
        credential = {**CREDENTIAL, "credentialSubject": {"lines": lines}}
        assert len(jose.json_bytes(credential)) > 128_000
        assert jose.verify(jose.secure(credential, key, KID), key.public_key()).verified

    @pytest.mark.parametrize(
        ("claims", "reason"),
        [
            ({"exp": 1_700_000_000}, Failure.EXPIRED),
            ({"nbf": 4_000_000_000}, Failure.NOT_YET_VALID),
        ],
    )
    def test_the_signatures_own_exp_and_nbf_are_judged(self, key, claims, reason):
        token = jose.secure({**CREDENTIAL, **claims}, key, KID)
        assert jose.verify(token, key.public_key()).reason is reason
        at_the_limit = datetime.fromtimestamp(next(iter(claims.values())), UTC)
        assert jose.verify(token, key.public_key(), now=at_the_limit).verified  # within leeway

    def test_every_failure_has_a_message(self):
        for failure in Failure:
            assert failure.message.render("en")
            assert failure.message.render("es")


class TestPlumbing:
    @pytest.mark.parametrize("text", ["ab+c", "ab/c", "abc=", "ab c", "ñ", "a"])
    def test_b64url_decode_is_strict(self, text):
        with pytest.raises(ValueError, match="base64url"):
            jose.b64url_decode(text)

    def test_json_load_refuses_nan(self):
        with pytest.raises(ValueError, match="NaN"):
            jose.json_load("[NaN]")

    def test_json_load_refuses_deep_nesting(self):
        with pytest.raises(ValueError, match="deeply"):
            jose.json_load("[" * 100_000 + "]" * 100_000)
