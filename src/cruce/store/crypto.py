"""Encryption at rest: envelope encryption with a data key per organisation.

Each organisation has AES-256-GCM data keys (DEKs), numbered from 1; the highest version
that is not retired is the *active* one and seals new data. A DEK is stored only wrapped by
a key-encryption key (KEK) that a :class:`Kms` holds: :class:`LocalKms` with the KEKs of
``CRUCE_KEKS``, or a cloud KMS behind the same protocol. Wrapped DEKs are kept through the
:class:`DataKeyStore` port (``DataKeyRepository`` over SQLAlchemy, or
:class:`InMemoryDataKeyStore`).

A blob sealed by :class:`Envelope` is::

    format (1 byte, 0x01) ‖ DEK version (4 bytes, big-endian) ‖ nonce (12 random bytes)
    ‖ AES-256-GCM ciphertext ‖ tag (16 bytes)

The GCM associated data is ``format ‖ version ‖ organisation id (16 bytes) ‖ aad``: the
header, the organisation and the caller's ``aad`` (which names the row and column, see
``ports.aad``) are all authenticated, so a blob copied to another row, another organisation
or edited by one bit fails with :class:`DecryptionError`. With random 96-bit nonces a DEK
must seal fewer than 2^32 blobs (NIST SP 800-38D §8.3): rotate data keys long before.

A wrapped DEK (``LocalKms``) is ``0x01 ‖ nonce (12) ‖ AES-256-GCM(KEK, DEK)``, with the KEK
id as associated data.

Rotation needs no downtime and re-encrypts nothing at once:

- data keys: :meth:`Envelope.rotate_data_key` adds a new active version; old blobs still
  open; :meth:`Envelope.reencrypt` moves one blob to the active key, for a background job.
- key-encryption keys: put the new KEK first in ``CRUCE_KEKS`` and keep the old one after
  it (both unwrap, the new one wraps); run :meth:`Envelope.rewrap_data_keys`, which re-wraps
  every stored DEK under the active KEK without touching data; then drop the old KEK.
  Moving to another KMS is the same call with the new KMS as argument.

Within one process, DEKs that a committed transaction opened are kept unwrapped in a
:class:`KeyCache` shared by the service's requests (:meth:`Envelope.opened`, published by
the caller after its commit), so reading a record costs no data-key query; a key only ever
seen in a transaction that was rolled back is never shared.

No message or ``repr`` here contains key material.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import struct
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cruce.config import Environment
from cruce.i18n import Message, _

if TYPE_CHECKING:
    import uuid
    from collections.abc import Iterable, Sequence

    from cruce.config import Settings

BLOB_FORMAT: Final = 1
WRAP_FORMAT: Final = 1
KEY_BYTES: Final = 32
NONCE_BYTES: Final = 12
TAG_BYTES: Final = 16
_HEADER: Final = struct.Struct(">BI")  # format, DEK version
MIN_BLOB_BYTES: Final = _HEADER.size + NONCE_BYTES + TAG_BYTES
KEK_FILE: Final = "kek"
_KEK_ID: Final = re.compile(r"[A-Za-z0-9._-]{1,64}")
DEFAULT_CACHE_SIZE: Final = 1024
NOT_DECRYPTABLE: Final = _(
    "The encrypted value cannot be opened: it was changed, or it belongs elsewhere."
)


# ---------------------------------------------------------------- errors
class CryptoError(Exception):
    """A key or a blob cannot be used; ``message`` says why (never with key material)."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(str(message))


class DecryptionError(CryptoError):
    """A blob or a wrapped key does not open: tampered, wrong AAD or organisation, unknown key."""


class KeyConfigurationError(CryptoError):
    """The key-encryption keys are missing or malformed."""


class DataKeyConflictError(CryptoError):
    """A data key with this organisation and version exists already (raised by ``add``)."""


# ---------------------------------------------------------------- key-encryption keys
class Kek:
    """A key-encryption key: an id (not secret) and 32 secret bytes. ``repr`` shows the id."""

    __slots__ = ("_material", "id")

    def __init__(self, kek_id: str, material: bytes) -> None:
        if not _KEK_ID.fullmatch(kek_id):
            raise KeyConfigurationError(
                _(
                    "A key-encryption key id must be 1 to 64 letters, digits, '.', '_' or '-': "
                    "{kek_id} is not.",
                    kek_id=kek_id[:64],
                )
            )
        if len(material) != KEY_BYTES:
            raise KeyConfigurationError(
                _("The key-encryption key {kek_id} is not 32 bytes long.", kek_id=kek_id)
            )
        self.id = kek_id
        self._material = material

    def __repr__(self) -> str:
        return f"Kek(id={self.id!r})"

    def aead(self) -> AESGCM:
        """The AES-256-GCM cipher of this key."""
        return AESGCM(self._material)

    def line(self) -> str:
        """The key as ``id:base64``, the ``CRUCE_KEKS`` syntax. Handle it as a secret."""
        return f"{self.id}:{base64.b64encode(self._material).decode('ascii')}"


def parse_keks(text: str) -> tuple[Kek, ...]:
    """The KEKs of ``'id:base64key[,id:base64key...]'``, the first one active.

    Raises :class:`KeyConfigurationError` for an entry without an id, a key that is not
    base64 or not 32 bytes, a duplicate id, or no key at all; the message names the id
    (or the entry's position), never the key.
    """
    keks: list[Kek] = []
    for position, entry in enumerate(text.split(","), start=1):
        kek_id, colon, encoded = entry.strip().partition(":")
        if not colon or not kek_id:
            raise KeyConfigurationError(
                _(
                    "Entry {position} of the key-encryption keys is not 'id:base64key'.",
                    position=position,
                )
            )
        try:
            material = base64.b64decode(
                encoded.strip().replace("-", "+").replace("_", "/") + "=" * (-len(encoded) % 4),
                validate=True,
            )
        except (binascii.Error, ValueError):
            raise KeyConfigurationError(
                _("The key-encryption key {kek_id} is not valid base64.", kek_id=kek_id)
            ) from None
        if any(kek.id == kek_id for kek in keks):
            raise KeyConfigurationError(
                _("The key-encryption key id {kek_id} is given twice.", kek_id=kek_id)
            )
        keks.append(Kek(kek_id, material))
    return tuple(keks)


def keks_from_settings(settings: Settings) -> tuple[Kek, ...]:
    """The KEKs of ``settings.keks``; in development without one, the data folder's key file.

    The development key lives in ``settings.data_dir / "kek"`` (mode 0600), created at first
    use and reused after. In production a missing KEK is a :class:`KeyConfigurationError`.
    """
    if settings.keks is not None:
        keks = parse_keks(settings.keks.get_secret_value())
        if not keks:  # pragma: no cover - split always yields one entry
            raise KeyConfigurationError(_("No key-encryption key is configured."))
        return keks
    if settings.environment is Environment.PRODUCTION:
        raise KeyConfigurationError(
            _("Production needs CRUCE_KEKS: no key-encryption key is configured.")
        )
    return (_development_kek(settings.data_dir / KEK_FILE),)


def _development_kek(path: os.PathLike[str] | str) -> Kek:
    path = os.fspath(path)
    if not os.path.exists(path):  # noqa: PTH110 - os.open and os.link below use plain paths
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)  # noqa: PTH103, PTH120
        kek = Kek(f"dev-{secrets.token_hex(4)}", secrets.token_bytes(KEY_BYTES))
        temporary = f"{path}.{secrets.token_hex(4)}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(kek.line() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)  # atomic, and fails if another process won the race
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)  # noqa: PTH108
    with open(path, encoding="ascii") as handle:  # noqa: PTH123
        keks = parse_keks(handle.read().strip())
    return keks[0]


# ---------------------------------------------------------------- the KMS port
@dataclass(frozen=True, slots=True)
class WrappedKey:
    """A data key wrapped (encrypted) by the KEK named ``kek_id``."""

    kek_id: str
    blob: bytes = field(repr=False)


class Kms(Protocol):
    """What wraps and unwraps data keys: :class:`LocalKms`, or a cloud KMS."""

    @property
    def active_kek_id(self) -> str:
        """The id of the KEK that wraps new data keys."""
        ...

    def wrap(self, dek: bytes) -> WrappedKey:
        """``dek`` wrapped under the active KEK."""
        ...

    def unwrap(self, wrapped: WrappedKey) -> bytes:
        """The data key; :class:`DecryptionError` if the KEK is unknown or the blob altered."""
        ...


class LocalKms:
    """A KMS over KEKs held in memory (from ``CRUCE_KEKS``); the first one wraps."""

    __slots__ = ("_keks",)

    def __init__(self, keks: Sequence[Kek]) -> None:
        if not keks:
            raise KeyConfigurationError(_("No key-encryption key is configured."))
        ids = [kek.id for kek in keks]
        for kek_id in ids:
            if ids.count(kek_id) > 1:
                raise KeyConfigurationError(
                    _("The key-encryption key id {kek_id} is given twice.", kek_id=kek_id)
                )
        self._keks = {kek.id: kek for kek in keks}

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalKms:
        """The KMS of the settings' KEKs (see :func:`keks_from_settings`)."""
        return cls(keks_from_settings(settings))

    @property
    def active_kek_id(self) -> str:
        """The id of the first KEK."""
        return next(iter(self._keks))

    @property
    def kek_ids(self) -> tuple[str, ...]:
        """Every KEK id this KMS can unwrap with, the active one first."""
        return tuple(self._keks)

    def wrap(self, dek: bytes) -> WrappedKey:
        """``dek`` sealed with AES-256-GCM under the active KEK."""
        kek = self._keks[self.active_kek_id]
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = kek.aead().encrypt(nonce, dek, _wrap_aad(kek.id))
        return WrappedKey(kek.id, bytes([WRAP_FORMAT]) + nonce + sealed)

    def unwrap(self, wrapped: WrappedKey) -> bytes:
        """The data key in ``wrapped``; :class:`DecryptionError` when it does not open."""
        kek = self._keks.get(wrapped.kek_id)
        if kek is None:
            raise DecryptionError(
                _("The key-encryption key {kek_id} is not configured.", kek_id=wrapped.kek_id)
            )
        blob = wrapped.blob
        if len(blob) < 1 + NONCE_BYTES + TAG_BYTES or blob[0] != WRAP_FORMAT:
            raise DecryptionError(_("A wrapped data key is malformed."))
        nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
        try:
            return kek.aead().decrypt(nonce, sealed, _wrap_aad(kek.id))
        except InvalidTag:
            raise DecryptionError(
                _(
                    "A data key does not open with the key-encryption key {kek_id}.",
                    kek_id=kek.id,
                )
            ) from None

    def __repr__(self) -> str:
        return f"LocalKms(kek_ids={self.kek_ids!r})"


def _wrap_aad(kek_id: str) -> bytes:
    return b"cruce-dek/1\0" + kek_id.encode("ascii")


# ---------------------------------------------------------------- the data key store port
@dataclass(frozen=True, slots=True)
class StoredDataKey:
    """A data key as stored: wrapped, with the KEK that wrapped it."""

    organisation_id: uuid.UUID
    version: int
    wrapped: bytes = field(repr=False)
    kek_id: str
    retired: bool = False

    def as_wrapped(self) -> WrappedKey:
        """The wrapped key, for :meth:`Kms.unwrap`."""
        return WrappedKey(self.kek_id, self.wrapped)


class DataKeyStore(Protocol):
    """Where wrapped data keys live (``DataKeyRepository``; :class:`InMemoryDataKeyStore`).

    ``active`` is the highest version not retired. ``add`` raises
    :class:`DataKeyConflictError` when the organisation has that version already (two
    processes creating the first key at once: the loser reads the winner's).
    """

    def active(self, organisation_id: uuid.UUID) -> StoredDataKey | None:
        """The organisation's active data key, None before the first."""
        ...

    def get(self, organisation_id: uuid.UUID, version: int) -> StoredDataKey | None:
        """One version of the organisation's data keys."""
        ...

    def add(self, organisation_id: uuid.UUID, version: int, wrapped: bytes, kek_id: str) -> None:
        """Store a new (active) data key."""
        ...

    def retire(self, organisation_id: uuid.UUID, version: int) -> None:
        """Mark a version as no longer sealing new data (it still opens old data)."""
        ...

    def all(self, organisation_id: uuid.UUID) -> Sequence[StoredDataKey]:
        """Every data key of the organisation, by version."""
        ...

    def rewrap(self, organisation_id: uuid.UUID, version: int, wrapped: bytes, kek_id: str) -> None:
        """Replace a data key's wrapping (KEK rotation); the key itself is unchanged."""
        ...

    def organisations(self) -> Iterable[uuid.UUID]:
        """Every organisation that has a data key."""
        ...


class InMemoryDataKeyStore:
    """A :class:`DataKeyStore` in a dictionary, for tests and single-process use."""

    def __init__(self) -> None:
        self._keys: dict[uuid.UUID, dict[int, StoredDataKey]] = {}
        self._lock = threading.Lock()

    def active(self, organisation_id: uuid.UUID) -> StoredDataKey | None:
        """The highest version not retired."""
        live = [key for key in self.all(organisation_id) if not key.retired]
        return live[-1] if live else None

    def get(self, organisation_id: uuid.UUID, version: int) -> StoredDataKey | None:
        """One version, or None."""
        return self._keys.get(organisation_id, {}).get(version)

    def add(self, organisation_id: uuid.UUID, version: int, wrapped: bytes, kek_id: str) -> None:
        """Store a new key; :class:`DataKeyConflictError` if the version exists."""
        with self._lock:
            keys = self._keys.setdefault(organisation_id, {})
            if version in keys:
                raise DataKeyConflictError(
                    _("The data key version {version} exists already.", version=version)
                )
            keys[version] = StoredDataKey(organisation_id, version, wrapped, kek_id)

    def retire(self, organisation_id: uuid.UUID, version: int) -> None:
        """Mark a version retired."""
        with self._lock:
            key = self._keys[organisation_id][version]
            self._keys[organisation_id][version] = StoredDataKey(
                organisation_id, version, key.wrapped, key.kek_id, retired=True
            )

    def all(self, organisation_id: uuid.UUID) -> Sequence[StoredDataKey]:
        """Every version, in order."""
        keys = self._keys.get(organisation_id, {})
        return [keys[version] for version in sorted(keys)]

    def rewrap(self, organisation_id: uuid.UUID, version: int, wrapped: bytes, kek_id: str) -> None:
        """Replace a key's wrapping."""
        with self._lock:
            key = self._keys[organisation_id][version]
            self._keys[organisation_id][version] = StoredDataKey(
                organisation_id, version, wrapped, kek_id, retired=key.retired
            )

    def organisations(self) -> Iterable[uuid.UUID]:
        """The organisations with keys."""
        return list(self._keys)


# ---------------------------------------------------------------- envelope encryption
def data_key_version(blob: bytes) -> int:
    """The DEK version that sealed ``blob``; :class:`DecryptionError` if it is not a blob."""
    if len(blob) < MIN_BLOB_BYTES:
        raise DecryptionError(NOT_DECRYPTABLE)
    form, version = _HEADER.unpack_from(blob)
    if form != BLOB_FORMAT:
        raise DecryptionError(NOT_DECRYPTABLE)
    return int(version)


def _blob_aad(header: bytes, organisation_id: uuid.UUID, aad: bytes) -> bytes:
    # fixed-length header and id first, so the concatenation is unambiguous
    return header + organisation_id.bytes + aad


class KeyCache:
    """Unwrapped data keys by organisation and version, the least recently used dropped first.

    Shared by the units of work of one process; thread-safe. A DEK never changes once made
    (rotation adds a version, re-wrapping changes only its wrapping), so an entry stays
    right for as long as it is kept.
    """

    def __init__(self, size: int = DEFAULT_CACHE_SIZE) -> None:
        self._keys: OrderedDict[tuple[uuid.UUID, int], AESGCM] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"KeyCache(keys={len(self._keys)})"

    def get(self, organisation_id: uuid.UUID, version: int) -> AESGCM | None:
        """The key, or None when it is not kept."""
        slot = (organisation_id, version)
        with self._lock:
            aead = self._keys.get(slot)
            if aead is not None:
                self._keys.move_to_end(slot)
            return aead

    def publish(self, opened: dict[tuple[uuid.UUID, int], AESGCM]) -> None:
        """Keep keys a committed transaction opened."""
        with self._lock:
            for slot, aead in opened.items():
                self._keys[slot] = aead
                self._keys.move_to_end(slot)
            while len(self._keys) > self._size:
                self._keys.popitem(last=False)


class Envelope:
    """Envelope encryption for the store: the ``Cipher`` port of the repositories."""

    def __init__(
        self,
        kms: Kms,
        store: DataKeyStore,
        *,
        cache_size: int = DEFAULT_CACHE_SIZE,
        shared: KeyCache | None = None,
    ) -> None:
        self._kms = kms
        self._store = store
        self._shared = shared
        self.opened: dict[tuple[uuid.UUID, int], AESGCM] = {}
        """The keys this envelope read from its store: the caller publishes them to the
        shared cache once its transaction is committed."""
        # keyed by the wrapped bytes too: a key added in a transaction that was rolled back
        # (and replaced by another process's) is never mistaken for the stored one
        self._cache: OrderedDict[tuple[uuid.UUID, int, bytes], AESGCM] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"Envelope(kms={self._kms!r}, cached_keys={len(self._cache)})"

    @property
    def kms(self) -> Kms:
        """The KMS that wraps new data keys."""
        return self._kms

    # -- the Cipher port
    def encrypt(self, organisation_id: uuid.UUID, plaintext: bytes, aad: bytes) -> bytes:
        """``plaintext`` sealed with the organisation's active DEK (made at first use)."""
        stored = self._store.active(organisation_id) or self._first_key(organisation_id)
        header = _HEADER.pack(BLOB_FORMAT, stored.version)
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead(stored).encrypt(
            nonce, plaintext, _blob_aad(header, organisation_id, aad)
        )
        return header + nonce + sealed

    def decrypt(self, organisation_id: uuid.UUID, blob: bytes, aad: bytes) -> bytes:
        """The plaintext of ``blob``; :class:`DecryptionError` when it does not open."""
        version = data_key_version(blob)
        header = blob[: _HEADER.size]
        nonce = blob[_HEADER.size : _HEADER.size + NONCE_BYTES]
        sealed = blob[_HEADER.size + NONCE_BYTES :]
        associated = _blob_aad(header, organisation_id, aad)
        kept = None if self._shared is None else self._shared.get(organisation_id, version)
        if kept is not None:
            try:
                return kept.decrypt(nonce, sealed, associated)
            except InvalidTag:
                pass  # a changed blob, or a kept key that is not the stored one: ask the store
        stored = self._store.get(organisation_id, version)
        if stored is None:
            raise DecryptionError(_("The data key version {version} is unknown.", version=version))
        aead = self._aead(stored)
        try:
            plaintext = aead.decrypt(nonce, sealed, associated)
        except InvalidTag:
            raise DecryptionError(NOT_DECRYPTABLE) from None
        self.opened[(organisation_id, version)] = aead
        return plaintext

    # -- data key rotation
    def rotate_data_key(self, organisation_id: uuid.UUID) -> int:
        """Make a new active DEK and retire the current one; return the new version.

        Old versions still open the blobs they sealed; nothing is re-encrypted here.
        """
        with self._lock:
            keys = self._store.all(organisation_id)
            version = max((key.version for key in keys), default=0) + 1
            self._add(organisation_id, version)
            for key in keys:
                if not key.retired:
                    self._store.retire(organisation_id, key.version)
            return version

    def reencrypt(self, organisation_id: uuid.UUID, blob: bytes, aad: bytes) -> bytes:
        """``blob`` sealed again with the active DEK; unchanged if it already is."""
        plaintext = self.decrypt(organisation_id, blob, aad)
        active = self._store.active(organisation_id)
        if active is not None and data_key_version(blob) == active.version:
            return blob
        return self.encrypt(organisation_id, plaintext, aad)

    # -- key-encryption key rotation
    def rewrap_data_keys(self, new_kms: Kms | None = None) -> int:
        """Re-wrap every stored DEK under the active KEK of ``new_kms`` (or of this KMS).

        Data is not touched. Keys already wrapped under that KEK are skipped, so the call
        can be repeated after an interruption. Afterwards this envelope uses ``new_kms``.
        Returns how many keys were re-wrapped.
        """
        target = new_kms or self._kms
        count = 0
        for organisation_id in list(self._store.organisations()):
            for stored in self._store.all(organisation_id):
                if stored.kek_id == target.active_kek_id:
                    continue
                dek = self._unwrap(stored, target)
                wrapped = target.wrap(dek)
                self._store.rewrap(organisation_id, stored.version, wrapped.blob, wrapped.kek_id)
                count += 1
        self._kms = target
        return count

    def kek_ids_in_use(self) -> set[str]:
        """The KEK ids the stored DEKs are wrapped under (check before dropping a KEK)."""
        return {
            stored.kek_id
            for organisation_id in self._store.organisations()
            for stored in self._store.all(organisation_id)
        }

    # -- internals
    def _unwrap(self, stored: StoredDataKey, other: Kms | None = None) -> bytes:
        try:
            dek = self._kms.unwrap(stored.as_wrapped())
        except DecryptionError:
            if other is None or other is self._kms:
                raise
            dek = other.unwrap(stored.as_wrapped())
        if len(dek) != KEY_BYTES:
            raise DecryptionError(_("A wrapped data key is malformed."))
        return dek

    def _aead(self, stored: StoredDataKey) -> AESGCM:
        slot = (stored.organisation_id, stored.version, stored.wrapped)
        with self._lock:
            aead = self._cache.get(slot)
            if aead is not None:
                self._cache.move_to_end(slot)
                return aead
        aead = AESGCM(self._unwrap(stored))
        self._remember(slot, aead)
        return aead

    def _remember(self, slot: tuple[uuid.UUID, int, bytes], aead: AESGCM) -> None:
        with self._lock:
            self._cache[slot] = aead
            self._cache.move_to_end(slot)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def _first_key(self, organisation_id: uuid.UUID) -> StoredDataKey:
        with self._lock:
            stored = self._store.active(organisation_id)
            if stored is not None:
                return stored
            try:
                return self._add(organisation_id, 1)
            except DataKeyConflictError:
                stored = self._store.active(organisation_id)
                if stored is None:
                    raise
                return stored

    def _add(self, organisation_id: uuid.UUID, version: int) -> StoredDataKey:
        dek = AESGCM.generate_key(bit_length=256)
        wrapped = self._kms.wrap(dek)
        self._store.add(organisation_id, version, wrapped.blob, wrapped.kek_id)
        stored = StoredDataKey(organisation_id, version, wrapped.blob, wrapped.kek_id)
        self._remember((organisation_id, version, wrapped.blob), AESGCM(dek))
        return stored
