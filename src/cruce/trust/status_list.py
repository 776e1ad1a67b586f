"""Revocation and suspension: W3C Bitstring Status List v1.0 (Recommendation, 15 May 2025).

An issuer keeps one bit per credential in a list of at least 131,072 entries (16 KB), so
that fetching the list does not tell the issuer which credential is being checked. Each
credential names its slot in ``credentialStatus`` (a ``BitstringStatusListEntry``); the list is
published as a ``BitstringStatusListCredential`` whose ``encodedList`` is the GZIP-compressed
bitstring, base64url without padding, with the multibase prefix ``u``. Index 0 is the
left-most bit: the most significant bit of the first byte (section 2.2 and 7.1).

This module builds the list and the unsigned list credential; signing it is the Data Integrity
code's job, and so is verifying it before :func:`check` reads it.
"""

from __future__ import annotations

import re
import secrets
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Final, NoReturn

from cruce.i18n import Message, _
from cruce.trust.jose import b64url_decode, b64url_encode

MIN_ENTRIES: Final = 131_072
VC_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
LIST_CREDENTIAL_TYPE: Final = "BitstringStatusListCredential"
LIST_TYPE: Final = "BitstringStatusList"
ENTRY_TYPE: Final = "BitstringStatusListEntry"
#: The claim a replacement credential carries to name the one it supersedes (cruce's term).
SUPERSEDES: Final = "supersedes"

_MAX_BITS: Final = 1 << 27  # 16 MiB expanded: far past any real list, short of a zip bomb
_INDEX: Final = re.compile(r"[0-9]+")


class StatusPurpose(StrEnum):
    """What a set bit means (section 2.1): revocation is permanent, suspension is not."""

    REVOCATION = "revocation"
    SUSPENSION = "suspension"
    REFRESH = "refresh"
    MESSAGE = "message"


class ProcessingError(StrEnum):
    """The errors the Recommendation names (section 3.5) and the two it takes from VC 2.0."""

    STATUS_RETRIEVAL_ERROR = "STATUS_RETRIEVAL_ERROR"
    STATUS_VERIFICATION_ERROR = "STATUS_VERIFICATION_ERROR"
    STATUS_LIST_LENGTH_ERROR = "STATUS_LIST_LENGTH_ERROR"
    RANGE_ERROR = "RANGE_ERROR"
    MALFORMED_VALUE_ERROR = "MALFORMED_VALUE_ERROR"

    @property
    def type_url(self) -> str:
        """The ``type`` of an RFC 9457 problem-details object for this error."""
        if self in (ProcessingError.RANGE_ERROR, ProcessingError.MALFORMED_VALUE_ERROR):
            return f"https://www.w3.org/TR/vc-data-model#{self.value}"
        return f"https://www.w3.org/ns/credentials/status-list#{self.value}"

    @property
    def message(self) -> Message:
        """What went wrong, in words."""
        return _MESSAGES[self]


_MESSAGES: Final[dict[ProcessingError, Message]] = {
    ProcessingError.STATUS_RETRIEVAL_ERROR: _("The status list could not be retrieved."),
    ProcessingError.STATUS_VERIFICATION_ERROR: _("The credential's status could not be verified."),
    ProcessingError.STATUS_LIST_LENGTH_ERROR: _(
        "The status list is shorter than the minimum that protects holders' privacy."
    ),
    ProcessingError.RANGE_ERROR: _("The credential's status index lies outside the status list."),
    ProcessingError.MALFORMED_VALUE_ERROR: _("A status list value is malformed."),
}


class StatusListError(Exception):
    """A status check failed with one of the Recommendation's errors."""

    def __init__(self, error: ProcessingError, detail: str = "") -> None:
        super().__init__(f"{error.value}: {detail}" if detail else error.value)
        self.error = error
        self.detail = detail

    @property
    def message(self) -> Message:
        """What went wrong, in words."""
        return self.error.message


class StatusListFullError(LookupError):
    """Every index of the list is allocated: start a new list."""


def encode_list(bitstring: bytes) -> str:
    """``encodedList``: multibase base64url (no padding) of the GZIP-compressed bitstring.

    zlib's gzip framing (mtime 0, default level) reproduces the Recommendation's example.
    """
    compressor = zlib.compressobj(wbits=31)
    return "u" + b64url_encode(compressor.compress(bitstring) + compressor.flush())


def decode_list(encoded: str) -> bytes:
    """The bitstring an ``encodedList`` holds; :class:`StatusListError` when it holds none."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        _fail(ProcessingError.MALFORMED_VALUE_ERROR, "encodedList is not multibase base64url (u)")
    try:
        inflater = zlib.decompressobj(wbits=31)
        bitstring = inflater.decompress(b64url_decode(encoded[1:]), _MAX_BITS // 8)
    except (ValueError, zlib.error) as error:
        _fail(ProcessingError.MALFORMED_VALUE_ERROR, f"encodedList: {error}")
    if not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
        _fail(ProcessingError.MALFORMED_VALUE_ERROR, "encodedList is not one whole GZIP member")
    return bitstring


class StatusList:
    """One status list of an issuer: the bits, the allocated indices, its URL and purpose.

    Indices are handed out at random (section 2.1: so that an index tells nothing of when the
    credential was issued or how many were). Persist :attr:`bits` and :attr:`allocated` to
    carry a list over; build it again with them.
    """

    def __init__(
        self,
        url: str,
        *,
        purpose: StatusPurpose | str = StatusPurpose.REVOCATION,
        length: int = MIN_ENTRIES,
        bits: bytes | None = None,
        allocated: Iterable[int] = (),
    ) -> None:
        if length < MIN_ENTRIES or length % 8:
            raise ValueError(f"a list holds a multiple of 8 entries, at least {MIN_ENTRIES}")
        if bits is not None and len(bits) * 8 != length:
            raise ValueError("bits do not match the length")
        self.url = url
        self.purpose = StatusPurpose(purpose)
        self.length = length
        self._bits = bytearray(bits if bits is not None else length // 8)
        self._allocated: set[int] = set()
        for index in allocated:
            self._allocated.add(self._checked(index))

    @property
    def bits(self) -> bytes:
        """The uncompressed bitstring."""
        return bytes(self._bits)

    @property
    def allocated(self) -> frozenset[int]:
        """The indices given to credentials so far."""
        return frozenset(self._allocated)

    def allocate(self) -> int:
        """A free index, chosen at random; :class:`StatusListFullError` when none is left."""
        if len(self._allocated) >= self.length:
            raise StatusListFullError(self.url)
        for _draw in range(64):  # a few draws suffice until the list is nearly full
            index = secrets.randbelow(self.length)
            if index not in self._allocated:
                break
        else:
            index = secrets.choice([i for i in range(self.length) if i not in self._allocated])
        self._allocated.add(index)
        return index

    def set(self, index: int, revoked: bool = True) -> None:
        """Set (``True``) or clear a credential's bit. A revocation cannot be undone."""
        byte, mask = divmod(self._checked(index), 8)
        bit = 0x80 >> mask
        if not revoked and self._bits[byte] & bit and self.purpose is StatusPurpose.REVOCATION:
            raise ValueError(f"index {index} is revoked; revocation is not reversible")
        self._bits[byte] = self._bits[byte] | bit if revoked else self._bits[byte] & ~bit

    def get(self, index: int) -> bool:
        """Whether a credential's bit is set."""
        byte, mask = divmod(self._checked(index), 8)
        return bool(self._bits[byte] & (0x80 >> mask))

    def encode(self) -> str:
        """The list's ``encodedList``."""
        return encode_list(self.bits)

    def entry(self, index: int) -> dict[str, str]:
        """The ``credentialStatus`` of the credential at ``index`` (a BitstringStatusListEntry)."""
        return {
            "id": f"{self.url}#{self._checked(index)}",
            "type": ENTRY_TYPE,
            "statusPurpose": self.purpose.value,
            "statusListIndex": str(index),
            "statusListCredential": self.url,
        }

    def credential(
        self,
        issuer: str,
        *,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        ttl: timedelta | None = None,
    ) -> dict[str, Any]:
        """The unsigned BitstringStatusListCredential, ready for a Data Integrity proof."""
        credential: dict[str, Any] = {
            "@context": [VC_CONTEXT],
            "id": self.url,
            "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
            "issuer": issuer,
            "validFrom": _xsd(valid_from or datetime.now(UTC)),
        }
        if valid_until is not None:
            credential["validUntil"] = _xsd(valid_until)
        subject: dict[str, Any] = {
            "id": f"{self.url}#list",
            "type": LIST_TYPE,
            "statusPurpose": self.purpose.value,
            "encodedList": self.encode(),
        }
        if ttl is not None:
            subject["ttl"] = int(ttl.total_seconds() * 1000)  # milliseconds (section 2.2)
        credential["credentialSubject"] = subject
        return credential

    def _checked(self, index: int) -> int:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.length:
            raise IndexError(f"index {index!r} is outside 0..{self.length - 1}")
        return index


def check(
    entry: Mapping[str, Any],
    status_list_credential: Mapping[str, Any],
    *,
    minimum_entries: int = MIN_ENTRIES,
    now: datetime | None = None,
) -> bool:
    """Whether the entry's bit is set (revoked, suspended...): the validate algorithm, 3.2.

    ``status_list_credential`` is the list credential the entry points to, its proof already
    verified (a failed proof is a STATUS_VERIFICATION_ERROR for the caller to report).
    Raises :class:`StatusListError`.
    """
    if now is not None and now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    purpose, index, list_url = _read_entry(entry)
    subject = _read_list_credential(status_list_credential, list_url, now or datetime.now(UTC))
    purposes = subject.get("statusPurpose")
    purposes = [purposes] if isinstance(purposes, str) else purposes
    if not isinstance(purposes, list) or purpose not in purposes:
        _fail(ProcessingError.STATUS_VERIFICATION_ERROR, f"the list is not for {purpose!r}")
    bitstring = decode_list(subject.get("encodedList", ""))
    if len(bitstring) * 8 < minimum_entries:
        _fail(ProcessingError.STATUS_LIST_LENGTH_ERROR, f"{len(bitstring) * 8} entries")
    if index >= len(bitstring) * 8:
        _fail(ProcessingError.RANGE_ERROR, f"index {index} of {len(bitstring) * 8}")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def _read_entry(entry: Mapping[str, Any]) -> tuple[str, int, str]:
    malformed = ProcessingError.MALFORMED_VALUE_ERROR
    if not isinstance(entry, Mapping) or entry.get("type") != ENTRY_TYPE:
        _fail(malformed, f"credentialStatus is not a {ENTRY_TYPE}")
    purpose, index, url = (
        entry.get(k) for k in ("statusPurpose", "statusListIndex", "statusListCredential")
    )
    if not isinstance(purpose, str) or not isinstance(url, str):
        _fail(malformed, "statusPurpose and statusListCredential are strings")
    if not isinstance(index, str) or not _INDEX.fullmatch(index):
        _fail(malformed, "statusListIndex is a base-10 integer in a string")
    if len(index.lstrip("0")) > 12:  # noqa: PLR2004 - past any list, and past int()'s limits
        _fail(ProcessingError.RANGE_ERROR, f"index {index[:20]}... is past any list")
    size = entry.get("statusSize", 1)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        _fail(malformed, "statusSize is an integer above zero")
    if size != 1:
        _fail(ProcessingError.STATUS_VERIFICATION_ERROR, "cruce reads 1-bit statuses only")
    return purpose, int(index), url


def _read_list_credential(
    credential: Mapping[str, Any], list_url: str, now: datetime
) -> Mapping[str, Any]:
    failed = ProcessingError.STATUS_VERIFICATION_ERROR
    types = credential.get("type") if isinstance(credential, Mapping) else None
    if not isinstance(types, list) or LIST_CREDENTIAL_TYPE not in types:
        _fail(failed, f"not a {LIST_CREDENTIAL_TYPE}")
    if credential.get("id", list_url) != list_url:
        _fail(failed, f"the list is {credential.get('id')!r}, the entry names {list_url!r}")
    if "validFrom" in credential and now < _parse_xsd(credential["validFrom"]):
        _fail(failed, f"the list is valid from {credential['validFrom']}")
    if "validUntil" in credential and now > _parse_xsd(credential["validUntil"]):
        _fail(failed, f"the list was valid until {credential['validUntil']}")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") != LIST_TYPE:
        _fail(failed, f"credentialSubject is not a {LIST_TYPE}")
    return subject


@dataclass(frozen=True, slots=True)
class Supersession:
    """A credential replaced by another: the old one revoked, the new one naming it."""

    superseded: str
    replacement: str
    status_entry: dict[str, Any]

    def claim(self) -> dict[str, str]:
        """What the replacement carries to name the credential it supersedes."""
        return {SUPERSEDES: self.superseded}


def supersede(
    replaced: Mapping[str, Any], replacement: Mapping[str, Any], status_list: StatusList
) -> Supersession:
    """Revoke ``replaced`` in ``status_list`` because ``replacement`` takes its place.

    ``replaced`` must hold a revocation entry in this list; ``replacement`` must not reuse
    that slot, and if it already names what it supersedes, the name must be ``replaced``'s.
    """
    old_id, new_id = replaced.get("id"), replacement.get("id")
    if not isinstance(old_id, str) or not isinstance(new_id, str) or old_id == new_id:
        raise ValueError("both credentials need an id, and the ids must differ")
    if status_list.purpose is not StatusPurpose.REVOCATION:
        raise ValueError("supersession revokes: give the revocation list")
    if replacement.get(SUPERSEDES, old_id) != old_id:
        raise ValueError(f"the replacement supersedes {replacement.get(SUPERSEDES)!r}")
    own = [e for e in _entries(replaced) if _in_list(e, status_list)]
    if not own:
        raise ValueError(f"{old_id} has no revocation entry in {status_list.url}")
    index = int(own[0]["statusListIndex"])
    if any(
        int(e["statusListIndex"]) == index
        for e in _entries(replacement)
        if _in_list(e, status_list)
    ):
        raise ValueError("the replacement reuses the status index of the credential it replaces")
    if status_list.get(index):
        raise ValueError(f"{old_id} is already revoked")
    status_list.set(index, revoked=True)
    return Supersession(old_id, new_id, dict(own[0]))


def _entries(credential: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    status = credential.get("credentialStatus", [])
    return [e for e in (status if isinstance(status, list) else [status]) if isinstance(e, Mapping)]


def _in_list(entry: Mapping[str, Any], status_list: StatusList) -> bool:
    return (
        entry.get("type") == ENTRY_TYPE
        and entry.get("statusListCredential") == status_list.url
        and entry.get("statusPurpose") == status_list.purpose.value
        and isinstance(entry.get("statusListIndex"), str)
        and bool(_INDEX.fullmatch(entry["statusListIndex"]))
    )


def _xsd(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("datetimes must carry a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_xsd(value: object) -> datetime:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        _fail(ProcessingError.MALFORMED_VALUE_ERROR, f"{value!r} is not an XSD dateTimeStamp")
    return moment


def _fail(error: ProcessingError, detail: str) -> NoReturn:
    raise StatusListError(error, detail)
