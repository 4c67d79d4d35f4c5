"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live_server."""

import os
import re
import shutil

import pytest

from tests.conftest import reload_migration_data

CHROMIUM = (
    os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
)


@pytest.fixture(scope="session")
def browser(live_server):
    """One headless Chromium for the session (started after the live server and database)."""
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and Django
    # refuses ORM calls from such a thread unless told it is deliberate. The browser
    # tests run last (tests/conftest.py), so this never reaches another test.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def new_page(browser, live_server):
    """Pages in separate browser contexts: one per person taking part in a flow."""
    contexts = []

    def make():
        # A phone-sized window: many residents use the portal on a phone.
        context = browser.new_context(
            viewport={"width": 360, "height": 780}, locale="zh-CN"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


LANDING = re.compile(r"/(accounts/profile|projects/manage)/$")


def log_in(page, live_server, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    # Residents land on their profile, staff on their work list.
    page.wait_for_url(LANDING)


@pytest.fixture(autouse=True)
def _migration_data(live_server, request):
    """Put back what the data migrations made (roles, steps, topics, standards).

    A transactional test ends with a flush that empties every table, migration data
    included; the next browser test needs it again.
    """
    request.getfixturevalue("transactional_db")
    reload_migration_data()
