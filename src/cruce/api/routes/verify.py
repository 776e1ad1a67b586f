"""Public verification: anyone checks a document cruce signed, with no account.

The document (a signed PDF, a credential JSON or an SD-JWT) is uploaded with, optionally,
its log receipt and evidence files (DID documents, status lists, ``.vkey`` log keys); the
service adds the evidence it holds for its issuers. The answer is the four checks of
``cruce verify`` (integrity, status, issuer, log inclusion) in the request's language.
Rate-limited per client address.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile

from cruce.api.deps import LocaleDep, ServicesDep
from cruce.api.problems import ApiError
from cruce.i18n import _, parse_locale
from cruce.trust.evidence import evidence_from_items
from cruce.trust.verification import Evidence, UnreadableError, verify_bytes

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cruce.api.deps import Services
    from cruce.trust.report import Report

router = APIRouter(tags=["verification"])
MAX_EVIDENCE_FILES = 20


async def _read(upload: UploadFile, limit: int, field: str) -> bytes:
    """The upload's bytes; 413 when larger than ``limit``."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        size = f"{limit:,}"
        raise ApiError(
            413,
            "upload.too_large",
            _("{field} is larger than {limit} bytes", field=field, limit=size),
        )
    return data


@router.post("/verify", summary="Verify a signed document (no account needed)")
async def verify(
    request: Request,
    services: ServicesDep,
    locale: LocaleDep,
    file: Annotated[UploadFile, File(description="A signed PDF, credential JSON or SD-JWT.")],
    receipt: Annotated[UploadFile | None, File(description="The log receipt (JSON).")] = None,
    evidence: Annotated[
        list[UploadFile] | None,
        File(description="DID documents, status lists, .vkey log keys."),
    ] = None,
) -> dict[str, Any]:
    """The four checks of the document, in the request's language."""
    if services.verify_limit is not None:
        services.verify_limit.check(request)
    limit = services.settings.max_upload_bytes
    data = await _read(file, limit, "file")
    receipt_bytes = None if receipt is None else await _read(receipt, limit, "receipt")
    uploads = list(evidence or [])[:MAX_EVIDENCE_FILES]
    items = [(u.filename or "evidence.json", await _read(u, limit, "evidence")) for u in uploads]
    report = check_document(services, data, receipt_bytes, items)
    return report.in_locale(parse_locale(locale))


def check_document(
    services: Services,
    data: bytes,
    receipt: bytes | None = None,
    brought: Iterable[tuple[str, bytes]] = (),
) -> Report:
    """The four checks of ``data`` with the service's evidence and what the verifier brought.

    ``brought``: ``(file name, bytes)`` evidence files; ``receipt``: a log receipt (JSON).
    ApiError 422 ``verify.unreadable`` when the file holds no credential cruce can read.
    """
    found = evidence_from_items([*services.evidence.items(), *brought])
    if receipt is not None:
        found = Evidence(found.resolver, found.status_lists, found.log_keys, receipt)
    try:
        return verify_bytes(data, found, now=datetime.now(UTC))
    except UnreadableError as error:
        raise ApiError(422, "verify.unreadable", error.message) from None
