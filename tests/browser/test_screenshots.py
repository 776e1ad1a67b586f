"""Screenshots of every page of ``conftest.PAGES`` for the documentation (``make screenshots``).

Written only with ``CRUCE_SCREENSHOTS=1``: ``docs/screenshots/<page>-<lang>-<width>.png``,
in English and Spanish, the first screenful on a desktop (1280x800) and on a phone
(360x740).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = ((1280, 800), (360, 740))
LANGS = ("en", "es")


@pytest.mark.skipif(
    os.environ.get("CRUCE_SCREENSHOTS") != "1",
    reason="screenshots are written by make screenshots (CRUCE_SCREENSHOTS=1)",
)
def test_screenshots_of_every_page(fresh_visitor, site_pages, capsys):
    SHOTS.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    for site_page in site_pages.values():
        for width, height in SIZES:
            visitor = fresh_visitor(viewport=(width, height))
            page = visitor.context.new_page()
            for lang in LANGS:
                visitor.open(page, site_page, lang)
                page.wait_for_load_state("load")
                target = SHOTS / f"{site_page.name}-{lang}-{width}.png"
                page.screenshot(path=str(target), animations="disabled")
                written.append(target.name)
            visitor.context.close()
    with capsys.disabled():
        print(f"\n{len(written)} screenshots in {SHOTS}")  # noqa: T201 - the command's report
    assert len(written) == len(site_pages) * len(SIZES) * len(LANGS)
