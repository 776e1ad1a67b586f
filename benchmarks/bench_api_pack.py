"""A new shipment and its pack through the API: shipments/s and the 99th percentile.

Run with ``.venv/bin/python benchmarks/bench_api_pack.py`` (or ``make bench``); add
``--database-url postgresql://…`` (an empty database) to measure on PostgreSQL. The server
is uvicorn with one worker on 127.0.0.1. ``--clients`` threads each loop for ``--seconds``:
POST the Phoenix example (14 goods lines) under a new reference with an Idempotency-Key,
then POST its pack (every document rendered, validated, signed, logged, stored encrypted,
audited). One shipment is both requests; its latency is theirs together.

The baseline, measured in the same run, is the same work in one process with no service:
``pack`` and ``sign_pack`` of the record (what ``cruce pack --sign`` computes), one after
the other. The ratio says what the service adds (HTTP, the store, encryption, the audit).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench_api import EXAMPLES, serving, stored_shipment
from cruce.artifacts.checklist import pack
from cruce.artifacts.signing import sign_pack
from cruce.ingest.loader import load_shipment
from cruce.trust.did import TaxScheme as IssuerScheme
from cruce.trust.organisation import Organisation, Profile

RECORD = EXAMPLES / "01-phoenix-to-guadalajara" / "shipment.yaml"
REFERENCE = b'reference: "SPM-2026-1187"'
PASSPHRASE = "benchmark only"  # noqa: S105 - throwaway keys in a temporary folder


def _post(url: str, body: bytes, headers: dict[str, str]) -> dict[str, object]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - loopback
            found: dict[str, object] = json.loads(response.read())
            return found
    except urllib.error.HTTPError as error:  # a refused request is not a measurement
        msg = f"{url} answered {error.code}: {error.read()[:2000]!r}"
        raise SystemExit(msg) from error


def one_shipment(base: str, token: str, record: bytes) -> float:
    """POST a new shipment and its pack; the seconds both took."""
    started = time.perf_counter()
    reference = f'reference: "BN-{uuid.uuid4().hex[:12]}"'.encode()
    auth = {"Authorization": f"Bearer {token}"}
    created = _post(
        f"{base}/api/v1/shipments",
        record.replace(REFERENCE, reference),
        {**auth, "Content-Type": "application/yaml", "Idempotency-Key": uuid.uuid4().hex},
    )
    _post(
        f"{base}/api/v1/shipments/{created['id']}/packs",
        b"",
        {**auth, "Idempotency-Key": uuid.uuid4().hex},
    )
    return time.perf_counter() - started


def through_the_api(base: str, token: str, clients: int, seconds: float) -> list[float]:
    """Every shipment's latency while ``clients`` threads create and pack for ``seconds``."""
    record = RECORD.read_bytes()
    if REFERENCE not in record:
        msg = "the example's reference line changed; update REFERENCE"
        raise SystemExit(msg)
    latencies: list[float] = []
    errors: list[BaseException] = []
    deadline = time.perf_counter() + seconds

    def client() -> None:
        try:
            while time.perf_counter() < deadline:
                latencies.append(one_shipment(base, token, record))
        except BaseException as error:  # noqa: BLE001 - reported after the run
            errors.append(error)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        msg = f"{len(errors)} clients failed; the first: {errors[0]!r}"
        raise SystemExit(msg)
    return latencies


def in_one_process(seconds: float) -> list[float]:
    """The baseline: pack and sign the same record in this process, for ``seconds``."""
    record = load_shipment(RECORD)
    timings: list[float] = []
    with tempfile.TemporaryDirectory() as temporary:
        profile = Profile(
            "Sonoran Precision Machining LLC", "86-2741953", IssuerScheme.EIN, "spm.example"
        )
        organisation = Organisation.create(Path(temporary) / "org", profile, PASSPHRASE)
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline or not timings:
            started = time.perf_counter()
            sign_pack(pack(record), organisation, PASSPHRASE, now=datetime.now(UTC))
            timings.append(time.perf_counter() - started)
    return timings


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) > 1 else values[0]


def main() -> None:
    """Measure and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument(
        "--database-url",
        default="",
        help="cruce's database (an empty PostgreSQL database); a fresh SQLite file by default",
    )
    args = parser.parse_args()
    env = {
        "CRUCE_DATA_DIR": tempfile.mkdtemp(prefix="cruce-bench-pack-"),
        "CRUCE_DATABASE_URL": args.database_url,
        "CRUCE_LOGIN_RATE": "1000000/second",
    }
    store = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    baseline = in_one_process(args.seconds / 2)
    with serving("cruce.api.app:create_app", factory=True, env=env) as base:
        _url, token = stored_shipment(base)
        one_shipment(base, token, RECORD.read_bytes())  # the issuer's keys made once
        started = time.perf_counter()
        latencies = through_the_api(base, token, args.clients, args.seconds)
        elapsed = time.perf_counter() - started
    base_rate = len(baseline) / sum(baseline)
    rate = len(latencies) / elapsed
    print(
        f"# POST the 14-line example + POST its pack: uvicorn, 1 worker, {store}; "
        f"{args.clients} clients for {args.seconds:.0f} s; {len(latencies)} shipments"
    )
    print("\n| run | shipments/s | p50 s | p99 s | × baseline rate |\n|---|---:|---:|---:|---:|")
    print(
        f"| pack + sign in one process (baseline) | {base_rate:.2f} | "
        f"{statistics.median(baseline):.2f} | {_p99(baseline):.2f} | 1.00 |"
    )
    print(
        f"| through the API ({store}) | {rate:.2f} | {statistics.median(latencies):.2f} | "
        f"{_p99(latencies):.2f} | {rate / base_rate:.2f} |"
    )


if __name__ == "__main__":
    main()
