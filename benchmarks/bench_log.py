"""The transparency log: durable appends per second and proof times, against pymerkle.

Run with ``.venv/bin/python benchmarks/bench_log.py`` (add ``--sizes 1000000 10000000`` for
the 10^7-leaf proofs; building that log takes a few minutes and about 1.3 GB of disk). In one
run it measures, on SQLite files in a temporary folder:

- the baseline: ``hashlib.sha256`` of 32 bytes, the least any append must cost;
- ``TransparencyLog.append`` (one commit, one fsync per entry), ``append_many`` in batches,
  and an ``Appender`` (group commit) handing out a receipt (inclusion proof + signed
  checkpoint) per entry; every commit is durable (WAL, ``synchronous=FULL``) and signs a
  checkpoint;
- ``pymerkle.SqliteTree`` on the same disk: ``append_entry`` (one commit per entry) and
  ``append_entries`` in batches of the same size (SQLite's default rollback journal,
  ``synchronous=FULL``; it stores leaves only, no tree nodes, and signs nothing);
- inclusion and consistency proofs at each size in ``--sizes``, on logs built through
  ``append_many`` in batches of 100,000 (the bulk-load path: each batch is one commit), and
  pymerkle's proofs at the sizes up to ``--pymerkle-max`` (a tenth as many proofs, at the
  same indexes; pymerkle caches subtree hashes, so its first run is cold and the best run
  warm: compare medians too).

Each figure is the best of ``--repeats`` runs with the garbage collector paused; the machine
is shared and noisy, so the ratios matter more than the absolute figures. Targets: at least
10,000 durable appends per second with batching, at most 1 ms per proof at 10^7 leaves.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pymerkle import SqliteTree

from cruce.trust.log import Appender, TransparencyLog
from timing import best

ORIGIN = "bench.example/log"
BULK = 100_000


def _digests(start: int, count: int) -> list[bytes]:
    return [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(start, start + count)]


class _Counter:
    """Hands out fresh digests so that repeated runs never log the same entry twice."""

    def __init__(self) -> None:
        self.next = 1 << 40

    def take(self, count: int) -> list[bytes]:
        self.next += count
        return _digests(self.next - count, count)


def _appends(folder: Path, args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    """Seconds per appended entry (best, median) for each way of appending."""
    fresh = _Counter()
    sample = fresh.take(1)[0]
    runs = {
        "hashlib.sha256 of 32 bytes (baseline)": (
            best(lambda: hashlib.sha256(sample).digest(), args.repeats, 100_000),
            1,
        ),
        **_cruce_appends(folder, args, fresh),
        **_pymerkle_appends(folder, args, fresh),
    }
    return {name: (b / count, m / count) for name, ((b, m), count) in runs.items()}


_Runs = dict[str, tuple[tuple[float, float], int]]
"""Each way of appending: (best, median seconds per run), entries per run."""


def _cruce_appends(folder: Path, args: argparse.Namespace, fresh: _Counter) -> _Runs:
    batch, total = args.batch, args.batch * args.batches
    log = TransparencyLog(folder / "appends.sqlite", ORIGIN, Ed25519PrivateKey.generate())

    def one_by_one() -> None:
        for digest in fresh.take(args.single):
            log.append(digest)

    def batches() -> None:
        for _ in range(args.batches):
            log.append_many(fresh.take(batch))

    def group_commit() -> None:
        with Appender(log, batch_size=batch, max_delay=1.0) as appender:
            futures = [appender.submit(d) for d in fresh.take(total)]
            for future in futures:
                future.result()

    runs = {
        "append, one commit each": (best(one_by_one, args.repeats, 1), args.single),
        f"append_many, batches of {batch:,}": (best(batches, args.repeats, 1), total),
        f"Appender, batches of {batch:,}, with receipts": (
            best(group_commit, args.repeats, 1),
            total,
        ),
    }
    log.close()
    return runs


def _pymerkle_appends(folder: Path, args: argparse.Namespace, fresh: _Counter) -> _Runs:
    batch, total = args.batch, args.batch * args.batches
    tree = SqliteTree(str(folder / "pymerkle.sqlite"))

    def one_by_one() -> None:
        for digest in fresh.take(args.single):
            tree.append_entry(digest)

    def batches() -> None:
        for _ in range(args.batches):
            tree.append_entries(fresh.take(batch), chunksize=batch)

    runs = {
        "pymerkle append_entry, one commit each": (
            best(one_by_one, args.repeats, 1),
            args.single,
        ),
        f"pymerkle append_entries, batches of {batch:,}": (
            best(batches, args.repeats, 1),
            total,
        ),
    }
    tree.close()
    return runs


def _build(path: Path, size: int) -> tuple[TransparencyLog, float]:
    log = TransparencyLog(path, ORIGIN, Ed25519PrivateKey.generate(), cache_mib=256)
    start = time.perf_counter()
    for offset in range(0, size, BULK):
        log.append_many(_digests(offset, min(BULK, size - offset)))
    return log, time.perf_counter() - start


def _proofs(folder: Path, size: int, args: argparse.Namespace) -> list[tuple[str, float, float]]:
    """Rows (name, best, median seconds per proof) at ``size`` leaves."""
    rng = random.Random(size)
    indexes = [rng.randrange(size) for _ in range(args.proofs)]
    olds = [rng.randrange(1, size) for _ in range(args.proofs)]
    log, seconds = _build(folder / f"log-{size}.sqlite", size)
    megabytes = sum(p.stat().st_size for p in folder.glob(f"log-{size}.sqlite*")) / 1e6
    print(
        f"built {size:,} leaves in {seconds:,.1f} s ({size / seconds:,.0f}/s), {megabytes:,.0f} MB"
    )

    def inclusion() -> None:
        for index in indexes:
            log.inclusion_proof(index)

    def consistency() -> None:
        for old in olds:
            log.consistency_proof(old)

    rows = []
    for name, run in (("inclusion_proof", inclusion), ("consistency_proof", consistency)):
        fastest, median = best(run, args.repeats, 1)
        rows.append((f"{name}, {size:,} leaves", fastest / args.proofs, median / args.proofs))
    log.close()
    if size <= args.pymerkle_max:
        rows += _pymerkle_proofs(folder, size, indexes, olds, args)
    return rows


def _pymerkle_proofs(
    folder: Path, size: int, indexes: list[int], olds: list[int], args: argparse.Namespace
) -> list[tuple[str, float, float]]:
    """Proof times of pymerkle on the same leaves (its indexes count from 1)."""
    tree = SqliteTree(str(folder / f"pymerkle-{size}.sqlite"))
    for offset in range(0, size, BULK):
        tree.append_entries(_digests(offset, min(BULK, size - offset)), chunksize=BULK)
    few = max(1, args.proofs // 10)

    def inclusion() -> None:
        for index in indexes[:few]:
            tree.prove_inclusion(index + 1)

    def consistency() -> None:
        for old in olds[:few]:
            tree.prove_consistency(old)

    rows = []
    for name, run in (
        ("pymerkle prove_inclusion", inclusion),
        ("pymerkle prove_consistency", consistency),
    ):
        fastest, median = best(run, args.repeats, 1)
        rows.append((f"{name}, {size:,} leaves", fastest / few, median / few))
    tree.close()
    return rows


def main() -> None:
    """Measure and print Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1000, help="entries per commit")
    parser.add_argument("--batches", type=int, default=20, help="commits per timed run")
    parser.add_argument("--single", type=int, default=200, help="single appends per run")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--proofs", type=int, default=1000, help="proofs per timed run")
    parser.add_argument("--pymerkle-max", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None, help="where the SQLite files go")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench-log-") as name:
        folder = Path(name)
        appends = _appends(folder, args)
        print(f"# transparency log on SQLite {sqlite3.sqlite_version}, Python ", end="")
        print(f"{platform.python_version()}, best of {args.repeats}, one process\n")
        print("| append | best µs/entry | median µs/entry | entries/s | × baseline time |")
        print("|---|---:|---:|---:|---:|")
        baseline = appends["hashlib.sha256 of 32 bytes (baseline)"][0]
        for label, (fastest, median) in appends.items():
            times = f"{fastest * 1e6:,.2f} | {median * 1e6:,.2f}"
            print(f"| {label} | {times} | {1 / fastest:,.0f} | {fastest / baseline:,.1f} |")
        print()
        rows = [row for size in args.sizes for row in _proofs(folder, size, args)]
        print("\n| proof | best ms | median ms | proofs/s | × baseline time |")
        print("|---|---:|---:|---:|---:|")
        for label, fastest, median in rows:
            times = f"{fastest * 1e3:.3f} | {median * 1e3:.3f}"
            print(f"| {label} | {times} | {1 / fastest:,.0f} | {fastest / baseline:,.0f} |")


if __name__ == "__main__":
    main()
