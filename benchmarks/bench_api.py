"""The API under load on loopback: cruce's routes next to a bare FastAPI endpoint.

Run with ``.venv/bin/python benchmarks/bench_api.py`` (or ``make bench``); needs ``wrk``
(Debian's package; ``make bench`` installs it where missing). Each server is uvicorn with
one worker on 127.0.0.1; wrk runs 2 threads and 32 connections for ``--seconds`` against
each URL in turn, and reports requests/s and the 99th percentile latency. The baseline is
a FastAPI endpoint returning constant JSON (``benchmarks/baseline_app.py``), measured in the
same run; cruce's target is at least half its rate.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

HERE = Path(__file__).resolve().parent
_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
_P99 = re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_SCALE = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(target: str, *, factory: bool, env: dict[str, str]) -> Iterator[str]:
    """Serve ``target`` with uvicorn on a free port until the block ends; yields the base URL."""
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", target, "--port", str(port), "--no-access-log"]
    command += ["--log-level", "warning", "--app-dir", str(HERE)]
    if factory:
        command.append("--factory")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/", timeout=0.2)  # noqa: S310 - loopback
            except OSError as error:
                if getattr(error, "code", None) is not None:
                    break
                time.sleep(0.1)
            else:
                break
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def load(url: str, seconds: int) -> tuple[float, float]:
    """Requests/s and 99th percentile latency (ms) wrk measures for ``url``."""
    wrk = shutil.which("wrk")
    if wrk is None:
        msg = "wrk is not installed (apt-get install wrk)"
        raise SystemExit(msg)
    output = subprocess.run(  # noqa: S603 - wrk with our arguments
        [wrk, "-t2", "-c32", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate, p99 = _RATE.search(output), _P99.search(output)
    if rate is None or p99 is None:
        msg = f"cannot read wrk's output:\n{output}"
        raise SystemExit(msg)
    return float(rate.group(1)), float(p99.group(1)) * _SCALE[p99.group(2)]


def main() -> None:
    """Measure and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    env = {"CRUCE_VERIFY_RATE": "1000000/second"}
    results: dict[str, tuple[float, float]] = {}
    with serving("baseline_app:app", factory=False, env=env) as base:
        results["bare FastAPI, constant JSON (baseline)"] = load(f"{base}/constant", args.seconds)
    with serving("cruce.api.app:create_app", factory=True, env=env) as base:
        results["cruce GET /api/v1/health"] = load(f"{base}/api/v1/health", args.seconds)
        results["cruce 404 problem details"] = load(f"{base}/api/v1/nowhere", args.seconds)
    baseline = results["bare FastAPI, constant JSON (baseline)"][0]
    print(f"# API on loopback: uvicorn, 1 worker; wrk -t2 -c32 -d{args.seconds}s")
    print("\n| endpoint | requests/s | p99 ms | × baseline rate |\n|---|---:|---:|---:|")
    for name, (rate, p99) in results.items():
        print(f"| {name} | {rate:,.0f} | {p99:.1f} | {rate / baseline:.2f} |")


if __name__ == "__main__":
    main()
