"""The ``cruce`` command: thin, like the API will be. Parse, call the core, print, exit.

Exit codes: 0 ready / done; 1 blockers (the record is usable but a document is not
ready); 2 the input is unusable (or the command line is wrong); 70 an internal error.
Each group of commands is a module of this package; :mod:`cruce.cli.common` holds what
they share.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from platformdirs import user_log_path

from cruce.cli import audit, cost, db, documents, origin, reference, serve, trust
from cruce.cli.common import (
    EXIT_BLOCKERS,
    EXIT_INTERNAL,
    EXIT_READY,
    EXIT_UNUSABLE,
    app,
    err_console,
)
from cruce.i18n import _

__all__ = ["EXIT_BLOCKERS", "EXIT_INTERNAL", "EXIT_READY", "EXIT_UNUSABLE", "app", "main"]
_COMMAND_MODULES = (
    audit,
    cost,
    db,
    documents,
    origin,
    reference,
    serve,
    trust,
)  # importing them registers their commands


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
        err_console().print(f"{message.render('en')}\n{message.render('es')}")
        raise SystemExit(EXIT_INTERNAL) from None
