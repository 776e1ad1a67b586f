"""What every ``cruce`` command shares: the app, exit codes, language, consoles, loading.

Exit codes: 0 ready / done; 1 blockers (the record is usable but a document is not
ready); 2 the input is unusable (or the command line is wrong); 70 an internal error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from cruce import __version__
from cruce.i18n import Locale, _, locale_from_environment, parse_locale
from cruce.ingest.errors import InputError
from cruce.ingest.loader import load_shipment

if TYPE_CHECKING:
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


def stdout() -> Console:
    """The console for results."""
    return Console(highlight=False, soft_wrap=True)


def err_console() -> Console:
    """The console for errors."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def resolve_locale(ctx: typer.Context, lang: str | None) -> Locale:
    """The command's ``--lang``, else the global one, else the environment's."""
    if lang is None:
        state = ctx.find_object(_State)
        return state.locale if state is not None else locale_from_environment()
    try:
        return parse_locale(lang)
    except ValueError:
        message = _("unknown language '{value}': use en or es", value=lang)
        err_console().print(f"{message.render('en')} / {message.render('es')}")
        raise typer.Exit(EXIT_UNUSABLE) from None


def say(console: Console, message: Message, locale: Locale, style: str = "") -> None:
    """Print a message in ``locale``, escaped for rich."""
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
    ctx.obj.locale = resolve_locale(ctx, lang)


def load(path: Path, locale: Locale, *, as_json: bool) -> Shipment:
    """The shipment in ``path``, or exit 2 after naming every issue."""
    try:
        return load_shipment(path)
    except InputError as error:
        if as_json:
            document = {"usable": False, "errors": [i.as_dict() for i in error.issues]}
            stdout().print_json(json.dumps(document, ensure_ascii=False))
        else:
            console = err_console()
            say(console, _("{file} cannot be read as a shipment:", file=path), locale, "bold red")
            for item in error.issues:
                console.print(f"  • {escape(item.render(locale))}")
        raise typer.Exit(EXIT_UNUSABLE) from None


OnOption = Annotated[
    str | None,
    typer.Option(
        "--on", metavar="YYYY-MM-DD", help="Date of the crossing (default: the planned one)."
    ),
]


def crossing_day(on: str | None, record: Shipment, locale: Locale) -> date:
    """The date given with ``--on``, else the record's planned crossing, else today."""
    try:
        return date.fromisoformat(on) if on else (record.crossing_date() or date.today())  # noqa: DTZ011 - a calendar day
    except ValueError:
        say(
            err_console(),
            _("--on must be a date written YYYY-MM-DD, not '{value}'", value=on),
            locale,
            "red",
        )
        raise typer.Exit(EXIT_UNUSABLE) from None
