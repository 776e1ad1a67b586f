"""The front page, signing up, signing in and out, and the language switch.

The forms post to the same core as the API (:func:`cruce.api.routes.accounts.create_account`,
:func:`~cruce.api.routes.accounts.open_session`); a refused form comes back filled in, each
problem next to its field, in the reader's language.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from cruce.api.auth import SESSION_COOKIE, Credentials, authenticate
from cruce.api.deps import ServicesDep
from cruce.api.problems import ApiError
from cruce.api.routes.accounts import (
    SignIn,
    SignUp,
    create_account,
    end_session,
    open_session,
    set_session_cookie,
)
from cruce.i18n import _
from cruce.web import pages
from cruce.web.forms import FormProblems, refused_form

router = APIRouter(include_in_schema=False)

TAX_SCHEMES = (
    ("us_ein", _("US employer identification number (EIN)")),
    ("mx_rfc", _("Mexican RFC")),
    ("foreign", _("Another country's tax number")),
)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, services: ServicesDep) -> Response:
    """What cruce does, and the ways in: sign in, sign up, check a document."""
    who = pages.reader(services, request)
    if who.signed_in:
        return pages.finish_redirect(request, "/shipments")
    return pages.render(request, who, "home.html")


@router.get("/sign-up", response_class=HTMLResponse)
def sign_up_form(request: Request, services: ServicesDep) -> Response:
    """The sign-up form: the person, then their organisation."""
    who = pages.reader(services, request)
    return pages.render(
        request,
        who,
        "sign_up.html",
        {"form": {}, "problems": FormProblems(), "schemes": TAX_SCHEMES},
    )


@router.post("/sign-up", response_class=HTMLResponse)
def sign_up(
    request: Request,
    services: ServicesDep,
    name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    organisation: Annotated[str, Form(max_length=300)] = "",
    tax_scheme: Annotated[str, Form(max_length=20)] = "",
    tax_id: Annotated[str, Form(max_length=40)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A new account and organisation, signed in at once; the form again when refused."""
    who = pages.reader(services, request)
    form = {
        "name": name,
        "email": email,
        "organisation": organisation,
        "tax_scheme": tax_scheme,
        "tax_id": tax_id,
    }
    context: dict[str, Any] = {"form": form, "schemes": TAX_SCHEMES}
    if not pages.check_form(request, csrf_token):
        return refused_form(request, who, "sign_up.html", context)
    try:
        body = SignUp.model_validate(
            {
                "email": email.strip(),
                "password": password,
                "name": name.strip(),
                "locale": who.locale,
                "organisation": {
                    "name": organisation.strip(),
                    "tax_scheme": tax_scheme.strip(),
                    "tax_id": tax_id.strip(),
                },
            }
        )
    except ValidationError as error:
        problems = FormProblems.from_validation(
            error,
            {
                "organisation.name": "organisation",
                "organisation.tax_scheme": "tax_scheme",
                "organisation.tax_id": "tax_id",
            },
        )
        return pages.render(request, who, "sign_up.html", {**context, "problems": problems}, 422)
    try:
        create_account(services, request, body)
        opened = open_session(services, request, SignIn(email=body.email, password=password))
    except ApiError as error:
        problems = FormProblems.from_api(error)
        return pages.render(
            request, who, "sign_up.html", {**context, "problems": problems}, error.status
        )
    response = pages.finish_redirect(request, "/shipments")
    set_session_cookie(request, response, opened.token)
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, services: ServicesDep) -> Response:
    """The sign-in form."""
    who = pages.reader(services, request)
    return pages.render(request, who, "sign_in.html", {"form": {}, "problems": FormProblems()})


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    services: ServicesDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A session cookie and the shipments page; the form again when refused."""
    who = pages.reader(services, request)
    context: dict[str, Any] = {"form": {"email": email}}
    if not pages.check_form(request, csrf_token):
        return refused_form(request, who, "sign_in.html", context)
    try:
        body = SignIn.model_validate({"email": email.strip(), "password": password})
        opened = open_session(services, request, body)
    except ValidationError as error:
        problems = FormProblems.from_validation(error)
        return pages.render(request, who, "sign_in.html", {**context, "problems": problems}, 422)
    except ApiError as error:
        problems = FormProblems.from_api(error)
        return pages.render(
            request, who, "sign_in.html", {**context, "problems": problems}, error.status
        )
    response = pages.finish_redirect(request, "/shipments")
    set_session_cookie(request, response, opened.token)
    return response


@router.post("/sign-out")
def sign_out(
    request: Request,
    services: ServicesDep,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The session ends; back to the front page."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and pages.check_form(request, csrf_token) and services.platform is not None:
        with services.platform.reading() as unit:
            try:
                principal = authenticate(unit, Credentials(cookie=cookie))
            except ApiError:
                principal = None
        if principal is not None:
            end_session(services, request, principal)
    response: RedirectResponse = pages.finish_redirect(request, "/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
