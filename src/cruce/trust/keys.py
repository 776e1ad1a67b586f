"""Ed25519 keys: Multikey encoding, encryption at rest, and an organisation's key ring.

A public key travels as a Multikey ``publicKeyMultibase``: ``z`` + base58btc(0xed01 ‖ 32
key bytes), so every Ed25519 key starts ``z6Mk``; a secret key as ``secretKeyMultibase``:
``z`` + base58btc(0x8026 ‖ 32-byte seed). Both encodings reproduce the W3C vc-di-eddsa
``keyPair.json``.

A private key is never written in the clear. cryptography's ``BestAvailableEncryption``
writes PKCS#8 with PBKDF2 at 2,048 iterations (measured with cryptography 50), about half a
millisecond per guess; the key ring instead stores each key's PKCS#8 DER sealed with
AES-256-GCM under a key derived with scrypt (n = 2^17, r = 8, p = 1 by default: 128 MiB and
about half a second per guess). The parameters, the salt, the nonce and the public key sit
in a small JSON envelope authenticated as the GCM associated data, so a wrong passphrase,
an edited file or a key file moved to another slot all fail the tag check; nothing is
guessed from padding. ``KeyPair.to_pkcs8_pem`` still exports standard encrypted PKCS#8 for
other tools.

A :class:`KeyRing` lives in a directory the caller chooses: ``ring.json`` lists every key
with its validity period (created, retired at) and ``keys/<publicKeyMultibase>.json`` holds
the active key's envelope. :meth:`KeyRing.rotate` makes a new active key, retires the old
one at the same instant and deletes the retired private key (a signing key that will never
sign again is a liability, NIST SP 800-57 part 1 §5.3); its public key and period stay, so
proofs made while it was active keep verifying.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import rfc8785
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from cruce.i18n import Message, _

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

ED25519_PUBLIC_PREFIX: Final = b"\xed\x01"
ED25519_SECRET_PREFIX: Final = b"\x80\x26"
_B58: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# byte -> base58 digit value, 255 for bytes outside the alphabet
_B58_DIGITS: Final = bytes(_B58.find(chr(byte)) % 256 for byte in range(256))
ENVELOPE_FORMAT: Final = "cruce-key/1"
RING_FORMAT: Final = "cruce-keyring/1"
WRONG_PASSPHRASE: Final = _("The passphrase does not open this key, or the key file was changed.")


# ---------------------------------------------------------------- base58btc and multibase
def b58encode(data: bytes) -> str:
    """Bitcoin base58 of ``data`` (leading zero bytes become ``1``)."""
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_B58[remainder])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """The bytes of a base58btc string; ValueError on a character outside the alphabet."""
    try:
        digits = text.encode("ascii").translate(_B58_DIGITS)
    except UnicodeEncodeError:
        raise ValueError("not base58btc: a character outside ASCII") from None
    if 255 in digits:  # noqa: PLR2004 - the marker of a byte outside the alphabet
        raise ValueError(f"not base58btc: {text[digits.index(255)]!r}")
    number = 0
    for digit in digits:
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc: ``z`` + base58btc."""
    return "z" + b58encode(data)


def multibase_decode(text: str) -> bytes:
    """The bytes of a multibase base58btc (``z…``) string; ValueError for any other base."""
    if not text.startswith("z"):
        raise ValueError("not multibase base58btc (no leading 'z')")
    return b58decode(text[1:])


# ---------------------------------------------------------------- keys
@dataclass(frozen=True, slots=True)
class PublicKey:
    """An Ed25519 public key (32 bytes)."""

    raw: bytes
    _key: Ed25519PublicKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.raw) != 32:  # noqa: PLR2004 - the size of an Ed25519 public key
            raise ValueError("an Ed25519 public key is 32 bytes")
        object.__setattr__(self, "_key", Ed25519PublicKey.from_public_bytes(self.raw))

    @classmethod
    def from_multibase(cls, value: str) -> PublicKey:
        """Read a Multikey ``publicKeyMultibase`` (``z6Mk…``); ValueError if not Ed25519."""
        data = multibase_decode(value)
        if not data.startswith(ED25519_PUBLIC_PREFIX):
            raise ValueError("not an Ed25519 Multikey (multicodec 0xed01)")
        return cls(data[len(ED25519_PUBLIC_PREFIX) :])

    @property
    def multibase(self) -> str:
        """The Multikey ``publicKeyMultibase``: ``z6Mk…``."""
        return multibase_encode(ED25519_PUBLIC_PREFIX + self.raw)

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``data``."""
        try:
            self._key.verify(signature, data)
        except InvalidSignature:
            return False
        return True


class KeyPair:
    """An Ed25519 private key and its public key. ``repr`` never shows the secret."""

    __slots__ = ("_private", "public_key")

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public_key = PublicKey(private.public_key().public_bytes_raw())

    @classmethod
    def generate(cls) -> KeyPair:
        """A new random key."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> KeyPair:
        """The key of a 32-byte seed (RFC 8032 private key)."""
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def from_secret_multibase(cls, value: str) -> KeyPair:
        """Read a Multikey ``secretKeyMultibase`` (``z3u2…``)."""
        data = multibase_decode(value)
        if not data.startswith(ED25519_SECRET_PREFIX):
            raise ValueError("not an Ed25519 secret Multikey (multicodec 0x8026)")
        return cls.from_seed(data[len(ED25519_SECRET_PREFIX) :])

    def secret_key_multibase(self) -> str:
        """The secret key as ``secretKeyMultibase``. Handle it as the secret it is."""
        return multibase_encode(ED25519_SECRET_PREFIX + self._private.private_bytes_raw())

    def sign(self, data: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``data``."""
        return self._private.sign(data)

    @property
    def private_key(self) -> Ed25519PrivateKey:
        """The ``cryptography`` key, for signers that take one (the log's checkpoints)."""
        return self._private

    def to_pkcs8_pem(self, passphrase: str | bytes) -> bytes:
        """Encrypted PKCS#8 PEM (PBES2, as cryptography's best available) for other tools."""
        encryption = serialization.BestAvailableEncryption(_passphrase_bytes(passphrase))
        return self._private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    @classmethod
    def from_pkcs8_pem(cls, data: bytes, passphrase: str | bytes) -> KeyPair:
        """Read encrypted PKCS#8 PEM; :class:`WrongPassphraseError` when it does not open."""
        try:
            private = serialization.load_pem_private_key(data, _passphrase_bytes(passphrase))
        except (ValueError, TypeError):
            raise WrongPassphraseError(WRONG_PASSPHRASE) from None
        if not isinstance(private, Ed25519PrivateKey):
            raise KeyStoreError(_("The key is not an Ed25519 key."))
        return cls(private)

    def __repr__(self) -> str:
        return f"KeyPair(public_key={self.public_key.multibase!r})"


# ---------------------------------------------------------------- errors
class KeyStoreError(Exception):
    """A key or key ring cannot be read, written or opened; ``message`` says why."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(str(message))


class WrongPassphraseError(KeyStoreError):
    """The passphrase does not open the key."""


# ---------------------------------------------------------------- encryption at rest
@dataclass(frozen=True, slots=True)
class ScryptCost:
    """scrypt parameters; the default follows OWASP's recommendation for scrypt."""

    n: int = 2**17
    r: int = 8
    p: int = 1

    def check(self) -> None:
        """KeyStoreError when the parameters are out of the range cruce accepts.

        At most 256 MiB of memory (128·n·r·p bytes), so a crafted key file cannot make
        opening it exhaust the machine; at least n = 2^10.
        """
        power_of_two = self.n > 1 and self.n & (self.n - 1) == 0
        memory = 128 * self.n * self.r * self.p
        if not (power_of_two and self.n >= 2**10 and self.r >= 1 and self.p >= 1):
            raise KeyStoreError(_("The key file's scrypt parameters are out of range."))
        if memory > 2**28:  # 256 MiB
            raise KeyStoreError(_("The key file's scrypt parameters are out of range."))


def _passphrase_bytes(passphrase: str | bytes) -> bytes:
    # NFC, so "año" typed on macOS (decomposed) and on Windows (composed) is one passphrase
    data = (
        unicodedata.normalize("NFC", passphrase).encode("utf-8")
        if isinstance(passphrase, str)
        else passphrase
    )
    if not data:
        raise KeyStoreError(_("A passphrase is required to protect a private key."))
    return data


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(passphrase: str | bytes, salt: bytes, cost: ScryptCost) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=cost.n, r=cost.r, p=cost.p)
    return kdf.derive(_passphrase_bytes(passphrase))


def seal_key(key: KeyPair, passphrase: str | bytes, cost: ScryptCost | None = None) -> bytes:
    """The key's encrypted envelope (JSON): scrypt + AES-256-GCM over its PKCS#8 DER."""
    cost = cost or ScryptCost()
    cost.check()
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    header: dict[str, Any] = {
        "format": ENVELOPE_FORMAT,
        "publicKeyMultibase": key.public_key.multibase,
        "kdf": {"name": "scrypt", "n": cost.n, "r": cost.r, "p": cost.p, "salt": _b64(salt)},
        "cipher": {"name": "AES-256-GCM", "nonce": _b64(nonce)},
    }
    plaintext = key._private.private_bytes(  # noqa: SLF001 - the envelope is this module's own
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    sealed = AESGCM(_derive(passphrase, salt, cost)).encrypt(
        nonce, plaintext, rfc8785.dumps(header)
    )
    return json.dumps({**header, "ciphertext": _b64(sealed)}, indent=2).encode("utf-8") + b"\n"


def open_key(envelope: bytes, passphrase: str | bytes) -> KeyPair:
    """The key in an envelope made by :func:`seal_key`.

    Raises :class:`WrongPassphraseError` when the passphrase (or the file) does not
    authenticate, and :class:`KeyStoreError` when the file is not an envelope.
    """
    try:
        document = json.loads(envelope)
        header = {key: value for key, value in document.items() if key != "ciphertext"}
        kdf, cipher = header["kdf"], header["cipher"]
        if header["format"] != ENVELOPE_FORMAT or kdf["name"] != "scrypt":
            raise KeyStoreError(_("The key file is not a cruce key envelope."))
        if cipher["name"] != "AES-256-GCM":
            raise KeyStoreError(_("The key file is not a cruce key envelope."))
        cost = ScryptCost(int(kdf["n"]), int(kdf["r"]), int(kdf["p"]))
        salt, nonce = _unb64(kdf["salt"]), _unb64(cipher["nonce"])
        sealed = _unb64(document["ciphertext"])
        expected = PublicKey.from_multibase(header["publicKeyMultibase"])
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise KeyStoreError(_("The key file is not a cruce key envelope.")) from None
    cost.check()
    try:
        plaintext = AESGCM(_derive(passphrase, salt, cost)).decrypt(
            nonce, sealed, rfc8785.dumps(header)
        )
    except InvalidTag:
        raise WrongPassphraseError(WRONG_PASSPHRASE) from None
    private = serialization.load_der_private_key(plaintext, None)
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyStoreError(_("The key is not an Ed25519 key."))
    key = KeyPair(private)
    if key.public_key != expected:
        raise KeyStoreError(_("The key file does not hold the key it names."))
    return key


# ---------------------------------------------------------------- the key ring
def utc_now() -> datetime:
    """Now, in UTC, to the second (proofs state their time to the second)."""
    return datetime.now(UTC).replace(microsecond=0)


def format_time(moment: datetime) -> str:
    """``2026-11-27T10:00:00Z``: an XML Schema dateTimeStamp in UTC."""
    if moment.tzinfo is None:
        raise ValueError("a time zone is required")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    """An XML Schema dateTimeStamp (time zone required); ValueError otherwise."""
    moment = datetime.fromisoformat(text) if "T" in text else None
    if moment is None or moment.tzinfo is None:
        raise ValueError(f"not a date and time with a time zone: {text!r}")
    return moment


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """One key of a ring: the public key and the period it signs in, [created, retired_at)."""

    public_key: PublicKey
    created: datetime
    retired_at: datetime | None = None

    @property
    def key_id(self) -> str:
        """The key's name in the ring and its DID URL fragment: its ``publicKeyMultibase``."""
        return self.public_key.multibase

    def active_at(self, moment: datetime) -> bool:
        """Whether the key was the one to sign with at ``moment``."""
        return self.created <= moment and (self.retired_at is None or moment < self.retired_at)

    def as_dict(self) -> dict[str, Any]:
        """The record as stored in ``ring.json``."""
        return {
            "publicKeyMultibase": self.key_id,
            "created": format_time(self.created),
            "retiredAt": format_time(self.retired_at) if self.retired_at else None,
        }


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return utc_now()
    if moment.tzinfo is None:
        raise ValueError("a time zone is required")
    return moment.astimezone(UTC)


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` readable by the owner only, replacing ``path`` atomically."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


class KeyRing:
    """An organisation's keys in a directory: one active key and the retired ones."""

    def __init__(self, directory: Path, records: Iterable[KeyRecord]) -> None:
        self.directory = directory
        self.keys = tuple(records)

    # -- opening and creating
    @classmethod
    def create(
        cls,
        directory: Path,
        passphrase: str | bytes,
        *,
        now: datetime | None = None,
        cost: ScryptCost | None = None,
    ) -> KeyRing:
        """A new ring with one active key, in ``directory`` (created, or empty)."""
        if (directory / "ring.json").exists():
            raise KeyStoreError(_("A key ring already exists in {folder}.", folder=directory))
        _passphrase_bytes(passphrase)
        (directory / "keys").mkdir(mode=0o700, parents=True, exist_ok=True)
        key = KeyPair.generate()
        record = KeyRecord(key.public_key, _aware(now))
        ring = cls(directory, [record])
        _write_private(ring._key_path(record.key_id), seal_key(key, passphrase, cost))
        ring._save()
        return ring

    @classmethod
    def open(cls, directory: Path) -> KeyRing:
        """The ring in ``directory`` (public parts only: no passphrase needed)."""
        path = directory / "ring.json"
        try:
            document = json.loads(path.read_bytes())
            if document["format"] != RING_FORMAT:
                raise KeyStoreError(_("{file} is not a cruce key ring.", file=path))
            records = [
                KeyRecord(
                    PublicKey.from_multibase(entry["publicKeyMultibase"]),
                    parse_time(entry["created"]),
                    parse_time(entry["retiredAt"]) if entry["retiredAt"] else None,
                )
                for entry in document["keys"]
            ]
        except FileNotFoundError:
            raise KeyStoreError(_("There is no key ring in {folder}.", folder=directory)) from None
        except (ValueError, KeyError, TypeError):
            raise KeyStoreError(_("{file} is not a cruce key ring.", file=path)) from None
        if sum(record.retired_at is None for record in records) != 1:
            raise KeyStoreError(_("{file} is not a cruce key ring.", file=path))
        return cls(directory, records)

    # -- reading
    @property
    def active(self) -> KeyRecord:
        """The key that signs now."""
        return next(record for record in self.keys if record.retired_at is None)

    def record(self, key_id: str) -> KeyRecord | None:
        """The record of the key whose ``publicKeyMultibase`` is ``key_id``."""
        return next((record for record in self.keys if record.key_id == key_id), None)

    def signing_key(self, passphrase: str | bytes) -> KeyPair:
        """The active private key, decrypted; :class:`WrongPassphraseError` if it does not open."""
        path = self._key_path(self.active.key_id)
        try:
            envelope = path.read_bytes()
        except FileNotFoundError:
            raise KeyStoreError(_("The active key's file {file} is missing.", file=path)) from None
        return open_key(envelope, passphrase)

    # -- changing
    def rotate(self, passphrase: str | bytes, *, now: datetime | None = None) -> KeyRecord:
        """Make a new active key and retire the current one at the same instant.

        The passphrase must open the current key (so a typo never seals the new key under
        an unknown passphrase); the new key is sealed under it too.
        """
        current = self.active
        self.signing_key(passphrase)
        moment = _aware(now)
        if moment <= current.created:
            raise KeyStoreError(_("A key can only be retired after it was created."))
        cost = _envelope_cost(self._key_path(current.key_id))
        key = KeyPair.generate()
        record = KeyRecord(key.public_key, moment)
        _write_private(self._key_path(record.key_id), seal_key(key, passphrase, cost))
        retired = KeyRecord(current.public_key, current.created, moment)
        self.keys = (*(r if r is not current else retired for r in self.keys), record)
        self._save()
        self._key_path(current.key_id).unlink(missing_ok=True)
        return record

    def _key_path(self, key_id: str) -> Path:
        return self.directory / "keys" / f"{key_id}.json"

    def _save(self) -> None:
        document = {"format": RING_FORMAT, "keys": [record.as_dict() for record in self.keys]}
        text = json.dumps(document, indent=2) + "\n"
        _write_private(self.directory / "ring.json", text.encode("utf-8"))


def _envelope_cost(path: Path) -> ScryptCost:
    kdf = json.loads(path.read_bytes())["kdf"]
    return ScryptCost(int(kdf["n"]), int(kdf["r"]), int(kdf["p"]))
