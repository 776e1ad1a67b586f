"""What a verifier holds besides the document, gathered from named files' bytes.

DID documents and Bitstring Status List credentials are JSON; log keys are note verifier
keys, one per line, in files ending ``.vkey``. Anything else, or anything that does not
parse, is not evidence and is left out: the verification report then says which check
could not be made, rather than failing on a stray file.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cruce.trust.checkpoint import NoteError, NoteVerifier, verifier_from_vkey
from cruce.trust.did import Resolver
from cruce.trust.verification import Evidence

if TYPE_CHECKING:
    from collections.abc import Iterable


def _json_object(data: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def evidence_from_items(items: Iterable[tuple[str, bytes]], keys: Iterable[str] = ()) -> Evidence:
    """DID documents, status lists and log keys from ``(name, bytes)`` pairs and key texts."""
    documents: dict[str, Any] = {}
    status_lists: dict[str, Any] = {}
    texts = list(keys)
    for name, data in items:
        if name.endswith(".vkey"):
            try:
                texts.extend(data.decode("utf-8").split())
            except UnicodeDecodeError:
                continue
            continue
        value = _json_object(data)
        if value is None:
            continue
        types = value.get("type", [])
        if isinstance(value.get("id"), str) and "verificationMethod" in value:
            documents[value["id"]] = value
        elif isinstance(types, list) and "BitstringStatusListCredential" in types:
            status_lists[str(value.get("id"))] = value
    verifiers: list[NoteVerifier] = []
    for text in texts:
        try:
            verifiers.append(verifier_from_vkey(text))
        except NoteError:
            continue
    return Evidence(Resolver(documents), status_lists, verifiers)
