"""What each page costs a reader on a slow mobile link: the bytes a first visit transfers.

Every page of ``conftest.PAGES`` is loaded in a fresh browser (nothing cached), once as
Chromium asks by default (gzip accepted) and once asking for uncompressed answers; the
bytes on the wire come from the DevTools protocol (``Network.loadingFinished``'s
``encodedDataLength``: body and headers as received). A first visit must stay under
:data:`BUDGET`. ``make screenshots`` (``CRUCE_SCREENSHOTS=1``) also writes the figures
into ``docs/web.md``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Response

BUDGET = 100 * 1024
"""Bytes a first visit of a main page may transfer (gzip accepted)."""
DOC = Path(__file__).resolve().parents[2] / "docs" / "web.md"
BEGIN = "<!-- page weights: written by make screenshots -->"
END = "<!-- end of page weights -->"
SETTLE_POLLS = 250
IDENTITY = {"Accept-Encoding": "identity"}


@dataclass(frozen=True, slots=True)
class Load:
    """One load of a page: how many answers, their bodies as read, the bytes on the wire."""

    requests: int
    html: int
    bodies: int
    wire: int


def _load(visitor, site_page, again: bool = False) -> Load:
    """Load ``site_page`` from a cold cache (``again``: then once more)."""
    page = visitor.context.new_page()
    devtools = visitor.context.new_cdp_session(page)
    devtools.send("Network.enable")
    wire: dict[str, int] = {}
    answers: list[Response] = []

    def finished(event: dict[str, Any]) -> None:
        wire[event["requestId"]] = int(event["encodedDataLength"])

    def answered(answer: Response) -> None:
        answers.append(answer)

    devtools.on("Network.loadingFinished", finished)
    page.on("response", answered)
    visitor.open(page, site_page)
    _settle(page, wire, answers)
    if again:  # a later visit: the stylesheet and the script come from the cache
        wire.clear()
        answers.clear()
        page.goto(page.url)
        _settle(page, wire, answers)
    read = [answer for answer in answers if not 300 <= answer.status < 400]
    html = sum(len(a.body()) for a in read if a.request.resource_type == "document")
    return Load(len(answers), html, sum(len(a.body()) for a in read), sum(wire.values()))


def _settle(page, wire: dict[str, int], answers: list[Response]) -> None:
    """Wait for the load event and for DevTools to report every answer finished."""
    page.wait_for_load_state("load")
    for _ in range(SETTLE_POLLS):
        if answers and len(wire) >= len(answers):
            return
        page.wait_for_timeout(20)
    pytest.fail(f"DevTools reported {len(wire)} of {len(answers)} answers finished")


def _kib(count: int) -> str:
    return f"{count / 1024:.1f}"


def test_each_first_visit_stays_under_the_budget(fresh_visitor, site_pages):
    """Also measures without compression and a repeat visit when writing ``docs/web.md``."""
    writing = os.environ.get("CRUCE_SCREENSHOTS") == "1"
    rows: list[str] = []
    over: list[str] = []
    for site_page in site_pages.values():
        first = _load(fresh_visitor(), site_page)
        assert first.wire < first.bodies, f"{site_page.name}: nothing is compressed"
        if first.wire > BUDGET:
            over.append(f"{site_page.name}: {first.wire} bytes")
        if writing:
            plain = _load(fresh_visitor(headers=IDENTITY), site_page)
            repeat = _load(fresh_visitor(), site_page, again=True)
            rows.append(
                f"| {site_page.name} | `{site_page.path}` | {first.requests} "
                f"| {_kib(first.html)} | {_kib(first.bodies)} | **{_kib(first.wire)}** "
                f"| {_kib(plain.wire)} | {_kib(repeat.wire)} |"
            )
    if writing:
        _write_doc(rows)
    assert over == [], f"over the {BUDGET}-byte budget: {over}"


def _write_doc(rows: list[str]) -> None:
    table = [
        BEGIN,
        "",
        (
            "| Page | Path | Requests | HTML | All bodies, uncompressed | First visit, gzip "
            "| First visit, no compression | Repeat visit |"
        ),
        "|---|---|--:|--:|--:|--:|--:|--:|",
        *rows,
        "",
        (
            f"Budget for a first visit: {_kib(BUDGET)} KiB transferred with gzip. Figures in KiB "
            "(1,024 bytes); transferred bytes include the answers' headers."
        ),
    ]
    table += ["", END]
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    if BEGIN in text and END in text:
        before, _, rest = text.partition(BEGIN)
        _, _, after = rest.partition(END)
        text = before + "\n".join(table) + after
    else:
        text = text.rstrip() + ("\n\n" if text else "") + "\n".join(table) + "\n"
    DOC.write_text(text, encoding="utf-8")
