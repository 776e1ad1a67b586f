from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from cruce.trust.did import (
    DID_CONTEXTS,
    LegalIdentity,
    Provenance,
    ResolutionError,
    Resolver,
    TaxScheme,
    did_key,
    did_key_document,
    did_key_method,
    did_web,
    did_web_document,
    did_web_url,
)
from cruce.trust.keys import KeyPair, KeyRecord, PublicKey

PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"  # W3C vc-di-eddsa keyPair.json
DID_KEY = f"did:key:{PUBLIC}"
ACME = "did:web:acme.example"
ACME_URL = "https://acme.example/.well-known/did.json"
ACME_ID = LegalIdentity("Acme Machining LLC", "12-3456789", TaxScheme.EIN)
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def acme_document(identity: LegalIdentity | None = ACME_ID) -> tuple[dict, list[KeyRecord]]:
    old, new = KeyPair.generate().public_key, KeyPair.generate().public_key
    later = T0 + timedelta(days=90)
    records = [KeyRecord(old, T0, later), KeyRecord(new, later)]
    return did_web_document(ACME, records, identity), records


class TestDidKey:
    def test_the_did_is_the_multikey(self):
        key = PublicKey.from_multibase(PUBLIC)
        assert did_key(key) == DID_KEY
        assert did_key_method(key) == f"{DID_KEY}#{PUBLIC}"

    def test_the_document_follows_the_did_key_method(self):
        document = did_key_document(DID_KEY)
        method = f"{DID_KEY}#{PUBLIC}"
        assert document == {
            "@context": list(DID_CONTEXTS),
            "id": DID_KEY,
            "verificationMethod": [
                {
                    "id": method,
                    "type": "Multikey",
                    "controller": DID_KEY,
                    "publicKeyMultibase": PUBLIC,
                }
            ],
            "authentication": [method],
            "assertionMethod": [method],
            "capabilityInvocation": [method],
            "capabilityDelegation": [method],
        }

    @pytest.mark.parametrize("did", ["did:web:acme.example", "did:key:zQ3shokFTS3brHcDQrn82R"])
    def test_only_ed25519_did_keys_have_a_document(self, did):
        with pytest.raises(ValueError):  # noqa: PT011 - either message will do
            did_key_document(did)


class TestDidWeb:
    @pytest.mark.parametrize(
        ("did", "url"),
        [
            ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
            (
                "did:web:w3c-ccg.github.io:user:alice",
                "https://w3c-ccg.github.io/user/alice/did.json",
            ),
            (
                "did:web:example.com%3A3000:user:alice",
                "https://example.com:3000/user/alice/did.json",
            ),
        ],
    )
    def test_the_document_url_follows_the_did_web_method(self, did, url):
        assert did_web_url(did) == url

    @pytest.mark.parametrize(
        "did",
        [
            "did:web:",
            "did:web:acme.example:..:etc",
            "did:web:acme.example::x",
            "did:web:a%2Fb",
            "did:key:z6Mk",
        ],
    )
    def test_a_malformed_did_web_has_no_url(self, did):
        with pytest.raises(ValueError, match="not a did:web"):
            did_web_url(did)

    def test_builds_a_did_from_host_port_and_path(self):
        assert did_web("Acme.example") == "did:web:acme.example"
        assert (
            did_web("acme.example", "org", "mx", port=8443) == "did:web:acme.example%3A8443:org:mx"
        )
        with pytest.raises(ValueError, match="host name"):
            did_web("acme.example/evil")

    def test_the_document_keeps_retired_keys_with_their_expiry(self):
        document, (old, new) = acme_document()
        methods = {method["id"]: method for method in document["verificationMethod"]}
        assert methods[f"{ACME}#{old.key_id}"]["expires"] == "2026-04-05T09:00:00Z"
        assert "expires" not in methods[f"{ACME}#{new.key_id}"]
        assert document["assertionMethod"] == [f"{ACME}#{old.key_id}", f"{ACME}#{new.key_id}"]
        assert document["authentication"] == [f"{ACME}#{new.key_id}"]
        assert all(m["type"] == "Multikey" and m["controller"] == ACME for m in methods.values())

    def test_the_document_states_the_legal_identity_and_the_domain(self):
        document, _ = acme_document()
        assert document["service"] == [
            {
                "id": f"{ACME}#linked-domain",
                "type": "LinkedDomains",
                "serviceEndpoint": "https://acme.example",
            },
            {
                "id": f"{ACME}#registered-identity",
                "type": "RegisteredIdentity",
                "serviceEndpoint": {
                    "name": "Acme Machining LLC",
                    "registeredId": "12-3456789",
                    "idScheme": "EIN",
                    "country": "US",
                },
            },
        ]
        assert LegalIdentity.from_document(document) == ACME_ID
        assert "alsoKnownAs" not in document


class TestLegalIdentity:
    def test_an_rfc_is_mexican(self):
        assert (
            LegalIdentity("Aceros del Norte SA de CV", "ADN010203AB1", TaxScheme.RFC).country
            == "MX"
        )

    @pytest.mark.parametrize(
        ("tax_id", "scheme"),
        [("123456789", TaxScheme.EIN), ("12-3456789", TaxScheme.RFC), ("ADN01020", TaxScheme.RFC)],
    )
    def test_a_malformed_tax_identifier_is_refused(self, tax_id, scheme):
        with pytest.raises(ValueError, match="not a valid"):
            LegalIdentity("Acme", tax_id, scheme)

    def test_a_document_without_a_usable_identity_states_none(self):
        assert LegalIdentity.from_document({"id": ACME}) is None
        broken = {"service": [{"type": "RegisteredIdentity", "serviceEndpoint": "https://x"}]}
        assert LegalIdentity.from_document(broken) is None
        wrong = {"service": [{"type": "RegisteredIdentity", "serviceEndpoint": {"name": "A"}}]}
        assert LegalIdentity.from_document(wrong) is None


class TestResolver:
    def test_resolves_did_key_offline(self):
        resolution = Resolver().resolve(DID_KEY)
        assert resolution.provenance is Provenance.KEY
        method = resolution.method(f"{DID_KEY}#{PUBLIC}")
        assert method.public_key == PublicKey.from_multibase(PUBLIC)
        assert resolution.authorizes(method.id, "assertionMethod")
        assert str(resolution.describe()) == f"{DID_KEY} — a key only: no identity"

    @pytest.mark.parametrize("key", [ACME, ACME_URL])
    def test_resolves_did_web_from_a_mapping_by_did_or_url(self, key):
        document, _ = acme_document()
        resolution = Resolver({key: document}).resolve(ACME)
        assert resolution.provenance is Provenance.LOCAL
        assert resolution.source == ACME_URL
        assert resolution.identity == ACME_ID

    def test_resolves_did_web_from_a_folder_laid_out_like_the_web(self, tmp_path):
        did = "did:web:acme.example%3A8443:org:mx"
        document = did_web_document(did, acme_document()[1], ACME_ID)
        folder = tmp_path / "acme.example%3A8443" / "org" / "mx"
        folder.mkdir(parents=True)
        (folder / "did.json").write_text(json.dumps(document))
        assert Resolver(folder=tmp_path).resolve(did).document == document
        assert document["service"][0]["serviceEndpoint"] == "https://acme.example:8443"

    def test_uses_the_fetcher_only_when_given_and_says_so(self):
        document, _ = acme_document()
        asked = []

        def fetch(url: str) -> bytes:
            asked.append(url)
            return json.dumps(document).encode()

        resolution = Resolver(fetcher=fetch).resolve(ACME)
        assert asked == [ACME_URL]
        assert resolution.provenance is Provenance.FETCHED
        assert str(resolution.describe()) == (
            f"{ACME} — Acme Machining LLC, EIN 12-3456789, "
            f"per the DID document at {ACME_URL} (domain control)"
        )

    def test_never_fetches_by_default(self):
        with pytest.raises(ResolutionError) as caught:
            Resolver().resolve(ACME)
        assert (
            str(caught.value)
            == f"No DID document for {ACME} ({ACME_URL}); cruce does not fetch it."
        )

    def test_a_local_copy_does_not_claim_domain_control(self):
        document, _ = acme_document()
        assert str(Resolver({ACME: document}).resolve(ACME).describe()) == (
            f"{ACME} — Acme Machining LLC, EIN 12-3456789, per a local copy of the DID "
            f"document at {ACME_URL} (domain control not checked)"
        )

    def test_a_document_without_identity_says_so(self):
        document, _ = acme_document(identity=None)
        text = str(Resolver({ACME: document}).resolve(ACME).describe())
        assert text.startswith(f"{ACME} — no legal name or tax identifier stated, per a local copy")

    def test_a_document_for_another_did_is_refused(self):
        document, _ = acme_document()
        with pytest.raises(ResolutionError, match="is not the document of"):
            Resolver({"did:web:evil.example": document}).resolve("did:web:evil.example")

    @pytest.mark.parametrize(
        ("body", "words"),
        [(b"<html>", "not JSON"), (b"[]", "not JSON"), (b" " * 300_000, "too large")],
    )
    def test_a_fetched_body_that_is_not_a_document_is_refused(self, body, words):
        with pytest.raises(ResolutionError, match=words):
            Resolver(fetcher=lambda _url: body).resolve(ACME)

    @pytest.mark.parametrize("did", ["did:ion:abc", "did:web:acme.example:..", "did:key:zNotAKey"])
    def test_other_methods_and_bad_dids_are_refused(self, did):
        with pytest.raises(ResolutionError):
            Resolver().resolve(did)

    def test_finds_relative_and_embedded_methods(self):
        key = KeyPair.generate().public_key
        document = {
            "id": ACME,
            "assertionMethod": [
                {
                    "id": "#k1",
                    "type": "Multikey",
                    "controller": ACME,
                    "publicKeyMultibase": key.multibase,
                }
            ],
        }
        resolution = Resolver({ACME: document}).resolve(ACME)
        assert resolution.method(f"{ACME}#k1").public_key == key
        assert resolution.authorizes(f"{ACME}#k1", "assertionMethod")
        assert not resolution.authorizes(f"{ACME}#k1", "authentication")

    def test_reads_an_ed25519_json_web_key(self):
        key = KeyPair.generate().public_key
        x = base64.urlsafe_b64encode(key.raw).decode().rstrip("=")
        document = {
            "id": ACME,
            "verificationMethod": [
                {
                    "id": f"{ACME}#jwk",
                    "type": "JsonWebKey",
                    "controller": ACME,
                    "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": x},
                }
            ],
        }
        assert Resolver({ACME: document}).resolve(ACME).method(f"{ACME}#jwk").public_key == key

    @pytest.mark.parametrize(
        "method",
        [
            {
                "type": "Multikey",
                "publicKeyMultibase": "zDnaeRQKUJYxFwB1zgHisFGeHXYhgoDkXQ3cgzTJHVPfxtfxY",
            },
            {"type": "EcdsaSecp256k1VerificationKey2019"},
            {"type": "JsonWebKey", "publicKeyJwk": {"kty": "EC", "crv": "P-256"}},
            {"type": "Multikey", "publicKeyMultibase": PUBLIC, "expires": "tomorrow"},
        ],
    )
    def test_a_key_cruce_cannot_use_is_named(self, method):
        document = {"id": ACME, "verificationMethod": [{"id": f"{ACME}#k", **method}]}
        with pytest.raises(ResolutionError, match="not an Ed25519 key cruce can read"):
            Resolver({ACME: document}).resolve(ACME).method(f"{ACME}#k")

    def test_a_missing_method_is_named(self):
        document, _ = acme_document()
        with pytest.raises(ResolutionError, match="has no key"):
            Resolver({ACME: document}).resolve(ACME).method(f"{ACME}#nope")
