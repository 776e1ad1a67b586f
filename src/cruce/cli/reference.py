"""``cruce reference``: import official reference releases (HTS, LIGIE rates, exchange rates)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.markup import escape

from cruce.cli.common import (
    EXIT_UNUSABLE,
    LangOption,
    app,
    err_console,
    resolve_locale,
    say,
    stdout,
)
from cruce.i18n import _
from cruce.reference import fx, hts, hts_store, mx_tariff
from cruce.reference.mx_tariff import ReferenceImportError

if TYPE_CHECKING:
    from cruce.i18n import Locale

reference_app = typer.Typer(
    name="reference",
    help="Import official reference releases: the HTSUS, LIGIE rates, USD/MXN exchange rates.",
    no_args_is_help=True,
)
app.add_typer(reference_app)

FileArgument = Annotated[Path, typer.Argument(metavar="FILE", exists=False)]


def _read(path: Path, locale: Locale) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        say(
            err_console(),
            _("the file could not be read: {reason}", reason=error.strerror or error),
            locale,
            "red",
        )
        raise typer.Exit(EXIT_UNUSABLE) from None


@reference_app.command("import-hts")
def import_hts(  # noqa: PLR0917 - Typer passes every option positionally
    ctx: typer.Context,
    file: FileArgument,
    year: Annotated[
        int | None, typer.Option(help="The release's year, when its file name does not say.")
    ] = None,
    revision_number: Annotated[
        int | None,
        typer.Option("--revision", help="The revision number (0 for the basic edition)."),
    ] = None,
    effective: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="The date the revision took effect.")
    ] = None,
    lang: LangOption = None,
) -> None:
    """Import an official USITC HTS JSON release (hts_2026_revision_10_json.json)."""
    locale = resolve_locale(ctx, lang)
    try:
        day = date.fromisoformat(effective) if effective else None
    except ValueError:
        say(err_console(), _("--effective must be a date written YYYY-MM-DD"), locale, "red")
        raise typer.Exit(EXIT_UNUSABLE) from None
    try:
        revision = hts.import_hts_file(file, year=year, revision=revision_number, effective=day)
    except hts.HtsImportError as error:
        say(
            err_console(),
            _(
                "{file} is not an HTS release cruce can read: {reason}",
                file=file,
                reason=error.message.render(locale),
            ),
            locale,
            "red",
        )
        raise typer.Exit(EXIT_UNUSABLE) from None
    path = hts_store.save_revision(revision, hts_store.user_hts_dir())
    say(
        stdout(),
        _(
            "{edition}, in force from {day}: {count} lines ({unparsed} rate texts not "
            "understood), saved to {path}",
            edition=revision.name,
            day=revision.effective.isoformat(),
            count=len(revision.lines),
            unparsed=len(revision.unparsed),
            path=path,
        ),
        locale,
    )


@reference_app.command("import-ligie")
def import_ligie(ctx: typer.Context, file: FileArgument, lang: LangOption = None) -> None:
    """Import IGI rates (CSV: fraccion, nico, igi_general, igi_tmec, start, end, source).

    Optional columns: notes, and umt (the fracción's tariff unit, an Anexo 22 Apéndice 7
    clave such as 1 for kilo or 6 for pieza).
    """
    locale = resolve_locale(ctx, lang)
    try:
        rows = mx_tariff.import_ligie_csv(_read(file, locale))
    except ReferenceImportError as error:
        _report(error, locale)
    path = mx_tariff.save_user_rates(rows)
    say(stdout(), _("{count} IGI rates saved to {path}", count=len(rows), path=path), locale)


@reference_app.command("import-fx")
def import_fx(ctx: typer.Context, file: FileArgument, lang: LangOption = None) -> None:
    """Import USD/MXN rates (CSV: date, rate, source; or Banxico's SF43718 export)."""
    locale = resolve_locale(ctx, lang)
    try:
        rows = fx.import_fx_csv(_read(file, locale))
    except ReferenceImportError as error:
        _report(error, locale)
    path = fx.save_user_rates(rows)
    say(stdout(), _("{count} exchange rates saved to {path}", count=len(rows), path=path), locale)


def _report(error: ReferenceImportError, locale: Locale) -> NoReturn:
    console = err_console()
    for issue in error.issues:
        console.print(f"  • {escape(issue.render(locale))}")
    raise typer.Exit(EXIT_UNUSABLE)
