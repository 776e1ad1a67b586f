"""What the store needs from outside: encryption of the sensitive columns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import uuid


class Cipher(Protocol):
    """Authenticated encryption under an organisation's data key.

    ``aad`` binds the ciphertext to its row: decrypting it with another ``aad`` (a blob
    moved to another row) must fail.
    """

    def encrypt(self, organisation_id: uuid.UUID, plaintext: bytes, aad: bytes) -> bytes:
        """The ciphertext of ``plaintext`` for ``organisation_id``, bound to ``aad``."""
        ...

    def decrypt(self, organisation_id: uuid.UUID, blob: bytes, aad: bytes) -> bytes:
        """The plaintext of ``blob``; raises when it was not made for ``aad``."""
        ...


def aad(table: str, *parts: object) -> bytes:
    """The associated data that binds a ciphertext to one row of one table."""
    return "|".join(["cruce", table, *(str(part) for part in parts)]).encode()
