"""Rendering a page: the Jinja2 environment, the reader's language, who is signed in, forms.

Every page is rendered on the server in English or Spanish. The language is the one the
reader chose with the switch on every page (a cookie), else their account's setting, else
the browser's ``Accept-Language``. Templates translate with ``_("Text {name}", name=...)``,
the same catalog and placeholders as the code's messages, and format numbers, money and
dates per locale through Babel (``number``, ``money``, ``day``).

Forms are protected against cross-site requests by a token bound to the browser: an
HMAC of the session cookie (signed in) or of a random ``cruce_visitor`` cookie (not yet
signed in), which the page embeds and a POST must send back. A site that cannot read
the reader's cookies cannot make the token; no server secret is involved, so every
worker process checks every other's tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from cruce.api.auth import SESSION_COOKIE, Credentials, Principal, authenticate
from cruce.api.locale import from_accept_language
from cruce.api.problems import ApiError
from cruce.i18n import KNOWN_LOCALES, Locale, Message, Renderable, _, gettext, parse_locale

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from cruce.api.deps import Services

LANG_COOKIE: Final = "cruce_lang"
VISITOR_COOKIE: Final = "cruce_visitor"
FORM_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "X-CSRF-Token"
BABEL_LOCALE: Final[dict[Locale, str]] = {"en": "en_US", "es": "es_MX"}
"""Formats: the United States' and Mexico's (dates, decimal marks, currency symbols)."""
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""The pages load only their own script, styles and images, and post only to cruce."""


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads a page: signed in or not, and in which language."""

    locale: Locale
    user_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    name: str | None = None
    organisation: str | None = None

    @property
    def signed_in(self) -> bool:
        """Whether a session stands behind the request."""
        return self.user_id is not None

    @property
    def principal(self) -> Principal:
        """Who the request acts for, as the API's access rules take it; ApiError 401 if nobody."""
        if self.user_id is None or self.organisation_id is None:
            raise ApiError(401, "auth.required", _("Sign in to see this page"))
        return Principal(self.user_id, self.organisation_id, "session")


def _signed_in(services: Services, request: Request, chosen: Locale | None) -> Reader | None:
    """The signed-in reader of the session cookie; None without a live session."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie or services.platform is None:
        return None
    with services.platform.reading() as unit:
        try:
            principal = authenticate(unit, Credentials(cookie=cookie))
        except ApiError:
            return None
        user = unit.users.get(principal.user_id)
        organisation = unit.organisations.get(principal.organisation_id)
    if user is None:
        return None
    return Reader(
        chosen or parse_locale(user.locale.value),
        principal.user_id,
        principal.organisation_id,
        user.name,
        organisation.name,
    )


def chosen_locale(request: Request) -> Locale | None:
    """The language picked with the switch (``?lang=``, then its cookie), if any."""
    for asked in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if asked in KNOWN_LOCALES:
            return parse_locale(asked)
    return None


def reader(services: Services, request: Request) -> Reader:
    """The request's reader: the switch's language, else the account's, else the browser's."""
    chosen = chosen_locale(request)
    found = _signed_in(services, request, chosen)
    if found is not None:
        return found
    return Reader(chosen or from_accept_language(request.headers.get("accept-language")))


# ---------------------------------------------------------------- forms
def _binding(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(VISITOR_COOKIE)


def form_token(request: Request) -> str:
    """The token this browser's forms carry (a visitor cookie is set when it has none)."""
    binding = _binding(request)
    if binding is None:
        binding = request.state.__dict__.setdefault("new_visitor", secrets.token_urlsafe(32))
    return hmac.new(binding.encode(), b"cruce form", hashlib.sha256).hexdigest()


def check_form(request: Request, sent: str | None) -> bool:
    """Whether ``sent`` is this browser's form token."""
    binding = _binding(request)
    if binding is None or not sent:
        return False
    expected = hmac.new(binding.encode(), b"cruce form", hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, sent)


# ---------------------------------------------------------------- formats
def _number(value: Decimal | float, locale: Locale, digits: int = 2) -> str:
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=BABEL_LOCALE[locale])


def _money(value: Decimal | str, currency: str, locale: Locale) -> str:
    return format_currency(Decimal(value), currency, locale=BABEL_LOCALE[locale])


def _day(value: date | datetime | str, locale: Locale, style: str = "medium") -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return format_datetime(value, style, locale=BABEL_LOCALE[locale])
    return format_date(value, style, locale=BABEL_LOCALE[locale])


@cache
def environment() -> Environment:
    """The templates of ``cruce.web``, autoescaped, strict about missing variables."""
    return Environment(
        loader=PackageLoader("cruce.web", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def translator(locale: Locale) -> Callable[..., str]:
    """``_("Text {name}", name=...)`` in ``locale``; a Message or a Renderable renders too."""

    def translate(text: str | Renderable, **params: object) -> str:
        if isinstance(text, Renderable):
            return text.render(locale)
        rendered = {
            key: value.render(locale) if isinstance(value, Renderable) else value
            for key, value in params.items()
        }
        template = gettext(text, locale)
        return template.format(**rendered) if rendered else template

    return translate


def render(
    request: Request,
    who: Reader,
    template: str,
    context: Mapping[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The page ``template`` for ``who``, with the language switch, the form token and formats."""
    locale = who.locale
    other: Locale = "es" if locale == "en" else "en"
    values: dict[str, Any] = {
        "request": request,
        "reader": who,
        "locale": locale,
        "other_locale": other,
        "switch_url": str(request.url.include_query_params(lang=other)),
        "csrf_token": form_token(request),
        "_": translator(locale),
        "number": lambda value, digits=2: _number(value, locale, digits),
        "money": lambda value, currency: _money(value, currency, locale),
        "day": lambda value, style="medium": _day(value, locale, style),
        "message": lambda value: value.render(locale) if isinstance(value, Message) else value,
    }
    values.update(context or {})
    body = environment().get_template(template).render(values)
    response = HTMLResponse(body, status_code=status)
    finish(request, response)
    return response


def finish(request: Request, response: Any) -> None:  # noqa: ANN401 - any Starlette response
    """The page's headers and cookies: its CSP, the language picked, a new visitor's cookie."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers.setdefault("Cache-Control", "no-store")
    secure = request.url.scheme == "https"
    asked = request.query_params.get("lang")
    if asked in KNOWN_LOCALES and request.cookies.get(LANG_COOKIE) != asked:
        response.set_cookie(
            LANG_COOKIE, asked, max_age=365 * 86400, samesite="lax", secure=secure, path="/"
        )
    visitor = request.state.__dict__.get("new_visitor")
    if visitor is not None:
        response.set_cookie(
            VISITOR_COOKIE, visitor, httponly=True, samesite="lax", secure=secure, path="/"
        )


def finish_redirect(request: Request, to: str) -> RedirectResponse:
    """A 303 to ``to`` (a path of cruce's), with the page's headers and cookies."""
    if not to.startswith("/") or to.startswith("//"):
        to = "/"
    response = RedirectResponse(to, status_code=303)
    finish(request, response)
    return response
