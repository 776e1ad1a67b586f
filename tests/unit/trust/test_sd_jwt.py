from __future__ import annotations

import json
import string
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from cruce.trust import jose, sd_jwt
from cruce.trust.jose import Failure
from cruce.trust.sd_jwt import Disclosure, KeyBindingCheck, SdJwt

pytestmark = pytest.mark.unit

VECTORS = ("simple", "jsonld", "arf-pid")
VECTOR_TYP = {"simple": "example+sd-jwt", "jsonld": "example+sd-jwt", "arf-pid": "dc+sd-jwt"}
ISSUER_KEY = Ed25519PrivateKey.generate()
HOLDER_KEY = Ed25519PrivateKey.generate()
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
VERIFIER = "https://broker.example"


@pytest.fixture
def sd_vectors(shared_data):
    return shared_data / "trust" / "sd-jwt"


def _read(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _text(path):
    return path.read_text(encoding="ascii").strip()


def _signed(payload, typ=sd_jwt.VC_SD_JWT, key=ISSUER_KEY):
    return jose.sign_compact({"alg": "EdDSA", "typ": typ}, jose.json_bytes(payload), key)


def _digests(node):
    """Every digest a payload or disclosed value carries, in _sd arrays and array elements."""
    if isinstance(node, dict):
        found = list(node.get("_sd", []))
        if node.keys() == {"..."}:
            return [node["..."]]
        return found + [d for k, v in node.items() if k != "_sd" for d in _digests(v)]
    if isinstance(node, list):
        return [d for item in node for d in _digests(item)]
    return []


# ---------------------------------------------------------------- RFC 9901 worked examples


class TestDisclosureVectors:
    def test_every_digest_reproduces_byte_for_byte(self, sd_vectors):
        vectors = _read(sd_vectors / "disclosure-vectors.json")
        cases = vectors["object_property_disclosures"] + vectors["array_element_disclosures"]
        for case in cases:
            assert sd_jwt.digest(case["disclosure"]) == case["digest"]
            parsed = Disclosure.parse(case["disclosure"])
            assert parsed.digest == case["digest"]
            assert [parsed.salt, parsed.value] == [case["salt"], case.get("value", "Möbius")]
            assert parsed.name == case.get("claim_name")
            assert jose.b64url_decode(case["disclosure"]).decode() == case["json_text"]

    def test_the_two_digests_printed_in_the_rfc(self, sd_vectors):
        vectors = _read(sd_vectors / "disclosure-vectors.json")
        stated = [
            case["digest"]
            for group in ("object_property_disclosures", "array_element_disclosures")
            for case in vectors[group]
            if case["digest_stated_in_spec"]
        ]
        assert stated == [
            "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0",
            "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs",
        ]

    def test_created_disclosures_match_the_escaped_and_array_examples(self, sd_vectors):
        vectors = _read(sd_vectors / "disclosure-vectors.json")
        escaped = vectors["object_property_disclosures"][1]
        made = Disclosure.create(escaped["salt"], escaped["claim_value"], escaped["claim_name"])
        assert (made.encoded, made.digest) == (escaped["disclosure"], escaped["digest"])
        element = vectors["array_element_disclosures"][0]
        made = Disclosure.create(element["salt"], element["value"])
        assert (made.encoded, made.digest) == (element["disclosure"], element["digest"])
        assert ["DE", {"...": made.digest}, "US"] == element["array_after_embedding"]

    def test_the_variants_encode_the_same_claim(self, sd_vectors):
        cases = _read(sd_vectors / "disclosure-vectors.json")["object_property_disclosures"]
        parsed = {
            (d.salt, d.name, d.value)
            for d in map(Disclosure.parse, (c["disclosure"] for c in cases))
        }
        assert parsed == {("_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius")}
        assert len({c["digest"] for c in cases}) == 4


@pytest.mark.parametrize("name", VECTORS)
class TestGeneratedVectors:
    def _issuer_jwk(self, sd_vectors):
        return _read(sd_vectors / "disclosure-vectors.json")["issuer_public_jwk"]

    def _now(self, sd_vectors, name):
        iat = _read(sd_vectors / name / "kb_jwt_payload.json")["iat"]
        return datetime.fromtimestamp(iat, UTC)

    def test_issuance_verifies_and_discloses_every_claim(self, sd_vectors, name):
        folder = sd_vectors / name
        result = sd_jwt.verify(
            _text(folder / "sd_jwt_issuance.txt"),
            self._issuer_jwk(sd_vectors),
            typ=VECTOR_TYP[name],
            now=self._now(sd_vectors, name),
        )
        assert result.verified, result.detail
        payload = _read(folder / "sd_jwt_payload.json")
        plain = {k: payload[k] for k in ("iss", "iat", "exp", "cnf") if k in payload}
        assert result.claims == {**_read(folder / "user_claims.json"), **plain}
        assert result.header == {"alg": "ES256", "typ": VECTOR_TYP[name]}

    def test_sd_digests_are_the_digests_of_the_disclosures(self, sd_vectors, name):
        folder = sd_vectors / name
        token = SdJwt.parse(_text(folder / "sd_jwt_issuance.txt"))
        assert token.jws == _text(folder / "sd_jwt_jws_part.txt")
        payload = _read(folder / "sd_jwt_payload.json")
        assert token.payload() == payload
        carried = _digests(payload) + [d for x in token.disclosures for d in _digests(x.value)]
        assert sorted(carried) == sorted(d.digest for d in token.disclosures)
        assert len(set(carried)) == len(carried)

    def test_reissuing_with_the_vector_salts_reproduces_payload_and_disclosures(
        self, sd_vectors, name
    ):
        folder = sd_vectors / name
        token = SdJwt.parse(_text(folder / "sd_jwt_issuance.txt"))
        concealed = set(token.paths().values())
        payload = _read(folder / "sd_jwt_payload.json")
        cnf = payload.pop("cnf")
        extra = {k: payload[k] for k in ("iss", "iat", "exp") if k in payload}
        claims = {**extra, **_read(folder / "user_claims.json")}
        salts = iter([d.salt for d in token.disclosures])
        again = sd_jwt.issue(
            claims,
            ISSUER_KEY,
            typ=VECTOR_TYP[name],
            disclosable=concealed.__contains__,
            holder_key=cnf["jwk"],
            salt=lambda: next(salts),
        )
        assert again.payload() == {**payload, "cnf": cnf}
        assert [d.encoded for d in again.disclosures] == [d.encoded for d in token.disclosures]

    def test_presentation_with_key_binding_rebuilds_the_verified_contents(self, sd_vectors, name):
        folder = sd_vectors / name
        kb = _read(folder / "kb_jwt_payload.json")
        presentation = _text(folder / "sd_jwt_presentation.txt")
        assert presentation.endswith("~" + _text(folder / "kb_jwt_serialized.txt"))
        result = sd_jwt.verify(
            presentation,
            self._issuer_jwk(sd_vectors),
            typ=VECTOR_TYP[name],
            key_binding=KeyBindingCheck(audience=kb["aud"], nonce=kb["nonce"]),
            now=self._now(sd_vectors, name),
        )
        assert result.verified, result.detail
        assert result.claims == _read(folder / "verified_contents.json")
        assert result.key_binding == kb

    def test_the_fixed_kb_iat_is_stale_an_hour_later(self, sd_vectors, name):
        folder = sd_vectors / name
        kb = _read(folder / "kb_jwt_payload.json")
        result = sd_jwt.verify(
            _text(folder / "sd_jwt_presentation.txt"),
            self._issuer_jwk(sd_vectors),
            typ=VECTOR_TYP[name],
            key_binding=KeyBindingCheck(audience=kb["aud"], nonce=kb["nonce"]),
            now=self._now(sd_vectors, name) + timedelta(hours=1),
        )
        assert result.reason is Failure.KEY_BINDING_STALE

    @pytest.mark.parametrize(
        ("audience", "nonce", "reason"),
        [
            ("https://other.example", "1234567890", Failure.AUDIENCE_MISMATCH),
            ("https://verifier.example.org", "0987654321", Failure.NONCE_MISMATCH),
        ],
    )
    def test_key_binding_for_another_request_fails(self, sd_vectors, name, audience, nonce, reason):
        folder = sd_vectors / name
        result = sd_jwt.verify(
            _text(folder / "sd_jwt_presentation.txt"),
            self._issuer_jwk(sd_vectors),
            typ=VECTOR_TYP[name],
            key_binding=KeyBindingCheck(audience=audience, nonce=nonce),
            now=self._now(sd_vectors, name),
        )
        assert result.reason is reason

    def test_an_ed25519_key_does_not_verify_the_es256_vectors(self, sd_vectors, name):
        result = sd_jwt.verify(
            _text(sd_vectors / name / "sd_jwt_issuance.txt"),
            ISSUER_KEY.public_key(),
            typ=None,
            now=self._now(sd_vectors, name),
        )
        assert result.reason is Failure.BAD_SIGNATURE


# ---------------------------------------------------------------- cruce's own issuance


INVOICE = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://cruce.example/ns/v1"],
    "id": "urn:uuid:0f5bd0a2-3c44-4b7e-9a55-1d2e3f405061",
    "type": ["VerifiableCredential", "CommercialInvoiceCredential"],
    "issuer": "did:web:exporter.example",
    "validFrom": "2026-11-27T00:00:00Z",
    "credentialSubject": {
        "invoiceNumber": "F-2026-0815",
        "seller": {"name": "Aceros del Norte", "country": "MX"},
        "buyer": {"name": "Great Lakes Fabrication", "country": "US"},
        "lines": [
            {"description": "Steel brackets", "quantity": "400", "unitPrice": "3.75"},
            {"description": "Hex bolts M10", "quantity": "2000", "unitPrice": "0.18"},
        ],
        "total": "1860.00",
    },
}
PRICES = (("credentialSubject", "lines", None, "unitPrice"), ("credentialSubject", "total"))


class TestInvoiceForCarrierAndBroker:
    def test_one_issuance_hides_prices_from_the_carrier_and_shows_them_to_the_broker(self):
        issued = sd_jwt.issue(
            INVOICE,
            ISSUER_KEY,
            kid="did:web:exporter.example#key-1",
            always_disclosed=[("credentialSubject", "invoiceNumber")],
            holder_key=HOLDER_KEY.public_key(),
        )
        compact = issued.serialize()

        carrier = sd_jwt.present(compact, withhold=PRICES)
        broker = sd_jwt.present(
            compact, holder_key=HOLDER_KEY, audience=VERIFIER, nonce="n-42", now=NOW
        )

        seen = sd_jwt.verify(carrier, ISSUER_KEY.public_key(), now=NOW)
        assert seen.verified, seen.detail
        subject = seen.claims["credentialSubject"]
        assert subject["lines"] == [
            {"description": "Steel brackets", "quantity": "400"},
            {"description": "Hex bolts M10", "quantity": "2000"},
        ]
        assert "total" not in subject
        assert subject["invoiceNumber"] == "F-2026-0815"
        token = SdJwt.parse(carrier)
        readable = [json.dumps(token.payload())]
        readable += [jose.b64url_decode(d.encoded).decode() for d in token.disclosures]
        for price in ("3.75", "0.18", "1860.00"):
            assert not any(price in text for text in readable)
        assert {d.name for d in token.disclosures}.isdisjoint({"unitPrice", "total"})

        check = KeyBindingCheck(audience=VERIFIER, nonce="n-42")
        full = sd_jwt.verify(broker, ISSUER_KEY.public_key(), key_binding=check, now=NOW)
        assert full.verified, full.detail
        assert {k: v for k, v in full.claims.items() if k != "cnf"} == INVOICE
        assert Decimal(full.claims["credentialSubject"]["lines"][0]["unitPrice"]) == Decimal("3.75")

    def test_the_carrier_cannot_restore_a_price_from_the_broker_copy(self):
        issued = sd_jwt.issue(INVOICE, ISSUER_KEY).serialize()
        carrier = SdJwt.parse(sd_jwt.present(issued, withhold=PRICES))
        price = next(d for d in SdJwt.parse(issued).disclosures if d.name == "total")
        forged = SdJwt(
            carrier.jws, (*carrier.disclosures, Disclosure.create("x" * 22, "1.00", "total"))
        )
        result = sd_jwt.verify(forged.serialize(), ISSUER_KEY.public_key(), now=NOW)
        assert result.reason is Failure.UNREFERENCED_DISCLOSURE
        genuine = SdJwt(carrier.jws, (*carrier.disclosures, price))
        assert sd_jwt.verify(genuine.serialize(), ISSUER_KEY.public_key(), now=NOW).verified


class TestIssue:
    def test_the_claims_vc_validation_needs_stay_in_the_clear(self):
        payload = sd_jwt.issue(INVOICE, ISSUER_KEY).payload()
        for name in ("@context", "type", "issuer", "validFrom"):
            assert payload[name] == INVOICE[name]
        assert "id" not in payload
        assert "credentialSubject" not in payload
        assert payload["_sd_alg"] == "sha-256"

    def test_always_disclosed_keeps_the_claim_its_holders_and_its_contents(self):
        issued = sd_jwt.issue(
            INVOICE, ISSUER_KEY, always_disclosed=[("credentialSubject", "seller")]
        )
        subject = issued.payload()["credentialSubject"]
        assert subject["seller"] == INVOICE["credentialSubject"]["seller"]
        assert "buyer" not in subject
        assert len(subject["_sd"]) == 4

    def test_wildcards_reach_every_array_element(self):
        issued = sd_jwt.issue(
            INVOICE, ISSUER_KEY, always_disclosed=[("credentialSubject", "lines", None, "quantity")]
        )
        lines = issued.payload()["credentialSubject"]["lines"]
        assert [line["quantity"] for line in lines] == ["400", "2000"]
        assert all(len(line["_sd"]) == 2 for line in lines)

    def test_header_names_the_key_and_the_type(self):
        issued = sd_jwt.issue(INVOICE, ISSUER_KEY, kid="did:web:exporter.example#key-1")
        header, _ = jose.decode_compact(issued.jws)
        assert header == {
            "alg": "EdDSA",
            "typ": "vc+sd-jwt",
            "kid": "did:web:exporter.example#key-1",
        }

    def test_decoys_hide_how_many_claims_there_are(self):
        issued = sd_jwt.issue(INVOICE, ISSUER_KEY, decoys=3)
        payload = issued.payload()
        assert len(payload["_sd"]) == 2 + 3
        assert len(_digests(payload)) - len(payload["_sd"]) == 0  # the rest sit in disclosures
        everything = _digests(payload) + [d for x in issued.disclosures for d in _digests(x.value)]
        assert len(everything) == len(issued.disclosures) + 3 * 7  # 7 places hold concealed claims
        assert sd_jwt.verify(issued.serialize(), ISSUER_KEY.public_key()).claims == INVOICE

    def test_salts_are_128_bit_and_never_repeat(self):
        salts = [d.salt for d in sd_jwt.issue(INVOICE, ISSUER_KEY).disclosures]
        assert all(len(jose.b64url_decode(s)) == 16 for s in salts)
        assert len(set(salts)) == len(salts)

    def test_sd_jwt_vc_keeps_its_registered_claims_plain(self):
        claims = {
            "iss": "https://exporter.example",
            "vct": "urn:cruce:test:1",
            "exp": 2_000_000_000,
            "x": 1,
        }
        issued = sd_jwt.issue(claims, ISSUER_KEY, typ=sd_jwt.DC_SD_JWT)
        payload = issued.payload()
        assert {k: payload[k] for k in ("iss", "vct", "exp")} == {
            k: claims[k] for k in ("iss", "vct", "exp")
        }
        assert "x" not in payload
        result = sd_jwt.verify(issued.serialize(), ISSUER_KEY.public_key(), typ=sd_jwt.DC_SD_JWT)
        assert result.claims == claims

    def test_sd_jwt_vc_needs_vct(self):
        with pytest.raises(ValueError, match="vct"):
            sd_jwt.issue({"iss": "x"}, ISSUER_KEY, typ=sd_jwt.DC_SD_JWT)

    @pytest.mark.parametrize("name", ["_sd", "...", "_sd_alg"])
    def test_reserved_claim_names_are_refused(self, name):
        with pytest.raises(ValueError, match="claim name"):
            sd_jwt.issue({"a": {name: 1}}, ISSUER_KEY)

    def test_values_that_are_not_json_are_refused(self):
        with pytest.raises(TypeError, match="Decimal"):
            sd_jwt.issue({"price": Decimal("3.75")}, ISSUER_KEY)

    def test_options_that_contradict_each_other_are_refused(self):
        with pytest.raises(ValueError, match="not both"):
            sd_jwt.issue(INVOICE, ISSUER_KEY, always_disclosed=[("id",)], disclosable=bool)
        with pytest.raises(ValueError, match="cnf"):
            sd_jwt.issue({"cnf": {}}, ISSUER_KEY, holder_key=HOLDER_KEY.public_key())
        with pytest.raises(ValueError, match="negative"):
            sd_jwt.issue(INVOICE, ISSUER_KEY, decoys=-1)


class TestPresent:
    def _issued(self):
        return sd_jwt.issue(INVOICE, ISSUER_KEY, holder_key=HOLDER_KEY.public_key()).serialize()

    def test_disclosing_a_claim_brings_the_claims_that_hold_it(self):
        presentation = sd_jwt.present(
            self._issued(), disclose=[("credentialSubject", "lines", 1, "description")]
        )
        result = sd_jwt.verify(presentation, ISSUER_KEY.public_key())
        assert result.claims["credentialSubject"] == {"lines": [{"description": "Hex bolts M10"}]}

    def test_disclosing_an_object_brings_all_it_holds(self):
        presentation = sd_jwt.present(self._issued(), disclose=[("credentialSubject", "buyer")])
        result = sd_jwt.verify(presentation, ISSUER_KEY.public_key())
        assert result.claims["credentialSubject"] == {
            "buyer": INVOICE["credentialSubject"]["buyer"]
        }

    def test_withholding_a_claim_in_the_clear_is_an_error(self):
        with pytest.raises(ValueError, match="cannot be withheld"):
            sd_jwt.present(self._issued(), withhold=[("issuer",)])

    def test_a_path_that_names_no_claim_is_an_error(self):
        with pytest.raises(ValueError, match="no claim"):
            sd_jwt.present(self._issued(), withhold=[("credentialSubject", "unit_price")])

    def test_a_wildcard_over_an_empty_array_is_fine(self):
        issued = sd_jwt.issue({"lines": []}, ISSUER_KEY).serialize()
        assert sd_jwt.present(issued, withhold=[("lines", None, "price")]) == issued

    def test_key_binding_needs_audience_nonce_and_the_bound_key(self):
        issued = self._issued()
        with pytest.raises(ValueError, match="audience and a nonce"):
            sd_jwt.present(issued, holder_key=HOLDER_KEY, audience=VERIFIER)
        with pytest.raises(ValueError, match="holder_key"):
            sd_jwt.present(issued, audience=VERIFIER, nonce="n")
        with pytest.raises(ValueError, match="bound to"):
            sd_jwt.present(
                issued, holder_key=Ed25519PrivateKey.generate(), audience=VERIFIER, nonce="n"
            )

    def test_key_binding_jwt_carries_iat_aud_nonce_and_sd_hash(self):
        presentation = sd_jwt.present(
            self._issued(),
            withhold=PRICES,
            holder_key=HOLDER_KEY,
            audience=VERIFIER,
            nonce="n-1",
            now=NOW,
        )
        token = SdJwt.parse(presentation)
        header, signed = jose.decode_compact(token.key_binding)
        assert header == {"alg": "EdDSA", "typ": "kb+jwt"}
        assert jose.json_load(signed.payload) == {
            "iat": int(NOW.timestamp()),
            "aud": VERIFIER,
            "nonce": "n-1",
            "sd_hash": sd_jwt.digest(presentation.rsplit("~", 1)[0] + "~"),
        }

    def test_malformed_input_is_a_value_error(self):
        with pytest.raises(ValueError, match="JWT"):
            sd_jwt.present("no tilde here")


class TestVerifyRejects:
    def _presented(self, **options):
        issued = sd_jwt.issue(INVOICE, ISSUER_KEY, holder_key=HOLDER_KEY.public_key())
        return sd_jwt.present(issued.serialize(), **options)

    def _verify(self, presentation, **options):
        return sd_jwt.verify(presentation, ISSUER_KEY.public_key(), now=NOW, **options)

    def test_a_tampered_payload(self):
        token = SdJwt.parse(self._presented())
        head, _, signature = token.jws.split(".")
        body = jose.b64url_encode(jose.json_bytes({**token.payload(), "issuer": "did:web:evil"}))
        forged = SdJwt(f"{head}.{body}.{signature}", token.disclosures)
        assert self._verify(forged.serialize()).reason is Failure.BAD_SIGNATURE

    def test_a_tampered_disclosure_is_not_referenced(self):
        token = SdJwt.parse(self._presented())
        first = token.disclosures[0]
        changed = Disclosure.create(first.salt, "changed", first.name)
        forged = SdJwt(token.jws, (changed, *token.disclosures[1:]))
        assert self._verify(forged.serialize()).reason is Failure.UNREFERENCED_DISCLOSURE

    def test_the_same_disclosure_twice(self):
        token = SdJwt.parse(self._presented())
        forged = SdJwt(token.jws, (*token.disclosures, token.disclosures[0]))
        assert self._verify(forged.serialize()).reason is Failure.DUPLICATE_DIGEST

    def test_a_digest_that_appears_twice_in_the_payload(self):
        one = Disclosure.create("salt-salt-salt-salt-00", "x", "a")
        payload = {"_sd": [one.digest], "b": {"_sd": [one.digest]}, "_sd_alg": "sha-256"}
        token = SdJwt(_signed(payload), (one,))
        assert self._verify(token.serialize()).reason is Failure.DUPLICATE_DIGEST

    def test_a_digest_hidden_in_a_disclosure_and_the_payload(self):
        inner = Disclosure.create("salt-salt-salt-salt-01", "x", "a")
        outer = Disclosure.create("salt-salt-salt-salt-02", {"_sd": [inner.digest]}, "o")
        payload = {"_sd": [outer.digest, inner.digest], "_sd_alg": "sha-256"}
        token = SdJwt(_signed(payload), (outer, inner))
        assert self._verify(token.serialize()).reason is Failure.DUPLICATE_DIGEST

    @pytest.mark.parametrize(
        ("payload_of", "disclosure"),
        [
            (lambda d: {"_sd": [d.digest]}, Disclosure.create("s" * 22, 1, "_sd")),
            (lambda d: {"_sd": [d.digest]}, Disclosure.create("s" * 22, 1, "...")),
            (lambda d: {"_sd": [d.digest], "a": 0}, Disclosure.create("s" * 22, 1, "a")),
            (lambda d: {"_sd": [d.digest]}, Disclosure.create("s" * 22, 1)),
            (lambda d: {"list": [{"...": d.digest}]}, Disclosure.create("s" * 22, 1, "a")),
        ],
        ids=["named _sd", "named ...", "claim exists", "element in _sd", "property in array"],
    )
    def test_a_disclosure_out_of_place(self, payload_of, disclosure):
        token = SdJwt(_signed(payload_of(disclosure)), (disclosure,))
        assert self._verify(token.serialize()).reason is Failure.INVALID_DISCLOSURE

    def test_an_unsupported_sd_alg(self):
        token = SdJwt(_signed({"a": 1, "_sd_alg": "sha-512"}))
        assert self._verify(token.serialize()).reason is Failure.UNSUPPORTED_ALGORITHM

    def test_an_sd_jwt_whose_payload_is_no_object(self):
        token = SdJwt(_signed(["a"]))
        assert self._verify(token.serialize()).reason is Failure.MALFORMED

    @pytest.mark.parametrize(
        ("claims", "reason"),
        [
            ({"exp": int(NOW.timestamp()) - 3600}, Failure.EXPIRED),
            ({"nbf": int(NOW.timestamp()) + 3600}, Failure.NOT_YET_VALID),
            ({"exp": "tomorrow"}, Failure.MALFORMED),
        ],
    )
    def test_validity_claims_are_judged_at_now(self, claims, reason):
        token = SdJwt(_signed({**claims, "_sd_alg": "sha-256"}))
        assert self._verify(token.serialize()).reason is reason

    def test_sd_jwt_vc_without_vct(self):
        token = SdJwt(_signed({"iss": "x"}, typ=sd_jwt.DC_SD_JWT))
        assert self._verify(token.serialize()).reason is Failure.MISSING_VCT

    def test_an_unexpected_typ(self):
        presentation = self._presented()
        assert self._verify(presentation, typ="dc+sd-jwt").reason is Failure.WRONG_TYPE
        token = SdJwt(_signed({"a": 1}, typ=sd_jwt.KB_JWT))
        assert self._verify(token.serialize(), typ=None).reason is Failure.WRONG_TYPE

    def test_a_missing_trailing_tilde(self):
        assert self._verify(self._presented().rstrip("~")).reason is Failure.MALFORMED

    def test_an_empty_disclosure_slot(self):
        token = SdJwt.parse(self._presented())
        text = token.jws + "~~" + "~".join(d.encoded for d in token.disclosures) + "~"
        assert self._verify(text).reason is Failure.MALFORMED

    def test_key_binding_required_but_absent(self):
        check = KeyBindingCheck(audience=VERIFIER, nonce="n")
        assert (
            self._verify(self._presented(), key_binding=check).reason is Failure.KEY_BINDING_MISSING
        )

    def test_key_binding_over_other_disclosures(self):
        bound = SdJwt.parse(
            self._presented(holder_key=HOLDER_KEY, audience=VERIFIER, nonce="n", now=NOW)
        )
        fewer = SdJwt(bound.jws, bound.disclosures[1:], bound.key_binding)
        assert self._verify(fewer.serialize()).reason is Failure.SD_HASH_MISMATCH

    def test_key_binding_signed_by_another_key(self):
        token = SdJwt.parse(self._presented())
        kb = {"iat": int(NOW.timestamp()), "aud": VERIFIER, "nonce": "n"}
        kb["sd_hash"] = sd_jwt.digest(token.without_key_binding())
        other = _signed(kb, typ=sd_jwt.KB_JWT, key=Ed25519PrivateKey.generate())
        result = self._verify(token.serialize() + other)
        assert result.reason is Failure.KEY_BINDING_INVALID

    def test_key_binding_without_a_bound_key(self):
        issued = sd_jwt.issue(INVOICE, ISSUER_KEY).serialize()
        kb = {"iat": int(NOW.timestamp()), "aud": VERIFIER, "nonce": "n"}
        kb["sd_hash"] = sd_jwt.digest(issued)
        result = self._verify(issued + _signed(kb, typ=sd_jwt.KB_JWT, key=HOLDER_KEY))
        assert result.reason is Failure.KEY_BINDING_INVALID

    def test_key_binding_with_the_wrong_typ_or_claims(self):
        token = SdJwt.parse(self._presented())
        kb = {"iat": int(NOW.timestamp()), "aud": VERIFIER, "nonce": "n"}
        kb["sd_hash"] = sd_jwt.digest(token.without_key_binding())
        wrong_typ = _signed(kb, typ="JWT", key=HOLDER_KEY)
        assert self._verify(token.serialize() + wrong_typ).reason is Failure.KEY_BINDING_INVALID
        no_nonce = _signed({**kb, "nonce": None}, typ=sd_jwt.KB_JWT, key=HOLDER_KEY)
        assert self._verify(token.serialize() + no_nonce).reason is Failure.KEY_BINDING_INVALID

    def test_key_binding_dated_ahead(self):
        presentation = self._presented(
            holder_key=HOLDER_KEY, audience=VERIFIER, nonce="n", now=NOW + timedelta(minutes=10)
        )
        check = KeyBindingCheck(audience=VERIFIER, nonce="n")
        assert self._verify(presentation, key_binding=check).reason is Failure.KEY_BINDING_STALE

    def test_a_sound_key_binding_passes_without_a_check(self):
        presentation = self._presented(holder_key=HOLDER_KEY, audience=VERIFIER, nonce="n", now=NOW)
        result = self._verify(presentation)
        assert result.verified
        assert result.key_binding["aud"] == VERIFIER

    def test_a_naive_now_is_refused(self):
        result = sd_jwt.verify(self._presented(), ISSUER_KEY.public_key(), now=datetime(2026, 1, 1))  # noqa: DTZ001
        assert result.reason is Failure.MALFORMED


# ---------------------------------------------------------------- properties

_names = st.text(alphabet=string.ascii_letters, min_size=1, max_size=5).filter(lambda n: n != "cnf")
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=6),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_names, inner, max_size=3),
    max_leaves=8,
)
_claims = st.dictionaries(_names, _values, min_size=1, max_size=4)


def _project(node, path, shown):
    """The claims a verifier should see when only the Disclosures at ``shown`` paths come."""
    if isinstance(node, dict):
        return {k: _project(v, (*path, k), shown) for k, v in node.items() if (*path, k) in shown}
    if isinstance(node, list):
        return [_project(v, (*path, i), shown) for i, v in enumerate(node) if (*path, i) in shown]
    return node


class TestProperties:
    @given(claims=_claims, data=st.data())
    def test_every_subset_of_disclosures_verifies_and_reveals_exactly_those_claims(
        self, claims, data
    ):
        issued = sd_jwt.issue(claims, ISSUER_KEY, typ="example+sd-jwt", disclosable=lambda _: True)
        paths = issued.paths()
        chosen = data.draw(st.sets(st.sampled_from(sorted(paths.values(), key=repr))))
        # a Disclosure can only come with the Disclosures that hold it
        shown = {p for p in chosen if all(p[:n] in chosen for n in range(1, len(p)))}
        subset = SdJwt(
            issued.jws, tuple(d for d in issued.disclosures if paths[d.encoded] in shown)
        )

        result = sd_jwt.verify(subset.serialize(), ISSUER_KEY.public_key(), typ=None)

        assert result.verified, result.detail
        assert result.claims == _project(claims, (), shown)
        assert len(result.disclosed) == len(shown)

    @given(claims=_claims, data=st.data())
    def test_withholding_any_claims_hides_exactly_them(self, claims, data):
        issued = sd_jwt.issue(claims, ISSUER_KEY, typ="example+sd-jwt", disclosable=lambda _: True)
        everything = set(issued.paths().values())
        hidden = data.draw(st.sets(st.sampled_from(sorted(everything, key=repr)), max_size=3))

        presentation = sd_jwt.present(issued, withhold=hidden)
        result = sd_jwt.verify(presentation, ISSUER_KEY.public_key(), typ=None)

        shown = {p for p in everything if not any(p[: len(h)] == h for h in hidden)}
        assert result.verified, result.detail
        assert result.claims == _project(claims, (), shown)
