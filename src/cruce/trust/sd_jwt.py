"""Selective disclosure: SD-JWT (RFC 9901) for VC 2.0 payloads and SD-JWT VC.

One issuance serves every party: the issuer signs a payload in which each selectively
disclosable claim is replaced by the SHA-256 digest of a salted Disclosure; the holder hands each
verifier the issuer-signed JWT plus the Disclosures of the claims that verifier may see; the
verifier recomputes the digests and rebuilds exactly those claims. Compact form:
``<issuer-signed JWT>~<Disclosure>~...~<Disclosure>~[<Key Binding JWT>]``.

``typ`` is ``vc+sd-jwt`` for a W3C VC 2.0 payload (VC-JOSE-COSE 3.2.1) or ``dc+sd-jwt`` for an
SD-JWT VC (plain JSON with ``vct``, draft-ietf-oauth-sd-jwt-vc). The claims either profile
needs to validate a credential are never concealed.

Claims are named by claim paths, as SD-JWT VC does: a tuple of object keys and array indices,
``None`` standing for every element of an array:
``("credentialSubject", "lines", None, "unitPrice")``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cruce.trust.jose import (
    Failure,
    KeyResolver,
    SigningAlgorithm,
    VerificationError,
    VerificationKey,
    b64url_decode,
    b64url_encode,
    check_signature,
    check_time_claims,
    decode_compact,
    failure,
    json_bytes,
    json_load,
    media_type_is,
    public_jwk,
    sign_compact,
    timestamp,
    verification_key,
)

if TYPE_CHECKING:
    from joserfc.jws import CompactSignature

    from cruce.i18n import Message

VC_SD_JWT: Final = "vc+sd-jwt"
DC_SD_JWT: Final = "dc+sd-jwt"
KB_JWT: Final = "kb+jwt"
SD_ALG: Final = "sha-256"

#: Object keys and array indices from the root; ``None`` matches every array element.
ClaimPath: TypeAlias = tuple[str | int | None, ...]

#: Top-level claims (with everything under them) a profile needs in the clear: VC-JOSE-COSE
#: 3.2.1 names five for VC 2.0, and issuer and validity are needed to validate at all;
#: SD-JWT VC forbids concealing its seven.
_VC_IN_CLEAR: Final = ("@context", "type", "credentialStatus", "credentialSchema", "issuer")
_NEVER_CONCEALED: Final = {
    VC_SD_JWT: frozenset((*_VC_IN_CLEAR, "relatedResource", "validFrom", "validUntil")),
    DC_SD_JWT: frozenset(("iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status")),
}
_RESERVED: Final = frozenset(("_sd", "...", "_sd_alg"))
_MAX_DEPTH: Final = 64


def new_salt() -> str:
    """128 bits from the operating system's CSPRNG, base64url (RFC 9901 section 4.2.1)."""
    return b64url_encode(secrets.token_bytes(16))


def digest(text: str) -> str:
    """SHA-256 over the ASCII text (not the decoded bytes), base64url: how ``_sd`` digests work."""
    return b64url_encode(hashlib.sha256(text.encode("ascii")).digest())


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One salted claim: ``[salt, name, value]`` (a property) or ``[salt, value]`` (an element)."""

    encoded: str
    salt: str
    value: Any
    name: str | None = None

    @classmethod
    def create(cls, salt: str, value: object, name: str | None = None) -> Disclosure:
        r"""A new Disclosure, its JSON written as the RFC's reference implementation writes it.

        That is ASCII with ``\u`` escapes and ``", "`` separators; any encoding is valid, since
        the digest covers the encoded text itself.
        """
        array = [salt, value] if name is None else [salt, name, value]
        text = json.dumps(array, allow_nan=False)
        return cls(b64url_encode(text.encode()), salt, value, name)

    @classmethod
    def parse(cls, encoded: str) -> Disclosure:
        """Decode one Disclosure; ValueError when it is not a 2- or 3-element JSON array."""
        array = json_load(b64url_decode(encoded))
        if not isinstance(array, list) or len(array) not in (2, 3):
            raise ValueError("a Disclosure is a JSON array of 2 or 3 elements")
        salt, *name, value = array
        if not isinstance(salt, str) or not all(isinstance(n, str) for n in name):
            raise ValueError("a Disclosure's salt and claim name are strings")
        return cls(encoded, salt, value, name[0] if name else None)

    @property
    def digest(self) -> str:
        """The digest the issuer put in the payload for this Disclosure."""
        return digest(self.encoded)


@dataclass(frozen=True, slots=True)
class SdJwt:
    """An SD-JWT: the issuer-signed JWT, Disclosures, and maybe a Key Binding JWT."""

    jws: str
    disclosures: tuple[Disclosure, ...] = ()
    key_binding: str | None = None

    @classmethod
    def parse(cls, text: str) -> SdJwt:
        """Split the compact form; ValueError when it is not one."""
        parts = text.split("~") if isinstance(text, str) else []
        if len(parts) < 2 or not parts[0] or any(not part for part in parts[1:-1]):  # noqa: PLR2004
            raise ValueError("not <JWT>~<Disclosure>~...~[<KB-JWT>]")
        if parts[-1] and parts[-1].count(".") != 2:  # noqa: PLR2004 - a JWS has three segments
            raise ValueError("the last part is neither empty (~) nor a Key Binding JWT")
        disclosures = tuple(Disclosure.parse(part) for part in parts[1:-1])
        return cls(parts[0], disclosures, parts[-1] or None)

    def serialize(self) -> str:
        """The compact form."""
        return self.without_key_binding() + (self.key_binding or "")

    def without_key_binding(self) -> str:
        """``<JWT>~<Disclosure>~...~``: what a Key Binding JWT's ``sd_hash`` covers."""
        return "".join(f"{part}~" for part in (self.jws, *(d.encoded for d in self.disclosures)))

    def payload(self) -> dict[str, Any]:
        """The issuer-signed payload, not verified; ValueError if unreadable."""
        try:
            return _payload(decode_compact(self.jws)[1])
        except VerificationError as error:
            raise ValueError(error.detail or error.reason.value) from None

    def paths(self) -> dict[str, ClaimPath]:
        """The claim path of each Disclosure (by its encoded text); ValueError if inconsistent."""
        return _holder_walk(self).used


@dataclass(frozen=True, slots=True)
class KeyBindingCheck:
    """What a verifier expects of the holder's Key Binding JWT."""

    audience: str
    nonce: str
    max_age: timedelta = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class SdJwtVerification:
    """The outcome of :func:`verify`: claims as disclosed, only when ``verified``."""

    verified: bool
    reason: Failure | None = None
    detail: str = ""
    header: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] | None = None
    disclosed: tuple[tuple[ClaimPath, Disclosure], ...] = ()
    key_binding: dict[str, Any] | None = None

    @property
    def message(self) -> Message | None:
        """Why verification failed, in words; ``None`` when it succeeded."""
        return None if self.reason is None else self.reason.message


# ---------------------------------------------------------------- issuer


def issue(
    claims: Mapping[str, Any],
    key: Ed25519PrivateKey,
    *,
    kid: str | None = None,
    always_disclosed: Iterable[ClaimPath] = (),
    disclosable: Callable[[ClaimPath], bool] | None = None,
    typ: str = VC_SD_JWT,
    holder_key: Ed25519PublicKey | Mapping[str, Any] | None = None,
    decoys: int = 0,
    alg: SigningAlgorithm = "EdDSA",
    salt: Callable[[], str] = new_salt,
) -> SdJwt:
    """Sign ``claims`` with every claim selectively disclosable but those kept in the clear.

    ``always_disclosed`` names claims shown to everyone, whole (with what lies under them) and
    with the objects that hold them. ``disclosable`` replaces that rule with any predicate over
    claim paths. The claims ``typ`` needs for validation stay in the clear either way.
    ``holder_key`` binds the credential to a key (``cnf``); ``decoys`` adds that many decoy
    digests wherever there are concealed claims.
    """
    plain = [tuple(pattern) for pattern in always_disclosed]
    if disclosable is not None and plain:
        raise ValueError("give always_disclosed or disclosable, not both")
    if decoys < 0:
        raise ValueError("decoys cannot be negative")
    if typ.lower() == DC_SD_JWT and not isinstance(claims.get("vct"), str):
        raise ValueError("an SD-JWT VC (dc+sd-jwt) needs a vct claim")
    if holder_key is not None and "cnf" in claims:
        raise ValueError("claims already hold cnf; do not pass holder_key as well")
    never = _NEVER_CONCEALED.get(typ.lower(), frozenset()) | {"cnf"}
    chosen = disclosable or (lambda path: not any(_related(path, p) for p in plain))
    issuer = _Issuer(lambda path: path[0] not in never and chosen(path), salt, decoys)
    payload = issuer.conceal(claims, ())
    payload["_sd_alg"] = SD_ALG
    if holder_key is not None:
        payload["cnf"] = {"jwk": _public_jwk(holder_key)}
    header = {"alg": alg, "typ": typ} | ({"kid": kid} if kid else {})
    return SdJwt(sign_compact(header, json_bytes(payload), key), tuple(issuer.disclosures))


@dataclass
class _Issuer:
    concealed: Callable[[ClaimPath], bool]
    salt: Callable[[], str]
    decoys: int
    disclosures: list[Disclosure] = field(default_factory=list)

    def conceal(self, node: Mapping[str, Any], path: ClaimPath) -> dict[str, Any]:
        plain: dict[str, Any] = {}
        digests: list[str] = []
        for name, value in node.items():
            if not isinstance(name, str) or name in _RESERVED:
                raise ValueError(f"{name!r} cannot be a claim name at {path}")
            inner = self._value(value, (*path, name))
            if self.concealed((*path, name)):
                digests.append(self._disclose(inner, name))
            else:
                plain[name] = inner
        if not digests:
            return plain
        digests.extend(digest(self.salt()) for _ in range(self.decoys))
        return {"_sd": sorted(digests), **plain}

    def _value(self, value: object, path: ClaimPath) -> Any:  # noqa: ANN401 - any JSON value
        if isinstance(value, Mapping):
            return self.conceal(value, path)
        if isinstance(value, list | tuple):
            items: list[Any] = []
            for index, item in enumerate(value):
                inner = self._value(item, (*path, index))
                concealed = self.concealed((*path, index))
                items.append({"...": self._disclose(inner)} if concealed else inner)
            if any(isinstance(i, dict) and i.keys() == {"..."} for i in items):
                for _ in range(self.decoys):
                    items.insert(secrets.randbelow(len(items) + 1), {"...": digest(self.salt())})
            return items
        if value is None or isinstance(value, str | int | float | bool):
            return value
        raise TypeError(f"{type(value).__name__} at {path} is not JSON")

    def _disclose(self, value: object, name: str | None = None) -> str:
        disclosure = Disclosure.create(self.salt(), value, name)
        self.disclosures.append(disclosure)
        return disclosure.digest


def _public_jwk(key: Ed25519PublicKey | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(key, Ed25519PublicKey):
        return public_jwk(key)
    verification_key(key)  # ValueError unless an Ed25519 or P-256 public JWK
    return {name: key[name] for name in ("kty", "crv", "x", "y", "kid") if name in key}


# ---------------------------------------------------------------- holder


def present(
    sd_jwt: SdJwt | str,
    *,
    disclose: Iterable[ClaimPath] | None = None,
    withhold: Iterable[ClaimPath] = (),
    holder_key: Ed25519PrivateKey | None = None,
    audience: str | None = None,
    nonce: str | None = None,
    now: datetime | None = None,
    alg: SigningAlgorithm = "EdDSA",
) -> str:
    """A presentation of an issued SD-JWT with only the chosen Disclosures.

    ``disclose`` (default: everything) names the claims to reveal, each whole and with the
    claims that hold it; ``withhold`` then removes claims, whole. Paths are those of the
    credential as issued. A withheld claim the issuer did not make disclosable is an error, as
    is a path without wildcards that names no claim. With ``holder_key`` a Key Binding JWT
    for ``audience`` and ``nonce`` is appended.
    """
    token = SdJwt.parse(sd_jwt) if isinstance(sd_jwt, str) else sd_jwt
    payload = token.payload()
    selected = _select(_holder_walk(token), disclose, withhold)
    chosen = SdJwt(token.jws, tuple(d for d in token.disclosures if d.encoded in selected))
    if holder_key is None:
        if audience is not None or nonce is not None:
            raise ValueError("audience and nonce go in a Key Binding JWT: give holder_key")
        return chosen.serialize()
    if not audience or not nonce:
        raise ValueError("a Key Binding JWT needs an audience and a nonce")
    bound = payload.get("cnf", {}).get("jwk") if isinstance(payload.get("cnf"), dict) else None
    if bound != public_jwk(holder_key):
        raise ValueError("holder_key is not the key the credential is bound to (cnf.jwk)")
    kb_payload = {
        "iat": int(timestamp(now)),
        "aud": audience,
        "nonce": nonce,
        "sd_hash": digest(chosen.without_key_binding()),
    }
    header = {"alg": alg, "typ": KB_JWT}
    return chosen.serialize() + sign_compact(header, json_bytes(kb_payload), holder_key)


def _holder_walk(token: SdJwt) -> _Walk:
    """The claims with every Disclosure the holder has put back; ValueError if inconsistent."""
    payload = token.payload()
    try:
        return _Walk.over(payload, token.disclosures)
    except VerificationError as error:
        raise ValueError(error.detail or error.reason.value) from None


def _select(
    walk: _Walk, disclose: Iterable[ClaimPath] | None, withhold: Iterable[ClaimPath]
) -> set[str]:
    def expand(pattern: ClaimPath) -> list[ClaimPath]:
        matches = [path for path in walk.paths if _matches(pattern, path)]
        if not matches and None not in pattern:
            raise ValueError(f"no claim at {pattern}")
        return matches

    targets = None if disclose is None else [m for q in disclose for m in expand(tuple(q))]
    hidden = [m for q in withhold for m in expand(tuple(q))]
    concealed = set(walk.used.values())
    for path in hidden:
        if path not in concealed:
            raise ValueError(f"{path} is not selectively disclosable: it cannot be withheld")
    return {
        encoded
        for encoded, path in walk.used.items()
        if not any(path[: len(h)] == h for h in hidden)
        and (targets is None or any(_related(path, t) for t in targets))
    }


# ---------------------------------------------------------------- verifier


def verify(
    presentation: str,
    issuer_key: KeyResolver | VerificationKey,
    *,
    typ: str | Collection[str] | None = (VC_SD_JWT, DC_SD_JWT),
    key_binding: KeyBindingCheck | None = None,
    now: datetime | None = None,
    leeway: timedelta = timedelta(seconds=60),
) -> SdJwtVerification:
    """Verify an SD-JWT or a presentation of one and rebuild the disclosed claims.

    ``issuer_key`` resolves the header's ``kid`` (or is the key). ``typ`` lists the accepted
    ``typ`` values (``None``: any). With ``key_binding`` a Key Binding JWT is required and its
    audience, nonce and age are checked; without it one that is present must still be sound.
    ``now`` (default: the clock) judges ``exp``, ``nbf`` and the Key Binding JWT's ``iat``.
    """
    header: dict[str, Any] = {}
    try:
        token = SdJwt.parse(presentation)
        header, signed = decode_compact(token.jws)
        _check_type(header, typ)
        check_signature(signed, header, issuer_key)
        walk = _Walk.over(_payload(signed), token.disclosures)
        instant = timestamp(now)
        _check_claims(walk.claims, header, instant, leeway.total_seconds())
        kb = _check_key_binding(token, walk.claims, key_binding, instant, leeway.total_seconds())
    except (VerificationError, ValueError) as error:
        reason, detail = failure(error)
        return SdJwtVerification(verified=False, reason=reason, detail=detail, header=header)
    by_encoded = {d.encoded: d for d in token.disclosures}
    disclosed = tuple((path, by_encoded[encoded]) for encoded, path in walk.used.items())
    return SdJwtVerification(
        verified=True, header=header, claims=walk.claims, disclosed=disclosed, key_binding=kb
    )


def _payload(signed: CompactSignature) -> dict[str, Any]:
    payload = json_load(signed.payload)
    if not isinstance(payload, dict):
        raise VerificationError(Failure.MALFORMED, "the payload is not a JSON object")
    return payload


def _check_type(header: Mapping[str, Any], typ: str | Collection[str] | None) -> None:
    declared = header.get("typ")
    accepted = (typ,) if isinstance(typ, str) else () if typ is None else typ
    if media_type_is(declared, KB_JWT) or (
        typ is not None and not any(media_type_is(declared, t) for t in accepted)
    ):
        raise VerificationError(Failure.WRONG_TYPE, f"typ={declared!r}")


@dataclass
class _Walk:
    """RFC 9901 section 7.1 step 3: put the Disclosures back where their digests are."""

    by_digest: dict[str, Disclosure]
    seen: set[str] = field(default_factory=set)
    used: dict[str, ClaimPath] = field(default_factory=dict)
    paths: list[ClaimPath] = field(default_factory=list)
    claims: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def over(cls, payload: dict[str, Any], disclosures: Iterable[Disclosure]) -> _Walk:
        if payload.get("_sd_alg", SD_ALG) != SD_ALG:
            raise VerificationError(
                Failure.UNSUPPORTED_ALGORITHM, f"_sd_alg={payload.get('_sd_alg')!r}"
            )
        by_digest: dict[str, Disclosure] = {}
        for disclosure in disclosures:
            if by_digest.setdefault(disclosure.digest, disclosure) is not disclosure:
                raise VerificationError(Failure.DUPLICATE_DIGEST, "the same Disclosure twice")
        walk = cls(by_digest)
        walk.claims = walk.mapping(payload, ())
        walk.claims.pop("_sd_alg", None)
        unused = [d.encoded for d in by_digest.values() if d.encoded not in walk.used]
        if unused:
            raise VerificationError(Failure.UNREFERENCED_DISCLOSURE, unused[0])
        return walk

    def mapping(self, node: dict[str, Any], path: ClaimPath) -> dict[str, Any]:
        out = {
            name: self.value(value, (*path, name)) for name, value in node.items() if name != "_sd"
        }
        digests = node.get("_sd", [])
        if not isinstance(digests, list):
            raise VerificationError(Failure.MALFORMED, f"_sd at {path} is not an array")
        for found in digests:
            disclosure = self._take(found)
            if disclosure is None:
                continue  # a decoy or an undisclosed claim
            name = disclosure.name
            if name is None or name in ("_sd", "...") or name in out:
                raise VerificationError(Failure.INVALID_DISCLOSURE, f"{name!r} at {path}")
            self.used[disclosure.encoded] = (*path, name)
            out[name] = self.value(disclosure.value, (*path, name))
        return out

    def value(self, node: object, path: ClaimPath) -> Any:  # noqa: ANN401 - any JSON value
        if len(path) > _MAX_DEPTH:
            raise VerificationError(Failure.MALFORMED, "claims nested too deeply")
        self.paths.append(path)
        if isinstance(node, dict):
            return self.mapping(node, path)
        if not isinstance(node, list):
            return node
        out: list[Any] = []
        for item in node:
            if isinstance(item, dict) and item.keys() == {"..."}:
                disclosure = self._take(item["..."])
                if disclosure is None:
                    continue  # an undisclosed element or a decoy: the array closes up
                if disclosure.name is not None:
                    raise VerificationError(
                        Failure.INVALID_DISCLOSURE, f"a property in the array {path}"
                    )
                self.used[disclosure.encoded] = (*path, len(out))
                out.append(self.value(disclosure.value, (*path, len(out))))
            else:
                out.append(self.value(item, (*path, len(out))))
        return out

    def _take(self, found: object) -> Disclosure | None:
        if not isinstance(found, str):
            raise VerificationError(Failure.MALFORMED, "a digest is not a string")
        if found in self.seen:
            raise VerificationError(Failure.DUPLICATE_DIGEST, found)
        self.seen.add(found)
        return self.by_digest.get(found)


def _check_claims(
    claims: Mapping[str, Any], header: Mapping[str, Any], now: float, leeway: float
) -> None:
    check_time_claims(claims, now, leeway)
    if media_type_is(header.get("typ"), DC_SD_JWT) and not isinstance(claims.get("vct"), str):
        raise VerificationError(Failure.MISSING_VCT)


def _check_key_binding(
    token: SdJwt,
    claims: Mapping[str, Any],
    check: KeyBindingCheck | None,
    now: float,
    leeway: float,
) -> dict[str, Any] | None:
    """RFC 9901 section 7.3: the Key Binding JWT's payload, once it holds (``None``: none)."""
    if token.key_binding is None:
        if check is not None:
            raise VerificationError(Failure.KEY_BINDING_MISSING)
        return None
    kb = _read_key_binding(token.key_binding, claims)
    if not hmac.compare_digest(kb["sd_hash"], digest(token.without_key_binding())):
        raise VerificationError(Failure.SD_HASH_MISMATCH)
    if check is None:
        return kb
    if check.audience not in (kb["aud"] if isinstance(kb["aud"], list) else [kb["aud"]]):
        raise VerificationError(Failure.AUDIENCE_MISMATCH, f"aud={kb['aud']!r}")
    if not hmac.compare_digest(kb["nonce"].encode(), check.nonce.encode()):
        raise VerificationError(Failure.NONCE_MISMATCH)
    if not now - check.max_age.total_seconds() - leeway <= kb["iat"] <= now + leeway:
        raise VerificationError(Failure.KEY_BINDING_STALE, f"iat={kb['iat']}")
    return kb


def _check_kb_type(header: Mapping[str, Any]) -> None:
    if not media_type_is(header.get("typ"), KB_JWT):
        raise VerificationError(Failure.WRONG_TYPE, f"typ={header.get('typ')!r}")


def _read_key_binding(jwt: str, claims: Mapping[str, Any]) -> dict[str, Any]:
    cnf = claims.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not isinstance(jwk, dict):
        raise VerificationError(Failure.KEY_BINDING_INVALID, "the credential binds no key")
    try:
        header, signed = decode_compact(jwt)
        _check_kb_type(header)
        check_signature(signed, header, jwk)
        kb = _payload(signed)
    except (VerificationError, ValueError) as error:
        detail = failure(error)
        raise VerificationError(Failure.KEY_BINDING_INVALID, f"{detail[0]}: {detail[1]}") from None
    required = (("iat", int | float), ("nonce", str), ("sd_hash", str), ("aud", str | list))
    if not all(isinstance(kb.get(name), kind) for name, kind in required):
        raise VerificationError(Failure.KEY_BINDING_INVALID, "iat, aud, nonce, sd_hash required")
    return kb


# ---------------------------------------------------------------- claim paths and time


def _matches(pattern: ClaimPath, path: ClaimPath) -> bool:
    """Whether a concrete ``path`` is one ``pattern`` names (``None`` = any array index)."""
    return len(pattern) == len(path) and all(
        q == p if q is not None else isinstance(p, int) for q, p in zip(pattern, path, strict=True)
    )


def _related(path: ClaimPath, pattern: ClaimPath) -> bool:
    """Whether ``path`` holds, is, or lies under a claim ``pattern`` names."""
    shared = min(len(path), len(pattern))
    return _matches(pattern[:shared], path[:shared])
