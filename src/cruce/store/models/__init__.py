"""The tables of cruce, one module per aggregate, all on one :class:`Base` metadata."""

from cruce.store.models.accounts import (
    DataKey,
    Membership,
    MembershipRole,
    Organisation,
    User,
    UserLocale,
)
from cruce.store.models.audit import AuditEvent
from cruce.store.models.auth import ApiToken, UserSession
from cruce.store.models.base import Base, utcnow
from cruce.store.models.documents import Document
from cruce.store.models.idempotency import IdempotencyKey
from cruce.store.models.shipments import (
    Invitation,
    PartyRole,
    Shipment,
    ShipmentParty,
    ShipmentVersion,
)
from cruce.store.models.transparency import AuditAnchor, LogCheckpoint, LogHash, LogLeaf

__all__ = [
    "ApiToken",
    "AuditAnchor",
    "AuditEvent",
    "Base",
    "DataKey",
    "Document",
    "IdempotencyKey",
    "Invitation",
    "LogCheckpoint",
    "LogHash",
    "LogLeaf",
    "Membership",
    "MembershipRole",
    "Organisation",
    "PartyRole",
    "Shipment",
    "ShipmentParty",
    "ShipmentVersion",
    "User",
    "UserLocale",
    "UserSession",
    "utcnow",
]
