"""The language of a response: the user's setting, else ``Accept-Language``, else English."""

from __future__ import annotations

from babel.core import negotiate_locale
from fastapi import Request

from cruce.i18n import KNOWN_LOCALES, Locale, parse_locale

DEFAULT: Locale = "en"
_MAX_RANGES = 20


def from_accept_language(header: str | None) -> Locale:
    """The best of cruce's locales for an ``Accept-Language`` header (RFC 9110 12.5.4)."""
    if not header:
        return DEFAULT
    ranges: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:_MAX_RANGES]):
        tag, _separator, parameters = part.strip().partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _equals, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and 0 < quality <= 1:
            ranges.append((-quality, position, tag.replace("-", "_")))
    preferred = [tag for _quality, _position, tag in sorted(ranges)]
    found = negotiate_locale(preferred, list(KNOWN_LOCALES), sep="_")
    return parse_locale(found) if found else DEFAULT


def request_locale(request: Request) -> Locale:
    """The locale a request asks for (``?lang=`` first, then ``Accept-Language``)."""
    asked = request.query_params.get("lang")
    if asked in KNOWN_LOCALES:
        return parse_locale(asked)
    return from_accept_language(request.headers.get("accept-language"))
