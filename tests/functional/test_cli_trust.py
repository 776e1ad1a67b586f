"""cruce org, pack --sign, verify and revoke: issuing and checking signed documents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cruce.cli import EXIT_BLOCKERS, EXIT_READY, EXIT_UNUSABLE, app

pytestmark = pytest.mark.functional
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "src" / "cruce" / "examples" / "02-guadalajara-to-phoenix" / "shipment.yaml"
INVOICE = "ETC-2026-EXP-0331-commercial-invoice"
PASSPHRASE = "correct horse battery staple"  # noqa: S105 - test keys


def _runner(org: Path, **env: str) -> CliRunner:
    return CliRunner(
        env={
            "LANG": "en_US.UTF-8",
            "COLUMNS": "200",
            "CRUCE_ORG": str(org),
            "CRUCE_PASSPHRASE": PASSPHRASE,
            **env,
        }
    )


@pytest.fixture(scope="module")
def issued(tmp_path_factory) -> tuple[Path, Path]:
    """An organisation and a signed pack of example 02, made once for the module."""
    root = tmp_path_factory.mktemp("trust")
    org, out = root / "org", root / "pack"
    runner = _runner(org)
    made = runner.invoke(
        app,
        [
            "org", "init",
            "--name", "Electrónica Tapatía de Control, S.A. de C.V.",
            "--tax-id", "ETC110823R49",
            "--host", "etcontrol.example.mx",
        ],
    )  # fmt: skip
    assert made.exit_code == EXIT_READY, made.output
    packed = runner.invoke(app, ["pack", str(EXAMPLE), "-o", str(out), "--sign"])
    assert packed.exit_code == EXIT_READY, packed.output
    return org, out


@pytest.fixture
def pack(issued, tmp_path) -> Path:
    """A copy of the signed pack this test may change."""
    copy = tmp_path / "pack"
    shutil.copytree(issued[1], copy)
    return copy


def _verify(org: Path, path: Path, *args: str) -> tuple[int, dict]:
    result = _runner(org).invoke(app, ["verify", str(path), "--json", *args])
    assert result.exit_code in {EXIT_READY, EXIT_BLOCKERS}, result.output
    return result.exit_code, json.loads(result.stdout)


def _outcomes(report: dict) -> dict[str, str]:
    return {c["check"]: c["outcome"] for c in report["checks"]}


class TestIssue:
    def test_the_pack_signs_each_document_and_writes_what_a_verifier_needs(self, issued):
        _org, out = issued
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        signed = [a for a in manifest["artifacts"] if "credential" in a]
        assert {a["key"] for a in signed} == {a["key"] for a in manifest["artifacts"]}
        assert {"commercial_invoice", "packing_list", "usmca_certification"} <= {
            a["key"] for a in signed
        }
        assert manifest["issuer"] == "did:web:etcontrol.example.mx"
        for name in ("did.json", "status-list.json", "checkpoint.txt", "log.vkey"):
            assert (out / "trust" / name).is_file()
        credential = json.loads(
            (out / f"{INVOICE}.pdf.credential.json").read_text(encoding="utf-8")
        )
        assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
        assert credential["credentialStatus"]["type"] == "BitstringStatusListEntry"

    def test_a_signed_pdf_verifies_on_every_check(self, issued):
        org, out = issued
        code, report = _verify(org, out / f"{INVOICE}.pdf")
        assert code == EXIT_READY
        assert report["valid"] is True
        assert set(_outcomes(report).values()) == {"passed"}
        issuer = next(c for c in report["checks"] if c["check"] == "issuer")
        assert "RFC ETC110823R49" in issuer["detail"]["en"]

    def test_the_report_reads_in_spanish(self, issued):
        org, out = issued
        result = _runner(org).invoke(app, ["--lang", "es", "verify", str(out / f"{INVOICE}.pdf")])
        assert "Válido" in result.output
        assert "Integridad: firmado y sin cambios" in result.output

    def test_a_credential_file_verifies_with_its_receipt(self, issued):
        org, out = issued
        code, report = _verify(
            org,
            out / f"{INVOICE}.pdf.credential.json",
            "--receipt",
            str(out / f"{INVOICE}.pdf.receipt.json"),
        )
        assert code == EXIT_READY
        assert _outcomes(report)["log"] == "passed"


class TestTampering:
    def test_one_byte_changed_in_the_pdf_is_caught(self, issued, pack):
        pdf = pack / f"{INVOICE}.pdf"
        data = bytearray(pdf.read_bytes())
        data[len(data) // 4] ^= 0x01
        pdf.write_bytes(bytes(data))
        code, report = _verify(issued[0], pdf)
        assert code == EXIT_BLOCKERS
        assert _outcomes(report)["integrity"] == "failed"

    def test_one_character_changed_in_a_field_is_caught(self, issued, pack):
        path = pack / f"{INVOICE}.pdf.credential.json"
        credential = json.loads(path.read_text(encoding="utf-8"))
        subject = credential["credentialSubject"]
        subject["invoiceNumber"] = subject["invoiceNumber"][:-1] + "9"
        path.write_text(json.dumps(credential), encoding="utf-8")
        _code, report = _verify(issued[0], path)
        integrity = next(c for c in report["checks"] if c["check"] == "integrity")
        assert integrity["outcome"] == "failed"
        assert "signature does not match" in integrity["detail"]["en"]

    def test_a_flipped_proof_byte_is_caught(self, issued, pack):
        path = pack / f"{INVOICE}.pdf.credential.json"
        credential = json.loads(path.read_text(encoding="utf-8"))
        value = credential["proof"]["proofValue"]
        credential["proof"]["proofValue"] = (
            value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
        )
        path.write_text(json.dumps(credential), encoding="utf-8")
        _code, report = _verify(issued[0], path)
        assert _outcomes(report)["integrity"] == "failed"

    def test_a_swapped_issuer_key_is_caught(self, issued, pack, tmp_path):
        # another organisation with the same host: its DID document lists other keys
        other = tmp_path / "impostor"
        runner = _runner(other)
        runner.invoke(
            app,
            ["org", "init", "--name", "Impostor", "--tax-id", "IMP110823R49",
             "--host", "etcontrol.example.mx"],
        )  # fmt: skip
        shown = runner.invoke(app, ["org", "show", "--did-document"])
        (pack / "trust" / "did.json").write_text(shown.stdout, encoding="utf-8")
        _code, report = _verify(issued[0], pack / f"{INVOICE}.pdf")
        assert _outcomes(report)["integrity"] == "failed"

    def test_a_revoked_document_presented_again_is_refused(self, issued, pack):
        org = issued[0]
        revoked = _runner(org).invoke(
            app,
            [
                "revoke",
                str(pack / f"{INVOICE}.pdf"),
                "-o",
                str(pack / "trust" / "status-list.json"),
            ],
        )
        assert revoked.exit_code == EXIT_READY, revoked.output
        _code, report = _verify(org, pack / f"{INVOICE}.pdf")
        status = next(c for c in report["checks"] if c["check"] == "status")
        assert status["outcome"] == "failed"
        assert "revoked" in status["detail"]["en"]

    def test_a_receipt_for_another_tree_size_is_refused(self, issued, pack):
        path = pack / f"{INVOICE}.pdf.receipt.json"
        receipt = json.loads(path.read_text(encoding="utf-8"))
        receipt["proof"] = receipt["proof"][:-1]
        path.write_text(json.dumps(receipt), encoding="utf-8")
        _code, report = _verify(
            issued[0], pack / f"{INVOICE}.pdf.credential.json", "--receipt", str(path)
        )
        assert _outcomes(report)["log"] == "failed"

    def test_a_checkpoint_signed_by_another_key_is_refused(self, issued, pack, tmp_path):
        other = tmp_path / "other-log"
        runner = _runner(other)
        runner.invoke(
            app,
            ["org", "init", "--name", "Other", "--tax-id", "OTH110823R49",
             "--host", "other.example"],
        )  # fmt: skip
        packed = runner.invoke(app, ["pack", str(EXAMPLE), "-o", str(tmp_path / "p2"), "--sign"])
        assert packed.exit_code == EXIT_READY
        shutil.copy(tmp_path / "p2" / "trust" / "log.vkey", pack / "trust" / "log.vkey")
        _code, report = _verify(issued[0], pack / f"{INVOICE}.pdf")
        assert _outcomes(report)["log"] == "failed"


class TestSelectiveDisclosure:
    def test_the_carrier_sees_the_invoice_without_prices_and_it_still_verifies(
        self, issued, tmp_path
    ):
        org, out = issued
        shown = tmp_path / "carrier.sd-jwt"
        result = _runner(org).invoke(
            app,
            ["present", str(out / f"{INVOICE}.pdf.sd-jwt"), "--without-prices", "-o", str(shown)],
        )
        assert result.exit_code == EXIT_READY, result.output
        full = (out / f"{INVOICE}.pdf.sd-jwt").read_text(encoding="ascii")
        assert len(shown.read_text(encoding="ascii")) < len(full)
        code, report = _verify(org, shown, "--trust", str(out / "trust"))
        assert code == EXIT_READY
        assert _outcomes(report)["integrity"] == "passed"
        assert _outcomes(report)["log"] == "not_checked"

    def test_a_changed_disclosure_is_caught(self, issued, tmp_path):
        org, out = issued
        token = (out / f"{INVOICE}.pdf.sd-jwt").read_text(encoding="ascii")
        jws, first, *rest = token.split("~")
        forged = tmp_path / "forged.sd-jwt"
        forged.write_text("~".join([jws, first[:-2] + "AA", *rest]), encoding="ascii")
        code, report = _verify(org, forged, "--trust", str(out / "trust"))
        assert code == EXIT_BLOCKERS
        assert _outcomes(report)["integrity"] == "failed"


class TestWhatCannotBeChecked:
    def test_without_the_issuers_did_document_nothing_is_established(self, issued, tmp_path):
        lone = tmp_path / f"{INVOICE}.pdf"
        shutil.copy(issued[1] / f"{INVOICE}.pdf", lone)
        code, report = _verify(issued[0], lone)
        assert code == EXIT_BLOCKERS
        assert _outcomes(report)["integrity"] == "not_checked"
        assert report["valid"] is False

    def test_an_unsigned_pdf_is_unreadable_as_a_credential(self, issued, tmp_path):
        plain = tmp_path / "plain"
        packed = _runner(issued[0]).invoke(app, ["pack", str(EXAMPLE), "-o", str(plain)])
        assert packed.exit_code == EXIT_READY
        result = _runner(issued[0]).invoke(app, ["verify", str(plain / f"{INVOICE}.pdf")])
        assert result.exit_code == EXIT_UNUSABLE
        assert "no signed credential" in result.output

    def test_signing_without_a_passphrase_is_refused(self, issued, tmp_path):
        runner = _runner(issued[0], CRUCE_PASSPHRASE="")
        result = runner.invoke(app, ["pack", str(EXAMPLE), "-o", str(tmp_path / "x"), "--sign"])
        assert result.exit_code == EXIT_UNUSABLE
        assert "CRUCE_PASSPHRASE" in result.output

    def test_a_wrong_passphrase_is_refused_without_a_traceback(self, issued, tmp_path):
        runner = _runner(issued[0], CRUCE_PASSPHRASE="wrong")  # noqa: S106 - on purpose
        result = runner.invoke(app, ["pack", str(EXAMPLE), "-o", str(tmp_path / "x"), "--sign"])
        assert result.exit_code == EXIT_UNUSABLE
        assert "passphrase does not open" in result.output
        assert "Traceback" not in result.output


class TestCorrectionsAndSuites:
    def test_a_corrected_pack_revokes_the_documents_it_replaces(self, issued, tmp_path):
        org, out = issued
        first = tmp_path / "first"
        shutil.copytree(out, first)
        runner = _runner(org)
        again = runner.invoke(
            app,
            [
                "pack", str(EXAMPLE), "-o", str(tmp_path / "second"), "--sign",
                "--replaces", str(first / f"{INVOICE}.pdf"),
            ],
        )  # fmt: skip
        assert again.exit_code == EXIT_READY, again.output
        shutil.copy(tmp_path / "second" / "trust" / "status-list.json", first / "trust")
        _code, old = _verify(org, first / f"{INVOICE}.pdf")
        assert _outcomes(old)["status"] == "failed"
        code, new = _verify(org, tmp_path / "second" / f"{INVOICE}.pdf")
        assert code == EXIT_READY
        assert new["valid"] is True

    def test_the_rdfc_suite_is_signed_on_request_and_verifies(self, issued, tmp_path):
        org, _out = issued
        packed = _runner(org).invoke(
            app,
            ["pack", str(EXAMPLE), "-o", str(tmp_path / "rdfc"), "--sign",
             "--suite", "eddsa-rdfc-2022"],
        )  # fmt: skip
        assert packed.exit_code == EXIT_READY, packed.output
        credential = json.loads(
            (tmp_path / "rdfc" / f"{INVOICE}.pdf.credential.json").read_text(encoding="utf-8")
        )
        assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        code, report = _verify(org, tmp_path / "rdfc" / f"{INVOICE}.pdf")
        assert code == EXIT_READY, report
