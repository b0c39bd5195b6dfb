"""What every browser test shares: headless Chromium (Debian's, at
/usr/bin/chromium) driven by Playwright against a live server, the strict
Content-Security-Policy a deployment sends, sign-in, and axe-core.

Needs /usr/bin/chromium (`apt-get install chromium`; `make chromium`), the
`playwright` Python package (never `playwright install`: Debian's browser is
used), and the built front-end assets and axe-core (`npm ci && npm run
build`). Without them a browser test is skipped, or fails on CI (CI set), so
that a missing part never passes unseen.

A test module imports the fixture and the helpers it uses:

    from tests.browser_support import browser, run_axe, sign_in, watch, with_csp  # noqa: F401
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

# Playwright's sync API runs an event loop in the test's thread; the test's own
# database calls (fixtures, assertions) are still plain synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CSS = ROOT / "homeward" / "web" / "static" / "build" / "homeward.css"
LEAFLET = ROOT / "homeward" / "web" / "static" / "build" / "leaflet" / "leaflet.js"
LONDON = ZoneInfo("Europe/London")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# What a deployment can send: nothing inline, nothing from elsewhere.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SCREENSHOTS = Path(os.environ.get("HOMEWARD_SCREENSHOTS", "/tmp"))


def missing(reason: str):
    """A part the browser tests need is not there: skip, or fail on CI."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        missing("no /usr/bin/chromium: apt-get install chromium")
    if not AXE.exists() or not CSS.exists() or not LEAFLET.exists():
        missing("front-end assets not built: npm ci && npm run build")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright package is not installed: pip install -r requirements-dev.txt")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def with_csp(context):
    """Send the strict Content-Security-Policy with every page, as production may."""

    def handle(route):
        request = route.request
        if request.resource_type != "document" or request.method != "GET":
            route.continue_()
            return
        response = route.fetch(max_redirects=0)
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})

    context.route("**/*", handle)
    return context


def watch(page, problems: list, *, failed_requests: bool = False):
    """Collect console errors (a CSP violation is one), page errors, server
    errors, and a missing stylesheet, script or photo; with
    `failed_requests`, requests that failed too (not those cancelled because
    the test moved on to the next page)."""
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("response", lambda res: problems.append(f"{res.status} {res.url}")
            if res.status >= 500 or (res.status >= 400 and ("/static/" in res.url or "/photos/" in res.url))
            else None)
    if failed_requests:
        page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url} {req.failure}")
                if "ERR_ABORTED" not in (req.failure or "") else None)


def sign_in(page, base: str, username: str, password: str):
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def fill_when(page, prefix: str, moment: dt.datetime):
    """Fill a date-and-time field group (day, month, year, time) in Europe/London time."""
    local = moment.astimezone(LONDON)
    page.locator(f"#{prefix}-day").fill(str(local.day))
    page.locator(f"#{prefix}-month").fill(str(local.month))
    page.locator(f"#{prefix}-year").fill(str(local.year))
    page.locator(f"#{prefix}-time").fill(local.strftime("%H:%M"))


def run_axe(page, label: str) -> list[dict]:
    """axe-core on the page as it stands: every violation printed, the
    serious and critical ones returned."""
    # Evaluated through the browser's debugging protocol, not as a <script>
    # tag, so the page's strict Content-Security-Policy does not block it.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;void 0")
    result = page.evaluate("async () => await axe.run()")
    for v in result["violations"]:
        print(f"axe [{label}] {v['impact']}: {v['id']} – {v['help']} "
              f"({len(v['nodes'])} nodes: {', '.join(n['target'][0] for n in v['nodes'][:3])})")
    return [{"page": label, "id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["html"][:200] for n in v["nodes"][:5]]}
            for v in result["violations"] if v.get("impact") in ("serious", "critical")]
