"""Credentials secured as one JWS: W3C VC-JOSE-COSE (Recommendation, 15 May 2025), section 3.1.

The unsecured credential is the JWS payload as it is: no ``vc`` claim, no JWT claims around it
(the Recommendation forbids the ``vc`` and ``vp`` claim names). The protected header says what
the bytes are: ``typ`` ``vc+jwt`` (media type ``application/vc+jwt``), ``cty`` ``vc`` and ``kid``,
the verification method of the issuer's key. Only the compact serialization is produced.

Signing uses Ed25519. ``alg`` is ``EdDSA`` by default, the name every JOSE library reads;
RFC 9864 deprecates it in favour of the fully specified ``Ed25519``, which :func:`secure` writes
on request. Verification accepts both and ES256 (P-256), for counterparties with HSMs.

The module also holds the JOSE plumbing the SD-JWT module shares: the algorithm registry,
key import, strict JSON and base64url.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Literal, NoReturn, TypeAlias

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwa import JWSAlgModel
from joserfc.jwk import ECKey, JWKRegistry, OKPKey

from cruce.i18n import Message, _

if TYPE_CHECKING:
    from joserfc.jwk import Key
    from joserfc.jws import CompactSignature

MEDIA_TYPE: Final = "application/vc+jwt"
TYP: Final = "vc+jwt"
CTY: Final = "vc"

SigningAlgorithm = Literal["EdDSA", "Ed25519"]
VERIFY_ALGORITHMS: Final = ("EdDSA", "Ed25519", "ES256")

#: A public key: a ``cryptography`` Ed25519 or P-256 key, or a public JWK.
VerificationKey: TypeAlias = Ed25519PublicKey | ec.EllipticCurvePublicKey | Mapping[str, Any]
#: Finds the public key of a ``kid`` (``None`` when the header names none); ``None`` if unknown.
KeyResolver: TypeAlias = Callable[[str | None], VerificationKey | None]

_PUBLIC_JWK_MEMBERS: Final = ("kty", "crv", "x", "y", "kid")


_ED25519: Final = jws.JWSRegistry.algorithms["Ed25519"]


class _EdDSA(JWSAlgModel):
    """``EdDSA`` (RFC 8037) held to Ed25519 keys, without joserfc's RFC 9864 deprecation warning.

    cruce writes ``EdDSA`` on purpose (every verifier reads it); the signature is the same
    Ed25519 signature as under the fully specified ``Ed25519`` name.
    """

    name = "EdDSA"
    description = "EdDSA with Ed25519 keys"
    key_type = "OKP"

    def check_key(self, key: Any) -> None:  # noqa: ANN401 - joserfc's signature
        _ED25519.check_key(key)  # an OKP key on the Ed25519 curve

    def sign(self, msg: bytes, key: Any) -> bytes:  # noqa: ANN401 - joserfc's signature
        return _ED25519.sign(msg, key)

    def verify(self, msg: bytes, sig: bytes, key: Any) -> bool:  # noqa: ANN401 - joserfc's signature
        return _ED25519.verify(msg, sig, key)


def _registry() -> jws.JWSRegistry:
    registry = jws.JWSRegistry(algorithms=VERIFY_ALGORITHMS, strict_check_header=False)
    registry.algorithms = {**registry.algorithms, "EdDSA": _EdDSA()}
    # joserfc's defaults (512-byte header, 128 KB payload) are for tokens, not documents
    registry.max_header_length = 8 * 1024
    registry.max_payload_length = 16 * 1024 * 1024
    return registry


REGISTRY: Final = _registry()


class Failure(StrEnum):
    """Why a secured credential did not verify (``vc+jwt`` or SD-JWT): a stable code."""

    MALFORMED = "jose.malformed"
    UNSUPPORTED_ALGORITHM = "jose.unsupported_algorithm"
    WRONG_TYPE = "jose.wrong_type"
    UNKNOWN_KEY = "jose.unknown_key"
    BAD_SIGNATURE = "jose.bad_signature"
    NOT_A_CREDENTIAL = "jose.not_a_credential"
    EXPIRED = "jose.expired"
    NOT_YET_VALID = "jose.not_yet_valid"
    # SD-JWT (RFC 9901) and SD-JWT VC
    INVALID_DISCLOSURE = "sd_jwt.invalid_disclosure"
    DUPLICATE_DIGEST = "sd_jwt.duplicate_digest"
    UNREFERENCED_DISCLOSURE = "sd_jwt.unreferenced_disclosure"
    MISSING_VCT = "sd_jwt.missing_vct"
    KEY_BINDING_MISSING = "sd_jwt.key_binding_missing"
    KEY_BINDING_INVALID = "sd_jwt.key_binding_invalid"
    SD_HASH_MISMATCH = "sd_jwt.sd_hash_mismatch"
    AUDIENCE_MISMATCH = "sd_jwt.audience_mismatch"
    NONCE_MISMATCH = "sd_jwt.nonce_mismatch"
    KEY_BINDING_STALE = "sd_jwt.key_binding_stale"

    @property
    def message(self) -> Message:
        """What went wrong, in words."""
        return _MESSAGES[self]


_MESSAGES: Final[dict[Failure, Message]] = {
    Failure.MALFORMED: _("The signed credential is malformed."),
    Failure.UNSUPPORTED_ALGORITHM: _("The credential uses an algorithm cruce does not accept."),
    Failure.WRONG_TYPE: _("The signed data is not declared as the expected kind of credential."),
    Failure.UNKNOWN_KEY: _("The key that signed the credential is unknown."),
    Failure.BAD_SIGNATURE: _("The signature does not match the credential and the issuer's key."),
    Failure.NOT_A_CREDENTIAL: _("The signed data is not a verifiable credential."),
    Failure.EXPIRED: _("The credential has expired."),
    Failure.NOT_YET_VALID: _("The credential is not valid yet."),
    Failure.INVALID_DISCLOSURE: _("A disclosed claim does not fit the place the issuer gave it."),
    Failure.DUPLICATE_DIGEST: _("A disclosure digest appears more than once."),
    Failure.UNREFERENCED_DISCLOSURE: _("A disclosure is not part of what the issuer signed."),
    Failure.MISSING_VCT: _("The credential does not state its type (vct)."),
    Failure.KEY_BINDING_MISSING: _("The holder did not prove possession of the bound key."),
    Failure.KEY_BINDING_INVALID: _("The holder's key binding proof is invalid."),
    Failure.SD_HASH_MISMATCH: _("The holder's key binding proof covers other disclosures."),
    Failure.AUDIENCE_MISMATCH: _("The presentation was made for another recipient."),
    Failure.NONCE_MISMATCH: _("The presentation answers another request (nonce)."),
    Failure.KEY_BINDING_STALE: _("The holder's key binding proof is too old or dated ahead."),
}


class VerificationError(Exception):
    """A check failed; ``reason`` says which. Verifiers turn it into a result, never raise it."""

    def __init__(self, reason: Failure, detail: str = "") -> None:
        super().__init__(detail or reason.value)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of :func:`verify`: the header once readable, the credential if ``verified``."""

    verified: bool
    reason: Failure | None = None
    detail: str = ""
    header: dict[str, Any] = field(default_factory=dict)
    credential: dict[str, Any] | None = None

    @property
    def message(self) -> Message | None:
        """Why verification failed, in words; ``None`` when it succeeded."""
        return None if self.reason is None else self.reason.message


def secure(
    credential: Mapping[str, Any],
    key: Ed25519PrivateKey,
    kid: str,
    *,
    alg: SigningAlgorithm = "EdDSA",
) -> str:
    """The credential as a ``vc+jwt``: JWS compact serialization with the credential as payload.

    ``kid`` is the verification method of ``key`` (``did:web:example.com#key-1``).
    """
    if not kid:
        raise ValueError("kid names the verification method; it cannot be empty")
    _check_credential(credential, ValueError)
    header = {"alg": alg, "typ": TYP, "kid": kid, "cty": CTY}
    return sign_compact(header, json_bytes(credential), key)


def verify(
    token: str,
    key_resolver: KeyResolver | VerificationKey,
    *,
    now: datetime | None = None,
    leeway: timedelta = timedelta(seconds=60),
) -> Verification:
    """Check a ``vc+jwt``: structure, ``typ`` and ``cty``, algorithm, key, signature, payload.

    ``key_resolver`` is called with the header's ``kid``; a key given directly is used as is.
    Its exceptions propagate: a resolver that cannot answer is an error, not a verdict. The
    signature's own ``exp`` and ``nbf``, when present, are judged at ``now`` (default: the clock);
    the credential's ``validFrom`` and ``validUntil`` are left to the caller.
    """
    header: dict[str, Any] = {}
    try:
        header, signed = decode_compact(token)
        _check_type(header)
        check_signature(signed, header, key_resolver)
        credential = json_load(signed.payload)
        _check_credential(credential, lambda why: VerificationError(Failure.NOT_A_CREDENTIAL, why))
        check_time_claims(credential, timestamp(now), leeway.total_seconds())
    except (VerificationError, ValueError) as error:
        reason, detail = failure(error)
        return Verification(verified=False, reason=reason, detail=detail, header=header)
    return Verification(verified=True, header=header, credential=credential)


def failure(error: VerificationError | ValueError) -> tuple[Failure, str]:
    """The reason and detail of a failed check (anything unparsable is malformed)."""
    if isinstance(error, VerificationError):
        return error.reason, error.detail
    return Failure.MALFORMED, str(error)


def _check_type(header: Mapping[str, Any]) -> None:
    typ, cty = header.get("typ"), header.get("cty", CTY)
    if not media_type_is(typ, TYP) or not media_type_is(cty, CTY):
        raise VerificationError(Failure.WRONG_TYPE, f"typ={typ!r} cty={cty!r}")


def _check_credential(
    credential: object, error: Callable[[str], Exception]
) -> None:  # the shape VC-JOSE-COSE needs, not a schema
    if not isinstance(credential, Mapping):
        raise error("the payload is not a JSON object")
    for claim in ("vc", "vp"):
        if claim in credential:
            raise error(f"the JWT claim {claim!r} must not be present (VC-JOSE-COSE 3.1.3)")
    types = credential.get("type")
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        raise error("type does not include VerifiableCredential")


# ---------------------------------------------------------------- shared JOSE plumbing


def check_time_claims(claims: Mapping[str, Any], now: float, leeway: float) -> None:
    """Raise unless the JWT ``exp`` and ``nbf`` claims (seconds), when present, admit ``now``."""
    for claim in ("exp", "nbf"):
        value = claims.get(claim)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise VerificationError(Failure.MALFORMED, f"{claim} is not a number")
    if "exp" in claims and now >= claims["exp"] + leeway:
        raise VerificationError(Failure.EXPIRED, f"exp={claims['exp']}")
    if "nbf" in claims and now + leeway < claims["nbf"]:
        raise VerificationError(Failure.NOT_YET_VALID, f"nbf={claims['nbf']}")


def timestamp(now: datetime | None) -> float:
    """Seconds since the epoch of ``now`` (which must carry a time zone), or of the clock."""
    if now is None:
        return time.time()
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    return now.timestamp()


def media_type_is(value: object, expected: str) -> bool:
    """Whether a ``typ`` or ``cty`` names ``expected`` (``application/`` may be left out)."""
    if not isinstance(value, str):
        return False
    value = value.lower()
    return value.removeprefix("application/") == expected.lower()


def sign_compact(header: Mapping[str, Any], payload: bytes, key: Ed25519PrivateKey) -> str:
    """A JWS compact serialization of ``payload`` signed with an Ed25519 key."""
    if header.get("alg") not in ("EdDSA", "Ed25519"):
        raise ValueError(f"cruce signs with EdDSA or Ed25519, not {header.get('alg')!r}")
    return jws.serialize_compact(dict(header), payload, OKPKey.import_key(key), registry=REGISTRY)


def decode_compact(token: str) -> tuple[dict[str, Any], CompactSignature]:
    """The protected header and the parsed JWS, not yet verified."""
    if not isinstance(token, str) or token.count(".") != 2:  # noqa: PLR2004 - three segments
        _malformed("not three base64url segments")
    try:
        signed = jws.extract_compact(token.encode("ascii"), registry=REGISTRY)
    except (JoseError, ValueError, TypeError, UnicodeError) as error:
        _malformed(str(error) or type(error).__name__)
    header = dict(signed.headers())
    if header.get("b64", True) is not True:
        _malformed("unencoded payloads (b64: false) are not accepted")
    return header, signed


def check_signature(
    signed: CompactSignature,
    header: Mapping[str, Any],
    keys: KeyResolver | VerificationKey,
) -> None:
    """Raise :class:`VerificationError` unless the JWS verifies with the key of its ``kid``."""
    alg = header.get("alg")
    if alg not in VERIFY_ALGORITHMS:
        raise VerificationError(Failure.UNSUPPORTED_ALGORITHM, f"alg={alg!r}")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        _malformed("kid is not a string")
    found = keys(kid) if callable(keys) else keys
    if found is None:
        raise VerificationError(Failure.UNKNOWN_KEY, f"kid={kid!r}")
    try:
        key = verification_key(found)
    except ValueError as error:
        raise VerificationError(Failure.UNKNOWN_KEY, str(error)) from None
    try:
        valid = jws.validate_compact(signed, key, registry=REGISTRY)
    except (JoseError, ValueError) as error:  # the key does not suit the algorithm
        raise VerificationError(Failure.BAD_SIGNATURE, str(error) or type(error).__name__) from None
    if not valid:
        raise VerificationError(Failure.BAD_SIGNATURE)


def verification_key(key: VerificationKey) -> Key:
    """A public key as joserfc wants it: Ed25519 or P-256 only, private members dropped."""
    if isinstance(key, Ed25519PublicKey):
        return OKPKey.import_key(key)
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise ValueError(f"EC keys must be P-256, not {key.curve.name}")  # noqa: TRY004 - callers treat every unusable key alike
        return ECKey.import_key(key)
    if not isinstance(key, Mapping):
        raise ValueError(f"not a public key: {type(key).__name__}")  # noqa: TRY004 - callers treat every unusable key alike
    kty, crv = key.get("kty"), key.get("crv")
    if (kty, crv) not in (("OKP", "Ed25519"), ("EC", "P-256")):
        raise ValueError(f"unsupported JWK kty={kty!r} crv={crv!r}")
    public = {name: key[name] for name in _PUBLIC_JWK_MEMBERS if name in key}
    try:
        return JWKRegistry.import_key(public)
    except (JoseError, ValueError, TypeError) as error:
        raise ValueError(f"invalid JWK: {error}") from None


def public_jwk(key: Ed25519PublicKey | Ed25519PrivateKey) -> dict[str, str]:
    """The public JWK of an Ed25519 key (RFC 8037), e.g. for a ``cnf`` claim."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    exported = OKPKey.import_key(public).as_dict(private=False)
    return {"kty": "OKP", "crv": str(exported["crv"]), "x": str(exported["x"])}


def b64url_encode(data: bytes) -> str:
    """base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url without padding; ValueError on any other character or a bad length."""
    if not text.isascii() or any(c in text for c in "+/= \t\r\n"):
        raise ValueError("not base64url without padding")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError(f"not base64url: {error}") from None


def json_bytes(value: object) -> bytes:
    """Compact UTF-8 JSON, key order kept (the signed bytes are the bytes: no canonical form)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def json_load(data: bytes | str) -> Any:  # noqa: ANN401 - JSON is any JSON value
    """Parse JSON strictly: duplicate member names, NaN and Infinity are errors (ValueError)."""
    try:
        return json.loads(data, object_pairs_hook=_unique_members, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise ValueError("duplicate member name in JSON object")
    return members


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _malformed(detail: str) -> NoReturn:
    raise VerificationError(Failure.MALFORMED, detail)
