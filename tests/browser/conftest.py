"""The web app in a real browser: cruce served by uvicorn, driven with Debian's Chromium.

Each pytest process (each xdist worker) starts its own server on a free loopback port
with a fresh SQLite store, and one Chromium; every test gets a new browser context
(cookies, language, window size of its own). Playwright's own browser downloads are not
used: the tests drive the distribution's ``/usr/bin/chromium`` (``CRUCE_CHROMIUM`` names
another). Without it the tests are skipped, except under ``CI=true``, where they fail.

Tests that take a ``site_page`` argument run once per page of :data:`PAGES`; adding a page
is one line there.

Markers: ``@pytest.mark.viewport(360, 740)`` sets the window of the ``page`` fixture,
``@pytest.mark.locale("es-MX")`` the browser's language (its ``Accept-Language``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import sync_playwright

from cruce.api.auth import SESSION_COOKIE
from web_pages import EXAMPLES, OWNER

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Response

CHROMIUM = Path(os.environ.get("CRUCE_CHROMIUM", "/usr/bin/chromium"))
LANG_COOKIE = "cruce_lang"
DESKTOP = (1280, 800)
PHONE = (360, 740)
SERVER_START_SECONDS = 60.0
HEALTH = "/api/v1/health"
RATE = "10000/minute"
"""Every test signs in from 127.0.0.1: the per-address limits would refuse the later ones."""


@dataclass(frozen=True, slots=True)
class SitePage:
    """A page of the site the browser tests visit: where it is, who may see it."""

    name: str
    path: str
    """The path; ``{shipment}`` stands for the test account's shipment."""
    signed_in: bool = False
    status: int = 200
    """What it answers when it works (the error page: 404)."""

    def url(self, shipment_id: str) -> str:
        """The page's path for the account's shipment."""
        return self.path.format(shipment=shipment_id)


PAGES: tuple[SitePage, ...] = (
    SitePage("home", "/"),
    SitePage("sign-up", "/sign-up"),
    SitePage("sign-in", "/sign-in"),
    SitePage("verify", "/verify"),
    SitePage("not-found", "/no-such-page", status=404),
    SitePage("shipments", "/shipments", signed_in=True),
    SitePage("organisation", "/organisation", signed_in=True),
    SitePage("wizard", "/shipments/new", signed_in=True),
    SitePage("shipment", "/shipments/{shipment}", signed_in=True),
    SitePage("landed-cost", "/shipments/{shipment}/landed-cost", signed_in=True),
    SitePage("origin", "/shipments/{shipment}/origin", signed_in=True),
    SitePage("wizard-goods", "/shipments/{shipment}/edit/goods", signed_in=True),
    SitePage("documents", "/shipments/{shipment}/documents", signed_in=True),
    SitePage("parties", "/shipments/{shipment}/parties", signed_in=True),
    SitePage("audit", "/shipments/{shipment}/audit", signed_in=True),
)
"""The pages every page-wide check and the screenshots cover: one line per page."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "viewport(width, height): the page fixture's window")
    config.addinivalue_line("markers", "locale(code): the page fixture's browser language")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "site_page" in metafunc.fixturenames:
        metafunc.parametrize("site_page", PAGES, ids=[page.name for page in PAGES])


# ---------------------------------------------------------------- the server
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _healthy(process: subprocess.Popen[bytes], base: str) -> bool:
    """Wait until the server answers its health check; False if it died or never answered."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(base + HEALTH, timeout=2) as answer:  # noqa: S310 - our own loopback URL
                if answer.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    return False


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """cruce (API and pages) on a free loopback port with a fresh SQLite store; its base URL."""
    data_dir = tmp_path_factory.mktemp("cruce-web")
    log_path = data_dir / "server.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CRUCE_") or key == "CRUCE_CHROMIUM"
    }
    env.update(
        CRUCE_DATA_DIR=str(data_dir),
        CRUCE_LOGIN_RATE=RATE,
        CRUCE_VERIFY_RATE=RATE,
        PYTHONUNBUFFERED="1",
    )
    with log_path.open("wb") as log:
        for _attempt in range(5):  # a port taken between probing and binding: another one
            port = _free_port()
            base = f"http://127.0.0.1:{port}"
            env["CRUCE_PUBLIC_URL"] = base
            command = [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "cruce.web.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
            ]
            process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603 - our own interpreter
            if _healthy(process, base):
                break
            _stop(process)
        else:
            pytest.fail(f"cruce did not start; see {log_path}:\n{log_path.read_text()[-3000:]}")
        try:
            yield base
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---------------------------------------------------------------- the browser
@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.is_file():
        reason = f"{CHROMIUM} is missing: apt-get install chromium (make test installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the session (the distribution's, never a download)."""
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
    )
    yield chromium
    chromium.close()


@dataclass(frozen=True, slots=True)
class Account:
    """The signed-in owner the page checks use, and its stored shipment."""

    cookies: list[dict[str, Any]]
    shipment_id: str


@pytest.fixture(scope="session")
def account(playwright: Playwright, browser: Browser, server: str) -> Account:
    """The owner of Sonoran Precision Machining, signed up through the form, with example 01."""
    context = browser.new_context(base_url=server)
    page = context.new_page()
    page.goto("/sign-up")
    for name in ("name", "email", "password", "organisation", "tax_id"):
        page.fill(f"#f-{name}", OWNER[name])
    page.select_option("#f-tax_scheme", OWNER["tax_scheme"])
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url.endswith("/shipments"), page.url
    cookies = [dict(cookie) for cookie in context.cookies() if cookie["name"] == SESSION_COOKIE]
    context.close()
    assert cookies, "signing up set no session cookie"

    api = playwright.request.new_context(base_url=server)
    try:
        signed = api.post(
            "/api/v1/sessions", data={"email": OWNER["email"], "password": OWNER["password"]}
        )
        assert signed.ok, signed.text()
        csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
        made = api.post("/api/v1/tokens", data={"name": "browser tests"}, headers=csrf)
        assert made.ok, made.text()
        token = made.json()["token"]
        api.clear_cookies()
        record = (EXAMPLES / "01-phoenix-to-guadalajara" / "shipment.yaml").read_bytes()
        created = api.post(
            "/api/v1/shipments",
            data=record,
            headers={"Content-Type": "application/yaml", "Authorization": f"Bearer {token}"},
        )
        assert created.status == 201, created.text()
        return Account(cookies, created.json()["id"])
    finally:
        api.dispose()


def _marker_args(request: pytest.FixtureRequest, name: str) -> tuple[Any, ...] | None:
    marker = request.node.get_closest_marker(name)
    return tuple(marker.args) if marker is not None else None


@pytest.fixture
def context(
    browser: Browser, server: str, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    """A fresh browser context (no cookies, no cache) at the marked size and language."""
    width, height = _marker_args(request, "viewport") or DESKTOP
    (locale,) = _marker_args(request, "locale") or ("en-US",)
    fresh = browser.new_context(
        base_url=server, viewport={"width": width, "height": height}, locale=locale
    )
    fresh.set_default_timeout(15_000)
    yield fresh
    fresh.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A new tab in the test's own context."""
    return context.new_page()


# ---------------------------------------------------------------- visiting the site's pages
class Visitor:
    """Opens the site's pages in one context, signed in when a page needs it."""

    def __init__(self, context: BrowserContext, server: str, request: pytest.FixtureRequest):
        self.context = context
        self.server = server
        self._request = request

    def open(self, page: Page, site_page: SitePage, lang: str = "en") -> Response:
        """``page`` at ``site_page`` in ``lang`` (the switch's cookie); its answer."""
        shipment_id = str(uuid.uuid4())
        if site_page.signed_in or "{shipment}" in site_page.path:
            account: Account = self._request.getfixturevalue("account")
            self.context.add_cookies([_cookie(cookie) for cookie in account.cookies])
            shipment_id = account.shipment_id
        self.context.add_cookies([{"name": LANG_COOKIE, "value": lang, "url": self.server}])
        path = site_page.url(shipment_id)
        response = page.goto(path)
        assert response is not None, f"no answer for {path}"
        assert response.status == site_page.status, f"{path} answered {response.status}"
        assert page.url.split("?")[0] == self.server + path, f"{path} went to {page.url}"
        return response


@pytest.fixture(scope="session")
def site_pages() -> dict[str, SitePage]:
    """:data:`PAGES` by name."""
    return {site_page.name: site_page for site_page in PAGES}


@pytest.fixture
def visitor(context: BrowserContext, server: str, request: pytest.FixtureRequest) -> Visitor:
    """Opens :data:`PAGES` in the test's context (``visitor.open(page, site_page, "es")``)."""
    return Visitor(context, server, request)


@pytest.fixture
def fresh_visitor(
    browser: Browser, server: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Visitor]]:
    """Makes visitors in contexts of their own (cold cache), closed after the test."""
    opened: list[BrowserContext] = []

    def make(
        viewport: tuple[int, int] = DESKTOP,
        locale: str = "en-US",
        headers: dict[str, str] | None = None,
    ) -> Visitor:
        width, height = viewport
        context = browser.new_context(
            base_url=server,
            viewport={"width": width, "height": height},
            locale=locale,
            extra_http_headers=headers,
        )
        context.set_default_timeout(15_000)
        opened.append(context)
        return Visitor(context, server, request)

    yield make
    for context in opened:
        context.close()


def _cookie(cookie: dict[str, Any]) -> Any:
    return {key: cookie[key] for key in ("name", "value", "domain", "path")}
