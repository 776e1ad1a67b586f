"""Keep the translation catalogs in step with the code.

``python -m cruce.i18n.catalog update`` extracts every marked message from the sources into
``messages.pot`` and merges it into each locale's ``messages.po`` (new entries arrive
untranslated). ``python -m cruce.i18n.catalog check`` exits 1 when the template is stale, a
message lacks its Spanish translation, a translation is fuzzy, or the ``{placeholders}`` of a
translation differ from the original's.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from cruce.i18n import CATALOG_DOMAIN, DEFAULT_LOCALE, KNOWN_LOCALES

PACKAGE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
TEMPLATE = LOCALE_DIR / f"{CATALOG_DOMAIN}.pot"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]


def extract() -> Catalog:
    """Every message marked in the package's sources, as a template catalog."""
    catalog = Catalog(project="cruce", domain=CATALOG_DOMAIN, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE_DIR,
        method_map=_METHODS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        catalog.add(
            message,
            locations=[(f"cruce/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def _ids(catalog: Catalog) -> set[str]:
    return {str(m.id) for m in catalog if m.id}


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True, omit_header=False)


def update() -> None:
    """Rewrite the template and merge it into every locale's catalog."""
    template = extract()
    _write(TEMPLATE, template)
    for locale in KNOWN_LOCALES:
        if locale == DEFAULT_LOCALE:
            continue
        po_path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{CATALOG_DOMAIN}.po"
        catalog = _read(po_path, locale) if po_path.exists() else Catalog(locale=locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        _write(po_path, catalog)


def problems() -> list[str]:
    """What is wrong with the catalogs, one line each; empty when they are complete."""
    found: list[str] = []
    extracted = _ids(extract())
    if not TEMPLATE.exists():
        return [f"{TEMPLATE} is missing: run `make translations`"]
    in_template = _ids(_read(TEMPLATE))
    found.extend(
        f"not in messages.pot (run `make translations`): {m!r}"
        for m in sorted(extracted - in_template)
    )
    found.extend(
        f"stale in messages.pot (run `make translations`): {m!r}"
        for m in sorted(in_template - extracted)
    )
    for locale in KNOWN_LOCALES:
        if locale == DEFAULT_LOCALE:
            continue
        po_path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{CATALOG_DOMAIN}.po"
        catalog = _read(po_path, locale)
        by_id = {str(m.id): m for m in catalog if m.id}
        for msgid in sorted(extracted):
            entry = by_id.get(msgid)
            if entry is None or not entry.string:
                found.append(f"{locale}: no translation for {msgid!r}")
            elif entry.fuzzy:
                found.append(f"{locale}: fuzzy translation for {msgid!r}")
            elif set(_PLACEHOLDER.findall(msgid)) != set(_PLACEHOLDER.findall(str(entry.string))):
                found.append(f"{locale}: placeholders differ in the translation of {msgid!r}")
    return found


def main(argv: list[str]) -> int:
    """``update`` or ``check``; returns the exit status."""
    command = argv[0] if argv else "check"
    if command == "update":
        update()
        return 0
    if command == "check":
        lines = problems()
        for line in lines:
            sys.stderr.write(line + "\n")
        if not lines:
            sys.stdout.write("translation catalogs complete\n")
        return 1 if lines else 0
    sys.stderr.write("usage: python -m cruce.i18n.catalog [update|check]\n")
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
