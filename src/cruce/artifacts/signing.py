"""Signing a pack: every file a verifiable credential of the issuing organisation.

The documents the traceability vocabulary has a type for (``CREDENTIAL_TYPES`` in
:mod:`cruce.artifacts.credentials`) get a credential body from the record and the rendered
bytes; every other file of the pack (the record, the filings' data) gets a credential that
names the file and its digest, in cruce's own vocabulary (:data:`VOCABULARY`). The trust
layer signs, gives a status, logs and seals them (:func:`cruce.trust.issuance.issue`). The
issuer is the organisation whose keys sign: the party of the shipment with its name when
there is one (for its address and telephone), else the name alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC
from typing import TYPE_CHECKING, Any

from cruce.artifacts.checklist import Pack, PackedArtifact
from cruce.artifacts.credentials import Issuer, credential_body, file_id, related_resource
from cruce.trust import sd_jwt
from cruce.trust.data_integrity import JCS
from cruce.trust.issuance import Document, Issued, Published, issue

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from cruce.model import Party, Shipment
    from cruce.trust.organisation import Organisation


VOCABULARY = "https://cruce.dev/vocab#"
"""Where the terms of cruce's own credentials (a file's shipment, document, name) live."""
SELECTIVE = frozenset({"commercial_invoice"})
"""Documents also issued as SD-JWT: the invoice, shown to a carrier without its prices."""
PRICE_CLAIMS = frozenset(
    {
        "productPrice",
        "lineItemTotalPrice",
        "invoiceSubtotal",
        "totalPaymentDue",
        "freightCost",
        "insuranceCost",
        "tax",
        "discounts",
        "deductions",
        "comments",  # charges and totals in a second currency are written there
    }
)
"""The invoice credential's claims that carry prices (traceability vocabulary)."""


@dataclass(frozen=True, slots=True)
class SignedPack:
    """A pack whose documents are signed: the artifacts, their credentials, what to publish."""

    pack: Pack
    credentials: dict[str, Issued]
    published: Published

    def manifest(self, generated_at: str) -> dict[str, Any]:
        """The pack's manifest with each signed document's credential id and log entry."""
        manifest = self.pack.manifest(generated_at)
        for entry in manifest["artifacts"]:
            issued = self.credentials.get(entry["key"])
            if issued is not None:
                entry["credential"] = {
                    "id": issued.credential["id"],
                    "file": credential_filename(entry["file"]),
                    "sha256": issued.digest.hex(),
                    "log_index": issued.receipt.index,
                }
        manifest["issuer"] = self.published.did_document["id"]
        return manifest


def without_prices(token: str) -> str:
    """A presentation of an issued invoice SD-JWT with every price claim withheld."""
    issued = sd_jwt.SdJwt.parse(token)
    hidden = [
        path
        for path in issued.paths().values()
        if any(isinstance(step, str) and step in PRICE_CLAIMS for step in path)
    ]
    return sd_jwt.present(issued, withhold=hidden)


def credential_filename(filename: str) -> str:
    """``X-invoice.pdf`` -> ``X-invoice.pdf.credential.json`` (a file's own name kept whole)."""
    return f"{filename}.credential.json"


def _party(shipment: Shipment, name: str) -> Party | None:
    parties = shipment.parties
    candidates = [parties.seller, parties.buyer, *parties.producers]
    return next((p for p in candidates if p is not None and p.name == name), None)


def file_credential(
    packed: PackedArtifact,
    shipment: Shipment,
    *,
    issuer: Issuer,
    credential_id: str,
    now: datetime,
) -> dict[str, Any]:
    """A credential for a file the traceability vocabulary has no type for (a filing's data).

    It says who issued which file of which shipment, and the file's digest: the file is then
    signed and logged like the documents, and ``cruce verify`` checks the credential.
    """
    title = packed.status.artifact.title.both()
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", {"@vocab": VOCABULARY}],
        "id": credential_id,
        "type": ["VerifiableCredential"],
        "name": [{"@value": title[lang], "@language": lang} for lang in ("en", "es")],
        "issuer": {"id": issuer.did, "name": issuer.name},
        "validFrom": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": file_id(packed.rendered.data),
            "shipment": shipment.reference,
            "document": packed.status.artifact.key,
            "fileName": packed.rendered.filename,
            "mediaType": packed.rendered.media_type,
        },
        "relatedResource": [related_resource(packed.rendered)],
    }


def sign_pack(
    pack: Pack,
    organisation: Organisation,
    passphrase: str,
    *,
    now: datetime,
    suite: str = JCS,
    replaces: Sequence[Mapping[str, Any]] = (),
) -> SignedPack:
    """Sign every document of ``pack`` that is a credential, as ``organisation``.

    ``replaces``: credentials of earlier issues these documents correct; they are revoked.
    """
    shipment = pack.checklist.shipment
    name = organisation.profile.legal_name
    party = _party(shipment, name)
    issuer = (
        Issuer.from_party(organisation.did, party)
        if party is not None
        else Issuer(organisation.did, name)
    )
    bodies: list[tuple[int, dict[str, Any]]] = []
    for position, packed in enumerate(pack.artifacts):
        credential_id = f"urn:uuid:{uuid.uuid4()}"
        body = credential_body(
            packed.status.artifact.key,
            shipment,
            packed.rendered,
            issuer=issuer,
            credential_id=credential_id,
            valid_from=now,
        )
        if body is None:
            body = file_credential(
                packed, shipment, issuer=issuer, credential_id=credential_id, now=now
            )
        bodies.append((position, body))
    documents = [
        Document(
            body,
            pack.artifacts[i].rendered.data,
            pack.artifacts[i].rendered.media_type,
            selective=pack.artifacts[i].status.artifact.key in SELECTIVE,
        )
        for i, body in bodies
    ]
    issued, published = issue(
        organisation, passphrase, documents, now=now, suite=suite, replaces=replaces
    )
    artifacts: list[PackedArtifact] = list(pack.artifacts)
    credentials: dict[str, Issued] = {}
    for (position, _body), done in zip(bodies, issued, strict=True):
        packed = artifacts[position]
        artifacts[position] = replace(packed, rendered=replace(packed.rendered, data=done.data))
        credentials[packed.status.artifact.key] = done
    return SignedPack(Pack(pack.checklist, artifacts), credentials, published)
