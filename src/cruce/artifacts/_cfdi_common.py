"""What every CFDI cruce prepares shares: the issuer's CSD, the PAC port, SAT's codes, the parser.

Used by ``cfdi`` (the export invoice with Comercio Exterior) and ``carta_porte`` (the
carrier's CFDI with the Complemento Carta Porte). Each document has its own issuer (the
seller, the carrier) and finds its own CSD; the checks of a CSD are the same for both:

- it opens (certificate, key and password match: satcfdi's ``Signer``);
- it is valid on the comprobante's date (satcfdi seals with an expired CSD without
  complaint, SAT's PAC then refuses the document);
- its holder (the certificate subject's x500UniqueIdentifier) is the issuer's RFC.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

import pycountry
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree  # type: ignore[import-untyped,unused-ignore]  # no stubs

from cruce.artifacts import _xsd
from cruce.i18n import _
from cruce.model.party import TaxScheme
from cruce.model.problems import blocker
from cruce.reference import fracciones

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from cruce.i18n import Message
    from cruce.model import GoodsLine, Party, Problem
    from cruce.model.party import Address

CFDI_NS: Final = "http://www.sat.gob.mx/cfd/4"
SAT_PREFIX: Final = "http://www.sat.gob.mx/sitio_internet/cfd/"
SAT_SCHEMAS: Final = _xsd.SCHEMAS / "sat" / "www.sat.gob.mx" / "sitio_internet" / "cfd"
"""The shipped copies of SAT's XSDs, in SAT's URL layout (``schemas/sat/README.md``)."""

ENV_CER: Final = "CRUCE_CSD_CER"
ENV_KEY: Final = "CRUCE_CSD_KEY"
ENV_PASSWORD: Final = "CRUCE_CSD_PASSWORD"  # noqa: S105 - the variable's name, not a secret

FOREIGN_RFC: Final = "XEXX010101000"
"""SAT's generic RFC of a foreign resident (Anexo 20, Guía de llenado del CFDI 4.0)."""
RFC_MORAL_LENGTH: Final = 12
_UNIQUE_IDENTIFIER: Final = x509.ObjectIdentifier("2.5.4.45")
_REGIMEN_SOCIETARIO = re.compile(
    r",?\s+(S\.?\s?A\.?\s?P\.?\s?I\.?|S\.?\s?A\.?\s?B\.?|S\.?\s?A\.?|S\.?\s?C\.?|"
    r"S\.?\s?de\s?R\.?\s?L\.?|A\.?\s?C\.?)(\s+de\s+C\.?\s?V\.?)?\.?$",
    re.IGNORECASE,
)


# ---------------------------------------------------------------- the issuer's CSD


@dataclass(frozen=True, slots=True)
class Csd:
    """The issuer's Certificado de Sello Digital: DER certificate, DER PKCS#8 key, password."""

    certificate: bytes = field(repr=False)
    key: bytes = field(repr=False)
    password: bytes = field(repr=False)

    @classmethod
    def from_files(cls, certificate: Path, key: Path, password: str | bytes) -> Csd:
        """Read the ``.cer`` and ``.key`` files; OSError when one cannot be read."""
        secret = password.encode() if isinstance(password, str) else password
        return cls(certificate.read_bytes(), key.read_bytes(), secret.strip())


class CsdUnreadableError(Exception):
    """The configured CSD files cannot be read."""


def csd_from_variables(
    cer_name: str,
    key_name: str,
    password_name: str,
    environ: Mapping[str, str] | None = None,
) -> Csd | None:
    """The CSD three environment variables name; None when they name none.

    Raises CsdUnreadableError when the variables are set but a file cannot be read.
    """
    env = os.environ if environ is None else environ
    cer, key, password = env.get(cer_name), env.get(key_name), env.get(password_name)
    if not cer or not key or password is None:
        return None
    try:
        return Csd.from_files(Path(cer), Path(key), password)
    except OSError as error:
        raise CsdUnreadableError(str(error)) from error


def csd_from_environment(environ: Mapping[str, str] | None = None) -> Csd | None:
    """The CSD the environment names (``CRUCE_CSD_*``); None when it names none.

    Raises CsdUnreadableError when the variables are set but a file cannot be read.
    """
    return csd_from_variables(ENV_CER, ENV_KEY, ENV_PASSWORD, environ)


def certificate_number(certificate: x509.Certificate) -> str:
    """SAT's 20-digit certificate number: the serial number's bytes read as ASCII digits."""
    return f"{certificate.serial_number:x}"[1::2]


def certificate_rfc(certificate: x509.Certificate) -> str | None:
    """The holder's RFC: the subject's x500UniqueIdentifier, before any ``/ representative``."""
    found = certificate.subject.get_attributes_for_oid(_UNIQUE_IDENTIFIER)
    if not found:
        return None
    value = found[0].value
    text = value.decode() if isinstance(value, bytes) else value
    return text.split("/")[0].strip() or None


def csd_rfc(csd: Csd) -> str | None:
    """The RFC of the CSD's holder; None when the certificate cannot be read."""
    try:
        return certificate_rfc(x509.load_der_x509_certificate(csd.certificate))
    except ValueError:
        return None


def signer(csd: Csd) -> Any:  # noqa: ANN401 - satcfdi is untyped
    """The satcfdi ``Signer`` of the CSD; raises when it cannot be opened."""
    from satcfdi.models import Signer  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415

    return Signer.load(certificate=csd.certificate, key=csd.key, password=csd.password)


@dataclass(frozen=True, slots=True)
class CsdMessages:
    """The wording of a document's CSD problems: which issuer, which date."""

    missing: Message
    expired: Callable[[str, str, str, str], Message]
    """(number, valid from, valid to, the comprobante's date) -> message."""
    mismatch: Callable[[str, str, str], Message]
    """(number, holder's RFC, issuer's RFC) -> message."""


def csd_problems(
    key: str,
    source: Callable[[], Csd | None],
    moment: datetime | None,
    rfc: str | None,
    messages: CsdMessages,
) -> list[Problem]:
    """Blockers for a CSD that cannot be read or opened, is expired or is another RFC's.

    Codes: ``{key}.csd.unreadable``, ``missing``, ``invalid``, ``expired``, ``rfc_mismatch``.
    """
    path = "csd"
    try:
        csd = source()
    except CsdUnreadableError as error:
        return [
            blocker(
                f"{key}.csd.unreadable",
                path,
                _("The CSD files cannot be read: {reason}", reason=str(error)[:200]),
            )
        ]
    if csd is None:
        return [blocker(f"{key}.csd.missing", path, messages.missing)]
    try:
        signer(csd)
    except Exception as error:  # noqa: BLE001 - satcfdi and cryptography raise many kinds
        return [
            blocker(
                f"{key}.csd.invalid",
                path,
                _(
                    "The CSD cannot be opened (wrong password, or key and certificate do "
                    "not match): {reason}",
                    reason=str(error)[:200],
                ),
            )
        ]
    found: list[Problem] = []
    certificate = x509.load_der_x509_certificate(csd.certificate)
    number = certificate_number(certificate)
    if moment is not None:
        when = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
        if not certificate.not_valid_before_utc <= when <= certificate.not_valid_after_utc:
            message = messages.expired(
                number,
                certificate.not_valid_before_utc.date().isoformat(),
                certificate.not_valid_after_utc.date().isoformat(),
                moment.date().isoformat(),
            )
            found.append(blocker(f"{key}.csd.expired", path, message))
    holder = certificate_rfc(certificate)
    if rfc is not None and holder != rfc:
        message = messages.mismatch(number, holder or "?", rfc)
        found.append(blocker(f"{key}.csd.rfc_mismatch", path, message))
    return found


# ---------------------------------------------------------------- the PAC port


class Stamper(Protocol):
    """A PAC: takes the sealed CFDI and returns it stamped (with the TimbreFiscalDigital)."""

    def stamp(self, sealed: bytes) -> bytes:
        """The stamped XML; the PAC's error as an exception."""
        ...


class SatcfdiStamper:
    """:class:`Stamper` through one of satcfdi's PAC clients (``satcfdi.pacs.*``).

    ``pac`` is such a client, built with the PAC account's credentials and environment
    (``satcfdi.pacs.finkok.Finkok(...)``, ``satcfdi.pacs.swsapien.SWSapien(...)``...).
    """

    def __init__(self, pac: Any) -> None:  # noqa: ANN401 - satcfdi is untyped
        self._pac = pac

    def stamp(self, sealed: bytes) -> bytes:
        """Send ``sealed`` to the PAC (online) and return the stamped XML."""
        from satcfdi.cfdi import CFDI  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415

        document = self._pac.stamp(CFDI.from_string(sealed))
        return bytes(document.xml)


# ---------------------------------------------------------------- codes


def pais(country: str) -> str:
    """ISO alpha-2 -> SAT c_Pais (ISO alpha-3): ``US`` -> ``USA``."""
    found = pycountry.countries.get(alpha_2=country)
    return country if found is None else str(found.alpha_3)


def estado(address: Address) -> str | None:
    """ISO 3166-2 ``MX-JAL`` -> SAT c_Estado ``JAL``; ``US-AZ`` -> ``AZ``."""
    if address.subdivision is None:
        return None
    return address.subdivision.split("-", 1)[1]


def code_or_none(value: str | None, digits: int) -> str | None:
    """A catalog code (c_Colonia, c_Municipio, c_Localidad) when the record gives one."""
    if value is not None and value.isdigit() and len(value) == digits:
        return value
    return None


def emisor_name(name: str) -> str:
    """The legal name without the régimen societario, as CFDI 4.0 wants it."""
    return _REGIMEN_SOCIETARIO.sub("", name).strip().rstrip(",")


def rfc_of(party: Party | None) -> str | None:
    """The party's Mexican RFC, if it has one."""
    tax_id = None if party is None else party.tax_id(TaxScheme.MX_RFC)
    return None if tax_id is None else tax_id.value


def num_reg_id_trib(party: Party) -> str | None:
    """A foreign party's tax number (NumRegIdTrib): its 'foreign' identifier, else its EIN."""
    foreign = party.tax_id(TaxScheme.FOREIGN)
    if foreign is not None:
        return foreign.value
    ein = party.tax_id(TaxScheme.US_EIN)
    return None if ein is None else ein.value.replace("-", "")


def fraccion(line: GoodsLine) -> str | None:
    """The 10-digit fracción + NICO of c_FraccionArancelaria, when the line has a known one."""
    if line.fraccion is None or line.nico is None:
        return None
    item = fracciones.nico(line.fraccion, line.nico)
    return None if item is None else item.code


def mx_domicilio(address: Address) -> dict[str, Any]:
    """A Mexican address as SAT's Domicilio nodes take it: only catalog codes for the parts."""
    return {
        "calle": address.street,
        "numero_exterior": address.exterior_number,
        "numero_interior": address.interior_number,
        "colonia": code_or_none(address.neighborhood, 4),
        "localidad": code_or_none(address.locality, 2),
        "municipio": code_or_none(address.municipality, 3),
        "estado": estado(address),
        "pais": pais(address.country),
        "codigo_postal": address.postal_code,
    }


def foreign_domicilio(address: Address) -> dict[str, Any]:
    """A foreign address as SAT's Domicilio nodes take it: free text for the parts."""
    return {
        "calle": address.street,
        "numero_exterior": address.exterior_number,
        "numero_interior": address.interior_number,
        "colonia": address.neighborhood,
        "localidad": address.locality,
        "municipio": address.municipality,
        "estado": estado(address),
        "pais": pais(address.country),
        "codigo_postal": address.postal_code,
    }


def domicilio(address: Address) -> dict[str, Any]:
    """:func:`mx_domicilio` for an address in Mexico, else :func:`foreign_domicilio`."""
    return mx_domicilio(address) if address.country == "MX" else foreign_domicilio(address)


# ---------------------------------------------------------------- XML and seals


def parser() -> etree.XMLParser:
    """No network, no entity expansion, no DTD: the input is never trusted."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def sat_schema(root: Path, imports: tuple[tuple[str, str], ...]) -> etree.XMLSchema:
    """One schema importing each (namespace, path under ``root``) of SAT's layout.

    Remote schemaLocations resolve to ``root``, never to the network. Callers cache it.
    """
    body = "".join(
        f'<xs:import namespace="{namespace}" schemaLocation="{SAT_PREFIX}{path}"/>'
        for namespace, path in imports
    )
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{body}</xs:schema>'
    xml_parser = parser()
    xml_parser.resolvers.add(_xsd.LocalSchemas(((SAT_PREFIX, root),)))
    document = etree.fromstring(
        wrapper.encode(), xml_parser, base_url=str(root.resolve() / "cruce.xsd")
    )
    return etree.XMLSchema(document)


def verifies(certificate: x509.Certificate, data: bytes, seal: bytes) -> bool:
    """RSA PKCS#1 v1.5 with SHA-256, as Anexo 20 seals the cadena original."""
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(seal, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def seal_problems(data: bytes, key: str) -> list[Problem]:
    """The Sello checked against the Certificado over the cadena original (SAT's XSLT)."""
    from satcfdi.cfdi import CFDI  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415

    document = CFDI.from_xml(etree.fromstring(data, parser()))
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(document["Certificado"]))
        seal = base64.b64decode(document["Sello"])
    except (KeyError, ValueError, TypeError):
        msg = _("The CFDI carries no readable certificate or seal")
        return [blocker(f"{key}.sello.missing", "Comprobante", msg)]
    found: list[Problem] = []
    if certificate_number(certificate) != document.get("NoCertificado"):
        msg = _("NoCertificado is not the number of the certificate the CFDI carries")
        found.append(blocker(f"{key}.sello.no_certificado", "Comprobante/@NoCertificado", msg))
    if not verifies(certificate, document.cadena_original().encode(), seal):
        msg = _("The seal (Sello) does not verify against the CFDI's certificate")
        found.append(blocker(f"{key}.sello.invalid", "Comprobante/@Sello", msg))
    return found


def in_catalog(table: str, code: str) -> bool:
    """Whether ``code`` is a key of SAT's catalog ``table`` (satcfdi's copy, e.g. C756_c_...)."""
    from satcfdi import catalogs  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415

    return catalogs.select(table, code) is not None


def sealed_xml(document: Any, csd: Csd) -> bytes:  # noqa: ANN401 - a satcfdi comprobante
    """The comprobante sealed with ``csd`` (not stamped: only a PAC stamps)."""
    document.sign(signer(csd))
    return bytes(document.xml_bytes())


def sealed_problems(
    data: bytes,
    xml_schema: etree.XMLSchema,
    key: str,
    consistency: Callable[[bytes], list[Problem]],
) -> list[Problem]:
    """A sealed CFDI checked: SAT's XSDs first, then the seal and ``consistency``'s sums."""
    found = _xsd.problems(data, xml_schema, key)
    if found:
        return found
    return [*seal_problems(data, key), *consistency(data)]
