"""DIDs: ``did:key`` for a bare key, ``did:web`` for an organisation, and an offline resolver.

``did:key:z6Mk…`` is an Ed25519 Multikey itself; its DID document (did:key method,
W3C CCG) has one Multikey verification method ``did:key:z6Mk…#z6Mk…`` in every
relationship. It names a key, never a party.

``did:web:acme.example`` names an organisation by its domain: the document is served at
``https://acme.example/.well-known/did.json`` (``did:web:acme.example:org:acme`` at
``https://acme.example/org/acme/did.json``, a port written ``%3A``). The document built
here lists every key of the organisation's :class:`~cruce.trust.keys.KeyRing` as a Multikey
whose fragment is its ``publicKeyMultibase``: the active key in ``assertionMethod`` and
``authentication``; retired keys stay in ``assertionMethod`` with ``expires`` (W3C
Controlled Identifiers 1.0) set to their retirement, so proofs made before it still verify
and later ones fail. did:web keeps no history of its own, so retired keys are never removed.

**Who the organisation is.** The legal name and tax identifier (US EIN or Mexican RFC) are
a ``service`` of type ``RegisteredIdentity`` whose ``serviceEndpoint`` is a map with the
property names of the UN Transparency Protocol's Digital Identity Anchor subject
(``name``, ``registeredId``, ``idScheme``) plus ``country``; a ``LinkedDomains`` service
(DID Specification Registries, DIF Well-Known DID Configuration) names the web origin.
``alsoKnownAs`` is not used: it states that two identifiers name the same subject, and a
tax number is not the company (the UNTP editors rejected it for the same reason,
uncefact/spec-untp#135). This is the organisation's own statement, backed by control of
its domain; the stronger anchor, a registry-issued credential binding the RFC or EIN to
the DID (UNTP Digital Identity Anchor), is not issued by SAT or the IRS today, and
verification reports say which of the two a verifier has.

The :class:`Resolver` resolves did:key offline and did:web from documents it was given (a
mapping or a folder laid out as ``<host>/.well-known/did.json``); it never uses the
network unless a fetcher is injected.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol
from urllib.parse import quote, unquote, urlsplit

from cruce.i18n import Message, _
from cruce.trust.keys import KeyRecord, PublicKey, format_time, parse_time

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from datetime import datetime

DID_CONTEXTS: Final = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1")
RELATIONSHIPS: Final = (
    "authentication",
    "assertionMethod",
    "capabilityInvocation",
    "capabilityDelegation",
)
IDENTITY_SERVICE: Final = "RegisteredIdentity"
MAX_DOCUMENT_BYTES: Final = 256 * 1024
MAX_CACHED: Final = 1024  # resolutions a Resolver keeps; the cache starts over past it
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?", re.IGNORECASE)
_EIN = re.compile(r"[0-9]{2}-[0-9]{7}")
_RFC = re.compile(r"[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}")


class ResolutionError(Exception):
    """A DID or a verification method cannot be resolved; ``message`` says why."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(str(message))


# ---------------------------------------------------------------- did:key
def did_key(public_key: PublicKey) -> str:
    """``did:key:z6Mk…`` of an Ed25519 key."""
    return "did:key:" + public_key.multibase


def did_key_method(public_key: PublicKey) -> str:
    """The verification method of a did:key: ``did:key:z6Mk…#z6Mk…``."""
    return f"{did_key(public_key)}#{public_key.multibase}"


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document of ``did:key:z6Mk…`` (ValueError if it is not an Ed25519 did:key)."""
    if not did.startswith("did:key:"):
        raise ValueError("not a did:key")
    public_key = PublicKey.from_multibase(did.removeprefix("did:key:"))
    method = f"{did}#{public_key.multibase}"
    return {
        "@context": list(DID_CONTEXTS),
        "id": did,
        "verificationMethod": [_multikey(method, did, public_key)],
        **{relationship: [method] for relationship in RELATIONSHIPS},
    }


def _multikey(method: str, controller: str, public_key: PublicKey) -> dict[str, Any]:
    return {
        "id": method,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": public_key.multibase,
    }


# ---------------------------------------------------------------- did:web
def did_web(host: str, *path: str, port: int | None = None) -> str:
    """``did:web:<host>[%3A<port>][:<path>…]``."""
    if not _HOST.fullmatch(host) or ":" in host:
        raise ValueError(f"not a host name: {host!r}")
    name = host.lower() + (f"%3A{port}" if port is not None else "")
    return ":".join(["did:web", name, *(quote(segment, safe="") for segment in path)])


def did_web_url(did: str) -> str:
    """The HTTPS URL of a did:web DID document, per the did:web method specification."""
    if not did.startswith("did:web:"):
        raise ValueError("not a did:web")
    host, *path = did.removeprefix("did:web:").split(":")
    host = unquote(host)
    segments = [unquote(segment) for segment in path]
    if not _HOST.fullmatch(host) or any(
        segment in {"", ".", ".."} or "/" in segment for segment in segments
    ):
        raise ValueError(f"not a did:web: {did!r}")
    return "https://" + "/".join([host, *(segments or [".well-known"]), "did.json"])


class TaxScheme(StrEnum):
    """The tax identifier schemes an organisation is known by in cruce."""

    EIN = "EIN"  # US Employer Identification Number (IRS)
    RFC = "RFC"  # Registro Federal de Contribuyentes (SAT, Mexico)


@dataclass(frozen=True, slots=True)
class LegalIdentity:
    """An organisation's legal name and tax identifier, as its DID document states them."""

    legal_name: str
    tax_id: str
    scheme: TaxScheme

    def __post_init__(self) -> None:
        pattern = _EIN if self.scheme is TaxScheme.EIN else _RFC
        if not self.legal_name.strip() or not pattern.fullmatch(self.tax_id):
            raise ValueError(f"not a valid {self.scheme}: {self.tax_id!r}")

    @property
    def country(self) -> str:
        """The country of the tax authority (ISO 3166-1 alpha-2)."""
        return "US" if self.scheme is TaxScheme.EIN else "MX"

    def as_service(self, did: str) -> dict[str, Any]:
        """The ``RegisteredIdentity`` service entry of ``did``'s document."""
        return {
            "id": f"{did}#registered-identity",
            "type": IDENTITY_SERVICE,
            "serviceEndpoint": {
                "name": self.legal_name,
                "registeredId": self.tax_id,
                "idScheme": self.scheme.value,
                "country": self.country,
            },
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> LegalIdentity | None:
        """The identity a DID document states, or None when it states none (or a bad one)."""
        services = document.get("service")
        for entry in services if isinstance(services, list) else []:
            if not isinstance(entry, dict) or entry.get("type") != IDENTITY_SERVICE:
                continue
            endpoint = entry.get("serviceEndpoint")
            if not isinstance(endpoint, dict):
                return None
            try:
                return cls(
                    str(endpoint["name"]),
                    str(endpoint["registeredId"]),
                    TaxScheme(endpoint["idScheme"]),
                )
            except (TypeError, KeyError, ValueError):
                return None
        return None


def did_web_document(
    did: str, keys: Iterable[KeyRecord], identity: LegalIdentity | None = None
) -> dict[str, Any]:
    """The DID document of an organisation: every key of its ring, and who it is."""
    url = urlsplit(did_web_url(did))
    origin = f"{url.scheme}://{url.netloc}"
    records = list(keys)
    methods = []
    for record in records:
        method = _multikey(f"{did}#{record.key_id}", did, record.public_key)
        if record.retired_at is not None:
            method["expires"] = format_time(record.retired_at)
        methods.append(method)
    services: list[dict[str, Any]] = [
        {"id": f"{did}#linked-domain", "type": "LinkedDomains", "serviceEndpoint": origin}
    ]
    if identity is not None:
        services.append(identity.as_service(did))
    return {
        "@context": list(DID_CONTEXTS),
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
        "authentication": [
            method["id"]
            for method, record in zip(methods, records, strict=True)
            if record.retired_at is None
        ],
        "service": services,
    }


# ---------------------------------------------------------------- resolution
class Provenance(StrEnum):
    """How a resolver came by a DID document."""

    KEY = "key"  # derived from the identifier itself (did:key)
    FETCHED = "fetched"  # fetched from the did:web URL: the domain's holder published it
    LOCAL = "local"  # a copy handed to the resolver; domain control not checked


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    """An Ed25519 verification method of a DID document."""

    id: str
    controller: str
    public_key: PublicKey
    expires: datetime | None = None
    revoked: datetime | None = None


@dataclass(frozen=True, slots=True)
class Resolution:
    """A resolved DID: its document, where it came from, and how far that is trusted."""

    did: str
    document: Mapping[str, Any]
    source: str
    provenance: Provenance
    _parsed: dict[str, VerificationMethod] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def _absolute(self, reference: str) -> str:
        return self.did + reference if reference.startswith("#") else reference

    def method(self, url: str) -> VerificationMethod:
        """The verification method ``url``; :class:`ResolutionError` if absent or unusable."""
        parsed = self._parsed.get(url)
        if parsed is not None:
            return parsed
        for entry in self._methods():
            if self._absolute(str(entry.get("id", ""))) == url:
                parsed = self._parsed[url] = _parse_method(entry, url, self.did)
                return parsed
        raise ResolutionError(
            _("The DID document of {did} has no key {method}.", did=self.did, method=url)
        )

    def authorizes(self, url: str, relationship: str) -> bool:
        """Whether the document lists ``url`` under ``relationship`` (e.g. assertionMethod)."""
        entries = self.document.get(relationship)
        for entry in entries if isinstance(entries, list) else []:
            reference = entry.get("id") if isinstance(entry, dict) else entry
            if isinstance(reference, str) and self._absolute(reference) == url:
                return True
        return False

    def _methods(self) -> Iterable[dict[str, Any]]:
        for name in ("verificationMethod", *RELATIONSHIPS):
            entries = self.document.get(name)
            yield from (
                e for e in (entries if isinstance(entries, list) else []) if isinstance(e, dict)
            )

    @property
    def identity(self) -> LegalIdentity | None:
        """The legal identity the document states (did:web only)."""
        if self.provenance is Provenance.KEY:
            return None
        return LegalIdentity.from_document(self.document)

    def describe(self) -> Message:
        """Who the DID is and how that is known, in one sentence."""
        if self.provenance is Provenance.KEY:
            return _("{did} — a key only: no identity", did=self.did)
        if self.provenance is Provenance.FETCHED:
            how = _("per the DID document at {url} (domain control)", url=self.source)
        else:
            how = _(
                "per a local copy of the DID document at {url} (domain control not checked)",
                url=self.source,
            )
        identity = self.identity
        if identity is None:
            return _("{did} — no legal name or tax identifier stated, {how}", did=self.did, how=how)
        return _(
            "{did} — {name}, {scheme} {tax_id}, {how}",
            did=self.did,
            name=identity.legal_name,
            scheme=identity.scheme.value,
            tax_id=identity.tax_id,
            how=how,
        )


def _public_key(entry: Mapping[str, Any]) -> PublicKey:
    """The Ed25519 key of a Multikey or an OKP JWK; ValueError (or KeyError) otherwise."""
    if entry.get("type") == "Multikey":
        return PublicKey.from_multibase(str(entry["publicKeyMultibase"]))
    if entry.get("type") not in {"JsonWebKey", "JsonWebKey2020"}:
        raise ValueError("unsupported verification method type")
    jwk = entry["publicKeyJwk"]
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ValueError("not an Ed25519 JWK")
    return PublicKey(base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4)))


def _parse_method(entry: Mapping[str, Any], url: str, did: str) -> VerificationMethod:
    try:
        public_key = _public_key(entry)
        expires, revoked = entry.get("expires"), entry.get("revoked")
        controller = entry.get("controller", did)
        return VerificationMethod(
            url,
            controller if isinstance(controller, str) else did,
            public_key,
            parse_time(expires) if expires is not None else None,
            parse_time(revoked) if revoked is not None else None,
        )
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise ResolutionError(
            _("The key {method} is not an Ed25519 key cruce can read.", method=url)
        ) from None


class DidResolver(Protocol):
    """Anything that turns a DID into its document."""

    def resolve(self, did: str) -> Resolution:
        """The DID's document; :class:`ResolutionError` when it cannot be had."""
        ...


@lru_cache(maxsize=1024)
def _resolve_did_key(did: str) -> Resolution:
    try:
        document = did_key_document(did)
    except ValueError:
        raise ResolutionError(_("{did} is not an Ed25519 did:key.", did=did)) from None
    return Resolution(did, document, did, Provenance.KEY)


class Resolver:
    """Resolves did:key offline and did:web from given documents; no network by default.

    ``documents`` maps a DID (or its document's URL) to the document; ``folder`` holds
    documents as the web would (``acme.example/.well-known/did.json``,
    ``acme.example/org/acme/did.json``; a port as ``acme.example%3A8443``); ``fetcher``,
    when given, takes the HTTPS URL and returns the body, and is tried last.
    """

    def __init__(
        self,
        documents: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        folder: Path | None = None,
        fetcher: Callable[[str], bytes] | None = None,
    ) -> None:
        self.documents = dict(documents or {})
        self.folder = folder
        self.fetcher = fetcher
        self._cache: dict[str, Resolution] = {}

    def resolve(self, did: str) -> Resolution:
        """The DID's document; :class:`ResolutionError` when it cannot be had."""
        if did.startswith("did:key:"):
            return _resolve_did_key(did)
        if not did.startswith("did:web:"):
            raise ResolutionError(_("cruce does not resolve {did}.", did=did))
        cached = self._cache.get(did)
        if cached is None:
            cached = self._resolve_web(did)
            if len(self._cache) >= MAX_CACHED:
                self._cache.clear()
            self._cache[did] = cached
        return cached

    def _resolve_web(self, did: str) -> Resolution:
        try:
            url = did_web_url(did)
        except ValueError:
            raise ResolutionError(_("{did} is not a valid did:web.", did=did)) from None
        document = self.documents.get(did) or self.documents.get(url)
        provenance = Provenance.LOCAL
        if document is None and self.folder is not None:
            host, *path = did.removeprefix("did:web:").split(":")
            relative = Path(host, *(unquote(p) for p in path or [".well-known"]), "did.json")
            candidate = self.folder / relative
            if candidate.is_file():
                document = _parse_document(candidate.read_bytes(), url)
        if document is None and self.fetcher is not None:
            document, provenance = _parse_document(self.fetcher(url), url), Provenance.FETCHED
        if document is None:
            raise ResolutionError(
                _("No DID document for {did} ({url}); cruce does not fetch it.", did=did, url=url)
            )
        if document.get("id") != did:
            raise ResolutionError(
                _("The DID document at {url} is not the document of {did}.", url=url, did=did)
            )
        return Resolution(did, document, url, provenance)


def _parse_document(data: bytes, url: str) -> Mapping[str, Any]:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ResolutionError(_("The DID document at {url} is too large.", url=url))
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise ResolutionError(_("The DID document at {url} is not JSON.", url=url)) from None
    if not isinstance(document, dict):
        raise ResolutionError(_("The DID document at {url} is not JSON.", url=url))
    return document
