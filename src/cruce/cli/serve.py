"""``cruce serve``: the API on this machine, with uvicorn; ``--demo`` serves the examples.

``cruce serve --demo`` (what ``make demo`` runs after ``cruce demo``) serves a SQLite
database of its own, in ``cruce-demo/service`` by default, with a demo organisation, a
user who signs in with a published password, an API token and the three bundled examples
as shipments (:mod:`cruce.api.demo`; running it again adds nothing), then prints where to
look and how to sign in. A published password is only acceptable on such a database, so
the demo is refused when ``CRUCE_ENVIRONMENT=production``.

The port is checked before anything starts: a port another program holds is said in a
sentence (exit 2), not in a traceback.
"""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError

from cruce.cli.common import (
    EXIT_UNUSABLE,
    LangOption,
    app,
    err_console,
    resolve_locale,
    say,
    stdout,
)
from cruce.config import SQLITE_FILE, Environment, Settings, get_settings
from cruce.i18n import _

if TYPE_CHECKING:
    from fastapi import FastAPI

    from cruce.i18n import Locale, Message

DEFAULT_PORT = 8000
DEMO_DIR = Path("cruce-demo") / "service"
_ANY_ADDRESS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - names, not a bind


@app.command("serve")
def serve_command(  # noqa: PLR0917 - one option each
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = DEFAULT_PORT,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help=(
                "Serve a demo database: a demo account (published password), an API token "
                "and the bundled examples as shipments. One worker. Refused in production."
            ),
        ),
    ] = False,
    demo_dir: Annotated[
        Path, typer.Option("--demo-dir", help="Where the demo keeps its SQLite database.")
    ] = DEMO_DIR,
    lang: LangOption = None,
) -> None:
    """Serve the API (settings from CRUCE_* variables; see .env.example)."""
    import uvicorn  # noqa: PLC0415 - only this command needs the server

    locale = resolve_locale(ctx, lang)
    settings = _demo_settings(demo_dir, host, port, locale) if demo else None
    _check_port(host, port, locale)
    if settings is not None:
        target = _demo_app(settings, host, port, locale)
        uvicorn.run(target, host=host, port=port, access_log=False, proxy_headers=True)
        return
    uvicorn.run(
        "cruce.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # cruce logs each request itself, without query strings
        proxy_headers=True,
    )


def _refuse(message: Message, locale: Locale) -> typer.Exit:
    """Say why the service does not start; the exit to raise (2)."""
    say(err_console(), message, locale, "red")
    return typer.Exit(EXIT_UNUSABLE)


def _check_port(host: str, port: int, locale: Locale) -> None:
    """Exit 2 with a sentence when the address cannot be listened on (a port taken, mostly)."""
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except OSError as error:
        raise _refuse(
            _("cruce cannot listen on {host}: {reason}", host=host, reason=error), locale
        ) from None
    family, kind, proto, _name, address = infos[0]
    probe = socket.socket(family, kind, proto)
    try:
        # as uvicorn binds: a port left in TIME_WAIT is free, one another program listens on is not
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise _refuse(
                _(
                    "Port {port} on {host} is taken by another program (another cruce serve?): "
                    "stop it, or choose another port with --port",
                    port=port,
                    host=host,
                ),
                locale,
            ) from None
        raise _refuse(
            _(
                "cruce cannot listen on {host} port {port}: {reason}",
                host=host,
                port=port,
                reason=error.strerror or error,
            ),
            locale,
        ) from None
    finally:
        probe.close()


def _demo_settings(demo_dir: Path, host: str, port: int, locale: Locale) -> Settings:
    """The CRUCE_* settings with the demo's SQLite file; exit 2 in production."""
    try:
        base = get_settings()
    except ValidationError as error:
        problem = "; ".join(str(item["msg"]) for item in error.errors())
        raise _refuse(
            _("The settings (CRUCE_* variables) are not valid: {problem}", problem=problem),
            locale,
        ) from None
    if base.environment is Environment.PRODUCTION:
        raise _refuse(
            _(
                "cruce serve --demo is refused in production (CRUCE_ENVIRONMENT=production): "
                "its account has a published password"
            ),
            locale,
        )
    folder = demo_dir.expanduser().resolve()
    update: dict[str, object] = {
        "data_dir": folder,
        "database_url": f"sqlite:///{folder / SQLITE_FILE}",
    }
    if base.public_url == Settings.model_fields["public_url"].default:
        update["public_url"] = _base_url(host, port)
    return base.model_copy(update=update)


def _base_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in _ANY_ADDRESS else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def _demo_app(settings: Settings, host: str, port: int, locale: Locale) -> FastAPI:
    """The application on the demo database, seeded, with what to try printed."""
    from cruce.api.demo import DemoRefusedError, seed  # noqa: PLC0415 - only the demo seeds
    from cruce.web.app import create_app  # noqa: PLC0415 - only the demo builds it here

    application = create_app(settings)
    platform = application.state.services.store()
    try:
        account = seed(platform, settings)
    except DemoRefusedError as error:
        raise _refuse(_("The demo cannot start: {reason}", reason=error), locale) from None
    base = _base_url(host, port)
    console = stdout()
    created = sum(1 for item in account.shipments if item.created)
    say(
        console,
        _(
            "cruce demo service for {organisation}, data in {path}",
            organisation=account.organisation_name,
            path=settings.data_dir,
        ),
        locale,
        "bold",
    )
    say(
        console,
        _(
            "{count} example shipments stored ({created} new this time)",
            count=len(account.shipments),
            created=created,
        ),
        locale,
    )
    for item in account.shipments:
        console.print(f"  • {item.reference}  {base}/shipments/{item.id}", markup=False)
    say(console, _("Web app: {url}", url=f"{base}/sign-in"), locale, "bold")
    say(console, _("API and its documentation: {url}", url=f"{base}/api/v1/docs"), locale, "bold")
    say(
        console,
        _(
            "Sign in with {email} and the password {password} (a demo password: "
            "this database is for trying cruce only)",
            email=account.email,
            password=account.password,
        ),
        locale,
    )
    say(console, _("API token: {token}", token=account.token), locale)
    curl = f'curl -H "Authorization: Bearer {account.token}" {base}/api/v1/shipments'
    say(console, _("Try: {command}", command=curl), locale)
    say(console, _("Press Ctrl-C to stop."), locale)
    return application
