"""The shipment record: pydantic models, code lists, money, parties. No I/O."""

from cruce.model.certification import (
    BlanketPeriod,
    CertifierRole,
    ProducerDisclosure,
    Signatory,
    UsmcaCertification,
)
from cruce.model.codes import ChargeKind, Incoterm, TransportMode
from cruce.model.customs import CustomsReferences
from cruce.model.goods import (
    GoodsLine,
    LocalizedText,
    Material,
    Originating,
    OriginCriterion,
    UsmcaClaim,
)
from cruce.model.money import Conversion, CurrencyMismatchError, FxRate, Money
from cruce.model.party import Address, BankAccount, Contact, Parties, Party, TaxId, TaxScheme
from cruce.model.problems import Problem, Severity
from cruce.model.shipment import Shipment
from cruce.model.terms import Charge, CommercialTerms
from cruce.model.transport import Driver, Insurance, Permit, Port, Transport, Vehicle

__all__ = [
    "Address",
    "BankAccount",
    "BlanketPeriod",
    "CertifierRole",
    "Charge",
    "ChargeKind",
    "CommercialTerms",
    "Contact",
    "Conversion",
    "CurrencyMismatchError",
    "CustomsReferences",
    "Driver",
    "FxRate",
    "GoodsLine",
    "Incoterm",
    "Insurance",
    "LocalizedText",
    "Material",
    "Money",
    "OriginCriterion",
    "Originating",
    "Parties",
    "Party",
    "Permit",
    "Port",
    "Problem",
    "ProducerDisclosure",
    "Severity",
    "Shipment",
    "Signatory",
    "TaxId",
    "TaxScheme",
    "Transport",
    "TransportMode",
    "UsmcaCertification",
    "UsmcaClaim",
    "Vehicle",
]
