"""``cruce org``, ``cruce verify``, ``cruce revoke``: the issuing organisation and checking.

The organisation's folder (keys, status list, log) is ``--org``, else ``CRUCE_ORG``, else
``organisation`` in cruce's data folder. The passphrase that opens its keys comes from
``CRUCE_PASSPHRASE`` or, at a terminal, a prompt; it is never an option on the command line.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from platformdirs import user_data_path
from rich.markup import escape

from cruce.artifacts.signing import without_prices
from cruce.cli.common import (
    EXIT_BLOCKERS,
    EXIT_READY,
    EXIT_UNUSABLE,
    LangOption,
    app,
    err_console,
    resolve_locale,
    say,
    stdout,
)
from cruce.i18n import _
from cruce.trust.did import TaxScheme
from cruce.trust.evidence import evidence_from_items
from cruce.trust.issuance import revoke
from cruce.trust.keys import KeyStoreError
from cruce.trust.organisation import Organisation, OrganisationError, Profile
from cruce.trust.pdf_seal import SealError, unseal
from cruce.trust.report import TITLES, Outcome
from cruce.trust.verification import Evidence, UnreadableError, verify_bytes

if TYPE_CHECKING:
    from cruce.i18n import Locale, Message
    from cruce.trust.report import Report

org_app = typer.Typer(help="The issuing organisation: its identity and keys.", no_args_is_help=True)
app.add_typer(org_app, name="org")

OrgOption = Annotated[
    Path | None,
    typer.Option("--org", help="The organisation's folder (default: CRUCE_ORG, then cruce's)."),
]
TRUST_FOLDER = "trust"
_MARKS = {Outcome.PASSED: "[green]✓[/]", Outcome.FAILED: "[red]✗[/]", Outcome.NOT_CHECKED: "·"}


def tax_identity(value: str) -> tuple[str, TaxScheme]:
    """``862741953`` or ``86-2741953`` -> an EIN as the IRS writes it; letters -> an RFC."""
    text = value.strip().upper().replace(" ", "")
    digits = text.replace("-", "")
    if digits.isdigit() and len(digits) == 9:  # noqa: PLR2004 - an EIN has nine digits
        return f"{digits[:2]}-{digits[2:]}", TaxScheme.EIN
    return text.replace("-", ""), TaxScheme.RFC


def org_folder(option: Path | None) -> Path:
    """The organisation folder: the option, else CRUCE_ORG, else the user's data folder."""
    if option is not None:
        return option
    if os.environ.get("CRUCE_ORG"):
        return Path(os.environ["CRUCE_ORG"])
    return user_data_path("cruce") / "organisation"


def passphrase(locale: Locale) -> str:
    """CRUCE_PASSPHRASE, or a hidden prompt at a terminal; exit 2 otherwise."""
    given = os.environ.get("CRUCE_PASSPHRASE")
    if given:
        return given
    if sys.stdin.isatty():
        return str(typer.prompt(_("Passphrase").render(locale), hide_input=True))
    say(
        err_console(),
        _("the keys' passphrase is needed: set CRUCE_PASSPHRASE or run at a terminal"),
        locale,
        "red",
    )
    raise typer.Exit(EXIT_UNUSABLE)


def fail(message: Message, locale: Locale) -> typer.Exit:
    """Say ``message`` on stderr; the exit for unusable input."""
    say(err_console(), message, locale, "red")
    return typer.Exit(EXIT_UNUSABLE)


def open_organisation(folder: Path, locale: Locale) -> Organisation:
    """The organisation in ``folder``, or exit 2 with the reason."""
    try:
        return Organisation.open(folder)
    except OrganisationError as error:
        raise fail(error.message, locale) from None


@org_app.command("init")
def org_init(  # noqa: PLR0917 - Typer passes every option positionally
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Legal name, as registered.")],
    tax_id: Annotated[str, typer.Option("--tax-id", help="EIN (12-3456789) or RFC.")],
    host: Annotated[
        str, typer.Option("--host", help="The web domain that publishes its DID (did:web).")
    ],
    org: OrgOption = None,
    lang: LangOption = None,
) -> None:
    """Create the organisation's keys and identity (did:web:<host>)."""
    locale = resolve_locale(ctx, lang)
    value, scheme = tax_identity(tax_id)
    folder = org_folder(org)
    try:
        profile = Profile(name.strip(), value, scheme, host.strip().lower())
        profile.identity  # noqa: B018 - validates the tax identifier
    except ValueError:
        raise fail(
            _("{value} is not a valid EIN (12-3456789) or RFC", value=tax_id), locale
        ) from None
    try:
        created = Organisation.create(folder, profile, passphrase(locale))
    except (OrganisationError, KeyStoreError) as error:
        raise fail(error.message, locale) from None
    say(
        stdout(),
        _("Organisation {did} created in {folder}", did=created.did, folder=folder),
        locale,
    )


@org_app.command("show")
def org_show(
    ctx: typer.Context,
    org: OrgOption = None,
    did_document: Annotated[
        bool, typer.Option("--did-document", help="Print the DID document to publish.")
    ] = False,
    lang: LangOption = None,
) -> None:
    """Who the organisation is, its DID and its keys."""
    locale = resolve_locale(ctx, lang)
    found = open_organisation(org_folder(org), locale)
    if did_document:
        sys.stdout.write(json.dumps(found.did_document(), indent=2, ensure_ascii=False) + "\n")
        return
    profile = found.profile
    console = stdout()
    console.print(f"{escape(profile.legal_name)} ({profile.scheme.value} {profile.tax_id})")
    console.print(found.did)
    for record in found.ring.keys:
        state = "active" if record.retired_at is None else f"retired {record.retired_at}"
        console.print(f"  {record.key_id}  {state}")


@org_app.command("rotate")
def org_rotate(ctx: typer.Context, org: OrgOption = None, lang: LangOption = None) -> None:
    """Make a new signing key; the old one is retired and its documents stay valid."""
    locale = resolve_locale(ctx, lang)
    found = open_organisation(org_folder(org), locale)
    try:
        record = found.ring.rotate(passphrase(locale))
    except KeyStoreError as error:
        raise fail(error.message, locale) from None
    say(stdout(), _("New signing key {key}", key=record.key_id), locale)


def evidence_from(folders: list[Path], extra: list[Path], keys: list[str]) -> Evidence:
    """DID documents, status lists and log keys from trust folders and given files."""
    paths = [p for folder in folders if folder.is_dir() for p in sorted(folder.iterdir())]
    items: list[tuple[str, bytes]] = []
    for path in [*paths, *extra]:
        try:
            items.append((path.name, path.read_bytes()))
        except OSError:
            continue
    return evidence_from_items(items, keys)


def print_report(report: Report, locale: Locale) -> None:
    """The verdict, the facts and each check with its mark, in ``locale``."""
    console = stdout()
    style = "bold green" if report.valid else "bold red"
    say(console, report.verdict(), locale, style)
    for key, value in report.facts.items():
        console.print(f"  {key}: {escape(value)}")
    for check in report.checks:
        title = TITLES[check.name].render(locale)
        console.print(
            f"{_MARKS[check.outcome]} {escape(title)}: {escape(check.detail.render(locale))}"
        )


@app.command("verify")
def verify_command(  # noqa: PLR0917 - Typer passes every option positionally
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A signed PDF or a credential (.json).")],
    trust: Annotated[
        list[Path] | None,
        typer.Option(
            "--trust",
            help="A folder of DID documents, status lists and log keys (default: 'trust' "
            "beside the file).",
        ),
    ] = None,
    evidence_file: Annotated[
        list[Path] | None,
        typer.Option("--evidence", help="A DID document, status list or .vkey file."),
    ] = None,
    receipt: Annotated[
        Path | None, typer.Option("--receipt", help="The log receipt of a credential file.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    lang: LangOption = None,
) -> None:
    """Check a document offline: integrity, status, issuer and the transparency log.

    Exit 0 when valid, 1 when a check fails or cannot be made, 2 when the file is unreadable.
    """
    locale = resolve_locale(ctx, lang)
    try:
        data = file.read_bytes()
        receipt_bytes = receipt.read_bytes() if receipt is not None else None
    except OSError:
        raise fail(_("cannot read {path}", path=str(file)), locale) from None
    folders = trust or [file.parent / TRUST_FOLDER]
    evidence = evidence_from(folders, list(evidence_file or []), [])
    if receipt_bytes is not None:
        evidence = Evidence(
            evidence.resolver, evidence.status_lists, evidence.log_keys, receipt_bytes
        )
    try:
        report = verify_bytes(data, evidence, now=datetime.now(UTC))
    except UnreadableError as error:
        raise fail(error.message, locale) from None
    if as_json:
        stdout().print_json(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        print_report(report, locale)
    raise typer.Exit(EXIT_READY if report.valid else EXIT_BLOCKERS)


@app.command("revoke")
def revoke_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The signed PDF or credential to revoke.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Where to write the new status list.")
    ],
    org: OrgOption = None,
    lang: LangOption = None,
) -> None:
    """Revoke a document the organisation issued, e.g. an invoice a corrected one replaces."""
    locale = resolve_locale(ctx, lang)
    found = open_organisation(org_folder(org), locale)
    try:
        credential = credential_of(file.read_bytes())
    except (OSError, UnreadableError):
        raise fail(_("{path} holds no credential cruce issued", path=str(file)), locale) from None
    try:
        status = revoke(found, passphrase(locale), credential, now=datetime.now(UTC))
    except KeyStoreError as error:
        raise fail(error.message, locale) from None
    except ValueError:
        raise fail(
            _("{path} was not issued by {did}", path=str(file), did=found.did), locale
        ) from None
    output.write_text(json.dumps(status, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(stdout(), _("Revoked {id}; publish {path}", id=credential.get("id"), path=output), locale)


def credential_of(data: bytes) -> dict[str, Any]:
    """The credential a signed PDF carries, or a credential file holds; UnreadableError."""
    if data.startswith(b"%PDF"):
        try:
            found = unseal(data).credential
        except SealError:
            found = None
        if found is None:
            raise UnreadableError(
                _("The PDF carries no signed credential: it was not issued signed.")
            )
        data = found
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        value = None
    if not isinstance(value, dict):
        raise UnreadableError(_("The file is neither a signed PDF nor a credential in JSON."))
    return value


@app.command("present")
def present_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An issued invoice SD-JWT (.sd-jwt).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The presentation to hand over.")],
    prices: Annotated[
        bool,
        typer.Option("--prices/--without-prices", help="Show the prices, or withhold them."),
    ] = False,
    lang: LangOption = None,
) -> None:
    """A presentation of a signed invoice for one party: a carrier sees no prices.

    The issuer signed once; the holder chooses what to disclose, and the signature still
    verifies (SD-JWT, RFC 9901).
    """
    locale = resolve_locale(ctx, lang)
    try:
        token = file.read_text(encoding="ascii").strip()
        shown = token if prices else without_prices(token)
    except (OSError, UnicodeDecodeError, ValueError):
        raise fail(_("{path} is not an SD-JWT cruce can read", path=str(file)), locale) from None
    output.write_text(shown, encoding="ascii")
    say(stdout(), _("Presentation written to {path}", path=output), locale)
