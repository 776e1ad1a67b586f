"""Load + check throughput of the 250-line example, against json.loads of the same data.

Run with ``make bench``. The machine is shared and noisy, so the figure that matters is
the ratio to a baseline measured in the same run: a plain ``json.loads`` of the same
record as JSON (no validation, no checks). Each measurement is the best of several
repeats (the least disturbed), and the lines/s figures are per line of goods.
"""

from __future__ import annotations

import argparse
import json
import platform
from importlib.resources import as_file, files
from pathlib import Path

from cruce.artifacts.checklist import check
from cruce.artifacts.shipment_record import canonical_json
from cruce.ingest.loader import load_shipment, parse_shipment
from timing import best


def main() -> None:
    """Measure and print the figures as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--number", type=int, default=3)
    args = parser.parse_args()

    example = files("cruce.examples") / "03-goods-sheet-250"
    with as_file(example) as folder:
        path = Path(folder) / "shipment.yaml"
        shipment = load_shipment(path)
        lines = len(shipment.goods)
        record_json = canonical_json(shipment)

        def load_yaml_sheet_and_check() -> None:
            check(load_shipment(path))

        def load_json_and_check() -> None:
            check(parse_shipment(record_json, filename="record.json"))

        def json_loads_only() -> None:
            json.loads(record_json)

        results = {
            "json.loads of the record (baseline)": best(
                json_loads_only, args.repeats, args.number * 20
            ),
            "load JSON record + check": best(load_json_and_check, args.repeats, args.number),
            "load YAML + 250-line .xlsx + check": best(
                load_yaml_sheet_and_check, args.repeats, args.number
            ),
        }
    baseline = results["json.loads of the record (baseline)"][0]
    print(f"# load + check, {lines} goods lines ({len(record_json):,} bytes of JSON)")
    runs = f"best of {args.repeats} runs of {args.number}"
    print(f"Python {platform.python_version()} on {platform.machine()}, {runs}\n")
    print("| step | best ms | median ms | lines/s | × baseline time |")
    print("|---|---:|---:|---:|---:|")
    for name, (fastest, median) in results.items():
        times = f"{fastest * 1e3:.2f} | {median * 1e3:.2f}"
        print(f"| {name} | {times} | {lines / fastest:,.0f} | {fastest / baseline:,.1f} |")


if __name__ == "__main__":
    main()
