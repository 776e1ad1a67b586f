from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from cruce.trust import data_integrity as di
from cruce.trust import jsonld
from cruce.trust.data_integrity import JCS, RDFC, Check, sign, verify, verify_proofs
from cruce.trust.did import (
    LegalIdentity,
    Resolver,
    TaxScheme,
    did_key,
    did_key_method,
    did_web_document,
)
from cruce.trust.jsonld import (
    JsonLdError,
    UnknownContextError,
    canonize,
    document_loader,
    jcs,
    shipped_contexts,
)
from cruce.trust.keys import (
    KeyPair,
    KeyRecord,
    KeyRing,
    ScryptCost,
    multibase_decode,
    multibase_encode,
)

# ---------------------------------------------------------------- W3C vc-di-eddsa vectors
# TestVectors of w3c/vc-di-eddsa @ abb673eb (the 2025-05-15 Recommendation), W3C licence
SECRET = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"  # noqa: S105 - a W3C vector
PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
METHOD = f"did:key:{PUBLIC}#{PUBLIC}"
CREATED = "2023-02-24T23:36:38Z"
CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"]
UNSIGNED = {
    "@context": CONTEXT,
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
JCS_DOCUMENT = (
    '{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/'
    'examples/v2"],"credentialSubject":{"alumniOf":"The School of Examples","id":"did:example:'
    'abcdefgh"},"description":"A minimum viable example of an Alumni Credential.","id":"urn:uuid:'
    '58172aac-d8ba-11ed-83dd-0b3aef56cc33","issuer":"https://vc.example/issuers/5678","name":'
    '"Alumni Credential","type":["VerifiableCredential","AlumniCredential"],"validFrom":'
    '"2023-01-01T00:00:00Z"}'
)
JCS_PROOF = (
    '{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/'
    'examples/v2"],"created":"2023-02-24T23:36:38Z","cryptosuite":"eddsa-jcs-2022",'
    f'"proofPurpose":"assertionMethod","type":"DataIntegrityProof","verificationMethod":"{METHOD}"}}'
)
JCS_HASH = (
    "66ab154f5c2890a140cb8388a22a160454f80575f6eae09e5a097cabe539a1db"
    "59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19"
)
JCS_VALUE = (
    "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"
)
RDFC_PROOF = (
    '_:c14n0 <http://purl.org/dc/terms/created> "2023-02-24T23:36:38Z"^^'
    "<http://www.w3.org/2001/XMLSchema#dateTime> .\n"
    "_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://w3id.org/security#DataIntegrityProof> .\n"
    '_:c14n0 <https://w3id.org/security#cryptosuite> "eddsa-rdfc-2022"^^'
    "<https://w3id.org/security#cryptosuiteString> .\n"
    "_:c14n0 <https://w3id.org/security#proofPurpose> "
    "<https://w3id.org/security#assertionMethod> .\n"
    f"_:c14n0 <https://w3id.org/security#verificationMethod> <{METHOD}> .\n"
)
RDFC_DOCUMENT_HASH = "517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017"
RDFC_HASH = "bea7b7acfbad0126b135104024a5f1733e705108f42d59668b05c0c50004c6b0" + RDFC_DOCUMENT_HASH
RDFC_VALUE = (
    "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme"
)
SUITE_FILES = {JCS: ("eddsa-jcs-2022", "JCS"), RDFC: ("eddsa-rdfc-2022", "DataInt")}

# ---------------------------------------------------------------- cruce-like credentials
ACME = "did:web:acme.example"
MELT = "did:web:melt.example"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def usmca_credential(issuer: str = ACME) -> dict[str, Any]:
    """A ~1 KB USMCA certification of origin (W3C CCG traceability vocabulary)."""
    company = {"type": ["Organization"], "name": "Acme Machining LLC", "taxId": "12-3456789"}
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/traceability/v1"],
        "type": ["VerifiableCredential", "USMCACertificationOfOrigin"],
        "id": "urn:uuid:c9d24347-0e04-4e01-9567-7f2778fed94a",
        "validFrom": "2026-11-01T00:00:00Z",
        "validUntil": "2027-10-31T23:59:59Z",
        "issuer": {"type": ["Organization"], "id": issuer, "name": "Acme Machining LLC"},
        "credentialSubject": {
            "type": ["USMCAClaims"],
            "invoiceNumber": "INV-2026-0917",
            "variousImporters": False,
            "exporterDetails": company,
            "importerDetails": [
                {
                    "type": ["Organization"],
                    "name": "Maquinados del Bajío SA de CV",
                    "taxId": "MBA010203AB1",
                }
            ],
            "goods": [
                {
                    "type": ["USMCAProduct"],
                    "description": "CNC-machined aluminium housing",
                    "commodityCode": "847990",
                    "commodityCodeType": "HS",
                    "originCriterion": "B",
                    "countryOfOrigin": "US",
                }
            ],
        },
    }


@pytest.fixture(scope="module")
def vector_key():
    return KeyPair.from_secret_multibase(SECRET)


@pytest.fixture(scope="module")
def acme_key():
    return KeyPair.generate()


@pytest.fixture(scope="module")
def melt_key():
    return KeyPair.generate()


def web_document(did: str, key: KeyPair, name: str, tax_id: str) -> dict[str, Any]:
    identity = LegalIdentity(name, tax_id, TaxScheme.EIN if "-" in tax_id else TaxScheme.RFC)
    return did_web_document(did, [KeyRecord(key.public_key, T0)], identity)


@pytest.fixture(scope="module")
def resolver(acme_key, melt_key):
    return Resolver(
        {
            ACME: web_document(ACME, acme_key, "Acme Machining LLC", "12-3456789"),
            MELT: web_document(MELT, melt_key, "Melt Global SA de CV", "MGL010203AB1"),
        }
    )


def acme_method(key: KeyPair) -> str:
    return f"{ACME}#{key.public_key.multibase}"


class TestW3cVectors:
    def test_jcs_canonical_forms_hashes_and_proof_value(self, vector_key):
        document = di.canonical_document(UNSIGNED, JCS)
        options = {
            "type": "DataIntegrityProof",
            "cryptosuite": JCS,
            "created": CREATED,
            "verificationMethod": METHOD,
            "proofPurpose": "assertionMethod",
        }
        config = di.canonical_proof_config(options, CONTEXT, JCS)
        assert document.decode() == JCS_DOCUMENT
        assert config.decode() == JCS_PROOF
        assert di.hash_data(config, document).hex() == JCS_HASH
        signed = sign(UNSIGNED, vector_key, METHOD, JCS, CREATED)
        assert signed["proof"]["proofValue"] == JCS_VALUE
        assert signed["proof"]["@context"] == CONTEXT

    def test_rdfc_canonical_forms_hashes_and_proof_value(self, vector_key):
        document = di.canonical_document(UNSIGNED, RDFC)
        options = {
            "type": "DataIntegrityProof",
            "cryptosuite": RDFC,
            "created": CREATED,
            "verificationMethod": METHOD,
            "proofPurpose": "assertionMethod",
        }
        config = di.canonical_proof_config(options, CONTEXT, RDFC)
        assert document.count(b"\n") == 8
        assert hashlib.sha256(document).hexdigest() == RDFC_DOCUMENT_HASH
        assert config.decode() == RDFC_PROOF
        assert di.hash_data(config, document).hex() == RDFC_HASH
        signed = sign(UNSIGNED, vector_key, METHOD, RDFC, CREATED)
        assert signed["proof"]["proofValue"] == RDFC_VALUE
        assert "@context" not in signed["proof"]

    @pytest.mark.parametrize("suite", [JCS, RDFC])
    def test_every_file_of_the_vectors_reproduces(self, shared_data, vector_key, suite):
        folder, tag = SUITE_FILES[suite]
        vectors = shared_data / "trust" / "vc-di-eddsa"
        path = vectors / folder
        unsigned = json.loads((vectors / "unsigned.json").read_text())
        config = json.loads((path / f"proofConfig{tag}.json").read_text())
        document = di.canonical_document(unsigned, suite)
        proof = di.canonical_proof_config(config, unsigned["@context"], suite)
        data = di.hash_data(proof, document)
        assert document == (path / f"canonDoc{tag}.txt").read_bytes()
        assert proof == (path / f"proofCanon{tag}.txt").read_bytes()
        assert (
            hashlib.sha256(document).hexdigest() == (path / f"docHash{tag}.txt").read_text().strip()
        )
        assert (
            hashlib.sha256(proof).hexdigest() == (path / f"proofHash{tag}.txt").read_text().strip()
        )
        assert data.hex() == (path / f"combinedHash{tag}.txt").read_text().strip()
        assert vector_key.sign(data).hex() == (path / f"sigHex{tag}.txt").read_text().strip()
        signed = sign(unsigned, vector_key, config["verificationMethod"], suite, config["created"])
        assert signed == json.loads((path / f"signed{tag}.json").read_text())
        assert signed["proof"]["proofValue"] == (path / f"sigBTC58{tag}.txt").read_text().strip()

    def test_proof_sets_and_chains_reproduce_and_verify(self, shared_data):
        folder = shared_data / "trust" / "vc-di-eddsa" / "proof-set-chain"
        pairs = json.loads((folder / "multiKeyPairs.json").read_text())
        keys = [
            KeyPair.from_secret_multibase(pairs[f"keyPair{n}"]["privateKeyMultibase"])
            for n in (1, 2, 3, 4)
        ]
        document = json.loads((folder / "unsigned.json").read_text())
        for number, key in enumerate(keys, start=1):
            config = json.loads(
                (
                    folder
                    / (
                        f"proofSetConfig{number}.json"
                        if number < 3
                        else f"proofChainConfig{number - 2}.json"
                    )
                ).read_text()
            )
            document = sign(
                document,
                key,
                config["verificationMethod"],
                RDFC,
                config["created"],
                proof_id=config.get("id"),
                previous_proof=config.get("previousProof"),
            )
            if number == 2:
                assert document == json.loads((folder / "signedProofSet2.json").read_text())
        assert document == json.loads((folder / "signedProofChain2.json").read_text())
        outcomes = verify_proofs(document, Resolver(), now=NOW)
        assert [outcome.verified for outcome in outcomes] == [True] * 4

    @pytest.mark.parametrize("suite", [JCS, RDFC])
    def test_the_signed_vectors_verify_but_their_issuer_made_no_proof(self, vector_key, suite):
        signed = sign(UNSIGNED, vector_key, METHOD, suite, CREATED)
        result = verify(signed, Resolver(), now=NOW)
        assert result.proofs[0].verified
        assert result.verification_method == METHOD
        assert result.failed_check is Check.ISSUER
        assert str(result.reason) == (
            "No proof was made with a key of the issuer https://vc.example/issuers/5678."
        )


class TestJcs:
    @pytest.mark.parametrize(
        "value",
        [
            {"b": 1, "a": [True, None, "x"]},
            {"€": 1, "a": '\u0007\n\t"\\/\u007f\u2028'},
            {"\U0001f600": 1, "\ufb01": 2},  # UTF-16 order differs from code points
            {"n": 1.0, "m": 1e21, "k": 2**52, "j": -0.0, "i": 0.1},
            "Maquinados del Bajío",
        ],
    )
    def test_matches_rfc8785(self, value):
        assert jcs(value) == rfc8785.dumps(value)

    @given(
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=5), inner, max_size=4)
            ),
            max_leaves=20,
        )
    )
    def test_matches_rfc8785_on_any_json_without_floats(self, value):
        try:
            expected = rfc8785.dumps(value)
        except (ValueError, UnicodeError):
            with pytest.raises((ValueError, UnicodeError)):
                jcs(value)
            return
        assert jcs(value) == expected


class TestSignAndVerify:
    @pytest.mark.parametrize("suite", [JCS, RDFC])
    def test_a_signed_credential_verifies_and_names_its_issuer(self, acme_key, resolver, suite):
        signed = sign(usmca_credential(), acme_key, acme_method(acme_key), suite, T0)
        result = verify(signed, resolver, now=NOW)
        assert result.verified, result.reason
        assert result.failed_check is None
        assert result.issuer == ACME
        assert result.verification_method == acme_method(acme_key)
        assert str(result.identity) == (
            f"{ACME} — Acme Machining LLC, EIN 12-3456789, per a local copy of the DID "
            "document at https://acme.example/.well-known/did.json (domain control not checked)"
        )
        assert signed["proof"]["created"] == "2026-01-05T09:00:00Z"

    def test_a_did_key_proof_is_a_key_only(self, acme_key):
        issuer = did_key(acme_key.public_key)
        signed = sign(usmca_credential(issuer), acme_key, did_key_method(acme_key.public_key))
        result = verify(signed, Resolver())
        assert result.verified
        assert str(result.identity) == f"{issuer} — a key only: no identity"

    def test_signing_does_not_change_the_input(self, acme_key):
        credential = usmca_credential()
        before = copy.deepcopy(credential)
        sign(credential, acme_key, acme_method(acme_key))
        assert credential == before

    def test_sign_refuses_a_key_that_is_not_the_methods(self, acme_key, melt_key):
        with pytest.raises(ValueError, match="not the key"):
            sign(usmca_credential(), acme_key, acme_method(melt_key))
        with pytest.raises(ValueError, match="unknown cryptosuite"):
            sign(usmca_credential(), acme_key, acme_method(acme_key), "ecdsa-rdfc-2019")


def _leaves(value: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, key))]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in _leaves(item, (*path, index))]
    return [path] if isinstance(value, str) else []


def _edit(document: dict, path: tuple, change) -> dict:
    edited = copy.deepcopy(document)
    target = edited
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = change(target[path[-1]])
    return edited


def _one_character(text: str) -> str:
    return text[:-1] + ("X" if text[-1] != "X" else "Y")


class TestTampering:
    @pytest.mark.parametrize(
        "path", _leaves({k: v for k, v in usmca_credential().items() if k != "@context"})
    )
    def test_one_changed_character_in_any_field_breaks_the_jcs_signature(
        self, acme_key, resolver, path
    ):
        signed = sign(usmca_credential(), acme_key, acme_method(acme_key), JCS, T0)
        result = verify(_edit(signed, path, _one_character), resolver, now=NOW)
        assert not result.verified
        assert result.failed_check is Check.SIGNATURE

    @pytest.mark.parametrize(
        "path",
        [
            ("credentialSubject", "invoiceNumber"),
            ("credentialSubject", "goods", 0, "commodityCode"),
            ("issuer", "id"),
        ],
    )
    def test_one_changed_character_breaks_the_rdfc_signature(self, acme_key, resolver, path):
        signed = sign(usmca_credential(), acme_key, acme_method(acme_key), RDFC, T0)
        result = verify(_edit(signed, path, _one_character), resolver, now=NOW)
        assert result.failed_check is Check.SIGNATURE

    @pytest.mark.parametrize(
        ("field", "change", "check"),
        [
            ("created", lambda _: "2026-01-05T09:00:01Z", Check.SIGNATURE),
            ("proofValue", _one_character, Check.SIGNATURE),
            ("proofValue", lambda v: "u" + v[1:], Check.PROOF),
            ("proofPurpose", lambda _: "authentication", Check.PURPOSE),
            ("type", lambda _: "Ed25519Signature2020", Check.PROOF),
            ("cryptosuite", lambda _: "eddsa-2022", Check.CRYPTOSUITE),
            ("cryptosuite", lambda _: RDFC, Check.SIGNATURE),
            ("created", lambda _: "yesterday", Check.CREATED),
            ("@context", lambda _: ["https://w3id.org/traceability/v1"], Check.CONTEXT),
        ],
    )
    def test_a_changed_proof_field_fails_with_its_reason(
        self, acme_key, resolver, field, change, check
    ):
        signed = sign(usmca_credential(), acme_key, acme_method(acme_key), JCS, T0)
        result = verify(_edit(signed, ("proof", field), change), resolver, now=NOW)
        assert result.failed_check is check
        assert result.proofs[0].failed_check is check

    def test_a_flipped_signature_byte_fails(self, acme_key, resolver):
        signed = sign(usmca_credential(), acme_key, acme_method(acme_key), JCS, T0)
        raw = bytearray(multibase_decode(signed["proof"]["proofValue"]))
        raw[10] ^= 0x01
        signed["proof"]["proofValue"] = multibase_encode(bytes(raw))
        result = verify(signed, resolver, now=NOW)
        assert result.failed_check is Check.SIGNATURE
        assert str(result.reason).startswith(
            "Proof 1: The signature does not match the document and the key "
            f"{acme_method(acme_key)}: the document or the proof was changed"
        )

    def test_a_key_swapped_in_the_did_document_fails(self, acme_key):
        signed = sign(usmca_credential(), acme_key, acme_method(acme_key), JCS, T0)
        document = web_document(ACME, acme_key, "Acme Machining LLC", "12-3456789")
        document["verificationMethod"][0]["publicKeyMultibase"] = (
            KeyPair.generate().public_key.multibase
        )
        result = verify(signed, Resolver({ACME: document}), now=NOW)
        assert result.failed_check is Check.SIGNATURE

    def test_a_proof_by_another_key_claiming_the_method_fails(self, acme_key, melt_key, resolver):
        forged = sign(usmca_credential(), melt_key, f"{ACME}#key-1", JCS, T0)
        forged["proof"]["verificationMethod"] = acme_method(acme_key)
        assert verify(forged, resolver, now=NOW).failed_check is Check.SIGNATURE

    def test_a_proof_by_someone_else_is_not_the_issuers(self, melt_key, resolver):
        signed = sign(
            usmca_credential(), melt_key, f"{MELT}#{melt_key.public_key.multibase}", JCS, T0
        )
        result = verify(signed, resolver, now=NOW)
        assert result.proofs[0].verified
        assert result.failed_check is Check.ISSUER
        assert result.identity is None

    def test_an_undefined_rdfc_property_is_refused_rather_than_left_unsigned(self, acme_key):
        credential = dict(UNSIGNED, **{"@context": ["https://www.w3.org/ns/credentials/v2"]})
        credential["credentialSubject"] = {"id": "did:example:abcdefgh", "hsCode": "847990"}
        with pytest.raises(JsonLdError, match="hsCode is not defined"):
            sign(credential, acme_key, acme_method(acme_key), RDFC)

    def test_an_rdfc_property_added_after_signing_fails_canonicalization(self, acme_key):
        credential = dict(UNSIGNED, **{"@context": ["https://www.w3.org/ns/credentials/v2"]})
        credential["credentialSubject"] = {"id": "did:example:abcdefgh"}
        credential["issuer"] = did_key(acme_key.public_key)
        signed = sign(credential, acme_key, did_key_method(acme_key.public_key), RDFC)
        signed["credentialSubject"]["alumniOf"] = "Elsewhere"
        result = verify(signed, Resolver())
        assert result.failed_check is Check.CANONICALIZATION
        assert "alumniOf is not defined" in str(result.reason)

    def test_an_unknown_context_is_never_fetched(self, acme_key, resolver):
        credential = dict(
            usmca_credential(),
            **{"@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/ctx"]},
        )
        signed = sign(credential, acme_key, acme_method(acme_key), JCS, T0)
        signed["proof"]["cryptosuite"] = RDFC
        result = verify(signed, resolver, now=NOW)
        assert result.failed_check is Check.CANONICALIZATION
        assert "https://evil.example/ctx is not one cruce ships" in str(result.reason)


class TestProofSetsAndChains:
    def test_exporter_and_producer_both_sign(self, acme_key, melt_key, resolver):
        signed = sign(usmca_credential(), acme_key, acme_method(acme_key), JCS, T0)
        signed = sign(signed, melt_key, f"{MELT}#{melt_key.public_key.multibase}", JCS, T0)
        result = verify(signed, resolver, now=NOW)
        assert result.verified
        assert [outcome.controller for outcome in result.proofs] == [ACME, MELT]
        assert str(result.proofs[1].signer).startswith(
            f"{MELT} — Melt Global SA de CV, RFC MGL010203AB1"
        )

    def test_one_bad_proof_in_a_set_fails_the_credential(self, acme_key, melt_key, resolver):
        signed = sign(usmca_credential(), acme_key, acme_method(acme_key), JCS, T0)
        signed = sign(signed, melt_key, f"{MELT}#{melt_key.public_key.multibase}", JCS, T0)
        signed["proof"][1]["proofValue"] = _one_character(signed["proof"][1]["proofValue"])
        result = verify(signed, resolver, now=NOW)
        assert [outcome.verified for outcome in result.proofs] == [True, False]
        assert result.failed_check is Check.SIGNATURE
        assert str(result.reason).startswith("Proof 2: ")

    def test_a_chained_proof_signs_the_proof_before_it(self, acme_key, melt_key, resolver):
        signed = sign(
            usmca_credential(), acme_key, acme_method(acme_key), JCS, T0, proof_id="urn:uuid:1"
        )
        signed = sign(
            signed,
            melt_key,
            f"{MELT}#{melt_key.public_key.multibase}",
            JCS,
            T0,
            previous_proof="urn:uuid:1",
        )
        assert verify(signed, resolver, now=NOW).verified
        signed["proof"][0]["created"] = "2026-01-05T09:00:01Z"
        outcomes = verify(signed, resolver, now=NOW).proofs
        assert [outcome.failed_check for outcome in outcomes] == [Check.SIGNATURE, Check.SIGNATURE]
        del signed["proof"][0]
        assert verify(signed, resolver, now=NOW).failed_check is Check.PREVIOUS_PROOF

    def test_a_chain_to_a_missing_proof_cannot_be_signed(self, acme_key):
        with pytest.raises(ValueError, match="previous proof"):
            sign(usmca_credential(), acme_key, acme_method(acme_key), previous_proof="urn:uuid:9")


class TestKeyRotation:
    def test_a_retired_key_verifies_only_what_it_signed_while_active(self, tmp_path):
        ring = KeyRing.create(tmp_path, "pass", now=T0, cost=ScryptCost(n=2**10))
        old_key = ring.signing_key("pass")
        retired_at = T0 + timedelta(days=90)
        ring.rotate("pass", now=retired_at)
        new_key = ring.signing_key("pass")
        resolver = Resolver({ACME: did_web_document(ACME, ring.keys)})
        before = sign(
            usmca_credential(), old_key, acme_method(old_key), JCS, T0 + timedelta(days=1)
        )
        after = sign(usmca_credential(), old_key, acme_method(old_key), JCS, retired_at)
        fresh = sign(usmca_credential(), new_key, acme_method(new_key), JCS, retired_at)
        assert verify(before, resolver, now=NOW).verified
        assert verify(fresh, resolver, now=NOW).verified
        result = verify(after, resolver, now=NOW)
        assert result.failed_check is Check.KEY_PERIOD
        assert str(result.reason) == (
            f"Proof 1: The key {acme_method(old_key)} was retired on 2026-04-05T09:00:00Z; the "
            "proof says it was made on 2026-04-05T09:00:00Z, after that."
        )

    def test_a_revoked_key_verifies_nothing(self, acme_key):
        document = web_document(ACME, acme_key, "Acme Machining LLC", "12-3456789")
        document["verificationMethod"][0]["revoked"] = "2026-02-01T00:00:00Z"
        signed = sign(usmca_credential(), acme_key, acme_method(acme_key), JCS, T0)
        assert verify(signed, Resolver({ACME: document}), now=NOW).failed_check is Check.KEY_PERIOD


class TestChecks:
    def test_a_credential_without_proof_fails(self, resolver):
        result = verify(usmca_credential(), resolver, now=NOW)
        assert result.failed_check is Check.PROOF
        assert str(result.reason) == "The credential has no proof."

    def test_a_proof_that_is_not_an_object_fails(self, resolver):
        credential = dict(usmca_credential(), proof=["z123"])
        assert verify(credential, resolver, now=NOW).failed_check is Check.PROOF

    def test_an_unresolvable_key_fails_on_the_verification_method(self, acme_key):
        signed = sign(usmca_credential(), acme_key, acme_method(acme_key), JCS, T0)
        result = verify(signed, Resolver(), now=NOW)
        assert result.failed_check is Check.VERIFICATION_METHOD
        assert "cruce does not fetch it" in str(result.reason)

    def test_a_key_not_allowed_for_assertions_fails(self, acme_key):
        document = web_document(ACME, acme_key, "Acme Machining LLC", "12-3456789")
        document["assertionMethod"] = []
        signed = sign(usmca_credential(), acme_key, acme_method(acme_key), JCS, T0)
        result = verify(signed, Resolver({ACME: document}), now=NOW)
        assert result.failed_check is Check.VERIFICATION_METHOD
        assert "does not allow the key" in str(result.reason)

    def test_a_key_controlled_by_someone_else_fails(self, acme_key):
        document = web_document(ACME, acme_key, "Acme Machining LLC", "12-3456789")
        document["verificationMethod"][0]["controller"] = MELT
        signed = sign(usmca_credential(), acme_key, acme_method(acme_key), JCS, T0)
        assert (
            verify(signed, Resolver({ACME: document}), now=NOW).failed_check
            is Check.VERIFICATION_METHOD
        )

    def test_a_proof_from_the_future_fails(self, acme_key, resolver):
        signed = sign(
            usmca_credential(), acme_key, acme_method(acme_key), JCS, NOW + timedelta(hours=1)
        )
        assert verify(signed, resolver, now=NOW).failed_check is Check.CREATED

    def test_an_expired_proof_fails(self, acme_key, resolver):
        signed = sign(usmca_credential(), acme_key, acme_method(acme_key), JCS, T0)
        signed["proof"]["expires"] = "2026-06-01T00:00:00Z"
        assert verify(signed, resolver, now=NOW).failed_check is Check.EXPIRED

    def test_a_credential_without_issuer_fails(self, acme_key, resolver):
        credential = usmca_credential()
        del credential["issuer"]
        signed = sign(credential, acme_key, acme_method(acme_key), JCS, T0)
        result = verify(signed, resolver, now=NOW)
        assert result.failed_check is Check.ISSUER

    def test_the_vc_schema_is_checked(self, acme_key, resolver):
        credential = usmca_credential()
        credential["validFrom"] = "1 Nov 2026"
        signed = sign(credential, acme_key, acme_method(acme_key), JCS, T0)
        result = verify(signed, resolver, now=NOW)
        assert result.failed_check is Check.SCHEMA
        assert str(result.schema_problems[0]).startswith(
            "The credential does not follow the VC 2.0 JSON Schema at validFrom:"
        )
        assert verify(signed, resolver, now=NOW, check_schema=False).verified

    def test_a_value_jcs_cannot_write_fails_canonicalization(self, acme_key, resolver):
        signed = sign(usmca_credential(), acme_key, acme_method(acme_key), JCS, T0)
        signed["credentialSubject"]["weight"] = float("nan")
        result = verify(signed, resolver, now=NOW)
        assert result.failed_check is Check.CANONICALIZATION
        assert str(result.reason) == "Proof 1: The credential cannot be written as canonical JSON."

    def test_invalid_json_ld_fails_canonicalization_with_pylds_reason(self, acme_key, resolver):
        signed = sign(usmca_credential(), acme_key, acme_method(acme_key), RDFC, T0)
        signed["id"] = 5
        result = verify(signed, resolver, now=NOW)
        assert result.failed_check is Check.CANONICALIZATION
        assert str(result.reason) == (
            'Proof 1: The document is not valid JSON-LD: Invalid JSON-LD syntax; "@id" value '
            "must be a string."
        )

    def test_the_moment_of_verification_needs_a_time_zone(self, resolver):
        with pytest.raises(ValueError, match="time zone"):
            verify(usmca_credential(), resolver, now=datetime(2026, 1, 1))  # noqa: DTZ001

    def test_the_w3c_example_follows_the_schema(self):
        assert di.schema_problems(UNSIGNED) == ()
        problems = di.schema_problems({"type": "VerifiableCredential"})
        assert [str(problem) for problem in problems] == [
            "The credential does not follow the VC 2.0 JSON Schema at /: "
            f"'{name}' is a required property"
            for name in ("@context", "issuer", "credentialSubject")
        ]


class TestJsonLd:
    def test_the_shipped_contexts_are_the_indexed_files(self):
        index = json.loads((jsonld.CONTEXTS / "index.json").read_text())
        for url, entry in {**index["contexts"], **index["schemas"]}.items():
            data = (jsonld.CONTEXTS / entry["file"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"], url
        assert set(shipped_contexts()) == set(index["contexts"])

    def test_expansion_uses_the_shipped_contexts(self):
        expanded = jsonld.expand(UNSIGNED)
        assert expanded[0]["@id"] == UNSIGNED["id"]
        assert "https://www.w3.org/2018/credentials#issuer" in expanded[0]

    def test_the_loader_refuses_any_other_url(self):
        with pytest.raises(UnknownContextError) as caught:
            document_loader("https://www.w3.org/ns/did/v1")
        assert caught.value.url == "https://www.w3.org/ns/did/v1"

    def test_a_second_canonicalisation_reuses_the_processed_contexts(self):
        first = canonize(usmca_credential())
        assert "https://w3id.org/traceability/v1" in jsonld._RESOLVED
        assert canonize(usmca_credential()) == first
