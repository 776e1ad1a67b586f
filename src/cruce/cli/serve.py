"""``cruce serve``: the API on this machine, with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from cruce.cli.common import app


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
) -> None:
    """Serve the API (settings from CRUCE_* variables; see .env.example)."""
    import uvicorn  # noqa: PLC0415 - only this command needs the server

    uvicorn.run(
        "cruce.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # cruce logs each request itself, without query strings
        proxy_headers=True,
    )
