"""A signed credential carried inside the PDF it vouches for, and a QR code to check it.

Sealing appends to the PDF an incremental update (ISO 32000-1, 7.5.6): a verification
page with a QR code (segno) that links to the public verification page, and the credential
as an embedded file. An incremental update leaves the original bytes untouched at the start
of the file, so the credential can name the SHA-256 of the document as rendered, and a
verifier finds that revision again: it ends at one of the file's ``%%EOF`` markers.

Nothing here knows what the document is: the caller gives the bytes, the credential and
the lines to print beside the QR code.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import segno
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

if TYPE_CHECKING:
    from collections.abc import Sequence

CREDENTIAL_FILE: Final = "credential.json"
RECEIPT_FILE: Final = "receipt.json"
_EOF = re.compile(rb"%%EOF(\r\n|\r|\n)?")
_QR_MM: Final = 45.0


class SealError(ValueError):
    """The bytes are not a PDF that can be sealed or read."""


@dataclass(frozen=True, slots=True)
class Unsealed:
    """What a sealed PDF carries: the embedded credential and every earlier revision."""

    credential: bytes | None
    revisions: tuple[bytes, ...]
    receipt: bytes | None = None

    def revision(self, sha256: bytes) -> bytes | None:
        """The revision whose SHA-256 is ``sha256``: the document as it was signed."""
        for revision in self.revisions:
            if hashlib.sha256(revision).digest() == sha256:
                return revision
        return None


_TYPOGRAPHY: Final = str.maketrans(
    {"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}
)


def _latin1(text: str) -> str:
    """The core PDF fonts know Latin-1 only: dashes and quotes are mapped, the rest replaced."""
    return text.translate(_TYPOGRAPHY).encode("latin-1", "replace").decode("latin-1")


def _page(width_pt: float, height_pt: float, link: str, lines: Sequence[str]) -> bytes:
    """A one-page PDF the size of the document's pages: the QR code and the lines."""
    mm = 72 / 25.4
    pdf = FPDF(unit="mm", format=(width_pt / mm, height_pt / mm))
    pdf.set_auto_page_break(auto=False)
    pdf.set_creator("cruce")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.set_xy(15, 15)
    pdf.cell(0, 8, _latin1("Verification / Verificación"))
    png = io.BytesIO()
    segno.make(link, error="m").save(png, kind="png", scale=6, border=2)
    pdf.image(png, x=15, y=28, w=_QR_MM, h=_QR_MM)
    pdf.set_font("Helvetica", "", 9)
    pdf.set_xy(15 + _QR_MM + 6, 30)
    for line in lines:
        pdf.set_x(15 + _QR_MM + 6)
        pdf.multi_cell(0, 4.6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(15, 28 + _QR_MM + 4)
    pdf.set_font("Courier", "", 7)
    pdf.multi_cell(0, 3.4, _latin1(link))
    return bytes(pdf.output())


def seal(
    base: bytes,
    credential: bytes,
    *,
    link: str,
    lines: Sequence[str],
    receipt: bytes | None = None,
) -> bytes:
    """``base`` with a verification page and ``credential`` appended as an update.

    ``link`` goes into the QR code; ``lines`` are printed beside it (the issuer, what the
    document is, how to check it, in the reader's languages). ``receipt``, the log's proof
    that the credential was logged, is embedded beside it when given.
    """
    try:
        writer = PdfWriter(io.BytesIO(base), incremental=True)
        first = writer.pages[0]
        stamp = PdfReader(
            io.BytesIO(
                _page(float(first.mediabox.width), float(first.mediabox.height), link, lines)
            )
        )
    except (PdfReadError, IndexError, ValueError) as error:
        raise SealError(str(error)) from error
    writer.add_page(stamp.pages[0])
    writer.add_attachment(CREDENTIAL_FILE, credential)
    if receipt is not None:
        writer.add_attachment(RECEIPT_FILE, receipt)
    out = io.BytesIO()
    writer.write(out)
    sealed = out.getvalue()
    if not sealed.startswith(base):  # the whole point: the signed bytes stay as they were
        raise SealError("the update rewrote the original document")
    return sealed


def unseal(data: bytes) -> Unsealed:
    """The embedded credential (None when there is none) and the revisions of ``data``."""
    revisions = tuple(data[: match.end()] for match in _EOF.finditer(data))
    try:
        reader = PdfReader(io.BytesIO(data))
        attachments = reader.attachments
        found = attachments.get(CREDENTIAL_FILE)
        logged = attachments.get(RECEIPT_FILE)
    except (PdfReadError, ValueError, KeyError) as error:
        raise SealError(str(error)) from error
    credential = found[-1] if found else None
    return Unsealed(credential, revisions, logged[-1] if logged else None)
