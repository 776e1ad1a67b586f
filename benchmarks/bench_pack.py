"""Packing the 250-line example: every artifact rendered and validated, then signed and logged.

Run with ``.venv/bin/python benchmarks/bench_pack.py`` (or ``make bench``). The pack is what
``cruce pack`` computes before writing files; signing is ``cruce pack --sign`` for a fresh
organisation (its keys opened once per pack, as the command does: scrypt at cruce's cost).
The baseline is ``json.loads`` of the record as canonical JSON, measured in the same run.

When SAT's public test CSD is beside the project (``../shared/data/sat_csd_test``), the
example is also packed as its carrier would: the carrier's RFC is the test CSD's and
``CRUCE_CARRIER_CSD_*`` name it, so the pack adds the sealed Carta Porte of 250 goods.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from datetime import UTC, datetime
from importlib.resources import as_file, files
from pathlib import Path

from cruce.artifacts.checklist import pack
from cruce.artifacts.shipment_record import canonical_json
from cruce.artifacts.signing import sign_pack
from cruce.ingest.loader import load_shipment
from cruce.model import Shipment, TaxId
from cruce.model.party import TaxScheme
from cruce.trust.did import TaxScheme as IssuerScheme
from cruce.trust.organisation import Organisation, Profile
from timing import best

PASSPHRASE = "benchmark only"  # noqa: S105 - throwaway keys in a temporary folder
CSD = Path(__file__).resolve().parents[2] / "shared" / "data" / "sat_csd_test"
TEST_CSD = CSD / "AAA010101AAA_emisor2021"
TEST_RFC = "AAA010101AAA"


def with_test_carrier(record: Shipment) -> Shipment | None:
    """The record as its carrier packs it with SAT's test CSD; None without the CSD."""
    carrier = record.parties.carrier
    if not TEST_CSD.is_dir() or carrier is None:
        return None
    os.environ["CRUCE_CARRIER_CSD_CER"] = str(TEST_CSD / "emisor2021.cer")
    os.environ["CRUCE_CARRIER_CSD_KEY"] = str(TEST_CSD / "emisor2021.key")
    password = (TEST_CSD / "emisor2021.txt").read_text(encoding="utf-8").strip()
    os.environ["CRUCE_CARRIER_CSD_PASSWORD"] = password
    tax_ids = [TaxId(scheme=TaxScheme.MX_RFC, value=TEST_RFC)]
    parties = record.parties.model_copy(
        update={"carrier": carrier.model_copy(update={"tax_ids": tax_ids})}
    )
    return record.model_copy(update={"parties": parties})


def main() -> None:
    """Measure and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with as_file(files("cruce.examples") / "03-goods-sheet-250") as folder:
        record = load_shipment(Path(folder) / "shipment.yaml")
    data = canonical_json(record)
    with tempfile.TemporaryDirectory() as temporary:
        profile = Profile(
            "Desert Industrial Supply Co.", "85-3390127", IssuerScheme.EIN, "dis.example"
        )
        organisation = Organisation.create(Path(temporary) / "org", profile, PASSPHRASE)
        packed = pack(record)
        results = {
            "json.loads of the record (baseline)": best(lambda: json.loads(data), args.repeats, 20),
            "pack: render + validate every artifact": best(lambda: pack(record), args.repeats, 1),
            "sign the pack: credentials, status, log, seal": best(
                lambda: sign_pack(packed, organisation, PASSPHRASE, now=datetime.now(UTC)),
                args.repeats,
                1,
            ),
        }
        carried = with_test_carrier(record)
        if carried is not None:
            with_carta = pack(carried)
            results["pack with the carrier's CSD (+ sealed Carta Porte)"] = best(
                lambda: pack(carried), args.repeats, 1
            )
            results["sign that pack"] = best(
                lambda: sign_pack(with_carta, organisation, PASSPHRASE, now=datetime.now(UTC)),
                args.repeats,
                1,
            )
            print(f"# with the carrier's CSD: {len(with_carta.artifacts)} artifacts")
    baseline = results["json.loads of the record (baseline)"][0]
    print(f"# pack of the 250-line example: {len(packed.artifacts)} artifacts")
    print("\n| step | best s | median s | × baseline time |\n|---|---:|---:|---:|")
    for name, (fastest, median) in results.items():
        print(f"| {name} | {fastest:.3f} | {median:.3f} | {fastest / baseline:,.0f} |")


if __name__ == "__main__":
    main()
