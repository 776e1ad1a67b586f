"""``cruce db``: the service's database (migrations)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from cruce.cli.common import (
    EXIT_UNUSABLE,
    LangOption,
    app,
    err_console,
    resolve_locale,
    say,
    stdout,
)
from cruce.config import get_settings
from cruce.i18n import _
from cruce.store import migrations_api

db_app = typer.Typer(
    name="db",
    help="The service's database: bring it to the newest schema, show its revision.",
    no_args_is_help=True,
)
app.add_typer(db_app)

UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        metavar="URL",
        help="SQLAlchemy URL (default: CRUCE_DATABASE_URL, else the data folder's SQLite file).",
    ),
]


@db_app.command("upgrade")
def upgrade(ctx: typer.Context, url: UrlOption = None, lang: LangOption = None) -> None:
    """Apply every migration the database lacks; print the revision reached."""
    locale = resolve_locale(ctx, lang)
    try:
        revision = migrations_api.upgrade(url or get_settings().sqlalchemy_url())
    except OperationalError as error:
        say(
            err_console(),
            _("the database cannot be reached: {reason}", reason=error.orig or error),
            locale,
            "red",
        )
        raise typer.Exit(EXIT_UNUSABLE) from None
    say(stdout(), _("The database is at revision {revision}.", revision=revision), locale)


@db_app.command("current")
def current(ctx: typer.Context, url: UrlOption = None, lang: LangOption = None) -> None:
    """Print the revision the database is at."""
    locale = resolve_locale(ctx, lang)
    revision = migrations_api.current(url or get_settings().sqlalchemy_url())
    say(stdout(), _("The database is at revision {revision}.", revision=revision), locale)
