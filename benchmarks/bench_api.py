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
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "src" / "cruce" / "examples"
_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
_P99 = re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_SCALE = {"us": 0.001, "ms": 1.0, "s": 1000.0}
_FAILED = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


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


def _call(method: str, url: str, body: bytes | None, headers: dict[str, str]) -> dict[str, Any]:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
        cookie = response.headers.get("set-cookie", "")
        found: dict[str, Any] = json.loads(response.read() or b"{}")
        if cookie:
            found["_cookie"] = cookie.split(";", 1)[0]
        return found


def stored_shipment(base: str) -> tuple[str, str]:
    """An account, an API token and example 01 stored: the shipment's URL and the token."""
    account = {
        "email": "bench@example.com",
        "password": "benchmark passphrase",
        "name": "Bench",
        "organisation": {"name": "Bench Co", "tax_scheme": "us_ein", "tax_id": "862741953"},
    }
    json_headers = {"Content-Type": "application/json"}
    _call("POST", f"{base}/api/v1/accounts", json.dumps(account).encode(), json_headers)
    signed = _call(
        "POST",
        f"{base}/api/v1/sessions",
        json.dumps({"email": account["email"], "password": account["password"]}).encode(),
        json_headers,
    )
    session_headers = {
        **json_headers,
        "Cookie": signed["_cookie"],
        "X-CSRF-Token": signed["csrf_token"],
    }
    token = _call("POST", f"{base}/api/v1/tokens", b'{"name": "bench"}', session_headers)["token"]
    record = (EXAMPLES / "01-phoenix-to-guadalajara" / "shipment.yaml").read_bytes()
    created = _call(
        "POST",
        f"{base}/api/v1/shipments",
        record,
        {"Content-Type": "application/yaml", "Authorization": f"Bearer {token}"},
    )
    return f"{base}/api/v1/shipments/{created['id']}", token


def load(url: str, seconds: int, token: str | None = None) -> tuple[float, float]:
    """Requests/s and 99th percentile latency (ms) wrk measures for ``url``.

    A run with any answer outside 2xx/3xx is refused: failing fast is not serving.
    """
    wrk = shutil.which("wrk")
    if wrk is None:
        msg = "wrk is not installed (apt-get install wrk)"
        raise SystemExit(msg)
    auth = ["-H", f"Authorization: Bearer {token}"] if token else []
    output = subprocess.run(  # noqa: S603 - wrk with our arguments
        [wrk, "-t2", "-c32", f"-d{seconds}s", "--latency", *auth, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    failed = _FAILED.search(output)
    if failed is not None and not url.endswith("/nowhere"):
        msg = f"{failed.group(1)} answers were not 2xx or 3xx for {url}"
        raise SystemExit(msg)
    rate, p99 = _RATE.search(output), _P99.search(output)
    if rate is None or p99 is None:
        msg = f"cannot read wrk's output:\n{output}"
        raise SystemExit(msg)
    return float(rate.group(1)), float(p99.group(1)) * _SCALE[p99.group(2)]


def main() -> None:
    """Measure and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument(
        "--database-url",
        default="",
        help="cruce's database (an empty PostgreSQL database); a fresh SQLite file by default",
    )
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="cruce-bench-api-")
    env = {
        "CRUCE_VERIFY_RATE": "1000000/second",
        "CRUCE_LOGIN_RATE": "1000000/second",
        "CRUCE_DATA_DIR": data,
        "CRUCE_DATABASE_URL": args.database_url,
    }
    store = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    results: dict[str, tuple[float, float]] = {}
    with serving("baseline_app:app", factory=False, env=env) as base:
        results["bare FastAPI, constant JSON (baseline)"] = load(f"{base}/constant", args.seconds)
    with serving("cruce.api.app:create_app", factory=True, env=env) as base:
        results["cruce GET /api/v1/health"] = load(f"{base}/api/v1/health", args.seconds)
        results["cruce 404 problem details"] = load(f"{base}/api/v1/nowhere", args.seconds)
        shipment, token = stored_shipment(base)
        results[f"cruce GET /api/v1/shipments/{{id}} ({store}, decrypted, audited)"] = load(
            shipment, args.seconds, token
        )
    baseline = results["bare FastAPI, constant JSON (baseline)"][0]
    print(f"# API on loopback: uvicorn, 1 worker; wrk -t2 -c32 -d{args.seconds}s")
    print("\n| endpoint | requests/s | p99 ms | × baseline rate |\n|---|---:|---:|---:|")
    for name, (rate, p99) in results.items():
        print(f"| {name} | {rate:,.0f} | {p99:.1f} | {rate / baseline:.2f} |")


if __name__ == "__main__":
    main()
