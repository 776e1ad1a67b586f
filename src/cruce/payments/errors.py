"""What makes a payment impossible to prepare: the field at fault and why, in both languages."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cruce.i18n import Message


class PaymentError(ValueError):
    """A bank account or a payment that cannot be used; ``field`` names it, ``message`` says why."""

    def __init__(self, field: str, message: Message) -> None:
        super().__init__(f"{field}: {message.render('en')}")
        self.field = field
        self.message = message
