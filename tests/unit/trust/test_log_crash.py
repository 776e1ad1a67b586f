"""A receipt handed out survives the writer being killed: SIGKILL a child mid-append, reopen.

The child appends in batches (``append_many``, ``append`` and an :class:`Appender`) and
prints ``<index> <digest>`` once each append has returned, i.e. after its commit. The parent
kills it at a random moment, reopens the log, finds every printed entry at its index,
audits the whole log with ``verify()`` and appends again. The random choices come from a
fixed seed; whatever the timing, the assertions hold, so the test is not flaky.
"""

from __future__ import annotations

import hashlib
import random
import signal
import subprocess
import sys
import threading
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cruce.trust.log import TransparencyLog

pytestmark = [
    pytest.mark.functional,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)"),
]

ORIGIN = "example.com/crash-test"
SEED = bytes(range(32))
ROUNDS = 8
STARTUP_TIMEOUT = 20.0

CHILD = """
import hashlib, random, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cruce.trust.log import Appender, TransparencyLog

path, origin, seed, round_number = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3]), sys.argv[4]
rng = random.Random(round_number)
log = TransparencyLog(path, origin, Ed25519PrivateKey.from_private_bytes(seed))


def report(index, digest):
    sys.stdout.write(f"{index} {digest.hex()}\\n")
    sys.stdout.flush()


sys.stdout.write(f"ready {log.size}\\n")
sys.stdout.flush()
counter = 0
with Appender(log, batch_size=rng.choice([8, 32, 100]), max_delay=0.002) as appender:
    while True:
        count = rng.randint(1, 150)
        digests = [
            hashlib.sha256(f"{round_number}/{counter + i}".encode()).digest() for i in range(count)
        ]
        counter += count
        mode = rng.random()
        if mode < 0.2:
            for index, digest in zip(log.append_many(digests), digests):
                report(index, digest)
        elif mode < 0.3:
            for digest in digests[:3]:
                report(log.append(digest), digest)
        else:
            futures = [(appender.submit(digest), digest) for digest in digests]
            for future, digest in futures:
                report(future.result().index, digest)
"""


class _Reader(threading.Thread):
    """Collects the child's complete output lines as they come."""

    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.lines: list[str] = []
        self.condition = threading.Condition()

    def run(self) -> None:
        for line in self.stream:
            with self.condition:
                self.lines.append(line)
                self.condition.notify_all()

    def wait_for(self, count: int, timeout: float) -> bool:
        with self.condition:
            return self.condition.wait_for(lambda: len(self.lines) >= count, timeout)


def _run_and_kill(script, path, round_number: int, delay: float) -> tuple[list[str], str]:
    child = subprocess.Popen(  # noqa: S603 - our own script, run by this interpreter
        [sys.executable, str(script), str(path), ORIGIN, SEED.hex(), str(round_number)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reader = _Reader(child.stdout)
    reader.start()
    try:
        started = reader.wait_for(2, STARTUP_TIMEOUT)  # "ready" and a first receipt
        if started:
            time.sleep(delay)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        reader.join()
    errors = child.stderr.read() if child.stderr else ""
    if child.stderr:
        child.stderr.close()
    if child.stdout:
        child.stdout.close()
    if not started:
        pytest.fail(f"the child did not start appending:\n{errors}")
    return [line for line in reader.lines if line.endswith("\n")], errors


def test_every_printed_receipt_survives_sigkill(tmp_path):
    path = tmp_path / "log.sqlite"
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    rng = random.Random(20261128)  # noqa: S311 - when to kill, not a secret
    logged: dict[int, bytes] = {}
    for round_number in range(ROUNDS):
        lines, errors = _run_and_kill(script, path, round_number, rng.uniform(0.01, 0.4))
        assert lines[0].startswith("ready "), errors
        assert int(lines[0].split()[1]) >= len(logged)
        for line in lines[1:]:
            index, digest = line.split()
            logged[int(index)] = bytes.fromhex(digest)
        with TransparencyLog(path, ORIGIN, Ed25519PrivateKey.from_private_bytes(SEED)) as log:
            assert log.size >= max(logged) + 1
            for index, digest in logged.items():
                assert log.entry(index) == digest, f"round {round_number}: entry {index} lost"
            assert log.verify() == log.root()
            assert log.checkpoint().checkpoint.size == log.size
            extra = hashlib.sha256(f"parent {round_number}".encode()).digest()
            size = log.size
            assert log.append(extra) == size
            logged[size] = extra
            log.receipt(size).verify(log.verifier)
    assert len(logged) > ROUNDS
