"""The store's exceptions: what a caller (the API) maps to a response."""

from __future__ import annotations

import uuid  # noqa: TC003 - stored on the exceptions


class StoreError(Exception):
    """Base of the store's exceptions."""


class NotFoundError(StoreError):
    """No such row (or not visible to the one who asked)."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key} not found")
        self.kind = kind
        self.key = key


class VersionConflictError(StoreError):
    """The shipment changed since the version the caller started from."""

    def __init__(self, shipment_id: uuid.UUID, expected: int, current: int) -> None:
        super().__init__(
            f"shipment {shipment_id} is at version {current}, not {expected} as expected"
        )
        self.shipment_id = shipment_id
        self.expected = expected
        self.current = current


class DuplicateReferenceError(StoreError):
    """The organisation already has a shipment with this reference."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"a shipment with reference {reference!r} already exists")
        self.reference = reference


class DuplicateError(StoreError):
    """A unique value (an e-mail address, a token prefix, a key version) is taken."""


class InvitationUnavailableError(StoreError):
    """The invitation does not exist, was already accepted or has expired."""


class IntegrityCheckError(StoreError):
    """Stored bytes do not match their recorded SHA-256."""
