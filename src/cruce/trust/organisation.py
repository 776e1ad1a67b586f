"""An issuing organisation on disk: who it is, its keys, its status list and its log.

One folder per organisation::

    organisation.json   name, tax identifier, did:web host, verification link base
    ring/               the Ed25519 key ring (private keys encrypted with the passphrase)
    status.json         the revocation status list: its bits and the indices handed out
    log/log.sqlite      the transparency log of the digests of what it issued
    log/key.json        the log's checkpoint key, encrypted like the ring's keys

The organisation is known as ``did:web:<host>`` (its DID document lists every key of the
ring, retired ones included, and its legal name and tax identifier). The status list and the
DID document are published under that host by the platform (a later issue); a pack carries
copies so that a document can be verified offline.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from cruce.i18n import Message, _
from cruce.trust.did import LegalIdentity, TaxScheme, did_web, did_web_document
from cruce.trust.keys import KeyPair, KeyRing, KeyStoreError, ScryptCost, open_key, seal_key
from cruce.trust.status_list import StatusList

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

PROFILE: Final = "organisation.json"
STATUS: Final = "status.json"
LOG_FOLDER: Final = "log"
DEFAULT_VERIFY_BASE: Final = "https://verify.cruce.dev"


class OrganisationError(Exception):
    """The organisation folder is missing, incomplete or not cruce's; ``message`` says why."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(str(message))


@dataclass(frozen=True, slots=True)
class Profile:
    """Who the organisation is and where its public files live."""

    legal_name: str
    tax_id: str
    scheme: TaxScheme
    host: str
    verify_base: str = DEFAULT_VERIFY_BASE

    @property
    def identity(self) -> LegalIdentity:
        """The legal name and tax identifier its DID document states."""
        return LegalIdentity(self.legal_name, self.tax_id, self.scheme)

    @property
    def did(self) -> str:
        """``did:web:<host>``."""
        return did_web(self.host)

    def as_dict(self) -> dict[str, str]:
        """The profile as stored."""
        return {
            "legal_name": self.legal_name,
            "tax_id": self.tax_id,
            "scheme": self.scheme.value,
            "host": self.host,
            "verify_base": self.verify_base,
        }


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a crash leaves the old file or the new one)."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


class Organisation:
    """An organisation's folder: profile, key ring, status list, transparency log."""

    def __init__(self, folder: Path, profile: Profile, ring: KeyRing) -> None:
        self.folder = folder
        self.profile = profile
        self.ring = ring

    @classmethod
    def create(
        cls,
        folder: Path,
        profile: Profile,
        passphrase: str,
        *,
        now: datetime | None = None,
        cost: ScryptCost | None = None,
    ) -> Organisation:
        """A new organisation: its profile, a key ring and a log key, all under ``folder``."""
        profile.identity  # noqa: B018 - validates the tax identifier before anything is written
        if (folder / PROFILE).exists():
            raise OrganisationError(
                _("An organisation already exists in {folder}.", folder=str(folder))
            )
        folder.mkdir(parents=True, exist_ok=True)
        ring = KeyRing.create(folder / "ring", passphrase, now=now, cost=cost)
        (folder / LOG_FOLDER).mkdir(exist_ok=True)
        _write(folder / LOG_FOLDER / "key.json", seal_key(KeyPair.generate(), passphrase, cost))
        _write(folder / PROFILE, json.dumps(profile.as_dict(), indent=2).encode())
        return cls(folder, profile, ring)

    @classmethod
    def open(cls, folder: Path) -> Organisation:
        """The organisation stored in ``folder``."""
        try:
            data = json.loads((folder / PROFILE).read_text(encoding="utf-8"))
            profile = Profile(
                str(data["legal_name"]),
                str(data["tax_id"]),
                TaxScheme(data["scheme"]),
                str(data["host"]),
                str(data.get("verify_base", DEFAULT_VERIFY_BASE)),
            )
        except FileNotFoundError:
            raise OrganisationError(
                _(
                    "There is no organisation in {folder}: create one with cruce org init.",
                    folder=str(folder),
                )
            ) from None
        except (ValueError, KeyError, TypeError):
            raise OrganisationError(
                _("{file} is not a cruce organisation profile.", file=str(folder / PROFILE))
            ) from None
        try:
            ring = KeyRing.open(folder / "ring")
        except KeyStoreError as error:
            raise OrganisationError(error.message) from None
        return cls(folder, profile, ring)

    @property
    def did(self) -> str:
        """The organisation's DID."""
        return self.profile.did

    def method(self) -> str:
        """The verification method of the active key."""
        return f"{self.did}#{self.ring.active.key_id}"

    def did_document(self) -> dict[str, Any]:
        """The DID document to publish at the did:web address (every key, and who it is)."""
        return did_web_document(self.did, self.ring.keys, self.profile.identity)

    def signing_key(self, passphrase: str) -> KeyPair:
        """The active private key (KeyStoreError for a wrong passphrase)."""
        return self.ring.signing_key(passphrase)

    def log_key(self, passphrase: str) -> KeyPair:
        """The key that signs the transparency log's checkpoints."""
        return open_key((self.folder / LOG_FOLDER / "key.json").read_bytes(), passphrase)

    @property
    def log_path(self) -> Path:
        """The transparency log's database."""
        return self.folder / LOG_FOLDER / "log.sqlite"

    @property
    def log_origin(self) -> str:
        """The log's origin line: the host and a path, as C2SP checkpoints name a log."""
        return f"{self.profile.host}/log"

    @property
    def status_url(self) -> str:
        """Where the status list credential is published."""
        return f"https://{self.profile.host}/status/1"

    def status_list(self) -> StatusList:
        """The revocation status list as stored (an empty one the first time)."""
        path = self.folder / STATUS
        if not path.exists():
            return StatusList(self.status_url)
        data = json.loads(path.read_text(encoding="utf-8"))
        bits = zlib.decompress(base64.b64decode(data["bits"]))
        return StatusList(self.status_url, bits=bits, allocated=data["allocated"])

    def save_status_list(self, status: StatusList) -> None:
        """Store the status list (atomically)."""
        data = {
            "url": status.url,
            "bits": base64.b64encode(zlib.compress(status.bits)).decode(),
            "allocated": sorted(status.allocated),
        }
        _write(self.folder / STATUS, json.dumps(data).encode())
