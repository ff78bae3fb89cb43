"""The admin page in a real Chromium: log in, press Full reindex, watch progress reach 100 %."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from searchapp.index.build import build_index
from tests.test_admin import PASSWORD, admin_server, make_docs
from tests.test_browser import ARTIFACTS, DOCS, DOCS_VIEWPORT
from tests.web_helpers import LAUNCH_ARGS

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("chromium is not on PATH; browser tests skipped", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright


def test_login_reindex_and_watch_progress(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 800)
    index = tmp_path / "index"
    build_index(index, [docs])
    (docs / "extra.txt").write_text("one more document", encoding="utf-8")
    with admin_server(tmp_path, docs, index) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(30_000)
            page.goto(f"{base}/")
            page.locator("footer a", has_text="Admin").click()
            expect(page).to_have_url(re.compile(r"/admin/login"))
            page.locator("#password").fill(PASSWORD)
            page.locator("#login").click()
            expect(page.locator("#serving-docs")).to_have_text("800")
            page.locator("#reindex-full").click()
            expect(page.locator("#notice")).to_contain_text("Started a full reindex")
            expect(page.locator("#job-state")).to_have_text(re.compile("starting|running"))
            seen_running = page.locator("#job-percent").inner_text()
            expect(page.locator("#job-percent")).to_have_text("100 %", timeout=60_000)
            expect(page.locator("#job-state")).to_have_text("succeeded")
            expect(page.locator("#serving-docs")).to_have_text("801")
            expect(page.locator("#history tbody tr").first).to_contain_text("succeeded")
            assert seen_running.endswith(("%", "…"))  # a number, or a phase that has none
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "admin.png"), full_page=True)
            page.set_viewport_size(DOCS_VIEWPORT)
            DOCS.mkdir(exist_ok=True)
            page.screenshot(path=str(DOCS / "screenshot-admin.png"))
            page.goto(f"{base}/admin/analyze?text=running+quyền&lang=en")
            expect(page.locator("#index-side code", has_text="quyen").first).to_be_visible()
            page.locator("#logout").click()
            expect(page).to_have_url(re.compile(r"/admin/login"))
        finally:
            browser.close()
