"""Search analytics in a real Chromium: a zero-result query typed in the search box (no Enter)
reaches /admin/analytics through app.js's beacon with query logging on, and not at all with it
off."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from searchapp.index.build import build_index
from tests.test_admin import PASSWORD, make_docs
from tests.web_helpers import LAUNCH_ARGS, running_server

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("chromium is not on PATH; browser tests skipped", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright

QUERY = "qwzzyx nothinghere"


def _type_then_check_admin(page: Page, base: str) -> str:
    page.goto(f"{base}/")
    page.locator("#q").click()
    page.keyboard.type(QUERY, delay=40)  # no Enter: live search through htmx
    expect(page.locator(f'#results [data-query="{QUERY}"]')).to_be_attached()
    page.wait_for_timeout(2500)  # results settled: app.js sends its beacon
    page.goto(f"{base}/admin/login")
    page.locator("#password").fill(PASSWORD)
    page.locator("#login").click()
    expect(page).to_have_url(re.compile(r"/admin/?$"))
    page.locator(".admin-nav a", has_text="Analytics").click()
    expect(page.locator("#analytics-logging")).to_be_visible()
    return page.content()


@pytest.mark.parametrize("logging", [True, False])
def test_typed_zero_result_query_in_analytics_only_with_logging(tmp_path: Path, logging: bool) -> None:
    docs = make_docs(tmp_path / "docs", 3)
    build_index(tmp_path / "index", [docs])
    env = {"SEARCHAPP_ADMIN_PASSWORD": PASSWORD, "SEARCHAPP_INSTANCE_DIR": str(tmp_path / "inst"),
           "SEARCHAPP_LOG_QUERIES": "1" if logging else "0"}
    with running_server(tmp_path / "index", tmp_path / "server.log", extra_env=env) as base, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            html = _type_then_check_admin(page, base)
            if logging:
                zero = page.locator("#analytics-7d .zero-queries")
                expect(zero).to_contain_text(QUERY)
                assert "qwzzyx nothinghere" in html
                assert "qwzzyx nothinghe<" not in html  # keystrokes before it are not counted
                zero.locator("a.add-synonym").first.click()
                expect(page.locator("#synonyms-text")).to_have_value(re.compile(f"{QUERY}, "))
            else:
                expect(page.locator("#analytics-logging")).to_contain_text("off")
                assert "qwzzyx" not in html
                assert not (tmp_path / "inst" / "analytics.sqlite3").exists()
        finally:
            browser.close()
