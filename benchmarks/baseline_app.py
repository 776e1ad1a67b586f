"""The baseline of the API benchmark: a bare FastAPI endpoint that returns constant JSON."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/constant")
async def constant() -> dict[str, str]:
    """Always the same small JSON."""
    return {"status": "ok"}
