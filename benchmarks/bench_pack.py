"""Packing the 250-line example: every artifact rendered and validated, then signed and logged.

Run with ``.venv/bin/python benchmarks/bench_pack.py`` (or ``make bench``). The pack is what
``cruce pack`` computes before writing files; signing is ``cruce pack --sign`` for a fresh
organisation (its keys opened once per pack, as the command does: scrypt at cruce's cost).
The baseline is ``json.loads`` of the record as canonical JSON, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import UTC, datetime
from importlib.resources import as_file, files
from pathlib import Path

from cruce.artifacts.checklist import pack
from cruce.artifacts.shipment_record import canonical_json
from cruce.artifacts.signing import sign_pack
from cruce.ingest.loader import load_shipment
from cruce.trust.did import TaxScheme
from cruce.trust.organisation import Organisation, Profile
from timing import best

PASSPHRASE = "benchmark only"  # noqa: S105 - throwaway keys in a temporary folder


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
            "Desert Industrial Supply Co.", "85-3390127", TaxScheme.EIN, "dis.example"
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
    baseline = results["json.loads of the record (baseline)"][0]
    print(f"# pack of the 250-line example: {len(packed.artifacts)} artifacts")
    print("\n| step | best s | median s | × baseline time |\n|---|---:|---:|---:|")
    for name, (fastest, median) in results.items():
        print(f"| {name} | {fastest:.3f} | {median:.3f} | {fastest / baseline:,.0f} |")


if __name__ == "__main__":
    main()
