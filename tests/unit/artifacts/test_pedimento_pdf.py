from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from common.factories import line, shipment, shipment_data
from cruce.artifacts.pedimento import draft
from cruce.artifacts.pedimento_pdf import ARTIFACT, TITLE, render_pdf
from cruce.ingest.loader import load_shipment
from cruce.model import Shipment
from cruce.model.problems import Severity

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "src" / "cruce" / "examples"


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


class TestPdf:
    def test_it_is_required_with_the_pedimento(self):
        assert ARTIFACT.required(shipment()).required is True
        assert ARTIFACT.required(shipment(import_country="CA")).required is False

    def test_it_renders_the_anexo_22_fields_in_both_languages(self):
        data = ARTIFACT.render(shipment()).data
        assert ARTIFACT.validate(data) == []
        text = _text(data)
        for label in (
            TITLE,
            "T. OPER. / Type of operation",
            "VALOR ADUANA / Customs value",
            "TIPO CAMBIO / Exchange rate",
            "PROVEEDOR / Supplier",
            "Cuadro de liquidación",
            "FRACCIÓN",
        ):
            assert label in text, label
        assert "7616.99.99" in text
        assert "MTA1503109K6" in text

    def test_each_contribution_prints_its_legal_source(self):
        text = _text(ARTIFACT.render(shipment()).data)
        assert "Ley Federal de Derechos, art. 49" in text
        assert "Ley del IVA" in text

    def test_tl_prints_on_a_t_mec_line(self):
        record = shipment(goods=[line(usmca={"claimed": True, "criterion": "B"})])
        assert "TL USA" in _text(ARTIFACT.render(record).data)

    def test_the_same_record_gives_the_same_bytes(self):
        assert render_pdf(draft(shipment())) == render_pdf(draft(shipment()))

    def test_it_is_blocked_once_while_the_draft_has_blockers_and_repeats_no_warning(self):
        data = shipment_data()
        del data["parties"]["buyer"]
        problems = ARTIFACT.problems(Shipment.model_validate(data))
        assert [(p.code, p.severity) for p in problems] == [
            ("pedimento_pdf.draft.not_ready", Severity.BLOCKER)
        ]
        assert ARTIFACT.problems(shipment()) == []

    @pytest.mark.parametrize("blob", [b"", b"not a pdf", b"%PDF-1.7\n%%EOF\n"])
    def test_a_damaged_file_is_refused(self, blob):
        assert ARTIFACT.validate(blob)


@pytest.mark.parametrize(
    "name", ["01-phoenix-to-guadalajara", "02-guadalajara-to-phoenix", "03-goods-sheet-250"]
)
def test_the_bundled_examples_render_and_validate(name):
    record = load_shipment(EXAMPLES / name / "shipment.yaml")
    assert ARTIFACT.problems(record) == []
    rendered = ARTIFACT.render(record)
    assert rendered.filename.endswith("-pedimento.pdf")
    assert ARTIFACT.validate(rendered.data) == []
    text = _text(rendered.data)
    assert ("EXD" in text) == (record.import_country == "US")
