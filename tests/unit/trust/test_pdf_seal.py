from __future__ import annotations

import hashlib
import io

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from cruce.trust.pdf_seal import SealError, seal, unseal

pytestmark = pytest.mark.unit


def _document(text: str = "Commercial invoice SPM-1") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


LINK = "https://verify.cruce.dev/c/urn:uuid:0b1c#sha256-3q2+7w=="


class TestSeal:
    def test_the_signed_bytes_stay_a_revision_of_the_sealed_file(self):
        base = _document()
        sealed = seal(base, b'{"id": "urn:uuid:0b1c"}', link=LINK, lines=["Issued by Acme"])
        assert sealed.startswith(base)
        found = unseal(sealed)
        assert found.revision(hashlib.sha256(base).digest()) == base
        assert found.credential == b'{"id": "urn:uuid:0b1c"}'

    def test_the_verification_page_carries_the_link_and_the_lines_in_both_languages(self):
        sealed = seal(_document(), b"{}", link=LINK, lines=["Emitido por: Electrónica – Tapatía"])
        reader = PdfReader(io.BytesIO(sealed))
        assert len(reader.pages) == 2
        text = reader.pages[-1].extract_text()
        assert "Verification / Verificación" in text
        assert "Emitido por: Electrónica - Tapatía" in text
        assert "verify.cruce.dev" in text

    def test_a_changed_document_has_no_revision_with_the_signed_digest(self):
        base = _document()
        sealed = seal(base, b"{}", link=LINK, lines=[])
        middle = len(base) // 2
        tampered = sealed[:middle] + bytes([sealed[middle] ^ 1]) + sealed[middle + 1 :]
        assert unseal(tampered).revision(hashlib.sha256(base).digest()) is None

    def test_an_unsealed_pdf_has_no_credential(self):
        assert unseal(_document()).credential is None

    def test_bytes_that_are_not_a_pdf_are_refused(self):
        with pytest.raises(SealError):
            seal(b"not a pdf", b"{}", link=LINK, lines=[])
