# ruff: noqa: INP001 - scripts/ is a folder of scripts, not a package
"""Build the HTSUS subsets shipped in ``src/cruce/reference/data/hts`` from the official files.

Usage::

    .venv/bin/python scripts/bundle_hts_subset.py [--source ../shared/data/usitc_hts] [--out DIR]

For each official USITC JSON release in ``--source`` (2025 Revision 32; 2026 Revisions 3,
4 and 10, as ``hts_<year>_rev_<n>.json.gz``), the lines the examples and the tests use are
kept: every HTS number of the bundled examples (``shipment.yaml`` files and the 250-line
``goods.xlsx``), the real lines with specific and compound rates the tests use
(:data:`TEST_CODES`), the Chapter 99 headings of the tariff actions
(:data:`CHAPTER99_PREFIXES`), and the 8-digit lines their rates come from. Each subset
keeps the SHA-256 of the full file it was cut from and is marked incomplete.

Deterministic: the same inputs give byte-identical outputs (lines sorted, JSON with sorted
keys, gzip without a timestamp). Prints each file's name, lines, size and SHA-256 for
``data/hts/README.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
import yaml

from cruce.reference.hts import import_usitc_json, revision_dates
from cruce.reference.hts_store import dump_revision, file_name

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "usitc_hts"
DEFAULT_OUT = ROOT / "src" / "cruce" / "reference" / "data" / "hts"
EXAMPLES = ROOT / "src" / "cruce" / "examples"
RELEASES = ((2025, 32), (2026, 3), (2026, 4), (2026, 10))

# Real lines whose rates are specific or compound (or unreadable), used by the tests.
TEST_CODES = (
    "0201200600",  # 4.4¢/kg
    "0407110000",  # 2.8¢/doz.
    "0709520500",  # 8.8¢/kg + 20%
    "0711510000",  # 5.7¢/kg on drained weight + 8%
    "0805502010",  # inherits 2.2¢/kg from 0805.50.20
    "1504300000",  # 1.7¢/kg + 5%
    "1701120500",  # a sliding scale by polarimeter degree: not computed
    "2009110020",  # inherits 7.85¢/liter from 2009.11.00
    "2204300000",  # 4.4¢/liter + 31.4¢/pf. liter
    "2402208000",  # $1.05/kg + 2.3%
    "6402912000",  # 90¢/pr. + 37.5%
    "91021110",  # each + % on the case + % on the strap and battery: not computed
)
# Chapter 99 headings of the tariff actions (IEEPA, Section 122, Section 301, Section 232).
CHAPTER99_PREFIXES = ("990301", "990303", "990305", "990381", "990382", "990385")


def _digits(value: object) -> str:
    return re.sub(r"\D", "", str(value))


def _yaml_codes(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "hts" and isinstance(value, str | int):
                yield _digits(value)
            else:
                yield from _yaml_codes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _yaml_codes(item)


def example_codes(examples: Path = EXAMPLES) -> set[str]:
    """Every HTS number in the bundled examples' shipment files and goods sheets."""
    codes: set[str] = set()
    for path in sorted(examples.glob("**/shipment.yaml")):
        codes.update(_yaml_codes(yaml.safe_load(path.read_text(encoding="utf-8"))))
    for path in sorted(examples.glob("**/goods.xlsx")):
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            rows = workbook.worksheets[0].iter_rows(values_only=True)
            header = [str(cell).strip().lower() for cell in next(rows)]
            column = header.index("hts")
            codes.update(_digits(row[column]) for row in rows if row[column])
        finally:
            workbook.close()
    return codes


def main(argv: Sequence[str] | None = None) -> int:
    """Write the four subsets and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="usitc_hts folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write")
    args = parser.parse_args(argv)
    source: Path = args.source
    out: Path = args.out
    wanted = example_codes() | set(TEST_CODES)
    out.mkdir(parents=True, exist_ok=True)
    for year, number in RELEASES:
        data = (source / f"hts_{year}_rev_{number}.json.gz").read_bytes()
        effective = revision_dates()[(year, number)]
        full = import_usitc_json(data, year=year, revision=number, effective=effective)
        chapter99 = {code for code in full.lines if code.startswith(CHAPTER99_PREFIXES)}
        missing = sorted(code for code in wanted if full.line(code) is None)
        subset = full.subset(sorted(wanted | chapter99))
        payload = dump_revision(subset)
        path = out / file_name(subset)
        path.write_bytes(payload)
        sys.stdout.write(
            f"{path.name}\t{len(subset.lines)} lines\t{len(payload)} bytes\t"
            f"{hashlib.sha256(payload).hexdigest()}\tfrom {full.sha256}\t"
            f"missing: {' '.join(missing) or '-'}\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
