"""The service's issuers: each organisation's signing identity, held for it by the service.

On the command line an organisation keeps its own folder of keys (:mod:`cruce.trust.organisation`)
and types its passphrase. In the service the same folder is made for an organisation on
its first pack, under ``<data_dir>/issuers/<organisation id>/``, and its passphrase is a
random secret generated once. The secret is written to the folder only encrypted, with
the store's envelope cipher under the organisation's data key (itself wrapped by the KEK):
a copy of the folder without the database and the KEK opens nothing, and rotating the KEK
rewraps the data key, not the secret. The secret is never logged.

The organisation is known as ``did:web:<service host>:orgs:<id>`` (a port written
``%3A``), so its DID document resolves at ``https://<host>/orgs/<id>/did.json``, which the
service publishes (:mod:`cruce.api.routes.trust`), with its status list at
``/orgs/<id>/status/1``. Each issuer keeps its own transparency log; appends to it are
serialised by a lock per organisation (threads of one process).

:class:`Issuers` is also the service's evidence (:class:`~cruce.api.deps.EvidenceSource`):
every issuer's DID document, latest status list and log key, so that public verification
checks what this service issued without the verifier bringing anything.
"""

from __future__ import annotations

import json
import secrets
import shutil
import threading
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from cruce.api.problems import ApiError
from cruce.artifacts.signing import SignedPack, sign_pack
from cruce.i18n import _
from cruce.store.ports import aad
from cruce.trust.checkpoint import Ed25519Signer
from cruce.trust.did import LegalIdentity, TaxScheme, did_web
from cruce.trust.keys import ScryptCost
from cruce.trust.log import TransparencyLog
from cruce.trust.organisation import PROFILE, Organisation, Profile

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from datetime import datetime
    from pathlib import Path

    from cruce.api.deps import Services
    from cruce.api.platform import Unit
    from cruce.artifacts.checklist import Pack
    from cruce.config import Settings

FOLDER: Final = "issuers"
SECRET_FILE: Final = "passphrase.enc"  # noqa: S105 - a file name; the secret is encrypted
STATUS_FILE: Final = "status-list.json"
VKEY_FILE: Final = "log.vkey"
SECRET_TABLE: Final = "issuer_passphrase"  # noqa: S105 - the AAD label, not a secret
SECRET_COST: Final = ScryptCost(n=2**10)
"""scrypt stretches a guessable passphrase; the issuer's is 256 random bits, which need no
stretching, so the cheapest cost the key files accept keeps signing and proofs fast."""

_GUARD = threading.Lock()
_LOCKS: dict[Path, threading.Lock] = {}


def _lock(folder: Path) -> threading.Lock:
    """The lock of one issuer's folder, shared by every thread of the process."""
    with _GUARD:
        return _LOCKS.setdefault(folder.resolve(), threading.Lock())


@dataclass(frozen=True, slots=True)
class Address:
    """Where an issuer lives on the service: its DID, its public base URL, its log's name."""

    did: str
    base_url: str
    log_origin: str

    @classmethod
    def of(cls, public_url: str, organisation_id: uuid.UUID) -> Address:
        """The address of ``organisation_id`` on the service reached at ``public_url``."""
        parts = urlsplit(public_url)
        host = parts.hostname
        if not host:
            raise ValueError(f"the public URL {public_url!r} has no host")
        segments = [segment for segment in parts.path.split("/") if segment]
        path = "".join(f"/{segment}" for segment in segments) + f"/orgs/{organisation_id}"
        authority = host + (f":{parts.port}" if parts.port is not None else "")
        return cls(
            did=did_web(host, *segments, "orgs", str(organisation_id), port=parts.port),
            base_url=f"{parts.scheme or 'https'}://{authority}{path}",
            log_origin=f"{authority}{path}/log",
        )


class Issuer(Organisation):
    """An organisation folder whose DID, status list and log are named by the service."""

    def __init__(self, opened: Organisation, organisation_id: uuid.UUID, address: Address) -> None:
        super().__init__(opened.folder, opened.profile, opened.ring)
        self.organisation_id = organisation_id
        self.address = address

    @property
    def did(self) -> str:
        """``did:web:<service host>:orgs:<id>``."""
        return self.address.did

    @property
    def log_origin(self) -> str:
        """``<service host>/orgs/<id>/log``."""
        return self.address.log_origin

    @property
    def status_url(self) -> str:
        """``https://<service host>/orgs/<id>/status/1``, where the service publishes it."""
        return f"{self.address.base_url}/status/1"

    def passphrase(self, unit: Unit) -> str:
        """The issuer's secret, decrypted with the organisation's data key."""
        blob = (self.folder / SECRET_FILE).read_bytes()
        return unit.cipher.decrypt(
            self.organisation_id, blob, _secret_aad(self.organisation_id)
        ).decode()

    def status_list_credential(self) -> dict[str, Any] | None:
        """The status list credential last published (None before the first pack)."""
        path = self.folder / STATUS_FILE
        if not path.is_file():
            return None
        found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return found

    def vkey(self) -> str | None:
        """The verifier key of the issuer's log (None before the first pack)."""
        path = self.folder / VKEY_FILE
        return path.read_text(encoding="ascii").strip() if path.is_file() else None

    def open_log(self, passphrase: str) -> TransparencyLog:
        """The issuer's transparency log, opened with its key (close it after use)."""
        signer = Ed25519Signer(self.log_origin, self.log_key(passphrase).private_key)
        return TransparencyLog(self.log_path, self.log_origin, signer)

    @property
    def lock(self) -> threading.Lock:
        """Held while the issuer's log or status list changes, or its log is read."""
        return _lock(self.folder)


def _secret_aad(organisation_id: uuid.UUID) -> bytes:
    return aad(SECRET_TABLE, organisation_id)


def _write(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def legal_identity(tax_scheme: str, tax_id: str) -> tuple[str, TaxScheme] | None:
    """The tax identifier as a DID document states it, or None for a scheme that cannot sign.

    The store keeps what the organisation typed (``862741953``); a DID document writes an
    EIN as the IRS does (``86-2741953``) and an RFC in capitals.
    """
    text = tax_id.strip().upper().replace(" ", "")
    if tax_scheme == "us_ein":
        digits = text.replace("-", "")
        return f"{digits[:2]}-{digits[2:]}", TaxScheme.EIN
    if tax_scheme == "mx_rfc":
        return text.replace("-", ""), TaxScheme.RFC
    return None


def _cannot_sign() -> ApiError:
    return ApiError(
        422,
        "issuer.tax_id_unsupported",
        _("Signing needs your organisation's US EIN or Mexican RFC, valid as registered"),
    )


class Issuers:
    """Every issuer the service holds, in one folder; also the service's public evidence."""

    def __init__(self, root: Path, public_url: str, *, cost: ScryptCost = SECRET_COST) -> None:
        self.root = root
        self.public_url = public_url
        self.cost = cost

    @classmethod
    def from_settings(cls, settings: Settings) -> Issuers:
        """The issuers under ``<data_dir>/issuers``, named on the service's public URL."""
        return cls(settings.data_dir / FOLDER, settings.public_url)

    def folder(self, organisation_id: uuid.UUID) -> Path:
        """The folder of the organisation's issuer."""
        return self.root / str(organisation_id)

    def get(self, organisation_id: uuid.UUID) -> Issuer | None:
        """The organisation's issuer, or None when it has not packed yet."""
        folder = self.folder(organisation_id)
        if not (folder / PROFILE).is_file():
            return None
        address = Address.of(self.public_url, organisation_id)
        return Issuer(Organisation.open(folder), organisation_id, address)

    def ensure(self, unit: Unit, organisation_id: uuid.UUID) -> Issuer:
        """The organisation's issuer, made now when it has none (ApiError 422 if it cannot sign).

        Made in a scratch folder and moved into place whole, so a crash leaves no half-made
        issuer. Run it in a unit that commits before anything else may fail: the secret is
        encrypted with the organisation's data key as stored in that unit.
        """
        folder = self.folder(organisation_id)
        self.root.mkdir(parents=True, exist_ok=True)
        with _lock(folder):
            found = self.get(organisation_id)
            if found is not None:
                return found
            info = unit.organisations.get(organisation_id)
            identity = legal_identity(info.tax_scheme, info.tax_id)
            if identity is None:
                raise _cannot_sign()
            try:
                LegalIdentity(info.name, *identity)
            except ValueError:
                raise _cannot_sign() from None
            address = Address.of(self.public_url, organisation_id)
            host = address.base_url.split("://", 1)[1].split("/", 1)[0]
            profile = Profile(info.name, *identity, host, verify_base=address.base_url)
            secret = secrets.token_urlsafe(32)
            scratch = self.root / f".{organisation_id}.{secrets.token_hex(4)}"
            try:
                scratch.mkdir()
                blob = unit.cipher.encrypt(
                    organisation_id, secret.encode(), _secret_aad(organisation_id)
                )
                _write(scratch / SECRET_FILE, blob)
                Organisation.create(scratch, profile, secret, cost=self.cost)
                scratch.rename(folder)
            finally:
                if scratch.exists():
                    shutil.rmtree(scratch)
            del secret
            return Issuer(Organisation.open(folder), organisation_id, address)

    def sign(self, unit: Unit, issuer: Issuer, pack: Pack, *, now: datetime) -> SignedPack:
        """Sign ``pack`` as ``issuer``, and keep what its verifiers need for publication."""
        passphrase = issuer.passphrase(unit)
        with issuer.lock:
            signed = sign_pack(pack, issuer, passphrase, now=now)
            published = signed.published
            _write(issuer.folder / STATUS_FILE, json.dumps(published.status_list).encode())
            _write(issuer.folder / VKEY_FILE, (published.log_key + "\n").encode("ascii"))
        return signed

    def all(self) -> Iterator[Issuer]:
        """Every issuer, in the order of their organisations' ids."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            try:
                organisation_id = uuid.UUID(folder.name)
            except ValueError:
                continue  # a scratch folder being made
            found = self.get(organisation_id)
            if found is not None:
                yield found

    def items(self) -> Iterable[tuple[str, bytes]]:
        """Each issuer's DID document, status list and log key, named as a trust folder does."""
        found: list[tuple[str, bytes]] = []
        for issuer in self.all():
            name = str(issuer.organisation_id)
            found.append((f"{name}.did.json", json.dumps(issuer.did_document()).encode()))
            status = issuer.status_list_credential()
            if status is not None:
                found.append((f"{name}.status-list.json", json.dumps(status).encode()))
            vkey = issuer.vkey()
            if vkey is not None:
                found.append((f"{name}.vkey", vkey.encode("ascii")))
        return found


def issuers_of(services: Services) -> Issuers:
    """The service's issuers: its evidence source when that is them, else from its settings."""
    if isinstance(services.evidence, Issuers):
        return services.evidence
    return Issuers.from_settings(services.settings)
