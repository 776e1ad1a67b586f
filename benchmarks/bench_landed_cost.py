"""Landed cost of the 250-line example, lines per second, against json.loads of the same record.

The example ships southbound; this benchmark quotes it both ways: as it is (Mexican side:
IGI, DTA, IVA) and turned northbound (US side: HTS lookup, rate arithmetic, tariff actions,
MPF), on 2026-03-01 when the bundled tables cover every US component. The tables are loaded
once, as a running service would; the garbage collector is paused while timing.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from importlib.resources import as_file, files
from pathlib import Path

from cruce.artifacts.shipment_record import canonical_json
from cruce.compliance.duties import References, landed_cost
from cruce.ingest.loader import load_shipment
from timing import best

DAY = date(2026, 3, 1)


def main() -> None:
    """Measure and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--number", type=int, default=5)
    args = parser.parse_args()
    with as_file(files("cruce.examples") / "03-goods-sheet-250") as folder:
        southbound = load_shipment(Path(folder) / "shipment.yaml")
    parties = southbound.parties
    northbound = southbound.model_copy(
        update={
            "export_country": "MX",
            "import_country": "US",
            "parties": parties.model_copy(
                update={"seller": parties.buyer, "buyer": parties.seller}
            ),
        }
    )
    lines = len(southbound.goods)
    record = canonical_json(southbound)
    tables = References.default()
    quote = landed_cost(northbound, DAY, references=tables)
    results = {
        "json.loads of the record (baseline)": best(
            lambda: json.loads(record), args.repeats, args.number * 20
        ),
        "landed_cost into the US (HTS, actions, MPF)": best(
            lambda: landed_cost(northbound, DAY, references=tables), args.repeats, args.number
        ),
        "landed_cost into Mexico (IGI, DTA, IVA)": best(
            lambda: landed_cost(southbound, DAY, references=tables), args.repeats, args.number
        ),
    }
    baseline = results["json.loads of the record (baseline)"][0]
    determined = sum(1 for c in quote.components() if c.determined)
    counted = f"{determined} of {len(quote.components())} components determined"
    print(f"# landed_cost, {lines} goods lines, on {DAY}; US quote: {counted}")
    print(f"best of {args.repeats} runs of {args.number}, one process, one core\n")
    print("| step | best ms | median ms | lines/s | × baseline time |")
    print("|---|---:|---:|---:|---:|")
    for name, (fastest, median) in results.items():
        times = f"{fastest * 1e3:.2f} | {median * 1e3:.2f}"
        print(f"| {name} | {times} | {lines / fastest:,.0f} | {fastest / baseline:,.1f} |")


if __name__ == "__main__":
    main()
