"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Reuse these fixtures in any test under tests/browser/:
- `live_url`: the live server's address. It also gives the test a transactional database restored from the
  migrated state (serialized rollback), so the groups made by migrations (Reporter, Editor, Moderator) exist.
- `page`: a fresh browser tab with its own cookies, JavaScript on; `js_disabled_page`: the same without it;
  `make_page(javascript=True)`: more tabs, each one a separate reader.
Every test here skips, with the reason, when Chromium is not installed (`make browser` installs it). Playwright
never downloads a browser of its own.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test import Client
from django.test.testcases import LiveServerThread

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


class OneRequestAtATimeServer(WSGIServer):
    """The live server, answering one request at a time (Django then closes each connection after its response).

    On SQLite the live server's threads share the test's one in-memory connection: two requests at once, such as
    the article form's autosave beacon and the next page, would otherwise run inside each other's transaction."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override


LiveServerThread.server_class = OneRequestAtATimeServer


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


# Module scope: the browser (and the event loop Playwright keeps running while it is open) and the setting that
# lets the ORM run beside that loop go away when a module's browser tests are done, so no later test, nor any
# process a later test starts, inherits them.
@pytest.fixture(scope="module")
def browser(django_db_setup):
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (`make browser` installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed (pip install -r requirements-dev.txt)")
    # Playwright's sync API runs an event loop in this thread; the ORM refuses to run in one unless told that
    # the test code calling it is really synchronous.
    from django.db import connections

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    serialized = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as playwright:
        # Playwright's loop gives this thread a new context, and with it new database connection objects that
        # lack the migrated state saved at set-up: without it, the serialized rollback between tests would
        # silently restore nothing (no groups, for one).
        for alias, contents in serialized.items():
            if contents is not None:
                connections[alias]._test_serialized_contents = contents
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def live_url(live_server, django_db_serialized_rollback) -> str:
    return live_server.url


@pytest.fixture
def make_page(browser, live_url):
    contexts = []

    def make(*, javascript: bool = True):
        context = browser.new_context(base_url=live_url, java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    # A page left on the article form sends its last autosave and releases its edit lock as it goes: let those
    # requests land before the test database is reset under them.
    leaving = [page for context in contexts for page in context.pages if "/admin/articles/article/" in (page.url or "")]
    for page in leaving:
        page.goto("about:blank")
    if leaving:
        leaving[0].wait_for_timeout(1500)
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page):
    return make_page(javascript=True)


@pytest.fixture
def js_disabled_page(make_page):
    return make_page(javascript=False)


# --- Accessibility: axe-core (through axe-playwright-python) and signing in without the login form --------------

# WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus axe's best practices. A page fails on any critical or serious
# violation; moderate and minor ones are reported by axe but do not fail a test.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
AXE_FAILING_IMPACTS = {"critical", "serious"}
PHONE_WIDTH, DESKTOP_WIDTH = 390, 1280
AXE = Axe()  # reads axe-core's script once


def axe_violations(page) -> list[str]:
    """The page's critical and serious axe-core violations, one readable line per element."""
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in AXE_FAILING_IMPACTS:
            continue
        for node in violation["nodes"]:
            target = ", ".join(map(str, node["target"]))
            summary = node.get("failureSummary", "").replace("\n", " ")
            found.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} at {target}"
                f"\n    {node['html'][:200]}\n    {summary}"
            )
    return found


def tab_to(page, selector: str, *, backwards: bool = False, max_tabs: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(max_tabs):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    where = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
    raise AssertionError(f"{selector} never took focus from the keyboard; focus ended on {where}")


@pytest.fixture
def audit():
    """`audit(page, path)` opens the path and records its serious axe findings; `audit.assert_clean()` fails the
    test with every finding of every page at once, so one run shows all that is left to fix."""

    class Audit:
        def __init__(self):
            self.findings: dict[str, list[str]] = {}

        def __call__(self, page, path: str | None = None, *, label: str | None = None) -> None:
            if path is not None:
                page.goto(path)
            width = page.viewport_size["width"] if page.viewport_size else "?"
            violations = axe_violations(page)
            if violations:
                self.findings[f"{label or path or page.url} at {width}px"] = violations

        def assert_clean(self) -> None:
            report = "\n".join(f"{where}:\n  " + "\n  ".join(found) for where, found in self.findings.items())
            assert not self.findings, f"critical or serious axe-core violations:\n{report}"

    return Audit()


@pytest.fixture
def sign_in(live_url):
    """`sign_in(page, user)`: the page's browser is signed in as the user (a real session, no login form)."""

    def sign(page, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_url}])
        return page

    return sign
