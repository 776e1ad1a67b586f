"""The signed-in reader's organisation: who it is, who belongs to it, how it signs.

The page shows what the store keeps of the organisation (its legal name and tax
identifier, decrypted for its own members only), its members with their roles, and, once
it has signed a pack, its issuer: the did:web identifier its documents name, a link to the
DID document the service publishes for it, every signing key with the period it signs in,
and the key of its transparency log. Before its first pack it has no keys yet, and the page
says how it gets them.

Its owner and administrators give or correct its registered address here (checked as a
shipment record checks an address; every change is an audit event); the wizard starts a
new shipment's seller with it. The legal name and tax number are not changed here: the
documents already signed state them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from cruce.api.deps import ServicesDep
from cruce.api.issuers import issuers_of, legal_identity
from cruce.i18n import Message, _
from cruce.ingest.errors import issues_from_validation
from cruce.model.party import Address
from cruce.store.models import MembershipRole
from cruce.web import pages
from cruce.web.forms import FormProblems
from cruce.web.wizard_fields import PARTY_FIELDS

if TYPE_CHECKING:
    from datetime import datetime

    from cruce.api.deps import Services
    from cruce.api.issuers import Issuer
    from cruce.web.pages import Reader

router = APIRouter(include_in_schema=False)

SCHEMES: dict[str, Message] = {
    "us_ein": _("US employer identification number (EIN)"),
    "mx_rfc": _("Mexican RFC"),
    "foreign": _("Another country's tax number"),
}
ADDRESS_FIELDS: Final = tuple(f for f in PARTY_FIELDS if f.name.startswith("address."))
"""The address's inputs, as the wizard asks a party's (``address.street``, ...)."""
MAX_FIELD: Final = 300
EDITORS: Final = frozenset({MembershipRole.OWNER, MembershipRole.ADMIN})
ROLES: dict[MembershipRole, Message] = {
    MembershipRole.OWNER: _("Owner"),
    MembershipRole.ADMIN: _("Administrator"),
    MembershipRole.MEMBER: _("Member"),
}


@dataclass(frozen=True, slots=True)
class Member:
    """One person of the organisation as the page lists them."""

    name: str
    email: str
    role: Message
    disabled: bool
    is_reader: bool


@dataclass(frozen=True, slots=True)
class Key:
    """One signing key of the issuer: its DID URL and the period it signs in."""

    method: str
    created: datetime
    retired_at: datetime | None


@dataclass(frozen=True, slots=True)
class Signing:
    """The organisation's issuer, as the page shows it."""

    did: str
    did_document: str
    status_list: str
    keys: tuple[Key, ...]
    log_origin: str
    log_key: str | None


def _signing(issuer: Issuer | None) -> Signing | None:
    if issuer is None:
        return None
    keys = tuple(
        Key(f"{issuer.did}#{record.key_id}", record.created, record.retired_at)
        for record in sorted(issuer.ring.keys, key=lambda r: r.created, reverse=True)
    )
    return Signing(
        issuer.did,
        f"/orgs/{issuer.organisation_id}/did.json",
        f"/orgs/{issuer.organisation_id}/status/1",
        keys,
        issuer.log_origin,
        issuer.vkey(),
    )


@router.get("/organisation", response_class=HTMLResponse)
def organisation(request: Request, services: ServicesDep) -> Response:
    """The organisation's legal identity, address, members and signing keys (members only)."""
    who = pages.reader(services, request)
    if who.organisation_id is None or who.user_id is None:
        return pages.finish_redirect(request, "/sign-in")
    return _page(services, request, who, saved=request.query_params.get("saved") == "address")


def _page(
    services: Services,
    request: Request,
    who: Reader,
    *,
    typed: dict[str, str] | None = None,
    problems: FormProblems | None = None,
    saved: bool = False,
    status: int = 200,
) -> HTMLResponse:
    assert who.organisation_id is not None  # noqa: S101 - the callers checked
    with services.store().reading() as unit:
        info = unit.organisations.get(who.organisation_id)
        role = unit.memberships.role(who.user_id, who.organisation_id) if who.user_id else None
        members: list[Member] = []
        for user_id, member_role in unit.memberships.members(who.organisation_id):
            user = unit.users.get(user_id)
            if user is None:
                continue
            members.append(
                Member(
                    user.name,
                    user.email,
                    ROLES.get(member_role, _("Member")),
                    user.disabled_at is not None,
                    user_id == who.user_id,
                )
            )
    members.sort(key=lambda m: (not m.is_reader, m.name.casefold()))
    signing = _signing(issuers_of(services).get(who.organisation_id))
    stored = info.address or {}
    context = {
        "info": info,
        "scheme": SCHEMES.get(info.tax_scheme, _("Another country's tax number")),
        "can_sign": legal_identity(info.tax_scheme, info.tax_id) is not None,
        "members": members,
        "signing": signing,
        "address_fields": ADDRESS_FIELDS,
        "address": typed or {f"address.{k}": str(v) for k, v in stored.items()},
        "may_edit": role in EDITORS,
        "problems": problems or FormProblems(),
        "saved": saved,
    }
    return pages.render(request, who, "organisation.html", context, status)


@router.post("/organisation/address", response_class=HTMLResponse)
async def save_address(request: Request, services: ServicesDep) -> Response:
    """Its registered address, replaced (owner and administrators); the form again if refused."""
    async with request.form(max_files=0, max_fields=len(ADDRESS_FIELDS) + 4) as form:
        typed = {
            name: value[:MAX_FIELD]
            for name, value in form.items()
            if isinstance(value, str) and (name == pages.FORM_FIELD or name.startswith("address."))
        }
    return await run_in_threadpool(_save_address, services, request, typed)


def _save_address(services: Services, request: Request, typed: dict[str, str]) -> Response:
    who = pages.reader(services, request)
    if who.organisation_id is None or who.user_id is None:
        return pages.finish_redirect(request, "/sign-in")
    sent = typed.pop(pages.FORM_FIELD, "")
    if not pages.check_form(request, sent):
        return _refused(services, request, who, typed)
    values = {
        f.name.removeprefix("address."): typed.get(f.name, "").strip() for f in ADDRESS_FIELDS
    }
    values = {key: value for key, value in values.items() if value}
    try:
        address = Address.model_validate(values)
    except ValidationError as error:
        problems = FormProblems()
        for issue in issues_from_validation(error, prefix=("address",)):
            problems.add(_field_of(issue.path, issue.code), issue.message)
        return _page(services, request, who, typed=typed, problems=problems, status=422)
    stored: dict[str, Any] = address.model_dump(mode="json", exclude_none=True)
    with services.store().unit() as unit:
        allowed = unit.memberships.role(who.user_id, who.organisation_id) in EDITORS
        if allowed:
            unit.organisations.set_address(who.organisation_id, stored)
            unit.audit_event(
                request,
                "organisation.address_changed",
                ("organisation", str(who.organisation_id)),
                (who.user_id, who.organisation_id),
            )
    if not allowed:  # the page is read after the write unit is closed (one writer on SQLite)
        problems = FormProblems()
        problems.add("", _("Only the organisation's owner or an administrator changes this"))
        return _page(services, request, who, typed=typed, problems=problems, status=403)
    return pages.finish_redirect(request, "/organisation?saved=address")


def _field_of(path: str, code: str) -> str:
    """The input a problem belongs beside: its own, the state's, else the form's.

    A state outside the country is the model's problem with the whole address: it is shown
    beside the state.
    """
    if path.startswith("address."):
        return path
    return "address.subdivision" if ".subdivision." in f".{code}" else ""


def _refused(services: Services, request: Request, who: Reader, typed: dict[str, str]) -> Response:
    problems = FormProblems()
    problems.add("", _("This form has expired; please send it again"))
    return _page(services, request, who, typed=typed, problems=problems, status=403)
