"""The Content-Security-Policy in a real Chromium: our pages raise no violation, live search
still works under it, and an injected inline script is refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_admin import env
from tests.web_helpers import running_server

pytestmark = pytest.mark.browser

# Chromium discovery, launch flags, the skip without chromium and the browser fixture are
# shared with the other browser tests.
from playwright.sync_api import Browser, Page, expect

from tests.test_browser import browser, chromium  # noqa: F401 - the fixtures

# Collects CSP violations the page reports (Playwright's init scripts are not subject to it).
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@pytest.fixture(scope="module")
def server(seed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("csp")
    with env(SEARCHAPP_INSTANCE_DIR=str(tmp / "instance"), SEARCHAPP_ADMIN_PASSWORD="x" * 12):
        with running_server(seed_index, tmp / "server.log") as base:
            yield base


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:  # noqa: F811 - the imported fixture
    context = browser.new_context(locale="en-US")
    context.add_init_script(LISTEN)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def test_no_csp_violation_and_live_search_works(server: str, page: Page) -> None:
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    response = page.goto(f"{server}/")
    assert response is not None and "script-src 'self'" in response.headers[
        "content-security-policy"]
    page.locator("#q").click()
    page.keyboard.type("Geneva", delay=40)
    expect(page.locator("#results li.hit")).to_have_count(3)  # htmx ran under the CSP
    expect(page).to_have_url(re.compile(r"/search\?q=Geneva$"))
    page.locator("#results a.hit-link").first.click()
    expect(page.locator("h1.doc-title")).to_be_visible()
    page.goto(f"{server}/admin/login")
    expect(page.locator("main.admin")).to_have_css("max-width", "960px")  # admin.css loaded
    page.goto(f"{server}/search?q=Geneva&page=2")
    violations = page.evaluate("window.__violations")
    assert violations == [], violations
    assert [u for u in failed if not u.endswith("/favicon.ico")] == []
    assert not [c for c in console if "Content Security Policy" in c or c.startswith("pageerror")
                or (c.startswith("error") and "Failed to load resource" not in c)], console


def test_an_injected_inline_script_is_refused(server: str, page: Page) -> None:
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.goto(f"{server}/search?q=Geneva")
    page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.pwned = 1'; document.body.appendChild(s); }""")
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.pwned") is None
    assert "script-src" in page.evaluate("window.__violations")[0]
    assert any("Content Security Policy" in c for c in console), console
