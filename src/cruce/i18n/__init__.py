"""Translations: English and Spanish messages from Babel catalogs.

Code marks a message with ``_("English text with {field}", field=...)``, which returns a
:class:`Message` that renders in any known locale. ``N_("...")`` marks a string for
extraction without translating it (for pydantic error templates and labels in tables).
The Spanish catalog lives in ``locale/es/LC_MESSAGES/messages.po`` and is read at first
use; ``python -m cruce.i18n.catalog check`` fails when it is stale or incomplete.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Final, Literal, Protocol, runtime_checkable

from babel import Locale as BabelLocale
from babel.messages.pofile import read_po

Locale = Literal["en", "es"]
KNOWN_LOCALES: Final[tuple[Locale, ...]] = ("en", "es")
DEFAULT_LOCALE: Final[Locale] = "en"
CATALOG_DOMAIN: Final = "messages"


def N_(msgid: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark ``msgid`` for extraction; return it unchanged."""
    return msgid


@cache
def _catalog(locale: Locale) -> dict[str, str]:
    """The translations of one locale as msgid -> msgstr (fuzzy and empty entries left out)."""
    if locale == DEFAULT_LOCALE:
        return {}
    resource = files("cruce.i18n") / "locale" / locale / "LC_MESSAGES" / f"{CATALOG_DOMAIN}.po"
    with resource.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    return {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and message.string and not message.fuzzy and isinstance(message.id, str)
    }


def gettext(msgid: str, locale: Locale) -> str:
    """Translate ``msgid`` into ``locale``; fall back to the English text."""
    return _catalog(locale).get(msgid, msgid)


@runtime_checkable
class Renderable(Protocol):
    """Anything that renders itself in a locale: a message, a country name."""

    def render(self, locale: Locale) -> str:
        """The text in ``locale``."""
        ...


@dataclass(frozen=True, slots=True)
class Message:
    """A translatable message with named parameters, rendered on demand in a locale.

    A parameter is plain text, or a :class:`Renderable` (another message, a country name)
    rendered in the same locale as the message that holds it.
    """

    msgid: str
    params: tuple[tuple[str, str | Renderable], ...] = field(default=())

    def render(self, locale: Locale) -> str:
        """The message in ``locale`` with its parameters filled in."""
        template = gettext(self.msgid, locale)
        if not self.params:
            return template
        values = {
            key: value if isinstance(value, str) else value.render(locale)
            for key, value in self.params
        }
        return template.format_map(values)

    def both(self) -> dict[str, str]:
        """The message in every known locale, keyed by locale."""
        return {locale: self.render(locale) for locale in KNOWN_LOCALES}

    def __str__(self) -> str:
        return self.render(DEFAULT_LOCALE)


def _param(value: object) -> str | Renderable:
    if type(value) is str:
        return value
    # hasattr on the type, not isinstance on the runtime-checkable protocol: many times faster
    return value if hasattr(type(value), "render") else str(value)  # type: ignore[return-value]


def _(msgid: str, **params: object) -> Message:
    """Mark ``msgid`` for translation and bind its ``{named}`` parameters.

    Renderable values (messages, countries, texts in two languages) stay renderable and
    are rendered in the message's locale; anything else becomes its text.
    """
    return Message(msgid, tuple((key, _param(value)) for key, value in sorted(params.items())))


@cache
def _territory(code: str, locale: Locale) -> str:
    return str(BabelLocale.parse(locale).territories.get(code, code))


@dataclass(frozen=True, slots=True)
class Country:
    """An ISO 3166-1 alpha-2 country, named in the reader's language (CLDR via Babel)."""

    code: str

    def render(self, locale: Locale) -> str:
        """The country's name in ``locale``; the code itself when CLDR does not know it."""
        return _territory(self.code.upper(), locale)

    def __str__(self) -> str:
        return self.render(DEFAULT_LOCALE)


def locale_from_environment(environ: dict[str, str] | None = None) -> Locale:
    """The locale named by LC_ALL, LC_MESSAGES, LANGUAGE or LANG, as POSIX orders them."""
    env = os.environ if environ is None else environ
    for variable in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG"):
        value = env.get(variable, "")
        if not value:
            continue
        language = value.split(":")[0].split("_")[0].split(".")[0].lower()
        return "es" if language == "es" else DEFAULT_LOCALE
    return DEFAULT_LOCALE


def parse_locale(value: str) -> Locale:
    """``en``, ``es``, ``es-MX``, ``es_MX.UTF-8`` ... -> a known locale; ValueError otherwise."""
    language = value.strip().replace("-", "_").split("_")[0].split(".")[0].lower()
    for known in KNOWN_LOCALES:
        if language == known:
            return known
    raise ValueError(value)
