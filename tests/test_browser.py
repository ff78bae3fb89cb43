"""The UI in a real Chromium (Debian's, through Playwright) against a real server process."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chromium import Chromium, module_chromium
from tests.web_helpers import build_xss_index, running_server

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
# README screenshots: written into docs/ (committed) only with UPDATE_SCREENSHOTS=1, so that
# a test run leaves the checkout clean; otherwise next to the other artifacts.
DOCS = (
    Path(__file__).resolve().parents[1] / "docs"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else Path(__file__).resolve().parents[1] / "test-artifacts"
)
DOCS_VIEWPORT = {"width": 1200, "height": 800}
VI_SEED = "001_ae9e3e1196b18828.txt"

if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("chromium is not on PATH (apt-get install chromium); browser tests skipped",
                allow_module_level=True)

from playwright.sync_api import Browser, Page, expect


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    if CHROMIUM is None:
        pytest.fail("CI=true but chromium is not on PATH")
    yield from module_chromium(CHROMIUM)


@pytest.fixture
def browser(chromium: Chromium) -> Browser:
    return chromium.get()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def server(seed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(seed_index, tmp_path_factory.mktemp("log") / "server.log") as base:
        yield base


@pytest.fixture(scope="module")
def xss_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("xss")
    with running_server(build_xss_index(tmp), tmp / "server.log") as base:
        yield base


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def results_count(page: Page) -> int:
    return page.locator("#results li.hit").count()


def test_typing_searches_live_and_url_follows(page: Page, server: str) -> None:
    page.goto(f"{server}/")
    page.locator("#q").click()
    page.keyboard.type("quyen", delay=90)  # no Enter
    mark = page.locator('#results li.hit[lang="vi"] mark', has_text="quyền").first
    expect(mark).to_be_visible()
    expect(page.locator(f'#results a.hit-link[href^="/doc/{VI_SEED}"]')).to_be_visible()
    expect(page).to_have_url(re.compile(r"/search\?q=quyen$"))
    expect(page.locator("#announce")).to_have_text("1 result")
    ARTIFACTS.mkdir(exist_ok=True)
    page.reload()
    expect(page.locator("#q")).to_have_value("quyen")
    expect(page.locator('#results li.hit[lang="vi"] mark', has_text="quyền").first).to_be_visible()
    page.goto(f"{server}/search?q=Geneva")
    expect(page.locator("#results li.hit")).to_have_count(3)
    page.screenshot(path=str(ARTIFACTS / "results.png"), full_page=True)
    page.set_viewport_size(DOCS_VIEWPORT)
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "screenshot-results.png"))


def test_typed_query_gets_its_facets_once_typing_pauses(page: Page, server: str) -> None:
    facet_urls: list[str] = []
    page.on("request", lambda r: facet_urls.append(r.url) if "/search/facets" in r.url else None)
    page.goto(f"{server}/")
    page.locator("#q").click()
    page.keyboard.type("Geneva", delay=60)
    vi = page.locator('.facets a[data-facet="lang"][data-value="vi"]')
    expect(vi).to_be_visible()
    expect(vi.locator(".count")).to_have_text("1")
    expect(page.locator(".facets-pending")).to_have_count(0)
    assert facet_urls and facet_urls[-1].endswith("/search/facets?q=Geneva")
    expect(page).to_have_url(re.compile(r"/search\?q=Geneva$"))  # the facets left the URL alone
    vi.click()
    expect(page.locator("#results li.hit")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=Geneva&lang=vi$"))


def test_facets_stay_in_place_while_typing(page: Page, server: str) -> None:
    """Between a keystroke's results and their facets the previous column stays (inert), so the
    facet column never goes empty while someone types."""
    page.goto(f"{server}/search?q=Genev")
    expect(page.locator('.facets a[data-facet="lang"]').first).to_be_visible()
    page.evaluate("""() => {
        window.facetStates = [];
        new MutationObserver(() => {
            const col = document.querySelector('#results .facets');
            window.facetStates.push(col ? [col.querySelectorAll('.facet-value').length,
                                           col.hasAttribute('inert')] : [0, false]);
        }).observe(document.getElementById('results'), {childList: true, subtree: true});
    }""")
    page.locator("#q").click()
    page.keyboard.press("End")
    page.keyboard.type("a")
    expect(page).to_have_url(re.compile(r"q=Geneva$"))
    expect(page.locator(".facets-pending")).to_have_count(0)
    expect(page.locator('.facets a[data-facet="lang"][data-value="vi"] .count')).to_have_text("1")
    states = page.evaluate("window.facetStates")
    assert states and min(n for n, _ in states) > 0  # never an empty column
    assert any(inert for _, inert in states)  # the stale column was shown, not clickable


def test_back_and_forward_restore_queries(page: Page, server: str) -> None:
    page.goto(f"{server}/")
    box = page.locator("#q")
    box.click()
    page.keyboard.type("Geneva", delay=30)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=Geneva$"))
    expect(page.locator("#results li.hit")).to_have_count(3)
    box.select_text()
    page.keyboard.type("Kazakhstan", delay=30)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=Kazakhstan$"))
    expect(page.locator("#results li.hit")).to_have_count(1)
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=Geneva$"))
    expect(page.locator("#results li.hit")).to_have_count(3)
    expect(page.locator("#q")).to_have_value("Geneva")
    page.go_forward()
    expect(page).to_have_url(re.compile(r"q=Kazakhstan$"))
    expect(page.locator("#results li.hit")).to_have_count(1)
    expect(page.locator("#q")).to_have_value("Kazakhstan")


def test_facet_click_narrows_and_chip_removes(page: Page, server: str) -> None:
    page.goto(f"{server}/search?q=Geneva")
    expect(page.locator("#results li.hit")).to_have_count(3)
    page.locator('.facets a[data-facet="lang"][data-value="vi"]').click()
    expect(page.locator("#results li.hit")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=Geneva&lang=vi$"))
    chip = page.locator('.chips a.chip[data-facet="lang"][data-value="vi"]')
    expect(chip).to_be_visible()
    # typing keeps the filter (hidden inputs were updated out of band)
    page.locator("#q").click()
    page.keyboard.press("End")
    page.keyboard.type(" Bachelet", delay=30)
    expect(page).to_have_url(re.compile(r"q=Geneva(\+|%20)Bachelet&lang=vi$"))
    expect(page.locator("#results li.hit")).to_have_count(1)
    page.locator('.chips a.chip[data-facet="lang"]').click()
    expect(page.locator(".chips")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"q=Geneva(\+|%20)Bachelet$"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"lang=vi$"))
    expect(page.locator("#results li.hit")).to_have_count(1)


def test_form_works_without_javascript(browser: Browser, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{server}/")
        page.locator("#q").fill("Geneva")
        page.locator("button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/search\?q=Geneva$"))
        expect(page.locator("#results li.hit")).to_have_count(3)
        page.locator('.facets a[data-facet="lang"][data-value="en"]').click()
        expect(page.locator("#results li.hit")).to_have_count(2)
    finally:
        context.close()


def _assert_inert(page: Page, dialogs: list[str]) -> None:
    assert dialogs == []
    assert page.locator("#main img, #main script").count() == 0
    assert page.locator("#results img, #results script").count() == 0


def test_payloads_render_as_text(page: Page, xss_server: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{xss_server}/")
    page.locator("#q").click()
    page.keyboard.type("zanzibar", delay=20)
    expect(page.locator("#results li.hit")).to_have_count(2)
    expect(page.locator("#results").get_by_text("<script>alert(1)</script>").first).to_be_visible()
    _assert_inert(page, dialogs)
    for payload in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>"):
        page.locator("#q").fill("")
        page.locator("#q").click()
        page.keyboard.type(payload, delay=5)
        page.keyboard.press("Enter")
        expect(page.locator("#status, .empty").first).to_be_visible()
        expect(page.locator("#q")).to_have_value(payload)
        page.wait_for_load_state("networkidle")
        _assert_inert(page, dialogs)
        page.reload()
        _assert_inert(page, dialogs)
    for doc in ("sub/evil.txt", "evil.html"):
        page.goto(f"{xss_server}/doc/{doc}?q=zanzibar")
        expect(page.locator(".doc-body mark").first).to_have_text(re.compile("zanzibar", re.IGNORECASE))
        assert "alert(1)" in page.locator("article.doc").inner_text()
        _assert_inert(page, dialogs)


def test_keyboard_navigation(page: Page, server: str) -> None:
    page.goto(f"{server}/search?q=Geneva")
    page.locator("body").click(position={"x": 5, "y": 400})
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.press("ArrowDown")
    first = page.locator("#results a.hit-link").first
    expect(first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#results a.hit-link").nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(first).to_be_focused()
    href = first.get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server}{href}")
    expect(page.locator("article.doc mark").first).to_be_visible()


def test_vietnamese_interface(page: Page, server: str) -> None:
    page.goto(f"{server}/search?q=Geneva")
    page.locator("#ui-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("#status")).to_contain_text("3 kết quả")
    page.locator("#q").click()
    page.keyboard.press("End")
    page.keyboard.type(" Việt", delay=30)
    expect(page).to_have_url(re.compile(r"ui=vi"))
    expect(page.locator("#status")).to_contain_text("1 kết quả")


def test_document_page_screenshot(page: Page, server: str) -> None:
    page.goto(f"{server}/doc/{VI_SEED}?q=quyen")
    expect(page.locator("article.doc mark", has_text="quyền").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "document.png"))
