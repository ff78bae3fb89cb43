"""#24 in a real Chromium against a real server: a legacy-encoded original opened from /file
shows its text, not replacement characters, and ?download=1 saves the exact bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from searchapp.index.build import build_index
from tests.test_formats_text import encode_1258
from tests.web_helpers import LAUNCH_ARGS, running_server

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("chromium is not on PATH (apt-get install chromium); browser tests skipped",
                allow_module_level=True)

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

TEXTS = {
    "viet-1258.txt": ("Tuyên ngôn quốc tế nhân quyền: mọi người sinh ra đều được tự do.", "cp1258"),
    "gb.txt": ("世界人权宣言：人人生而自由，在尊严和权利上一律平等。", "gb18030"),
    "sjis.txt": ("すべての人間は、生まれながらにして自由である。", "shift_jis"),
    "wide.txt": ("Quarterly report: bình đẳng, 平等, равенство.", "utf-16-le"),
}


def test_legacy_originals_read_right_in_the_browser(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, (text, codec) in TEXTS.items():
        (docs / name).write_bytes(encode_1258(text) if codec == "cp1258" else text.encode(codec))
    build_index(tmp_path / "idx", [docs])
    with running_server(tmp_path / "idx", tmp_path / "server.log") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(accept_downloads=True)
            for name, (text, _codec) in TEXTS.items():
                page.goto(f"{base}/file/{name}")
                shown = page.inner_text("body")
                assert "\ufffd" not in shown and shown.strip() == text, (name, shown)
                with page.expect_download() as info:
                    try:
                        page.goto(f"{base}/file/{name}?download=1")
                    except PlaywrightError as exc:  # "Download is starting": not a page
                        assert "Download is starting" in str(exc)
                saved = tmp_path / f"saved-{name}"
                info.value.save_as(saved)
                assert saved.read_bytes() == (docs / name).read_bytes()
        finally:
            browser.close()
