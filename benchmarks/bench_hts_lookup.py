"""Lookup of a 10-digit code in a full HTSUS revision, against a plain dict of the same keys.

Run with ``.venv/bin/python benchmarks/bench_hts_lookup.py``. It imports the full official
2026 Revision 10 from ``../shared/data/usitc_hts`` (timing that too), then looks up every
10-digit code, undotted, with ``HtsRevision.line`` and with ``dict.__getitem__`` on a dict
holding the same keys, in the same run. Each figure is the best of several repeats with
the garbage collector paused (as timeit does); the machine is shared and noisy, so the
ratio is the figure that matters (target: within 3x of the dict).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from cruce.reference.hts import import_usitc_json
from timing import best

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

DEFAULT_FILE = (
    Path(__file__).resolve().parent.parent.parent / "shared/data/usitc_hts/hts_2026_rev_10.json.gz"
)


def _per_lookup(lookup: Callable[[str], object], codes: Sequence[str], repeats: int) -> float:
    """Best seconds per lookup over ``repeats`` passes through ``codes``."""

    def one_pass() -> None:
        for code in codes:
            lookup(code)

    return best(one_pass, repeats, 1)[0] / len(codes)


def main() -> None:
    """Measure and print the figures as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--imports", type=int, default=3)
    args = parser.parse_args()

    data = args.file.read_bytes()
    import_times = []
    for _ in range(args.imports):
        start = time.perf_counter()
        revision = import_usitc_json(data, year=2026, revision=10, effective=date(2026, 6, 8))
        import_times.append(time.perf_counter() - start)
    codes = [code for code in revision.lines if len(code) == 10]  # noqa: PLR2004 - 10-digit lines
    plain = {code: revision.lines[code] for code in codes}
    line_ns = _per_lookup(revision.line, codes, args.repeats) * 1e9
    dict_ns = _per_lookup(plain.__getitem__, codes, args.repeats) * 1e9

    print(f"{revision.name}: {len(revision.lines):,} lines, {len(codes):,} ten-digit codes")
    print(f"Python {platform.python_version()}, {platform.machine()}\n")
    print("| measure | figure |")
    print("| --- | ---: |")
    print(f"| import of the full revision (best of {args.imports}) | {min(import_times):.2f} s |")
    print(f"| import, median | {statistics.median(import_times):.2f} s |")
    print(f"| `revision.line(code10)` | {line_ns:.0f} ns/lookup |")
    print(f"| `dict.__getitem__` | {dict_ns:.0f} ns/lookup |")
    print(f"| ratio (target <= 3) | {line_ns / dict_ns:.2f} |")


if __name__ == "__main__":
    main()
