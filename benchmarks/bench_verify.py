"""Data Integrity verification of a ~1 KB credential, per second on one core.

eddsa-jcs-2022 against the raw Ed25519 verification rate of ``cryptography`` measured in
the same run (cruce's target: at least half of it), and eddsa-rdfc-2022 with the contexts
cached (the second credential on) and cold (the first). The credential is a USMCA
certification of origin in the W3C CCG traceability vocabulary, issued by a did:web
organisation whose DID document the resolver holds. The steps are timed in turns, one run
of each per round, so a busy machine slows the baseline and the others alike; the garbage
collector is paused while timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cruce.trust.data_integrity import JCS, RDFC, sign, verify
from cruce.trust.did import LegalIdentity, Resolver, TaxScheme, did_web_document
from cruce.trust.jsonld import clear_cache, jcs
from cruce.trust.keys import KeyPair, KeyRecord
from timing import best

if TYPE_CHECKING:
    from collections.abc import Callable

ACME = "did:web:acme.example"
CREATED = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
BASELINE = "Ed25519 verify of 64 bytes, cryptography (baseline)"


def credential() -> dict[str, Any]:
    """A USMCA certification of origin of about 1 KB (canonical JSON, without proof)."""
    company = {"type": ["Organization"], "name": "Acme Machining LLC", "taxId": "12-3456789"}
    address = {
        "type": ["PostalAddress"],
        "streetAddress": "1551 Industrial Pkwy",
        "addressLocality": "Laredo",
        "addressRegion": "TX",
        "postalCode": "78045",
        "addressCountry": "US",
    }
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/traceability/v1"],
        "type": ["VerifiableCredential", "USMCACertificationOfOrigin"],
        "id": "urn:uuid:c9d24347-0e04-4e01-9567-7f2778fed94a",
        "validFrom": "2026-11-01T00:00:00Z",
        "validUntil": "2027-10-31T23:59:59Z",
        "issuer": {"type": ["Organization"], "id": ACME, "name": "Acme Machining LLC"},
        "credentialSubject": {
            "type": ["USMCAClaims"],
            "invoiceNumber": "INV-2026-0917",
            "variousImporters": False,
            "exporterDetails": {**company, "location": {"type": ["Place"], "address": address}},
            "importerDetails": [
                {
                    "type": ["Organization"],
                    "name": "Maquinados del Bajío SA de CV",
                    "taxId": "MBA010203AB1",
                }
            ],
            "goods": [
                {
                    "type": ["USMCAProduct"],
                    "description": "CNC-machined aluminium housing",
                    "commodityCode": "847990",
                    "commodityCodeType": "HS",
                    "originCriterion": "B",
                    "countryOfOrigin": "US",
                }
            ],
        },
    }


def in_turns(
    steps: dict[str, tuple[Callable[[], object], int]], repeats: int
) -> dict[str, tuple[float, float]]:
    """Best and median seconds per call of each step, its runs interleaved with the others'."""
    timings: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeats):
        for name, (function, number) in steps.items():
            timings[name].append(best(function, 1, number)[0])
    return {name: (min(runs), statistics.median(runs)) for name, runs in timings.items()}


def main() -> None:
    """Measure and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--number", type=int, default=500)
    args = parser.parse_args()
    key = KeyPair.generate()
    method = f"{ACME}#{key.public_key.multibase}"
    identity = LegalIdentity("Acme Machining LLC", "12-3456789", TaxScheme.EIN)
    document = did_web_document(ACME, [KeyRecord(key.public_key, CREATED)], identity)
    resolver = Resolver({ACME: document})
    unsigned = credential()
    signed_jcs = sign(unsigned, key, method, JCS, CREATED)
    signed_rdfc = sign(unsigned, key, method, RDFC, CREATED)
    for signed in (signed_jcs, signed_rdfc):
        assert verify(signed, resolver).verified  # noqa: S101 - a benchmark of a broken path is void

    raw_key = Ed25519PrivateKey.generate()
    message = os.urandom(64)  # Data Integrity signs 64 bytes: two SHA-256 digests
    raw_signature, raw_public = raw_key.sign(message), raw_key.public_key()

    def cold_rdfc() -> object:
        clear_cache()
        return verify(signed_rdfc, resolver, check_schema=False)

    repeats, number = args.repeats, args.number
    results = in_turns(
        {
            BASELINE: (lambda: raw_public.verify(raw_signature, message), number * 4),
            "eddsa-jcs-2022 verify (proof, key, issuer)": (
                lambda: verify(signed_jcs, resolver, check_schema=False),
                number,
            ),
            "eddsa-jcs-2022 verify + VC 2.0 JSON Schema": (
                lambda: verify(signed_jcs, resolver),
                max(number // 2, 1),
            ),
            "eddsa-jcs-2022 sign": (lambda: sign(unsigned, key, method, JCS, CREATED), number),
            "eddsa-rdfc-2022 verify, contexts cached": (
                lambda: verify(signed_rdfc, resolver, check_schema=False),
                max(number // 20, 1),
            ),
        },
        repeats,
    )
    results["eddsa-rdfc-2022 verify, cold (first credential)"] = best(cold_rdfc, 3, 1)
    baseline = results[BASELINE][0]
    size, signed_size = len(jcs(unsigned)), len(jcs(signed_jcs))
    print(f"# Data Integrity verification, a {size:,}-byte credential ({signed_size:,} signed)")
    print(f"best of {repeats} runs in turns, one process, one core; did:web from a local copy\n")
    print("| step | best ms | median ms | per second | % of raw Ed25519 verify rate |")
    print("|---|---:|---:|---:|---:|")
    for name, (fastest, median) in results.items():
        times = f"{fastest * 1e3:.3f} | {median * 1e3:.3f}"
        print(f"| {name} | {times} | {1 / fastest:,.0f} | {100 * baseline / fastest:.0f} % |")


if __name__ == "__main__":
    main()
