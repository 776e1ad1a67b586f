r"""Signed notes, transparency-log checkpoints and witness cosignatures (C2SP).

- https://c2sp.org/signed-note: a text ending in a newline, a blank line, then one line per
  signature, ``— <key name> base64(key ID ‖ signature)``. The key ID is the first four bytes
  of ``SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)``. Ed25519 signatures have
  type ``0x01`` and sign the text itself. Verifier keys are written as Go's
  golang.org/x/mod/sumdb/note writes them: ``<name>+<hex key ID>+base64(type ‖ public key)``.
- https://c2sp.org/tlog-checkpoint: the signed text is the log's origin, its size in
  decimal and its root hash in base64, one per line, then optional extension lines.
- https://c2sp.org/tlog-cosignature: a witness signs (type ``0x04``) the message
  ``"cosignature/v1\ntime <unix seconds>\n" ‖ checkpoint text``; its signature bytes are
  the timestamp as a big-endian u64 followed by the 64-byte Ed25519 signature.

Verification follows the signed-note rules: signatures from unknown keys are ignored (a
key is known by its name *and* key ID); a known key whose signature fails rejects the whole
note; a note with no verified signature is rejected. Parsing follows Go's ``note.Open``:
valid UTF-8, no control characters but newlines, at most :data:`MAX_SIGNATURES` lines.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

ED25519 = 0x01
"""Signature type of a plain Ed25519 note signature."""

COSIGNATURE_V1 = 0x04
"""Signature type of a timestamped Ed25519 witness cosignature (cosignature/v1)."""

MAX_SIGNATURES = 100
"""Signature lines read from one note before it is rejected (the spec asks for at least 16)."""

ROOT_HASH_SIZE = 32
_KEY_ID_SIZE = 4
_PUBLIC_KEY_SIZE = 32
_ED25519_SIZE = 64
_TIMESTAMP_SIZE = 8
_CHECKPOINT_LINES = 3
_DASH = "— "
_COSIGNATURE_HEADER = "cosignature/v1\n"
_MAX_TIMESTAMP = 2**63 - 1


class NoteError(ValueError):
    """A signed note, checkpoint or verifier key that cannot be accepted."""


class MalformedNoteError(NoteError):
    """The text is not a well-formed signed note or checkpoint."""


class InvalidSignatureError(NoteError):
    """A signature from a known key does not verify: the whole note is rejected."""


class UnverifiedNoteError(NoteError):
    """No signature from a known key: the note must not be trusted."""


def key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    """The 4-byte key ID: ``SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]``."""
    data = name.encode() + b"\n" + bytes([signature_type]) + public_key
    return hashlib.sha256(data).digest()[:4]


def is_valid_name(name: str) -> bool:
    """A key name: non-empty, without Unicode spaces or plus signs."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def vkey(name: str, public_key: Ed25519PublicKey, signature_type: int = ED25519) -> str:
    """The verifier key ``<name>+<hex key ID>+<base64(type ‖ key)>`` of an Ed25519 key."""
    if not is_valid_name(name):
        raise ValueError(f"not a valid key name: {name!r}")
    raw = _raw(public_key)
    encoded = base64.b64encode(bytes([signature_type]) + raw).decode()
    return f"{name}+{key_id(name, signature_type, raw).hex()}+{encoded}"


class NoteSigner(Protocol):
    """Signs note texts with one key (a port: a key in memory, an HSM, a KMS)."""

    @property
    def name(self) -> str:
        """The key name written on the signature line."""
        ...

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID."""
        ...

    def sign(self, text: bytes) -> bytes:
        """The signature bytes (without the key ID) over the note text."""
        ...


class NoteVerifier(Protocol):
    """Checks signatures of one key."""

    @property
    def name(self) -> str:
        """The key name expected on the signature line."""
        ...

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID expected in the signature."""
        ...

    def verify(self, text: bytes, signature: bytes) -> bool:
        """True when ``signature`` (without the key ID) is this key's over ``text``."""
        ...


class Ed25519Verifier:
    """Verifies plain Ed25519 note signatures (type ``0x01``)."""

    signature_type = ED25519

    def __init__(self, name: str, public_key: Ed25519PublicKey) -> None:
        if not is_valid_name(name):
            raise ValueError(f"not a valid key name: {name!r}")
        self.name = name
        self.public_key = public_key
        self.key_id = key_id(name, self.signature_type, _raw(public_key))

    @property
    def vkey(self) -> str:
        """This key as a verifier key string."""
        return vkey(self.name, self.public_key, self.signature_type)

    def _check(self, message: bytes, signature: bytes) -> bool:
        try:
            self.public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def verify(self, text: bytes, signature: bytes) -> bool:
        """True when ``signature`` is this key's Ed25519 signature over ``text``."""
        return len(signature) == _ED25519_SIZE and self._check(text, signature)


class CosignatureVerifier(Ed25519Verifier):
    """Verifies cosignature/v1 witness signatures (type ``0x04``).

    ``max_future`` (seconds) rejects timestamps that far ahead of ``clock()``; None accepts
    any timestamp up to 2**63 - 1.
    """

    signature_type = COSIGNATURE_V1

    def __init__(
        self,
        name: str,
        public_key: Ed25519PublicKey,
        *,
        max_future: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(name, public_key)
        self.max_future = max_future
        self.clock = clock

    def verify(self, text: bytes, signature: bytes) -> bool:
        """True when ``signature`` is ``timestamp ‖ Ed25519(cosigned message)`` by this key."""
        if len(signature) != _TIMESTAMP_SIZE + _ED25519_SIZE or not _is_checkpoint_text(text):
            return False
        timestamp = int.from_bytes(signature[:_TIMESTAMP_SIZE], "big")
        if timestamp > _MAX_TIMESTAMP:
            return False
        if self.max_future is not None and timestamp > self.clock() + self.max_future:
            return False
        return self._check(cosigned_message(timestamp, text), signature[_TIMESTAMP_SIZE:])


def _is_checkpoint_text(text: bytes) -> bool:
    return text.count(b"\n") >= _CHECKPOINT_LINES


def cosigned_message(timestamp: int, text: bytes) -> bytes:
    """What a cosignature/v1 signs: the header, the time line and the checkpoint text."""
    if not _is_checkpoint_text(text):
        raise MalformedNoteError("a cosigned note must be a checkpoint of at least three lines")
    return f"{_COSIGNATURE_HEADER}time {timestamp}\n".encode() + text


class Ed25519Signer:
    """Signs notes with an Ed25519 private key (type ``0x01``)."""

    signature_type = ED25519

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        if not is_valid_name(name):
            raise ValueError(f"not a valid key name: {name!r}")
        self.name = name
        self._private_key = private_key
        self.key_id = key_id(name, self.signature_type, _raw(private_key.public_key()))

    def verifier(self) -> Ed25519Verifier:
        """The verifier of this key."""
        return Ed25519Verifier(self.name, self._private_key.public_key())

    def sign(self, text: bytes) -> bytes:
        """The Ed25519 signature over ``text``."""
        return self._private_key.sign(text)


class CosignatureSigner(Ed25519Signer):
    """Cosigns checkpoints as a witness (cosignature/v1, type ``0x04``) at ``clock()`` time."""

    signature_type = COSIGNATURE_V1

    def __init__(
        self, name: str, private_key: Ed25519PrivateKey, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(name, private_key)
        self.clock = clock

    def verifier(self) -> CosignatureVerifier:
        """The verifier of this witness key."""
        return CosignatureVerifier(self.name, self._private_key.public_key())

    def sign(self, text: bytes) -> bytes:
        """``timestamp ‖ Ed25519(cosigned message)``, the timestamp in whole seconds."""
        timestamp = int(self.clock())
        if not 0 <= timestamp <= _MAX_TIMESTAMP:
            raise ValueError(f"a cosignature timestamp must fit in 63 bits, not {timestamp}")
        signed = self._private_key.sign(cosigned_message(timestamp, text))
        return timestamp.to_bytes(_TIMESTAMP_SIZE, "big") + signed


def verifier_from_vkey(encoded: str) -> Ed25519Verifier:
    """The verifier of a verifier key string (Ed25519 ``0x01`` or cosignature ``0x04``)."""
    name, _, rest = encoded.partition("+")
    hex_id, _, key64 = rest.partition("+")
    try:
        raw = base64.b64decode(key64, validate=True)
        claimed = bytes.fromhex(hex_id)
    except (binascii.Error, ValueError) as error:
        raise NoteError(f"malformed verifier key: {encoded!r}") from error
    valid = len(hex_id) == 2 * _KEY_ID_SIZE and len(raw) == 1 + _PUBLIC_KEY_SIZE
    if not valid or not is_valid_name(name):
        raise NoteError(f"malformed verifier key: {encoded!r}")
    signature_type, public = raw[0], raw[1:]
    if key_id(name, signature_type, public) != claimed:
        raise NoteError(f"the key ID of verifier key {name!r} does not match its key")
    key = Ed25519PublicKey.from_public_bytes(public)
    if signature_type == ED25519:
        return Ed25519Verifier(name, key)
    if signature_type == COSIGNATURE_V1:
        return CosignatureVerifier(name, key)
    raise NoteError(f"unknown signature type {signature_type:#04x} in verifier key {name!r}")


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line: the key name, its key ID and the signature bytes after it."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        """The line as written in a note, with its final newline."""
        encoded = base64.b64encode(self.key_id + self.signature).decode()
        return f"{_DASH}{self.name} {encoded}\n"

    @property
    def timestamp(self) -> int | None:
        """The cosignature/v1 time, when the signature has the length of one (else None)."""
        if len(self.signature) != _TIMESTAMP_SIZE + _ED25519_SIZE:
            return None
        return int.from_bytes(self.signature[:_TIMESTAMP_SIZE], "big")


@dataclass(frozen=True, slots=True)
class Note:
    """A note's text and its signature lines, verified or not."""

    text: str
    signatures: tuple[Signature, ...]

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    @classmethod
    def parse(cls, message: str | bytes) -> Note:
        """Split a signed note into its text and signature lines; no signature is checked."""
        if isinstance(message, bytes):
            try:
                message = message.decode("utf-8")
            except UnicodeDecodeError as error:
                raise MalformedNoteError("a note must be UTF-8") from error
        if any(c < " " and c != "\n" for c in message):
            raise MalformedNoteError("a note must not contain control characters")
        split = message.rfind("\n\n")
        if split < 0:
            raise MalformedNoteError("a note needs a blank line before its signatures")
        text, block = message[: split + 1], message[split + 2 :]
        if not block.endswith("\n"):
            raise MalformedNoteError("a note must end with a signature line and a newline")
        lines = block[:-1].split("\n")
        if len(lines) > MAX_SIGNATURES:
            raise MalformedNoteError(f"a note may carry at most {MAX_SIGNATURES} signatures")
        return cls(text, tuple(_parse_line(line) for line in lines))


def _parse_line(line: str) -> Signature:
    if not line.startswith(_DASH):
        raise MalformedNoteError(f"not a signature line: {line[:40]!r}")
    name, _, encoded = line[len(_DASH) :].partition(" ")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error as error:
        raise MalformedNoteError(f"the signature of {name!r} is not base64") from error
    if not is_valid_name(name) or len(raw) <= _KEY_ID_SIZE:
        raise MalformedNoteError(f"malformed signature line: {line[:40]!r}")
    return Signature(name, raw[:_KEY_ID_SIZE], raw[_KEY_ID_SIZE:])


def sign_note(text: str, *signers: NoteSigner, existing: Iterable[Signature] = ()) -> str:
    """The signed note: ``text`` (ending in a newline), a blank line, then the signatures.

    ``existing`` signatures come first, except those of a key that signs again now.
    """
    if not text.endswith("\n"):
        raise MalformedNoteError("a note's text must end with a newline")
    data = text.encode()
    fresh = []
    for signer in signers:
        if not is_valid_name(signer.name):
            raise ValueError(f"not a valid key name: {signer.name!r}")
        fresh.append(Signature(signer.name, signer.key_id, signer.sign(data)))
    renewed = {(s.name, s.key_id) for s in fresh}
    kept = [s for s in existing if (s.name, s.key_id) not in renewed]
    note = Note(text, (*kept, *fresh))
    if not note.signatures:
        raise ValueError("a note needs at least one signature")
    return str(note)


def add_signatures(message: str, *signers: NoteSigner) -> str:
    """``message`` with the signatures of ``signers`` added (a witness cosigning, say)."""
    note = Note.parse(message)
    return sign_note(note.text, *signers, existing=note.signatures)


@dataclass(frozen=True, slots=True)
class OpenedNote:
    """A note whose signatures were checked: which verified, which came from unknown keys."""

    text: str
    verified: tuple[Signature, ...]
    unverified: tuple[Signature, ...]


def open_note(message: str | bytes, verifiers: Sequence[NoteVerifier]) -> OpenedNote:
    """Parse ``message`` and check its signatures against the known ``verifiers``.

    Raises :class:`MalformedNoteError`, :class:`InvalidSignatureError` (a known key's
    signature fails) or :class:`UnverifiedNoteError` (no known key signed).
    """
    known: dict[tuple[str, bytes], NoteVerifier] = {}
    for verifier in verifiers:
        key = (verifier.name, verifier.key_id)
        if key in known:
            raise ValueError(f"two verifiers share the key {verifier.name}+{verifier.key_id.hex()}")
        known[key] = verifier
    note = Note.parse(message)
    data = note.text.encode()
    verified: dict[tuple[str, bytes], Signature] = {}
    unverified: dict[Signature, None] = {}
    for signature in note.signatures:
        key = (signature.name, signature.key_id)
        checker = known.get(key)
        if checker is None:
            unverified[signature] = None
        elif key not in verified:
            if not checker.verify(data, signature.signature):
                raise InvalidSignatureError(
                    f"the signature of {signature.name}+{signature.key_id.hex()} does not verify"
                )
            verified[key] = signature
    if not verified:
        raise UnverifiedNoteError("the note has no signature from a known key")
    return OpenedNote(note.text, tuple(verified.values()), tuple(unverified))


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's tree head: origin, size and root hash (tlog-checkpoint), plus extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise ValueError("a checkpoint's origin must be one non-empty line")
        if self.size < 0:
            raise ValueError(f"a tree size cannot be negative ({self.size})")
        if len(self.root_hash) != ROOT_HASH_SIZE:
            raise ValueError(f"a root hash has {ROOT_HASH_SIZE} bytes, not {len(self.root_hash)}")
        if any(not line or "\n" in line for line in self.extensions):
            raise ValueError("extension lines must be non-empty single lines")

    def body(self) -> str:
        """The note text: origin, size, base64 root and extensions, one line each."""
        root64 = base64.b64encode(self.root_hash).decode()
        return "".join(
            f"{line}\n" for line in (self.origin, str(self.size), root64, *self.extensions)
        )

    @classmethod
    def from_body(cls, text: str) -> Checkpoint:
        """Parse a checkpoint's note text."""
        if not text.endswith("\n"):
            raise MalformedNoteError("a checkpoint's text must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < _CHECKPOINT_LINES or not all(lines):
            raise MalformedNoteError("a checkpoint has at least three non-empty lines")
        origin, size, root64, *extensions = lines
        if not (size.isascii() and size.isdigit()) or (size != "0" and size.startswith("0")):
            raise MalformedNoteError(f"a checkpoint's size is a decimal number, not {size!r}")
        try:
            root_hash = base64.b64decode(root64, validate=True)
        except binascii.Error as error:
            raise MalformedNoteError("a checkpoint's root hash is base64") from error
        if len(root_hash) != ROOT_HASH_SIZE:
            raise MalformedNoteError(f"a checkpoint's root hash has {ROOT_HASH_SIZE} bytes")
        return cls(origin, int(size), root_hash, tuple(extensions))


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A checkpoint, the signed note that carries it, and the witnesses that cosigned it."""

    checkpoint: Checkpoint
    note: str
    cosignatures: tuple[tuple[str, int | None], ...] = ()
    """(witness name, unix time) of each verified witness signature (time None: not timestamped)."""


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> SignedCheckpoint:
    """Sign ``checkpoint`` as the log."""
    return SignedCheckpoint(checkpoint, sign_note(checkpoint.body(), signer))


def open_checkpoint(
    message: str,
    log: NoteVerifier,
    *,
    origin: str | None = None,
    witnesses: Sequence[NoteVerifier] = (),
    quorum: int = 0,
) -> SignedCheckpoint:
    """Check a checkpoint signed by ``log`` and cosigned by at least ``quorum`` ``witnesses``.

    ``origin``, when given, must be the checkpoint's origin line. Signatures from other keys
    are ignored; a failing signature from ``log`` or a witness rejects the checkpoint.
    """
    opened = open_note(message, [log, *witnesses])
    if not any(s.name == log.name and s.key_id == log.key_id for s in opened.verified):
        raise UnverifiedNoteError(f"the checkpoint is not signed by the log key {log.name}")
    checkpoint = Checkpoint.from_body(opened.text)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"the checkpoint is from {checkpoint.origin!r}, not {origin!r}")
    witnessed = {(w.name, w.key_id) for w in witnesses}
    timestamped = {(w.name, w.key_id) for w in witnesses if isinstance(w, CosignatureVerifier)}
    cosignatures = tuple(
        (s.name, s.timestamp if (s.name, s.key_id) in timestamped else None)
        for s in opened.verified
        if (s.name, s.key_id) in witnessed
    )
    if len(cosignatures) < quorum:
        raise UnverifiedNoteError(
            f"the checkpoint has {len(cosignatures)} witness cosignatures, {quorum} needed"
        )
    return SignedCheckpoint(checkpoint, message, cosignatures)
