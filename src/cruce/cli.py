"""The ``cruce`` command: thin, like the API will be. Parse, call the core, print, exit.

Exit codes: 0 ready / done; 1 blockers (the record is usable but a document is not
ready); 2 the input is unusable (or the command line is wrong); 70 an internal error.
"""

from __future__ import annotations

import json
import sys
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from platformdirs import user_log_path
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from cruce import __version__
from cruce.artifacts.checklist import Checklist, NotReadyError, check, pack
from cruce.artifacts.shipment_record import shipment_schema
from cruce.i18n import Locale, _, locale_from_environment, parse_locale
from cruce.ingest.errors import InputError
from cruce.ingest.loader import load_shipment
from cruce.ingest.template import goods_template_csv, goods_template_xlsx
from cruce.model.problems import Severity

if TYPE_CHECKING:
    from cruce.artifacts.checklist import Pack
    from cruce.i18n import Message
    from cruce.model import Shipment

EXIT_READY = 0
EXIT_BLOCKERS = 1
EXIT_UNUSABLE = 2
EXIT_INTERNAL = 70

app = typer.Typer(
    name="cruce",
    help="Prepare, check and pack the paperwork of a US-Mexico shipment from one record.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@dataclass(slots=True)
class _State:
    locale: Locale


LangOption = Annotated[
    str | None,
    typer.Option("--lang", metavar="en|es", help="Language of the output (default: from LANG)."),
]
ShipmentArgument = Annotated[
    Path, typer.Argument(metavar="SHIPMENT", help="Shipment file (.yaml, .yml or .json).")
]


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _resolve_locale(ctx: typer.Context, lang: str | None) -> Locale:
    if lang is None:
        state = ctx.find_object(_State)
        return state.locale if state is not None else locale_from_environment()
    try:
        return parse_locale(lang)
    except ValueError:
        message = _("unknown language '{value}': use en or es", value=lang)
        _err_console().print(f"{message.render('en')} / {message.render('es')}")
        raise typer.Exit(EXIT_UNUSABLE) from None


def _say(console: Console, message: Message, locale: Locale, style: str = "") -> None:
    text = escape(message.render(locale))
    console.print(f"[{style}]{text}[/]" if style else text)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cruce {__version__}")
        raise typer.Exit


@app.callback()
def _main(
    ctx: typer.Context,
    lang: LangOption = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    del version
    ctx.obj = _State(locale_from_environment())
    ctx.obj.locale = _resolve_locale(ctx, lang)


def _load(path: Path, locale: Locale, *, as_json: bool) -> Shipment:
    try:
        return load_shipment(path)
    except InputError as error:
        if as_json:
            _console().print_json(
                json.dumps(
                    {"usable": False, "errors": [i.as_dict() for i in error.issues]},
                    ensure_ascii=False,
                )
            )
        else:
            console = _err_console()
            _say(console, _("{file} cannot be read as a shipment:", file=path), locale, "bold red")
            for item in error.issues:
                console.print(f"  • {escape(item.render(locale))}")
        raise typer.Exit(EXIT_UNUSABLE) from None


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
    console = _console()
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
    _say(console, headline, locale, "bold green" if checklist.ready else "bold red")
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
        severity = _("blocker") if problem.severity is Severity.BLOCKER else _("warning")
        style = "red" if problem.severity is Severity.BLOCKER else "yellow"
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
    locale = _resolve_locale(ctx, lang)
    record = _load(shipment, locale, as_json=as_json)
    checklist = check(record)
    if as_json:
        _console().print_json(
            json.dumps({"usable": True, **checklist.as_dict()}, ensure_ascii=False)
        )
    else:
        _print_checklist(checklist, locale)
    raise typer.Exit(EXIT_READY if checklist.ready else EXIT_BLOCKERS)


def _write_pack(result: Pack, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    for packed in result.artifacts:
        (out_dir / packed.rendered.filename).write_bytes(packed.rendered.data)
    manifest = result.manifest(datetime.now(UTC).isoformat(timespec="seconds"))
    manifest_path = out_dir / "manifest.json"
    manifest_path.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest_path


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


def _print_pack(result: Pack, manifest: Path, locale: Locale, console: Console) -> None:
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
    _say(console, _("Manifest: {path}", path=manifest), locale)


@app.command("pack")
def pack_command(
    ctx: typer.Context,
    shipment: ShipmentArgument,
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", help="Folder to write the documents and manifest.json into."
        ),
    ],
    lang: LangOption = None,
) -> None:
    """Render and validate every required document, and write them with a manifest."""
    locale = _resolve_locale(ctx, lang)
    record = _load(shipment, locale, as_json=False)
    console = _console()
    result = _pack_one(record, locale, console)
    if result is None:
        raise typer.Exit(EXIT_BLOCKERS)
    manifest = _write_pack(result, output)
    _print_pack(result, manifest, locale, console)
    raise typer.Exit(EXIT_READY if result.valid else EXIT_BLOCKERS)


@app.command("schema")
def schema_command(ctx: typer.Context, lang: LangOption = None) -> None:
    """Print the JSON Schema of the shipment record."""
    _resolve_locale(ctx, lang)
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
    locale = _resolve_locale(ctx, lang)
    suffix = output.suffix.lower()
    if suffix not in {".xlsx", ".csv"}:
        _say(_err_console(), _("the template is an .xlsx or .csv file"), locale, "red")
        raise typer.Exit(EXIT_UNUSABLE)
    output.write_bytes(goods_template_xlsx() if suffix == ".xlsx" else goods_template_csv())
    _say(_console(), _("Template written to {path}", path=output), locale)


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


@app.command("demo")
def demo_command(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Folder for the packed examples.")
    ] = Path("cruce-demo"),
    lang: LangOption = None,
) -> None:
    """Pack the bundled examples and say where the files are."""
    locale = _resolve_locale(ctx, lang)
    console = _console()
    failed = False
    for name, entry in _examples():
        with as_file(entry) as folder:
            record = _load(Path(folder) / "shipment.yaml", locale, as_json=False)
            _say(
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
            manifest = _write_pack(result, output / name)
            _print_pack(result, manifest, locale, console)
            failed = failed or not result.valid
    _say(console, _("The documents are in {path}", path=output.resolve()), locale, "bold green")
    raise typer.Exit(EXIT_BLOCKERS if failed else EXIT_READY)


def main() -> None:
    """Entry point: run the app; no traceback reaches the user."""
    try:
        app()
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception:  # noqa: BLE001 - the last line of defence: report, never dump
        log = user_log_path("cruce") / "error.log"
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(traceback.format_exc(), encoding="utf-8")
        except OSError:
            log = Path("(not written)")
        message = _(
            "cruce hit an internal error; details were written to {path}. Please report it.",
            path=log,
        )
        _err_console().print(f"{message.render('en')}\n{message.render('es')}")
        raise SystemExit(EXIT_INTERNAL) from None
