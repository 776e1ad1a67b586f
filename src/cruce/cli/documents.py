"""Commands on one shipment's documents: check, pack, schema, template, demo."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from cruce.artifacts.checklist import Checklist, NotReadyError, check, pack
from cruce.artifacts.shipment_record import shipment_schema
from cruce.artifacts.signing import SignedPack, credential_filename, sign_pack
from cruce.cli.common import (
    EXIT_BLOCKERS,
    EXIT_READY,
    EXIT_UNUSABLE,
    LangOption,
    ShipmentArgument,
    app,
    err_console,
    load,
    resolve_locale,
    say,
    stdout,
)
from cruce.cli.trust import (
    TRUST_FOLDER,
    OrgOption,
    credential_of,
    evidence_from,
    fail,
    open_organisation,
    org_folder,
    passphrase,
    print_report,
    tax_identity,
)
from cruce.i18n import _
from cruce.ingest.template import goods_template_csv, goods_template_xlsx
from cruce.model.problems import Severity
from cruce.trust.issuance import receipt_json
from cruce.trust.keys import KeyStoreError
from cruce.trust.organisation import Organisation, Profile
from cruce.trust.verification import UnreadableError, verify_bytes

if TYPE_CHECKING:
    from rich.console import Console

    from cruce.artifacts.checklist import Pack
    from cruce.i18n import Locale, Message
    from cruce.model import Shipment

_SEVERITY = {
    Severity.BLOCKER: (_("blocker"), "red"),
    Severity.WARNING: (_("warning"), "yellow"),
    Severity.INFO: (_("note"), "cyan"),
}


def _status_text(ready: bool, required: bool, blockers: int, warnings: int) -> Message:
    if not required:
        return _("not needed")
    if not ready:
        return _(
            "not ready: blockers {blockers}, warnings {warnings}",
            blockers=blockers,
            warnings=warnings,
        )
    if warnings:
        return _("ready; warnings: {warnings}", warnings=warnings)
    return _("ready")


def _print_checklist(checklist: Checklist, locale: Locale) -> None:
    console = stdout()
    shipment = checklist.shipment
    headline = (
        _(
            "Shipment {reference} ({direction}) is ready",
            reference=shipment.reference,
            direction=shipment.direction,
        )
        if checklist.ready
        else _(
            "Shipment {reference} ({direction}) is not ready",
            reference=shipment.reference,
            direction=shipment.direction,
        )
    )
    say(console, headline, locale, "bold green" if checklist.ready else "bold red")
    table = Table(show_lines=False)
    for heading in (_("Document"), _("Status"), _("Why it is needed")):
        table.add_column(heading.render(locale), overflow="fold")
    for status in checklist.statuses:
        text = _status_text(
            status.ready, status.requirement.required, len(status.blockers), len(status.warnings)
        )
        style = "green" if status.ready else "red"
        reason = status.requirement.reason.render(locale)
        if status.requirement.citation:
            reason = f"{reason} ({status.requirement.citation})"
        table.add_row(
            status.artifact.title.render(locale),
            f"[{style}]{escape(text.render(locale))}[/]",
            escape(reason),
        )
    console.print(table)
    problems = [(s, p) for s in checklist.statuses for p in s.problems]
    if not problems:
        return
    listing = Table(show_lines=False)
    for heading in (_("Severity"), _("Document"), _("Field"), _("Problem")):
        listing.add_column(heading.render(locale), overflow="fold")
    for status, problem in problems:
        severity, style = _SEVERITY[problem.severity]
        listing.add_row(
            f"[{style}]{escape(severity.render(locale))}[/]",
            status.artifact.title.render(locale),
            escape(problem.path),
            escape(f"{problem.render(locale)} [{problem.code}]"),
        )
    console.print(listing)


@app.command("check")
def check_command(
    ctx: typer.Context,
    shipment: ShipmentArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print the checklist as JSON.")] = False,
    lang: LangOption = None,
) -> None:
    """List what each document still needs. Exit 0 ready, 1 blockers, 2 unusable input."""
    locale = resolve_locale(ctx, lang)
    record = load(shipment, locale, as_json=as_json)
    checklist = check(record)
    if as_json:
        stdout().print_json(json.dumps({"usable": True, **checklist.as_dict()}, ensure_ascii=False))
    else:
        _print_checklist(checklist, locale)
    raise typer.Exit(EXIT_READY if checklist.ready else EXIT_BLOCKERS)


def _write_pack(result: Pack | SignedPack, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = result.pack if isinstance(result, SignedPack) else result
    for packed in files.artifacts:
        (out_dir / packed.rendered.filename).write_bytes(packed.rendered.data)
    if isinstance(result, SignedPack):
        _write_trust(result, files, out_dir)
    manifest = result.manifest(datetime.now(UTC).isoformat(timespec="seconds"))
    manifest_path = out_dir / "manifest.json"
    manifest_path.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest_path


def _write_trust(result: SignedPack, files: Pack, out_dir: Path) -> None:
    """Each credential beside its document, and what a verifier needs in ``trust/``."""
    for packed in files.artifacts:
        issued = result.credentials.get(packed.status.artifact.key)
        if issued is not None:
            name = credential_filename(packed.rendered.filename)
            (out_dir / name).write_bytes(issued.credential_bytes)
            (out_dir / name.replace(".credential.", ".receipt.")).write_bytes(
                receipt_json(issued.receipt)
            )
            if issued.sd_jwt is not None:
                sd_name = name.replace(".credential.json", ".sd-jwt")
                (out_dir / sd_name).write_text(issued.sd_jwt, encoding="ascii")
    trust = out_dir / TRUST_FOLDER
    trust.mkdir(exist_ok=True)
    published = result.published
    for name, value in (
        ("did.json", published.did_document),
        ("status-list.json", published.status_list),
    ):
        text = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
        (trust / name).write_text(text, encoding="utf-8")
    (trust / "checkpoint.txt").write_text(published.checkpoint, encoding="utf-8")
    (trust / "log.vkey").write_text(published.log_key + "\n", encoding="utf-8")


def _sign(
    result: Pack, org: Path | None, locale: Locale, *, suite: str, replaces: list[Path]
) -> SignedPack:
    """Sign the pack's documents as the organisation in ``org``; exit 2 when it cannot."""
    organisation = open_organisation(org_folder(org), locale)
    old = []
    for path in replaces:
        try:
            old.append(credential_of(path.read_bytes()))
        except (OSError, UnreadableError):
            raise fail(
                _("{path} holds no credential cruce issued", path=str(path)), locale
            ) from None
    try:
        return sign_pack(
            result,
            organisation,
            passphrase(locale),
            now=datetime.now(UTC),
            suite=suite,
            replaces=old,
        )
    except KeyStoreError as error:
        raise fail(error.message, locale) from None
    except ValueError:
        raise fail(
            _("a document it replaces was not issued by {did}", did=organisation.did), locale
        ) from None


def _pack_one(record: Shipment, locale: Locale, console: Console) -> Pack | None:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=console,
        transient=True,
    ) as progress:
        required = [s for s in check(record).statuses if s.requirement.required]
        task = progress.add_task(
            _("Packing {reference}", reference=record.reference).render(locale), total=len(required)
        )
        try:
            result = pack(record, progress=lambda _artifact: progress.advance(task))
        except NotReadyError as error:
            progress.stop()
            _print_checklist(error.checklist, locale)
            return None
    return result


def _print_pack(
    result: Pack | SignedPack, manifest: Path, locale: Locale, console: Console
) -> None:
    signed = result if isinstance(result, SignedPack) else None
    result = result.pack if isinstance(result, SignedPack) else result
    table = Table()
    for heading in (
        _("Document"),
        _("File"),
        _("Bytes"),
        _("SHA-256"),
        _("Format check"),
    ):
        table.add_column(heading.render(locale), overflow="fold")
    for packed in result.artifacts:
        ok = not [p for p in packed.validation if p.severity is Severity.BLOCKER]
        verdict = _("valid") if ok else _("INVALID")
        table.add_row(
            packed.status.artifact.title.render(locale),
            packed.rendered.filename,
            f"{len(packed.rendered.data):,}",
            packed.sha256[:12] + "…",
            f"[{'green' if ok else 'red'}]{verdict.render(locale)}[/]",
        )
    console.print(table)
    if signed is not None:
        say(
            console,
            _(
                "Signed by {did}: {count} documents as verifiable credentials, logged as "
                "entries {first} to {last}; check one with cruce verify FILE",
                did=signed.published.did_document["id"],
                count=len(signed.credentials),
                first=min(i.receipt.index for i in signed.credentials.values()),
                last=max(i.receipt.index for i in signed.credentials.values()),
            ),
            locale,
        )
    say(console, _("Manifest: {path}", path=manifest), locale)


@app.command("pack")
def pack_command(  # noqa: PLR0917 - Typer passes every option positionally
    ctx: typer.Context,
    shipment: ShipmentArgument,
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", help="Folder to write the documents and manifest.json into."
        ),
    ],
    sign: Annotated[
        bool,
        typer.Option(
            "--sign", help="Sign the documents as the organisation's verifiable credentials."
        ),
    ] = False,
    org: OrgOption = None,
    suite: Annotated[
        str,
        typer.Option(
            "--suite",
            help="Data Integrity cryptosuite: eddsa-jcs-2022 (default) or eddsa-rdfc-2022.",
        ),
    ] = "eddsa-jcs-2022",
    replaces: Annotated[
        list[Path] | None,
        typer.Option(
            "--replaces", help="A signed document this pack corrects: it is revoked (repeat)."
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Render and validate every required document, and write them with a manifest.

    With --sign, each document is also a W3C verifiable credential of the organisation
    (cruce org init), logged in its transparency log; PDFs carry it and a QR code.
    """
    locale = resolve_locale(ctx, lang)
    record = load(shipment, locale, as_json=False)
    console = stdout()
    result = _pack_one(record, locale, console)
    if result is None:
        raise typer.Exit(EXIT_BLOCKERS)
    if suite not in {"eddsa-jcs-2022", "eddsa-rdfc-2022"}:
        raise fail(_("--suite is eddsa-jcs-2022 or eddsa-rdfc-2022"), locale)
    written: Pack | SignedPack = (
        _sign(result, org, locale, suite=suite, replaces=list(replaces or [])) if sign else result
    )
    manifest = _write_pack(written, output)
    _print_pack(written, manifest, locale, console)
    raise typer.Exit(EXIT_READY if result.valid else EXIT_BLOCKERS)


@app.command("schema")
def schema_command(ctx: typer.Context, lang: LangOption = None) -> None:
    """Print the JSON Schema of the shipment record."""
    resolve_locale(ctx, lang)
    sys.stdout.write(json.dumps(shipment_schema(), indent=2, ensure_ascii=False) + "\n")


@app.command("template")
def template_command(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="goods-template.xlsx or .csv")
    ] = Path("goods-template.xlsx"),
    lang: LangOption = None,
) -> None:
    """Write the goods sheet template (Excel or CSV, by the file's extension)."""
    locale = resolve_locale(ctx, lang)
    suffix = output.suffix.lower()
    if suffix not in {".xlsx", ".csv"}:
        say(err_console(), _("the template is an .xlsx or .csv file"), locale, "red")
        raise typer.Exit(EXIT_UNUSABLE)
    output.write_bytes(goods_template_xlsx() if suffix == ".xlsx" else goods_template_csv())
    say(stdout(), _("Template written to {path}", path=output), locale)


def _examples() -> list[tuple[str, Any]]:
    root = files("cruce.examples")
    return sorted(
        (
            (entry.name, entry)
            for entry in root.iterdir()
            if entry.is_dir() and (entry / "shipment.yaml").is_file()
        ),
        key=lambda item: item[0],
    )


DEMO_PASSPHRASE = "cruce-demo"  # noqa: S105 - the demo's throwaway keys, said so on screen


def _demo_organisation(record: Shipment, folder: Path) -> Organisation | None:
    """The seller of an example as a demo organisation (its keys under the demo folder)."""
    seller = record.parties.seller
    if seller is None:
        return None
    tax = next((t for t in seller.tax_ids if t.scheme.value in {"us_ein", "mx_rfc"}), None)
    if tax is None:
        return None
    email = seller.contact.email if seller.contact is not None else None
    slug = re.sub(r"[^a-z0-9]+", "-", seller.name.lower()).strip("-")[:40] or "seller"
    host = str(email).rsplit("@", 1)[1].lower() if email else f"{slug}.example"
    if (folder / "organisation.json").exists():
        return Organisation.open(folder)
    profile = Profile(seller.name, *tax_identity(tax.value), host)
    return Organisation.create(folder, profile, DEMO_PASSPHRASE)


@app.command("demo")
def demo_command(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Folder for the packed examples.")
    ] = Path("cruce-demo"),
    lang: LangOption = None,
) -> None:
    """Pack and sign the bundled examples, verify one document, and say where the files are.

    Each example's seller gets demo keys (passphrase "cruce-demo", for the demo only) under
    the output folder; its documents are signed, logged and sealed as with cruce pack --sign.
    """
    locale = resolve_locale(ctx, lang)
    console = stdout()
    failed = False
    verified: Path | None = None
    for name, entry in _examples():
        with as_file(entry) as folder:
            record = load(Path(folder) / "shipment.yaml", locale, as_json=False)
            say(
                console,
                _(
                    "Example {name}: {reference} ({direction}), {lines} goods lines",
                    name=name,
                    reference=record.reference,
                    direction=record.direction,
                    lines=len(record.goods),
                ),
                locale,
                "bold",
            )
            result = _pack_one(record, locale, console)
            if result is None:
                failed = True
                continue
            organisation = _demo_organisation(record, output / "organisations" / name)
            written: Pack | SignedPack = result
            if organisation is not None:
                written = sign_pack(result, organisation, DEMO_PASSPHRASE, now=datetime.now(UTC))
            manifest = _write_pack(written, output / name)
            _print_pack(written, manifest, locale, console)
            failed = failed or not result.valid
            if verified is None and isinstance(written, SignedPack):
                invoice = next(
                    (
                        p.rendered.filename
                        for p in written.pack.artifacts
                        if p.status.artifact.key == "commercial_invoice"
                    ),
                    None,
                )
                verified = None if invoice is None else output / name / invoice
    if verified is not None:
        say(console, _("Verifying {path}:", path=verified), locale, "bold")
        evidence = evidence_from([verified.parent / TRUST_FOLDER], [], [])
        print_report(verify_bytes(verified.read_bytes(), evidence), locale)
    say(console, _("The documents are in {path}", path=output.resolve()), locale, "bold green")
    raise typer.Exit(EXIT_BLOCKERS if failed else EXIT_READY)
