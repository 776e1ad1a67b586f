"""XML Schema validation of the XML cruce writes, with the official schemas shipped in the package.

Schemas are compiled once per process (:func:`schema` is cached): the UBL 2.1 Invoice schema
takes about a second to compile and is then reused by every validation. Nothing is fetched:
parsers refuse the network, never expand entities, and a :class:`LocalSchemas` resolver maps
remote ``schemaLocation`` URLs (``http://www.sat.gob.mx/sitio_internet/cfd/...``) to the copies
shipped under ``cruce/artifacts/schemas`` given by the caller.

:func:`problems` turns each schema error into a blocker that names the line, the element (its
XPath) and libxml2's message.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Final, cast

from lxml import etree  # type: ignore[import-untyped,unused-ignore]  # no stubs

from cruce.i18n import _
from cruce.model.problems import blocker

if TYPE_CHECKING:
    from cruce.model import Problem

SCHEMAS: Final = Path(__file__).parent / "schemas"
"""Where the official schemas the artifacts validate against are shipped."""

Locations = tuple[tuple[str, Path], ...]
"""Remote URL prefix -> local folder, e.g. ``(("http://www.sat.gob.mx/sitio_internet/cfd/",
SCHEMAS / "sat"),)``. A tuple so that :func:`schema` can cache on it."""


class LocalSchemas(etree.Resolver):  # type: ignore[misc,unused-ignore]  # lxml is untyped
    """Resolves a remote schema URL to the shipped copy; anything else is left unresolved.

    An unresolved remote URL then fails: the parsers run with ``no_network=True``.
    """

    def __init__(self, locations: Locations) -> None:
        super().__init__()
        self._locations = tuple((prefix, folder.resolve()) for prefix, folder in locations)

    def resolve(
        self, system_url: str | None, public_id: str | None, context: object
    ) -> object | None:
        """The shipped file for ``system_url`` when one of the prefixes maps it, else None."""
        del public_id  # schemas are found by location only
        if system_url is None:
            return None
        for prefix, folder in self._locations:
            if system_url.startswith(prefix):
                target = (folder / system_url.removeprefix(prefix)).resolve()
                if folder in target.parents and target.is_file():
                    return cast("object", self.resolve_filename(str(target), context))
        return None


def _schema_parser(locations: Locations) -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    parser.resolvers.add(LocalSchemas(locations))
    return parser


@cache
def schema(path: Path, locations: Locations = ()) -> etree.XMLSchema:
    """The XML Schema at ``path`` (a shipped file), compiled once per process.

    ``locations`` maps the remote URLs its imports name to local folders.
    """
    document = etree.parse(str(path), _schema_parser(locations))
    return etree.XMLSchema(document)


def _document_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def problems(data: bytes, xml_schema: etree.XMLSchema, code_prefix: str) -> list[Problem]:
    """The blockers ``data`` raises against ``xml_schema``; empty when it is valid.

    Codes: ``{code_prefix}.xml.malformed`` when the bytes are not well-formed XML,
    ``{code_prefix}.xml.doctype`` when they declare a DOCTYPE (entities are never expanded, so
    nothing could be checked reliably), ``{code_prefix}.xsd.unchecked`` when libxml2 cannot
    finish, and ``{code_prefix}.xsd.invalid`` for each schema error, whose path is the
    element's XPath.
    """
    try:
        document = etree.fromstring(data, _document_parser())
    except etree.XMLSyntaxError as error:
        line = error.lineno or 0
        message = _(
            "The file is not well-formed XML (line {line}): {detail}",
            line=line,
            detail=str(error.msg),
        )
        return [blocker(f"{code_prefix}.xml.malformed", "", message)]
    if document.getroottree().docinfo.internalDTD is not None:
        message = _("The XML declares a DOCTYPE; the documents cruce checks never carry one")
        return [blocker(f"{code_prefix}.xml.doctype", "", message)]
    try:
        if xml_schema.validate(document):
            return []
    except etree.XMLSchemaValidateError as error:
        message = _("The XML could not be checked against its schema: {detail}", detail=str(error))
        return [blocker(f"{code_prefix}.xsd.unchecked", "", message)]
    return [
        blocker(
            f"{code_prefix}.xsd.invalid",
            entry.path or "",
            _(
                "Line {line} does not follow the XML Schema: {detail}",
                line=entry.line,
                detail=entry.message,
            ),
        )
        for entry in xml_schema.error_log
    ]
