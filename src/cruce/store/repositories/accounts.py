"""Organisations, users and memberships."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cruce.store.errors import DuplicateError, NotFoundError
from cruce.store.models import (
    Membership,
    MembershipRole,
    Organisation,
    User,
    UserLocale,
    utcnow,
)
from cruce.store.ports import aad

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from sqlalchemy.orm import Session

    from cruce.store.ports import Cipher


@dataclass(frozen=True, slots=True)
class OrganisationInfo:
    """An organisation with its tax identifier decrypted."""

    id: uuid.UUID
    name: str
    tax_scheme: str
    tax_id: str
    did_host: str | None
    created_at: datetime
    address: dict[str, Any] | None = None
    """Its registered address (the fields of :class:`cruce.model.Address`), if given."""


class OrganisationStore(Protocol):
    """Organisations."""

    def create(
        self, name: str, tax_scheme: str, tax_id: str, did_host: str | None = None
    ) -> uuid.UUID:
        """A new organisation's id."""
        ...

    def get(self, organisation_id: uuid.UUID) -> OrganisationInfo:
        """The organisation, its tax identifier decrypted."""
        ...

    def set_address(self, organisation_id: uuid.UUID, address: dict[str, Any] | None) -> None:
        """Replace its registered address (None removes it)."""
        ...


class OrganisationRepository:
    """:class:`OrganisationStore` on SQLAlchemy; the tax identifier encrypted under its key."""

    def __init__(
        self, session: Session, cipher: Cipher, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.session = session
        self.cipher = cipher
        self.clock = clock

    def create(
        self, name: str, tax_scheme: str, tax_id: str, did_host: str | None = None
    ) -> uuid.UUID:
        """A new organisation's id.

        The row is written before its tax identifier is encrypted: the organisation's first
        data key refers to the organisation, so the organisation must exist first.
        """
        organisation_id = uuid.uuid4()
        row = Organisation(
            id=organisation_id,
            name=name,
            tax_scheme=tax_scheme,
            tax_id_enc=b"",
            did_host=did_host,
            created_at=self.clock(),
        )
        self.session.add(row)
        self.session.flush()
        row.tax_id_enc = self.cipher.encrypt(
            organisation_id, tax_id.encode(), aad("organisations", organisation_id)
        )
        self.session.flush()
        return organisation_id

    def get(self, organisation_id: uuid.UUID) -> OrganisationInfo:
        """The organisation, its tax identifier decrypted; :class:`NotFoundError` when absent."""
        row = self.session.get(Organisation, organisation_id)
        if row is None:
            raise NotFoundError("organisation", organisation_id)
        tax_id = self.cipher.decrypt(
            organisation_id, row.tax_id_enc, aad("organisations", organisation_id)
        )
        return OrganisationInfo(
            id=row.id,
            name=row.name,
            tax_scheme=row.tax_scheme,
            tax_id=tax_id.decode(),
            did_host=row.did_host,
            created_at=row.created_at,
            address=row.address,
        )

    def set_address(self, organisation_id: uuid.UUID, address: dict[str, Any] | None) -> None:
        """Replace its registered address; :class:`NotFoundError` when there is none such."""
        row = self.session.get(Organisation, organisation_id)
        if row is None:
            raise NotFoundError("organisation", organisation_id)
        row.address = address
        self.session.flush()


def normalise_email(email: str) -> str:
    """The form an address is stored and looked up in."""
    return email.strip().lower()


class UserStore(Protocol):
    """People who sign in."""

    def create(
        self, email: str, name: str, password_hash: str, locale: UserLocale = UserLocale.EN
    ) -> User:
        """A new user; :class:`DuplicateError` when the address is taken."""
        ...

    def get(self, user_id: uuid.UUID) -> User | None:
        """The user, or None."""
        ...

    def find_by_email(self, email: str) -> User | None:
        """The user with this address (any case), or None."""
        ...

    def disable(self, user_id: uuid.UUID) -> None:
        """Refuse the user's sign-ins from now on."""
        ...


class UserRepository:
    """:class:`UserStore` on SQLAlchemy."""

    def __init__(self, session: Session, clock: Callable[[], datetime] = utcnow) -> None:
        self.session = session
        self.clock = clock

    def create(
        self, email: str, name: str, password_hash: str, locale: UserLocale = UserLocale.EN
    ) -> User:
        """A new user; :class:`DuplicateError` when the address is taken."""
        user = User(
            id=uuid.uuid4(),
            email=normalise_email(email),
            name=name,
            password_hash=password_hash,
            locale=locale,
            created_at=self.clock(),
            disabled_at=None,
        )
        try:
            with self.session.begin_nested():
                self.session.add(user)
                self.session.flush()
        except IntegrityError as error:
            raise DuplicateError(f"e-mail address {user.email} is taken") from error
        return user

    def get(self, user_id: uuid.UUID) -> User | None:
        """The user, or None."""
        return self.session.get(User, user_id)

    def find_by_email(self, email: str) -> User | None:
        """The user with this address (any case), or None."""
        return self.session.scalars(
            select(User).where(User.email == normalise_email(email))
        ).one_or_none()

    def disable(self, user_id: uuid.UUID) -> None:
        """Refuse the user's sign-ins from now on."""
        user = self.get(user_id)
        if user is None:
            raise NotFoundError("user", user_id)
        if user.disabled_at is None:
            user.disabled_at = self.clock()
            self.session.flush()


class MembershipStore(Protocol):
    """Who belongs to which organisation, in which role."""

    def add(self, user_id: uuid.UUID, organisation_id: uuid.UUID, role: MembershipRole) -> None:
        """Make the user a member (or change the role)."""
        ...

    def role(self, user_id: uuid.UUID, organisation_id: uuid.UUID) -> MembershipRole | None:
        """The user's role in the organisation, or None."""
        ...

    def organisations_of(self, user_id: uuid.UUID) -> list[tuple[uuid.UUID, MembershipRole]]:
        """The user's organisations and roles."""
        ...

    def members(self, organisation_id: uuid.UUID) -> list[tuple[uuid.UUID, MembershipRole]]:
        """The organisation's users and roles."""
        ...

    def remove(self, user_id: uuid.UUID, organisation_id: uuid.UUID) -> bool:
        """End the membership; False when there was none."""
        ...


class MembershipRepository:
    """:class:`MembershipStore` on SQLAlchemy."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, user_id: uuid.UUID, organisation_id: uuid.UUID, role: MembershipRole) -> None:
        """Make the user a member (or change the role)."""
        row = self.session.get(Membership, (user_id, organisation_id))
        if row is None:
            self.session.add(
                Membership(user_id=user_id, organisation_id=organisation_id, role=role)
            )
        else:
            row.role = role
        self.session.flush()

    def role(self, user_id: uuid.UUID, organisation_id: uuid.UUID) -> MembershipRole | None:
        """The user's role in the organisation, or None."""
        row = self.session.get(Membership, (user_id, organisation_id))
        return None if row is None else row.role

    def organisations_of(self, user_id: uuid.UUID) -> list[tuple[uuid.UUID, MembershipRole]]:
        """The user's organisations and roles."""
        rows = self.session.execute(
            select(Membership.organisation_id, Membership.role)
            .where(Membership.user_id == user_id)
            .order_by(Membership.organisation_id)
        )
        return [(org, role) for org, role in rows]

    def members(self, organisation_id: uuid.UUID) -> list[tuple[uuid.UUID, MembershipRole]]:
        """The organisation's users and roles."""
        rows = self.session.execute(
            select(Membership.user_id, Membership.role)
            .where(Membership.organisation_id == organisation_id)
            .order_by(Membership.user_id)
        )
        return [(user, role) for user, role in rows]

    def remove(self, user_id: uuid.UUID, organisation_id: uuid.UUID) -> bool:
        """End the membership; False when there was none."""
        row = self.session.get(Membership, (user_id, organisation_id))
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True
