"""Real-browser tests: Playwright drives Debian's chromium against pytest-django's live_server.

Chromium comes from the system (``apt-get install chromium``), never from a Playwright
download; CHROMIUM_PATH points elsewhere if needed. Without it the browser tests are skipped
on a developer's machine and fail in CI. Screenshots go to artifacts/screenshots/.
"""

import functools
import os
import shutil
import time
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.urls import reverse
from playwright.sync_api import Locator, expect

from tests.factories import make_store, make_user

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
PASSWORD = "Correct-Horse-Battery-9"
# Actions that a page's scripts may handle: each first waits for the page to finish loading.
LOCATOR_ACTIONS = ("click", "dblclick", "fill", "press", "check", "uncheck", "select_option")
# E2E_SLOW_SCRIPT_MS=300 serves Bootstrap's bundle that much later, as a busy machine might:
# a run with it proves that no test acts on a page before its scripts have run.
SLOW_SCRIPT_SECONDS = int(os.environ.get("E2E_SLOW_SCRIPT_MS", "0")) / 1000


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


def require(available, what):
    if available:
        return
    message = f"{what} is needed for the browser tests (see README)."
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def after_the_page_has_loaded(action):
    """A page's text shows before the script at the end of its body has run: a click on a
    dropdown's button then would be lost, with nobody listening yet. Waiting for the "load"
    of the page in view (at once if it has loaded) closes that gap for every test."""

    @functools.wraps(action)
    def act(locator, *args, **kwargs):
        locator.page.wait_for_load_state()
        return action(locator, *args, **kwargs)

    return act


def served_late(serve):
    @functools.wraps(serve)
    def serve_late(handler, request):
        if request.path.endswith("bootstrap.bundle.min.js"):
            time.sleep(SLOW_SCRIPT_SECONDS)
        return serve(handler, request)

    return serve_late


@pytest.fixture(scope="session")
def browser():
    require(Path(CHROMIUM).exists(), f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        for name in LOCATOR_ACTIONS:
            patch.setattr(Locator, name, after_the_page_has_loaded(getattr(Locator, name)))
        if SLOW_SCRIPT_SECONDS:
            patch.setattr(StaticFilesHandler, "serve", served_late(StaticFilesHandler.serve))
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def page(browser, viewport, live_server):
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], base_url=live_server.url, accept_downloads=True
    )
    page = context.new_page()
    if SLOW_SCRIPT_SECONDS:  # every page waits for its late bundle, not the cached one
        devtools = context.new_cdp_session(page)
        devtools.send("Network.enable")
        devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})
    # Waits for what a click starts, generous enough for a busy 2-core machine: a slow run
    # is slow, not red (expect() waited 5 s, and a sign-out under load once took longer).
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.viewport_name = viewport
    follow_the_traffic(page)
    yield page
    context.close()
    # Script errors and Content-Security-Policy refusals show up in the console.
    assert errors == []


def follow_the_traffic(page):
    """Print what the page asked for and got, shown by pytest when a test fails: a click
    that a busy CI machine answers with nothing leaves its trace there. (Not its dialogs:
    listening to them would stop Playwright from handling them as the tests expect.)"""
    started = time.monotonic()

    def note(what):
        print(f"{time.monotonic() - started:7.2f}s {what}")

    page.on("request", lambda request: note(f"-> {request.method} {request.url}"))
    page.on("response", lambda response: note(f"<- {response.status} {response.url}"))
    page.on("requestfailed", lambda request: note(f"!! {request.url}: {request.failure}"))
    page.on("load", lambda page: note(f"load {page.url}"))


@pytest.fixture
def shoot(page, request):
    """Save a full-page screenshot named after the test, the step and the viewport."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    flow = request.node.originalname.removeprefix("test_")

    def take(step):
        page.screenshot(
            path=SCREENSHOTS / f"{flow}-{step}-{page.viewport_name}.png", full_page=True
        )

    return take


@pytest.fixture
def stores(transactional_db):
    return [make_store("Downtown", code="DT01"), make_store("Riverside", code="RV02")]


@pytest.fixture
def manager_user(transactional_db):
    return make_user(
        "mona", password=PASSWORD, groups=["Managers"], first_name="Mona", last_name="Manager"
    )


def sign_in(page, username="mona", password=PASSWORD):
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def signed_in(page, manager_user, stores):
    sign_in(page)
    page.wait_for_url(f"**{reverse('customers:list')}")
    return page


def assert_no_page_scroll(page):
    """The page itself never scrolls sideways (a wide table scrolls inside its box)."""
    width, viewport_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= viewport_width


def serious_accessibility_violations(page):
    require(AXE_SCRIPT.exists(), "axe-core (npm ci)")
    page.evaluate(AXE_SCRIPT.read_text())
    results = page.evaluate("async () => await axe.run(document)")
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
