"""``cruce audit``: check the service's audit log against its transparency log, or anchor it.

``cruce audit verify`` recomputes the audit chain, checks every anchored head, the whole
log and each anchor's inclusion in the latest checkpoint (exit 0), or names the first
problem and the event it concerns (exit 1). ``cruce audit anchor`` records the audit log's
current head in the log and signs a checkpoint. Both work on the configured database
(``CRUCE_DATABASE_URL``, else the data folder's SQLite file) or ``--url``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from cruce.api.anchoring import anchor_head, log_signer, verify_audit
from cruce.cli.common import (
    EXIT_BLOCKERS,
    EXIT_UNUSABLE,
    LangOption,
    app,
    err_console,
    resolve_locale,
    say,
    stdout,
)
from cruce.cli.db import UrlOption  # noqa: TC001 - typer reads annotations at run time
from cruce.config import get_settings
from cruce.i18n import _
from cruce.store.crypto import KeyConfigurationError
from cruce.store.db import make_engine
from cruce.store.repositories.audit import AuditLog
from cruce.store.repositories.transparency import TransparencyRepository
from cruce.trust.checkpoint import NoteError, verifier_from_vkey

if TYPE_CHECKING:
    from collections.abc import Callable

    from cruce.i18n import Locale, Message
    from cruce.trust.checkpoint import NoteVerifier

audit_app = typer.Typer(
    name="audit",
    help="The service's audit log: check it against the transparency log, or anchor it.",
    no_args_is_help=True,
)
app.add_typer(audit_app)

VkeyOption = Annotated[
    str | None,
    typer.Option(
        "--vkey",
        metavar="VKEY",
        help="The log's published verifier key (default: the configured log key's).",
    ),
]


T = TypeVar("T")


def _fail(message: Message, locale: Locale) -> typer.Exit:
    """Say ``message`` on stderr; the exit (2) for the caller to raise."""
    say(err_console(), message, locale, "red")
    return typer.Exit(EXIT_UNUSABLE)


def _in_transaction(url: str | None, work: Callable[[Session], T], locale: Locale) -> T:
    """Run ``work`` in one transaction on the database; exit 2 when it cannot be used."""
    engine = make_engine(url or get_settings().sqlalchemy_url(), poolclass=NullPool)
    try:
        with Session(engine) as session, session.begin():
            return work(session)
    except SQLAlchemyError as error:
        reason = getattr(error, "orig", None) or error
        raise _fail(_("the database cannot be used: {reason}", reason=reason), locale) from None
    finally:
        engine.dispose()


@audit_app.command("verify")
def verify(
    ctx: typer.Context, url: UrlOption = None, vkey: VkeyOption = None, lang: LangOption = None
) -> None:
    """Recompute the audit log and check it against the transparency log; exit 1 if tampered."""
    locale = resolve_locale(ctx, lang)
    verifier: NoteVerifier
    try:
        verifier = verifier_from_vkey(vkey) if vkey else log_signer(get_settings()).verifier()
    except NoteError:
        raise _fail(_("--vkey is not a verifier key: name+keyid+base64"), locale) from None
    except KeyConfigurationError as error:
        raise _fail(error.message, locale) from None
    check = _in_transaction(url, lambda session: verify_audit(session, verifier), locale)
    if not check.ok:
        assert check.message is not None  # noqa: S101 - every problem carries its message
        say(err_console(), _("The audit log was tampered with:"), locale, "bold red")
        say(err_console(), check.message, locale, "red")
        raise typer.Exit(EXIT_BLOCKERS)
    say(
        stdout(),
        _(
            "The audit log is intact: {events} events, {anchors} anchors in the signed log.",
            events=check.events,
            anchors=check.anchors,
        ),
        locale,
    )


@audit_app.command("anchor")
def anchor(ctx: typer.Context, url: UrlOption = None, lang: LangOption = None) -> None:
    """Record the audit log's current head in the transparency log and sign a checkpoint."""
    locale = resolve_locale(ctx, lang)
    try:
        signer = log_signer(get_settings())
    except KeyConfigurationError as error:
        raise _fail(error.message, locale) from None
    done = _in_transaction(
        url,
        lambda session: anchor_head(AuditLog(session), TransparencyRepository(session), signer),
        locale,
    )
    if done.audit_event_id is None:
        message = _("Nothing new to anchor; the log holds {size} entries.", size=done.size)
    else:
        message = _(
            "Audit event {event_id} anchored as log entry {index}; the log holds {size} entries.",
            event_id=done.audit_event_id,
            index=done.log_index,
            size=done.size,
        )
    say(stdout(), message, locale)
