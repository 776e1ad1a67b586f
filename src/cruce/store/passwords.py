"""Credentials: password hashes, the password policy, and opaque tokens.

Passwords are hashed with argon2id (argon2-cffi) at RFC 9106's second recommended option,
the "low memory" profile: t = 3 passes, m = 64 MiB, p = 4 lanes, a 16-byte salt and a 32-byte
tag (RFC 9106 §4; argon2-cffi's ``RFC_9106_LOW_MEMORY``). It exceeds OWASP's Password Storage
Cheat Sheet minimum for argon2id (m = 19 MiB, t = 2, p = 1) and costs tens of milliseconds
per sign-in; the first RFC option (2 GiB) would let a few concurrent sign-ins exhaust a
server. Sign-ins are rate-limited (``CRUCE_LOGIN_RATE``). :func:`needs_rehash` tells when a
stored hash was made with other parameters, so raising them later rehashes at next sign-in.
Every function takes ``hasher`` so tests can pass a cheap one.

The policy follows NIST SP 800-63B §3.1.1.2: at least 12 characters (Unicode code points
after NFKC normalisation), at most 1,024, any characters, no composition rules.

Tokens (API tokens, sessions, invitation links) are opaque: ``cruce_<kind>_<lookup>_<secret>``
with a 256-bit secret from :mod:`secrets`. Only the public ``lookup`` (to find the row) and
the SHA-256 digest of the whole token are stored; a plain hash is enough for a random
256-bit value (no guessing to slow down), and digests are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

from cruce.i18n import Message, _

MIN_PASSWORD_LENGTH: Final = 12
MAX_PASSWORD_LENGTH: Final = 1024
PASSWORD_HASHER: Final = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
TOKEN_PREFIX: Final = "cruce"  # noqa: S105 - a public marker, not a secret
TOKEN_SECRET_BYTES: Final = 32  # 256 bits
LOOKUP_HEX_CHARS: Final = 12  # 48 random bits: finds the row, proves nothing
MAX_TOKEN_LENGTH: Final = 256


# ---------------------------------------------------------------- passwords
class PasswordPolicyError(ValueError):
    """A new password breaks the policy; ``code`` is stable, ``message`` bilingual."""

    def __init__(self, code: str, message: Message) -> None:
        self.code = code
        self.message = message
        super().__init__(str(message))


def _normalise(password: str) -> bytes:
    return unicodedata.normalize("NFKC", password).encode("utf-8")


def check_password_policy(password: str) -> None:
    """Raise :class:`PasswordPolicyError` unless ``password`` has 12 to 1,024 characters."""
    length = len(unicodedata.normalize("NFKC", password))
    if length < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            "password.too_short",
            _("A password needs at least {minimum} characters.", minimum=MIN_PASSWORD_LENGTH),
        )
    if length > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            "password.too_long",
            _("A password can have at most 1,024 characters."),
        )


def hash_password(password: str, *, hasher: PasswordHasher = PASSWORD_HASHER) -> str:
    """The argon2id hash of ``password`` (PHC string: parameters, salt and tag)."""
    return hasher.hash(_normalise(password))


# Verified when the account does not exist, so "no such user" costs as much as a wrong password.
_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}


def verify_password(
    password_hash: str | None, password: str, *, hasher: PasswordHasher = PASSWORD_HASHER
) -> bool:
    """Whether ``password`` matches ``password_hash``; False, never an exception, otherwise.

    A malformed hash is False. ``password_hash=None`` (no such account) runs a verification
    against a dummy hash of the same cost and returns False, so timing does not tell.
    """
    if password_hash is None:
        cost = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
        dummy = _DUMMY_HASHES.get(cost)
        if dummy is None:
            dummy = _DUMMY_HASHES[cost] = hasher.hash(secrets.token_bytes(16))
        verify_password(dummy, password, hasher=hasher)
        return False
    try:
        return hasher.verify(password_hash, _normalise(password))
    except (VerificationError, InvalidHashError, ValueError, TypeError):
        return False


def needs_rehash(password_hash: str, *, hasher: PasswordHasher = PASSWORD_HASHER) -> bool:
    """Whether the hash was made with other parameters than ``hasher``'s (or is malformed)."""
    try:
        return hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError, TypeError):
        return True


# ---------------------------------------------------------------- opaque tokens
class TokenKind(StrEnum):
    """What a token opens; the kind is part of the token's text."""

    API = "api"
    SESSION = "session"
    INVITATION = "invite"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: give ``token`` to its holder once; store ``lookup`` and ``digest``."""

    token: str = field(repr=False)
    lookup: str
    digest: str
    kind: TokenKind


@dataclass(frozen=True, slots=True)
class ParsedToken:
    """The public parts of a presented token."""

    kind: TokenKind
    lookup: str


def token_digest(token: str) -> str:
    """The SHA-256 hex digest of ``token``: what is stored instead of it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(kind: TokenKind) -> IssuedToken:
    """A new ``cruce_<kind>_<lookup>_<secret>`` token with a 256-bit secret."""
    lookup = secrets.token_hex(LOOKUP_HEX_CHARS // 2)
    token = f"{TOKEN_PREFIX}_{kind.value}_{lookup}_{secrets.token_urlsafe(TOKEN_SECRET_BYTES)}"
    return IssuedToken(token, lookup, token_digest(token), kind)


def parse_token(token: str) -> ParsedToken | None:
    """The kind and lookup of a presented token; None if it is not a cruce token."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    parts = token.split("_", 3)
    if len(parts) != 4 or parts[0] != TOKEN_PREFIX or not parts[3]:  # noqa: PLR2004
        return None
    try:
        kind = TokenKind(parts[1])
    except ValueError:
        return None
    lookup = parts[2]
    if len(lookup) != LOOKUP_HEX_CHARS or any(c not in "0123456789abcdef" for c in lookup):
        return None
    return ParsedToken(kind, lookup)


def verify_token(token: str, digest: str) -> bool:
    """Whether ``token`` has the stored ``digest`` (constant-time comparison)."""
    if len(token) > MAX_TOKEN_LENGTH:
        return False
    return hmac.compare_digest(token_digest(token), digest)


# ---------------------------------------------------------------- CSRF
@dataclass(frozen=True, slots=True)
class CsrfToken:
    """A form's CSRF token: ``token`` goes in the form, ``digest`` in the session."""

    token: str = field(repr=False)
    digest: str


def new_csrf_token() -> CsrfToken:
    """A random 256-bit CSRF token and its digest."""
    token = secrets.token_urlsafe(TOKEN_SECRET_BYTES)
    return CsrfToken(token, token_digest(token))


def verify_csrf_token(token: str | None, digest: str | None) -> bool:
    """Whether a submitted CSRF token matches the session's digest (constant time)."""
    if not token or not digest:
        return False
    return verify_token(token, digest)
