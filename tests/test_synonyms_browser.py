"""Synonyms in a real Chromium: typing ILO finds and highlights the Vietnamese name."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from searchapp.index.build import build_index
from tests.test_synonyms import EN_ILO, VI_ILO
from tests.web_helpers import LAUNCH_ARGS, running_server

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("chromium is not on PATH; browser tests skipped", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright


def test_typing_an_abbreviation_marks_its_expansion(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "vi.txt").write_text(VI_ILO, encoding="utf-8")
    (docs / "en.txt").write_text(EN_ILO, encoding="utf-8")
    build_index(tmp_path / "index", [docs])
    (tmp_path / "inst").mkdir()
    (tmp_path / "inst" / "synonyms.txt").write_text("ILO => ILO, Tổ chức Lao động Quốc tế\n",
                                                    encoding="utf-8")
    env = {"SEARCHAPP_INSTANCE_DIR": str(tmp_path / "inst"), "SEARCHAPP_ADMIN_PASSWORD": "x" * 12}
    with running_server(tmp_path / "index", tmp_path / "server.log", extra_env=env) as base, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            page.goto(f"{base}/")
            page.locator("#q").click()
            page.keyboard.type("ILO", delay=60)
            expect(page.locator("#results li.hit")).to_have_count(2)
            vi = page.locator('#results li.hit[lang="vi"]')
            expect(vi.locator("mark", has_text="Tổ")).to_be_visible()
            expect(vi.locator("mark", has_text="Quốc")).to_be_visible()
            en = page.locator('#results li.hit[lang="en"]')
            expect(en.locator("mark", has_text="ILO")).to_be_visible()
        finally:
            browser.close()
