"""cruce pack --sign with the issuers' CSDs: every filing of a northbound truck, signed and logged.

SAT's public test CSD (AAA010101AAA, valid until 2028) stands for both the seller's and the
carrier's, so example 02's two RFCs are replaced by its RFC for this test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader
from typer.testing import CliRunner

from cruce.cli import EXIT_READY, app

pytestmark = pytest.mark.functional
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "src" / "cruce" / "examples" / "02-guadalajara-to-phoenix" / "shipment.yaml"
CSD = REPO.parent / "shared" / "data" / "sat_csd_test" / "AAA010101AAA_emisor2021"
TEST_RFC = "AAA010101AAA"
PASSPHRASE = "correct horse battery staple"  # noqa: S105 - test keys

needs_csd = pytest.mark.skipif(not CSD.is_dir(), reason="SAT test CSDs not available")


@pytest.fixture(scope="module")
def packed(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("filings")
    text = EXAMPLE.read_text(encoding="utf-8")
    for rfc in ("ETC110823R49", "AJS030214QW5"):  # the seller's and the carrier's
        text = text.replace(rfc, TEST_RFC)
    record = root / "shipment.yaml"
    record.write_text(text, encoding="utf-8")
    runner = CliRunner(
        env={
            "LANG": "en_US.UTF-8",
            "COLUMNS": "200",
            "CRUCE_ORG": str(root / "org"),
            "CRUCE_PASSPHRASE": PASSPHRASE,
            "CRUCE_CSD_CER": str(CSD / "emisor2021.cer"),
            "CRUCE_CSD_KEY": str(CSD / "emisor2021.key"),
            "CRUCE_CSD_PASSWORD": (CSD / "emisor2021.txt").read_text(encoding="utf-8").strip(),
        }
    )
    made = runner.invoke(
        app,
        ["org", "init", "--name", "Exportadora de prueba", "--tax-id", TEST_RFC,
         "--host", "exportadora.example.mx"],
    )  # fmt: skip
    assert made.exit_code == EXIT_READY, made.output
    out = root / "pack"
    result = runner.invoke(app, ["pack", str(record), "-o", str(out), "--sign"])
    assert result.exit_code == EXIT_READY, result.output
    return out


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def _file(out: Path, key: str) -> Path:
    entry = next(a for a in _manifest(out)["artifacts"] if a["key"] == key)
    return out / entry["file"]


@needs_csd
class TestNorthboundFilings:
    def test_every_filing_of_both_sides_is_packed_valid_and_signed(self, packed):
        artifacts = _manifest(packed)["artifacts"]
        keys = {a["key"] for a in artifacts}
        assert {
            "ubl_invoice",
            "cfdi",
            "carta_porte",
            "entry_summary",
            "emanifest",
            "pedimento",
            "cross_check",
        } <= keys
        assert all(a["valid"] for a in artifacts), [a for a in artifacts if not a["valid"]]
        assert all("credential" in a for a in artifacts)
        for artifact in artifacts:
            assert (packed / f"{artifact['file']}.credential.json").is_file()
            assert (packed / f"{artifact['file']}.receipt.json").is_file()

    def test_the_carta_porte_carries_the_pedimento_of_the_export(self, packed):
        root = etree.parse(str(_file(packed, "carta_porte"))).getroot()
        ns = {"cp": "http://www.sat.gob.mx/CartaPorte31"}
        carta = root.find(".//cp:CartaPorte", ns)
        assert carta.get("EntradaSalidaMerc") == "Salida"
        numbers = {d.get("NumPedimento") for d in root.iterfind(".//cp:DocumentacionAduanera", ns)}
        assert numbers == {"26  23  3217  6000391"}

    def test_the_cross_check_compares_every_document_of_both_sides(self, packed):
        pages = PdfReader(_file(packed, "cross_check")).pages
        text = "".join(page.extract_text() for page in pages)
        compared = text.split("Disagreements")[0]
        for name in ("CBP 7501", "e-Manifest", "CFDI", "Carta Porte", "Pedimento"):
            assert f"{name} compared / cotejado" in compared
        assert "DIFFER" not in text
