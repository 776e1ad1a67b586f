"""Issuing documents: sign each as a credential, give it a status, log it, seal its PDF.

For a batch of documents (a pack) the organisation:

1. gives each credential a revocation status entry in its Bitstring Status List;
2. signs it with its active key (Data Integrity, ``eddsa-jcs-2022``);
3. appends the SHA-256 of each signed credential (its RFC 8785 form) to its transparency
   log in one durable batch, and receives a receipt per credential: the leaf index, the
   inclusion proof and the signed checkpoint;
4. seals each PDF: a verification page with a QR code and the credential and receipt
   embedded, the rendered bytes untouched (:mod:`cruce.trust.pdf_seal`);
5. for a document marked selective, also issues the credential as an SD-JWT (RFC 9901)
   whose claims are each disclosable, so its holder can show it without some of them.

It also hands back what a verifier needs offline: the DID document, the signed status list
credential, the latest checkpoint and the log's verifier key. Only digests enter the log.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from cruce.trust import sd_jwt
from cruce.trust.checkpoint import Ed25519Signer, SignedCheckpoint, vkey
from cruce.trust.data_integrity import JCS, sign
from cruce.trust.jsonld import jcs
from cruce.trust.log import Receipt, TransparencyLog
from cruce.trust.pdf_seal import seal

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from cruce.trust.organisation import Organisation

PDF: Final = "application/pdf"


@dataclass(frozen=True, slots=True)
class Document:
    """A document to issue: its unsigned credential body and its rendered bytes."""

    body: Mapping[str, Any]
    data: bytes
    media_type: str
    selective: bool = False
    """Also issue it as an SD-JWT, so a holder can show it without some claims."""


@dataclass(frozen=True, slots=True)
class Issued:
    """One issued document: the signed credential, its log receipt, the sealed file."""

    credential: dict[str, Any]
    receipt: Receipt
    data: bytes
    sd_jwt: str | None = None
    """The same credential as an SD-JWT (RFC 9901), every claim disclosable but its frame."""

    @property
    def credential_bytes(self) -> bytes:
        """The credential as written to files: RFC 8785 canonical JSON."""
        return jcs(self.credential)

    @property
    def digest(self) -> bytes:
        """The SHA-256 the log holds for this credential."""
        return hashlib.sha256(self.credential_bytes).digest()


@dataclass(frozen=True, slots=True)
class Published:
    """What a verifier needs besides the document, as of this batch."""

    did_document: dict[str, Any]
    status_list: dict[str, Any]
    checkpoint: str
    log_key: str


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def receipt_json(receipt: Receipt) -> bytes:
    """A receipt as JSON: leaf index, logged digest, inclusion proof, checkpoint note."""
    return json.dumps(
        {
            "index": receipt.index,
            "entry": _b64(receipt.entry),
            "proof": [_b64(step) for step in receipt.proof],
            "checkpoint": receipt.checkpoint.note,
        },
        indent=2,
    ).encode()


def link(base: str, credential: Mapping[str, Any], digest: bytes) -> str:
    """The verification link printed as a QR code: the credential's id and digest."""
    encoded = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return f"{base.rstrip('/')}/c/{quote(str(credential['id']), safe='')}#sha256={encoded}"


def _lines(organisation: Organisation, credential: Mapping[str, Any], index: int) -> list[str]:
    profile = organisation.profile
    who = f"{profile.legal_name} ({profile.scheme.value} {profile.tax_id})"
    return [
        f"Issued by / Emitido por: {who}",
        f"Issuer / Emisor: {organisation.did}",
        f"Credential / Credencial: {credential['id']}",
        f"Logged / Registrado: {organisation.log_origin}, entry / entrada {index}",
        "Scan the code, or run: cruce verify FILE",
        "Escanee el código, o ejecute: cruce verify ARCHIVO",
    ]


def issue(
    organisation: Organisation,
    passphrase: str,
    documents: Sequence[Document],
    *,
    now: datetime,
    suite: str = JCS,
    replaces: Sequence[Mapping[str, Any]] = (),
) -> tuple[list[Issued], Published]:
    """Sign, give a status to, log and seal ``documents`` for ``organisation``.

    ``suite`` is the Data Integrity cryptosuite (``eddsa-jcs-2022`` by default, or
    ``eddsa-rdfc-2022``). The credentials in ``replaces`` (earlier issues of corrected
    documents) are revoked in the same status list the new ones are published with.
    """
    key = organisation.signing_key(passphrase)
    log_key = organisation.log_key(passphrase)
    status = organisation.status_list()
    for old in replaces:
        entry = old.get("credentialStatus")
        if not isinstance(entry, dict) or entry.get("statusListCredential") != status.url:
            raise ValueError("the credential has no status in this organisation's list")
        status.set(int(str(entry["statusListIndex"])))
    method = organisation.method()
    signed = []
    for document in documents:
        body = dict(document.body)
        body["credentialStatus"] = status.entry(status.allocate())
        signed.append(sign(body, key, method, suite, created=now))
    signer = Ed25519Signer(organisation.log_origin, log_key.private_key)
    with TransparencyLog(organisation.log_path, organisation.log_origin, signer) as log:
        receipts = log.append_batch(hashlib.sha256(jcs(c)).digest() for c in signed)
        checkpoint: SignedCheckpoint = log.checkpoint()
    organisation.save_status_list(status)
    issued = []
    base = organisation.profile.verify_base
    for document, credential, receipt in zip(documents, signed, receipts, strict=True):
        data = document.data
        if document.media_type == PDF:
            data = seal(
                document.data,
                jcs(credential),
                link=link(base, credential, receipt.entry),
                lines=_lines(organisation, credential, receipt.index),
                receipt=receipt_json(receipt),
            )
        selective = None
        if document.selective:
            unsigned = {name: value for name, value in credential.items() if name != "proof"}
            selective = sd_jwt.issue(unsigned, key.private_key, kid=method).serialize()
        issued.append(Issued(credential, receipt, data, selective))
    status_credential = sign(
        status.credential(organisation.did, valid_from=now), key, method, created=now
    )
    published = Published(
        organisation.did_document(),
        status_credential,
        checkpoint.note,
        vkey(organisation.log_origin, log_key.private_key.public_key()),
    )
    return issued, published


def revoke(
    organisation: Organisation,
    passphrase: str,
    credential: Mapping[str, Any],
    *,
    now: datetime,
) -> dict[str, Any]:
    """Revoke an issued credential; the status list credential to publish in its place.

    A corrected document supersedes the one it replaces this way: the old credential's bit
    is set, and verifiers that read the new list see it revoked.
    """
    key = organisation.signing_key(passphrase)  # only the holder of the keys may revoke
    entry = credential.get("credentialStatus")
    status = organisation.status_list()
    if not isinstance(entry, dict) or entry.get("statusListCredential") != status.url:
        raise ValueError("the credential has no status in this organisation's list")
    status.set(int(str(entry["statusListIndex"])))
    organisation.save_status_list(status)
    body = status.credential(organisation.did, valid_from=now)
    return sign(body, key, organisation.method(), created=now)


__all__ = [
    "Document",
    "Issued",
    "Published",
    "issue",
    "link",
    "receipt_json",
    "revoke",
]
