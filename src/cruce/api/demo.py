"""The demo service's data: one organisation, one user, an API token and the three examples.

``cruce serve --demo`` calls :func:`seed` before it serves: the organisation is the seller of
the first bundled example (its name and tax identifier), the user signs in with
:data:`DEMO_EMAIL` and the fixed, documented :data:`DEMO_PASSWORD`, and the bundled
examples become shipments that organisation owns, written through the store's
repositories like the API writes them (encrypted, every write an audit event).

Seeding is idempotent: a second run finds the user, its organisation, its shipments (by
reference) and its token, and adds nothing. The token's text is kept in the demo's data
directory (the store keeps only its digest) so that the same token is printed each time.
A fixed password is acceptable only on a demonstration database: :func:`seed` refuses to run
when the settings say production.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING, Final

from cruce.config import Environment
from cruce.ingest.loader import load_shipment
from cruce.store.models.accounts import MembershipRole
from cruce.store.passwords import (
    TokenKind,
    hash_password,
    new_token,
    parse_token,
    verify_password,
    verify_token,
)

if TYPE_CHECKING:
    from cruce.api.platform import Platform, Unit
    from cruce.config import Settings
    from cruce.model import Shipment

DEMO_EMAIL: Final = "demo@sonoran-precision.example"
DEMO_PASSWORD: Final = "cruce-demo-password"  # noqa: S105 - documented, demo databases only
DEMO_TOKEN_NAME: Final = "demo"  # noqa: S105 - the token's label
TOKEN_FILE: Final = "demo-token.txt"  # noqa: S105 - a file name
"""In the data directory: the demo token's text, to print the same token on every run."""
TOKEN_LIFETIME: Final = timedelta(days=365)


class DemoRefusedError(RuntimeError):
    """The settings are a production service's: no demo account with a known password."""


@dataclass(frozen=True, slots=True)
class DemoShipment:
    """A bundled example as a stored shipment."""

    example: str
    id: uuid.UUID
    reference: str
    created: bool
    """False when an earlier run had stored it already."""


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """What the demo prints: who signs in, with what, and what they find."""

    email: str
    password: str = field(repr=False)
    token: str = field(repr=False)
    user_id: uuid.UUID
    organisation_id: uuid.UUID
    organisation_name: str
    shipments: tuple[DemoShipment, ...]


def examples() -> list[tuple[str, Shipment]]:
    """The bundled examples, by folder name, parsed as ``cruce check`` reads them.

    The goods sheet an example names (03) is read from beside its ``shipment.yaml``.
    """
    root = files("cruce.examples")
    found: list[tuple[str, Shipment]] = []
    for entry in sorted(root.iterdir(), key=lambda item: item.name):
        if not (entry.is_dir() and (entry / "shipment.yaml").is_file()):
            continue
        with as_file(entry) as folder:
            found.append((entry.name, load_shipment(Path(folder) / "shipment.yaml")))
    return found


def seed(platform: Platform, settings: Settings) -> DemoAccount:
    """Create what the demo needs, or find it from an earlier run; nothing is made twice.

    Raises :class:`DemoRefusedError` in production. Each step is its own transaction, so a
    run stopped halfway is completed by the next one.
    """
    if settings.environment is Environment.PRODUCTION:
        msg = "the demo account (a known password) is refused in production"
        raise DemoRefusedError(msg)
    bundled = examples()
    if not bundled:
        msg = "the bundled examples are missing"
        raise DemoRefusedError(msg)
    with platform.unit() as unit:
        user_id, organisation_id, organisation_name = _account(unit, bundled[0][1])
    token_file = settings.data_dir / TOKEN_FILE
    with platform.unit() as unit:
        token = _token(unit, user_id, organisation_id, token_file)
    stored: list[DemoShipment] = []
    for name, record in bundled:
        with platform.unit() as unit:
            stored.append(_shipment(unit, name, record, user_id, organisation_id))
    return DemoAccount(
        email=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        token=token,
        user_id=user_id,
        organisation_id=organisation_id,
        organisation_name=organisation_name,
        shipments=tuple(stored),
    )


def _audit(
    unit: Unit,
    action: str,
    target: tuple[str, str],
    actor: tuple[uuid.UUID, uuid.UUID],
    detail: dict[str, str] | None = None,
) -> None:
    """An audit event with no request behind it (no address, no request id)."""
    unit.audit_events += 1  # the anchoring schedule counts them, as for a request's
    unit.audit.append(
        action,
        target[0],
        target[1],
        actor_user_id=actor[0],
        actor_organisation_id=actor[1],
        ip=None,
        request_id=None,
        detail={"via": "demo", **(detail or {})},
    )


def _account(unit: Unit, first: Shipment) -> tuple[uuid.UUID, uuid.UUID, str]:
    """The demo user and the organisation it owns (the first example's seller)."""
    user = unit.users.find_by_email(DEMO_EMAIL)
    if user is not None:
        if not verify_password(user.password_hash, DEMO_PASSWORD):
            user.password_hash = hash_password(DEMO_PASSWORD)
        if user.disabled_at is not None:
            user.disabled_at = None
        owned = [
            org
            for org, role in unit.memberships.organisations_of(user.id)
            if role is MembershipRole.OWNER
        ]
        if owned:
            organisation = unit.organisations.get(owned[0])
            return user.id, organisation.id, organisation.name
    seller = first.parties.seller
    if seller is None or not seller.tax_ids:
        msg = "the first example names no seller with a tax identifier"
        raise DemoRefusedError(msg)
    tax = seller.tax_ids[0]
    organisation_id = unit.organisations.create(seller.name, tax.scheme.value, tax.value)
    unit.organisations.set_address(
        organisation_id, seller.address.model_dump(mode="json", exclude_none=True)
    )
    if user is None:
        contact = seller.contact.name if seller.contact is not None else None
        person = (contact or seller.name).split(",", 1)[0]  # "Dana Whitfield, Export ..."
        user = unit.users.create(DEMO_EMAIL, person, hash_password(DEMO_PASSWORD))
    unit.memberships.add(user.id, organisation_id, MembershipRole.OWNER)
    _audit(
        unit,
        "account.created",
        ("user", str(user.id)),
        (user.id, organisation_id),
        {"organisation_id": str(organisation_id)},
    )
    return user.id, organisation_id, seller.name


def _token(unit: Unit, user_id: uuid.UUID, organisation_id: uuid.UUID, token_file: Path) -> str:
    """The token kept in ``token_file`` while it is live; otherwise a new one (the old revoked)."""
    now = datetime.now(UTC)
    kept = _read(token_file)
    parsed = None if kept is None else parse_token(kept)
    if kept is not None and parsed is not None and parsed.kind is TokenKind.API:
        row = unit.tokens.find_by_lookup(parsed.lookup)
        if (
            row is not None
            and row.organisation_id == organisation_id
            and verify_token(kept, row.token_hash)
            and row.revoked_at is None
            and (row.expires_at is None or _aware(row.expires_at) > now + timedelta(days=1))
        ):
            return kept
    for row in unit.tokens.for_organisation(organisation_id):
        if row.name == DEMO_TOKEN_NAME and row.revoked_at is None:
            unit.tokens.revoke(row.id)  # a demo token whose text is lost: one live at a time
    issued = new_token(TokenKind.API)
    row = unit.tokens.create(
        organisation_id,
        user_id,
        name=DEMO_TOKEN_NAME,
        lookup=issued.lookup,
        token_hash=issued.digest,
        scopes=["shipments"],
        expires_at=now + TOKEN_LIFETIME,
    )
    _audit(
        unit,
        "token.created",
        ("api_token", str(row.id)),
        (user_id, organisation_id),
        {"name": DEMO_TOKEN_NAME},
    )
    _write(token_file, issued.token)
    return issued.token


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive times; the store writes them in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _write(path: Path, token: str) -> None:
    """The token's text, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp")
    scratch.touch(mode=0o600)
    scratch.chmod(0o600)
    scratch.write_text(token + "\n", encoding="utf-8")
    scratch.replace(path)


def _shipment(
    unit: Unit, name: str, record: Shipment, user_id: uuid.UUID, organisation_id: uuid.UUID
) -> DemoShipment:
    """The example as the organisation's shipment: found by its reference, or created."""
    page = unit.shipments.list(organisation_id, reference_prefix=record.reference, limit=200)
    for item in page.items:
        if item.reference == record.reference and item.owner_organisation_id == organisation_id:
            return DemoShipment(name, item.id, item.reference, created=False)
    shipment_id, _version = unit.shipments.create(organisation_id, record, user_id)
    _audit(
        unit,
        "shipment.created",
        ("shipment", str(shipment_id)),
        (user_id, organisation_id),
        {"example": name},
    )
    return DemoShipment(name, shipment_id, record.reference, created=True)
