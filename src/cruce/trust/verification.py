"""Verifying a document cruce issued, offline: a credential, or a PDF that carries one.

:func:`verify_bytes` takes the file and what a verifier holds (DID documents, status list
credentials, log verifier keys; all local, nothing is fetched) and returns a
:class:`~cruce.trust.report.Report` with four separate checks:

- **integrity**: every Data Integrity proof verifies with a key of the issuer's DID
  document, and for a PDF the document as signed is still a revision of the file (the
  credential's ``relatedResource`` digest);
- **status**: the credential's bit in its issuer's status list (whose own proof must verify
  with the same issuer's key) is not set;
- **issuer**: who the issuer is and how that is known (its DID document's legal name and
  tax identifier);
- **log**: the receipt's inclusion proof leads to the root of a checkpoint signed by the
  log's key, and the logged entry is the credential's digest.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cruce.i18n import Message, _
from cruce.trust import sd_jwt
from cruce.trust.checkpoint import Checkpoint, NoteError, SignedCheckpoint, open_checkpoint
from cruce.trust.data_integrity import Check as ProofCheck
from cruce.trust.data_integrity import verify
from cruce.trust.did import ResolutionError
from cruce.trust.jose import VerificationError, decode_compact
from cruce.trust.jsonld import jcs
from cruce.trust.log import Receipt
from cruce.trust.merkle import ProofError
from cruce.trust.pdf_seal import SealError, unseal
from cruce.trust.report import Check, CheckName, Outcome, Report
from cruce.trust.status_list import StatusListError, check

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from cruce.trust.checkpoint import NoteVerifier
    from cruce.trust.did import DidResolver


MAX_DEPTH = 64
"""Verifiable credentials nest a few levels; a document nested deeper is refused unread."""


class UnreadableError(ValueError):
    """The file holds no credential cruce can read; ``message`` says why."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(str(message))


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the verifier holds besides the file: status lists and log keys, by their names."""

    resolver: DidResolver
    status_lists: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    log_keys: Sequence[NoteVerifier] = ()
    receipt: bytes | None = None


@dataclass(frozen=True, slots=True)
class _Read:
    credential: dict[str, Any]
    pdf_revisions: tuple[bytes, ...] | None
    receipt: bytes | None


def _read(data: bytes) -> _Read:
    if data.startswith(b"%PDF"):
        try:
            sealed = unseal(data)
        except SealError:
            raise UnreadableError(_("The file is not a PDF cruce can read.")) from None
        if sealed.credential is None:
            raise UnreadableError(
                _("The PDF carries no signed credential: it was not issued signed.")
            )
        data, revisions, receipt = sealed.credential, sealed.revisions, sealed.receipt
    else:
        revisions, receipt = None, None
    try:
        credential = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise UnreadableError(
            _("The file is neither a signed PDF nor a credential in JSON.")
        ) from None
    if not isinstance(credential, dict):
        raise UnreadableError(_("The file is neither a signed PDF nor a credential in JSON."))
    if _too_deep(credential):
        raise UnreadableError(
            _(
                "The credential nests more than {limit} levels deep: no credential does",
                limit=MAX_DEPTH,
            )
        )
    types = credential.get("type")
    if "VerifiableCredential" not in (types if isinstance(types, list) else [types]):
        # W3C VC Data Model 2.0, section 4.5: a credential's type includes VerifiableCredential
        raise UnreadableError(
            _("The JSON file is not a verifiable credential: its type is not VerifiableCredential")
        )
    return _Read(credential, revisions, receipt)


def _too_deep(value: object, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON ``value`` nests deeper than ``limit`` (checked without recursion)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


def _related_digest(credential: Mapping[str, Any]) -> tuple[str, bytes] | None:
    """The (algorithm, digest) the credential states for the file it describes."""
    resources = credential.get("relatedResource")
    for entry in resources if isinstance(resources, list) else []:
        sri = entry.get("digestSRI") if isinstance(entry, dict) else None
        if isinstance(sri, str) and "-" in sri:
            algorithm, _sep, encoded = sri.partition("-")
            try:
                return algorithm, base64.b64decode(encoded, validate=True)
            except binascii.Error:
                return algorithm, b""
    return None


def _integrity(
    read: _Read, evidence: Evidence, now: datetime | None
) -> tuple[Check, Message | None]:
    issuer = read.credential.get("issuer")
    did = issuer.get("id") if isinstance(issuer, dict) else issuer
    try:
        evidence.resolver.resolve(str(did))
    except ResolutionError as error:
        detail = _(
            "The issuer's DID document is needed to check the signature: {reason}",
            reason=error.message,
        )
        return Check(CheckName.INTEGRITY, Outcome.NOT_CHECKED, detail), None
    result = verify(read.credential, evidence.resolver, now=now)
    if not result.verified:
        reason = result.reason or _("The signature does not verify.")
        return Check(CheckName.INTEGRITY, Outcome.FAILED, reason), None
    if read.pdf_revisions is not None:
        stated = _related_digest(read.credential)
        if stated is None or stated[0] not in {"sha256", "sha384", "sha512"}:
            detail = _("The credential does not state the digest of the PDF it vouches for.")
            return Check(CheckName.INTEGRITY, Outcome.FAILED, detail), result.identity
        algorithm, digest = stated
        if not any(hashlib.new(algorithm, r).digest() == digest for r in read.pdf_revisions):
            detail = _(
                "The PDF was changed after it was signed: no revision of it matches the "
                "digest the credential states."
            )
            return Check(CheckName.INTEGRITY, Outcome.FAILED, detail), result.identity
        detail = _(
            "The signature verifies with the issuer's key {method}, and the PDF is the one signed.",
            method=result.verification_method or "",
        )
        return Check(CheckName.INTEGRITY, Outcome.PASSED, detail), result.identity
    detail = _(
        "The signature verifies with the issuer's key {method}.",
        method=result.verification_method or "",
    )
    return Check(CheckName.INTEGRITY, Outcome.PASSED, detail), result.identity


def _issuer(integrity: Check, identity: Message | None, credential: Mapping[str, Any]) -> Check:
    if integrity.outcome is not Outcome.PASSED or identity is None:
        detail = _("Who issued it cannot be established without a verified signature.")
        outcome = Outcome.FAILED if integrity.outcome is Outcome.FAILED else Outcome.NOT_CHECKED
        return Check(CheckName.ISSUER, outcome, detail)
    issuer = credential.get("issuer")
    did = str(issuer.get("id") if isinstance(issuer, dict) else issuer)
    if did.startswith("did:key:"):
        return Check(CheckName.ISSUER, Outcome.NOT_CHECKED, identity)
    return Check(CheckName.ISSUER, Outcome.PASSED, identity)


def _status(credential: Mapping[str, Any], evidence: Evidence, now: datetime | None) -> Check:
    entry = credential.get("credentialStatus")
    if not isinstance(entry, dict):
        return Check(CheckName.STATUS, Outcome.NOT_CHECKED, _("The credential carries no status."))
    url = str(entry.get("statusListCredential", ""))
    status_list = evidence.status_lists.get(url)
    if status_list is None:
        detail = _(
            "The issuer's status list {url} is not at hand: give it to check revocation.", url=url
        )
        return Check(CheckName.STATUS, Outcome.NOT_CHECKED, detail)
    issuer = credential.get("issuer")
    did = issuer.get("id") if isinstance(issuer, dict) else issuer
    listed = verify(status_list, evidence.resolver, check_schema=False, now=now)
    if not listed.verified or listed.issuer != did:
        detail = _("The status list is not signed by the credential's issuer.")
        return Check(CheckName.STATUS, Outcome.FAILED, detail)
    try:
        revoked = check(entry, status_list, now=now)
    except StatusListError as error:
        return Check(CheckName.STATUS, Outcome.FAILED, error.message)
    if revoked:
        return Check(CheckName.STATUS, Outcome.FAILED, _("The issuer has revoked this credential."))
    when = str(status_list.get("validFrom", ""))
    return Check(
        CheckName.STATUS,
        Outcome.PASSED,
        _("Not revoked, per the issuer's status list of {when}.", when=when),
    )


def _receipt(data: bytes) -> Receipt:
    raw = json.loads(data)
    return Receipt(
        int(raw["index"]),
        base64.b64decode(raw["entry"]),
        tuple(base64.b64decode(step) for step in raw["proof"]),
        _checkpoint(str(raw["checkpoint"])),
    )


def _checkpoint(note: str) -> SignedCheckpoint:
    """The checkpoint a receipt carries, read but not yet verified (Receipt.verify does)."""
    body = note.split("\n\n", 1)[0] + "\n"
    return SignedCheckpoint(Checkpoint.from_body(body), note, ())


def _log(credential: Mapping[str, Any], receipt_bytes: bytes | None, evidence: Evidence) -> Check:
    if receipt_bytes is None:
        return Check(
            CheckName.LOG, Outcome.NOT_CHECKED, _("No log receipt came with the document.")
        )
    try:
        receipt = _receipt(receipt_bytes)
    except (ValueError, KeyError, TypeError, binascii.Error, NoteError):
        return Check(CheckName.LOG, Outcome.FAILED, _("The log receipt is malformed."))
    if receipt.entry != hashlib.sha256(jcs(credential)).digest():
        return Check(CheckName.LOG, Outcome.FAILED, _("The log receipt is for another document."))
    if not evidence.log_keys:
        detail = _("The log's public key is not at hand: give it to check the receipt.")
        return Check(CheckName.LOG, Outcome.NOT_CHECKED, detail)
    failure: Message | None = None
    for key in evidence.log_keys:
        try:
            receipt.verify(key)
        except NoteError:
            failure = _("The checkpoint is not signed by the log's key.")
            continue
        except ProofError:
            failure = _("The inclusion proof does not lead to the checkpoint's root.")
            continue
        checkpoint = open_checkpoint(receipt.checkpoint.note, key).checkpoint
        detail = _(
            "Entry {index} of the log {origin}, included in its signed checkpoint of {size} "
            "entries.",
            index=receipt.index,
            origin=checkpoint.origin,
            size=checkpoint.size,
        )
        return Check(CheckName.LOG, Outcome.PASSED, detail)
    return Check(CheckName.LOG, Outcome.FAILED, failure or _("The log receipt does not verify."))


def _is_sd_jwt(data: bytes) -> bool:
    return data.lstrip().startswith(b"eyJ") and b"~" in data


def _issuer_key(evidence: Evidence, kid: str | None) -> Ed25519PublicKey | None:
    if not kid or "#" not in kid:
        return None
    try:
        method = evidence.resolver.resolve(kid.split("#", 1)[0]).method(kid)
    except ResolutionError:
        return None
    return Ed25519PublicKey.from_public_bytes(method.public_key.raw)


def _verify_sd_jwt(text: str, evidence: Evidence, now: datetime | None) -> Report:
    """An SD-JWT (or a presentation of one): integrity, issuer, status; never logged."""
    try:
        header, _claims = decode_compact(text.split("~", 1)[0])
    except (ValueError, VerificationError):
        raise UnreadableError(
            _("The file is neither a signed PDF nor a credential in JSON.")
        ) from None
    kid = header.get("kid") if isinstance(header, dict) else None
    key = _issuer_key(evidence, str(kid) if kid else None)
    if key is None:
        detail = _(
            "The issuer's DID document is needed to check the signature: {reason}", reason=str(kid)
        )
        integrity = Check(CheckName.INTEGRITY, Outcome.NOT_CHECKED, detail)
        issuer = Check(
            CheckName.ISSUER,
            Outcome.NOT_CHECKED,
            _("Who issued it cannot be established without a verified signature."),
        )
        log = Check(
            CheckName.LOG,
            Outcome.NOT_CHECKED,
            _("A selective disclosure is not logged; the full credential is."),
        )
        status = Check(
            CheckName.STATUS, Outcome.NOT_CHECKED, _("The credential carries no status.")
        )
        return Report(str(kid), (integrity, status, issuer, log))
    result = sd_jwt.verify(text, key, now=now)
    claims = result.claims or {}
    if not result.verified:
        integrity = Check(
            CheckName.INTEGRITY,
            Outcome.FAILED,
            result.message or _("The signature does not verify."),
        )
        issuer = Check(
            CheckName.ISSUER,
            Outcome.FAILED,
            _("Who issued it cannot be established without a verified signature."),
        )
    else:
        hidden = len(result.disclosed)
        integrity = Check(
            CheckName.INTEGRITY,
            Outcome.PASSED,
            _(
                "The signature verifies with the issuer's key {method}; {count} claims disclosed.",
                method=str(kid),
                count=hidden,
            ),
        )
        did = str(kid).split("#", 1)[0]
        described = evidence.resolver.resolve(did).describe()
        outcome = Outcome.NOT_CHECKED if did.startswith("did:key:") else Outcome.PASSED
        issuer = Check(CheckName.ISSUER, outcome, described)
    status = (
        _status(claims, evidence, now)
        if result.verified
        else Check(CheckName.STATUS, Outcome.NOT_CHECKED, _("The credential carries no status."))
    )
    log = Check(
        CheckName.LOG,
        Outcome.NOT_CHECKED,
        _("A selective disclosure is not logged; the full credential is."),
    )
    subject = str(claims.get("id", kid))
    types = claims.get("type", [])
    facts = {
        "credential": subject,
        "type": ", ".join(str(t) for t in types if t != "VerifiableCredential")
        if isinstance(types, list)
        else "",
        "valid_from": str(claims.get("validFrom", "")),
    }
    return Report(subject, (integrity, status, issuer, log), facts)


def verify_bytes(data: bytes, evidence: Evidence, *, now: datetime | None = None) -> Report:
    """Verify a signed PDF, a credential file or an SD-JWT; UnreadableError otherwise."""
    if _is_sd_jwt(data):
        try:
            text = data.decode("ascii").strip()
        except UnicodeDecodeError:
            raise UnreadableError(
                _("The file is neither a signed PDF nor a credential in JSON.")
            ) from None
        return _verify_sd_jwt(text, evidence, now)
    read = _read(data)
    integrity, identity = _integrity(read, evidence, now)
    checks = (
        integrity,
        _status(read.credential, evidence, now),
        _issuer(integrity, identity, read.credential),
        _log(read.credential, read.receipt or evidence.receipt, evidence),
    )
    subject = read.credential.get("id")
    types = read.credential.get("type", [])
    facts = {
        "credential": str(subject),
        "type": ", ".join(str(t) for t in types if t != "VerifiableCredential")
        if isinstance(types, list)
        else str(types),
        "valid_from": str(read.credential.get("validFrom", "")),
    }
    return Report(str(subject), checks, facts)


__all__ = ["Evidence", "ProofCheck", "UnreadableError", "verify_bytes"]
