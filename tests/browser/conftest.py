"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

One browser for the whole session, a fresh context (cookies, storage) per test. Every page a
test visits goes through `Visitor`, which runs axe-core after each navigation and records
every request, so the bars of DESIGN.md (no serious or critical axe violation, nothing from
another host, nothing blocked by the content security policy) are checked on every page the
tests see, without each test having to remember it.
"""

import hashlib
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.pages import DEMO_LOGINS  # noqa: F401  (the browser tests import it from here)

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# ORM calls from it (SynchronousOnlyOperation), although they are plain synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

AXE_PATH = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BLOCKING_IMPACTS = {"serious", "critical"}
# The DOM of a page, without what changes from request to request (CSRF tokens), for
# recognising a page that axe has already passed: the login page is the same in every test.
SNAPSHOT_JS = """() => {
    const copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll('input[name=csrfmiddlewaretoken]').forEach(el => el.remove());
    return copy.outerHTML + '|' + window.innerWidth + 'x' + window.innerHeight;
}"""
_PASSED_SNAPSHOTS = set()
DEMO_PASSWORD = "pioneer-demo"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not AXE_PATH.exists():
        pytest.fail(f"{AXE_PATH} is missing: run npm ci")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("chromium is not installed (Debian: apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo_world(transactional_db, live_server):
    """The demo world in the live server's database (it is emptied after each test)."""
    call_command("seed_demo", verbosity=0)


class AccessibilityError(AssertionError):
    pass


class Visitor:
    """A browser tab that audits every page it reaches.

    Use `goto`, `submit` and `press` (or `audit` after anything else that navigates):
    each runs axe-core on the page it lands on. A navigation that was never audited fails
    the test at teardown, so no page escapes the check.
    """

    def __init__(self, context, base_url):
        self.context = context
        self.base_url = base_url.rstrip("/")
        self.requests = []
        self.csp_errors = []
        self.audited = []
        self._navigations = 0
        self._last_url = ""
        self._audited_navigation = 0
        self._unaudited = []
        context.on("request", lambda request: self.requests.append(request.url))
        # An init script comes through the DevTools protocol, which the page's content
        # security policy does not govern: axe needs neither an inline script nor a
        # relaxed policy, and the policy stays as strict as in production.
        context.add_init_script(path=str(AXE_PATH))
        self.page = context.new_page()
        self.page.on("framenavigated", self._on_navigated)
        self.page.on("console", self._on_console)

    # --- recording -------------------------------------------------------------------
    def _on_navigated(self, frame):
        if frame != self.page.main_frame or frame.url == "about:blank":
            return
        # A same-document navigation (a #fragment, e.g. the skip link) is no new page.
        if self._navigations and self._last_url.split("#")[0] == frame.url.split("#")[0]:
            self._last_url = frame.url
            return
        if self._navigations > self._audited_navigation:
            self._unaudited.append(self._last_url)
        self._navigations += 1
        self._last_url = frame.url

    def _on_console(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_errors.append(f"{self.page.url}: {message.text}")

    # --- navigation ------------------------------------------------------------------
    def url(self, path):
        return self.base_url + path

    @property
    def path(self):
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def goto(self, path, *, expect_status=200):
        response = self.page.goto(self.url(path))
        assert response is not None
        assert response.status == expect_status, f"{path}: HTTP {response.status}"
        self.audit()
        return response

    def submit(self, locator):
        """Click a submit button and audit the page the form leads to."""
        with self.page.expect_navigation():
            locator.click()
        self.audit()

    def press(self, key):
        """Press a key that navigates (Enter on a link) and audit the new page."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.audit()

    def html_lang(self):
        return self.page.locator("html").get_attribute("lang")

    # --- the checks ------------------------------------------------------------------
    def audit(self):
        """Run axe-core on the current page; fail on any serious or critical violation."""
        self.page.wait_for_load_state("load")
        self._audited_navigation = self._navigations
        lang = self.html_lang()
        self.audited.append((self.path, lang))
        snapshot = hashlib.sha256(self.page.evaluate(SNAPSHOT_JS).encode()).hexdigest()
        if snapshot in _PASSED_SNAPSHOTS:
            return
        violations = self.page.evaluate(
            """async () => {
                // axe's default rule set, as a tester running axe on the page would see it.
                const result = await axe.run(document, {resultTypes: ['violations']});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                              html: n.html.slice(0, 200),
                                              impact: n.impact})),
                }));
            }"""
        )
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            lines = [f"axe-core on {self.path} (lang={lang}):"]
            for violation in blocking:
                lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
                for node in violation["nodes"][:5]:
                    lines.append(f"      {node['target']}  {node['html']}")
            # PIONEER_AXE_REPORT=<file> collects the findings instead of failing at the
            # first, to survey every page at once while fixing templates.
            report = os.environ.get("PIONEER_AXE_REPORT")
            if report:
                with open(report, "a", encoding="utf-8") as out:
                    out.write("\n".join(lines) + "\n")
                return
            raise AccessibilityError("\n".join(lines))
        _PASSED_SNAPSHOTS.add(snapshot)

    def foreign_requests(self):
        own = urlsplit(self.base_url).netloc
        return [
            url
            for url in self.requests
            if not url.startswith(("data:", "blob:", "about:")) and urlsplit(url).netloc != own
        ]

    def finish(self):
        if self._navigations > self._audited_navigation:
            self._unaudited.append(self._last_url)
        assert self._unaudited == [], f"pages visited without an axe audit: {self._unaudited}"
        assert self.foreign_requests() == [], "requests to another host"
        assert self.csp_errors == [], "blocked by the content security policy"

    # --- people ----------------------------------------------------------------------
    def login(self, email, password=DEMO_PASSWORD):
        """Sign in through the real login form."""
        self.goto("/accounts/login/")
        form = self.page.locator("form:has(input[name='password'])")
        form.locator("input[name='login']").fill(email)
        form.locator("input[name='password']").fill(password)
        self.submit(form.locator("[type='submit']").last)

    def switch_language(self, label):
        """Use the language switch in the header ("Deutsch" or "English")."""
        self.submit(self.page.locator("form.pio-lang-switch button", has_text=label))


@pytest.fixture
def visitor_factory(browser, live_server):
    """Make visitors (each its own context: separate cookies); all are checked at the end."""
    made = []

    def make(**context_options):
        context = browser.new_context(base_url=live_server.url, locale="de-DE", **context_options)
        context.set_default_timeout(10_000)
        visitor = Visitor(context, live_server.url)
        made.append(visitor)
        return visitor

    yield make
    try:
        for visitor in made:
            visitor.finish()
    finally:
        for visitor in made:
            visitor.context.close()


@pytest.fixture
def visitor(visitor_factory):
    return visitor_factory()
