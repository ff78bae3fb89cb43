"""An outside look at the pages in a real Chromium, fourth round: Arabic and Hebrew read right to
left (titles, snippets, each paragraph of a document), a related document's title of one long
word does not widen a phone's page, and /admin/analytics reads on a phone with a long query."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from tests.test_admin import env
from tests.test_round2_ingest import index
from tests.web_helpers import running_server

pytestmark = pytest.mark.browser

from playwright.sync_api import Browser, expect  # noqa: E402

from tests.test_browser import browser, chromium  # noqa: E402,F401 - the fixtures

ARABIC_TITLE = "تقرير عن الميناء والسفن"
ARABIC_LINE = "هذا نص عربي قصير عن الميناء."
LONG_WORD = "Pelicanquay" + "x" * 600


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("round4b")
    docs = tmp / "docs"
    docs.mkdir()
    (docs / "arabic.txt").write_text(
        f"{ARABIC_TITLE}\n\n{ARABIC_LINE}\n\nThe harbour report in English, pelicanquay.\n\n"
        f"{ARABIC_LINE} {ARABIC_LINE}\n", encoding="utf-8")
    (docs / "harbour.txt").write_text(
        "Harbour report\n\nThe pelicanquay harbour took in ships, cranes and pelicanquay "
        "cargo all winter.\n", encoding="utf-8")
    (docs / "long.jsonl").write_text(json.dumps({
        "id": "long-title", "title": LONG_WORD, "lang": "en",
        "text": "The pelicanquay harbour took in ships, cranes and cargo."}) + "\n",
        encoding="utf-8")
    root = tmp / "index"
    res = index(root, docs)
    assert res.returncode == 0, res.stderr
    with env(SEARCHAPP_INSTANCE_DIR=str(tmp / "instance"), SEARCHAPP_ADMIN_PASSWORD="x" * 12):
        with running_server(root, tmp / "server.log") as base:
            yield base


def test_arabic_reads_right_to_left(browser: Browser, server: str) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:  # no dir anywhere: an Arabic title and snippet sat on the left, punctuation misplaced
        page.goto(f"{server}/search?q=الميناء")
        hit = page.locator(".hit", has_text=ARABIC_TITLE).first
        for part in (".hit-title", ".snippet"):
            direction = hit.locator(part).evaluate("e => getComputedStyle(e).direction")
            assert direction == "rtl", (part, direction)
        page.goto(f"{server}/doc/arabic.txt")
        assert page.locator(".doc-title").evaluate("e => getComputedStyle(e).direction") == "rtl"
        # each paragraph of the body takes its own direction: the short Arabic line ends at
        # the right edge, the English one starts at the left edge
        edges = page.evaluate("""([arabic, english]) => {
            const body = document.querySelector('.doc-body');
            const box = body.getBoundingClientRect();
            const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
            const out = {};
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                for (const [key, text] of [['ar', arabic], ['en', english]]) {
                    const i = n.data.indexOf(text);
                    if (i < 0 || out[key]) continue;
                    const r = document.createRange();
                    r.setStart(n, i); r.setEnd(n, i + text.length);
                    const rect = r.getBoundingClientRect();
                    out[key] = [rect.left - box.left, box.right - rect.right];
                }
            }
            return out;
        }""", [ARABIC_LINE, "The harbour report"])
        assert edges["ar"][1] < 4 < edges["ar"][0], edges  # flush right
        assert edges["en"][0] < 4 < edges["en"][1], edges  # flush left
    finally:
        page.close()


def test_a_long_related_title_keeps_a_phone_page_narrow(browser: Browser,  # noqa: F811
                                                         server: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:  # the related list's 611-letter title made the page 1,837 px wide
        page.goto(f"{server}/doc/harbour.txt?q=pelicanquay")
        related = page.locator(".related a", has_text=LONG_WORD[:20])
        assert related.count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        box = related.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390 and box["height"] < 120, box
    finally:
        page.close()


LONG_QUERY = "z" * 1900


@pytest.fixture(scope="module")
def analytics_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("round4a")
    docs = tmp / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Harbour report\n\nThe harbour took in ships.\n", encoding="utf-8")
    root = tmp / "index"
    assert index(root, docs).returncode == 0
    with env(SEARCHAPP_INSTANCE_DIR=str(tmp / "instance"), SEARCHAPP_ADMIN_PASSWORD="p" * 12,
             SEARCHAPP_LOG_QUERIES="1"):
        with running_server(root, tmp / "server.log") as base:
            for q in ("harbour", "ships", LONG_QUERY):
                data = urllib.parse.urlencode({"q": q}).encode()
                urllib.request.urlopen(f"{base}/analytics/search", data=data, timeout=30).read()
            yield base


def test_analytics_reads_on_a_phone_with_a_long_query(browser: Browser,  # noqa: F811
                                                      analytics_server: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:  # a 1,900-letter query squeezed "Searches" to a letter a line, and filled screens
        page.goto(f"{analytics_server}/admin/login?next=/admin/analytics")
        page.fill("#password", "p" * 12)
        page.click("#login")
        page.wait_for_url("**/admin/analytics")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        heads = page.eval_on_selector_all(
            ".analytics th", "els => els.map(e => [e.textContent, e.getBoundingClientRect().height])")
        assert heads and all(h < 40 for _, h in heads), heads  # one line each
        cell = page.locator(".analytics td.q", has_text="zzzz").first
        box = cell.bounding_box()
        assert box is not None and box["height"] < 110, box  # three lines at most
        assert cell.get_attribute("title") == LONG_QUERY  # the whole query is still there
    finally:
        page.close()


def test_back_to_results_returns_to_the_same_results(browser: Browser,  # noqa: F811
                                                      server: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:  # the link kept only the words: the filter, order and page were lost
        shown = "/search?q=pelicanquay&lang=en&sort=date_asc&page_size=1&page=2"
        page.goto(server + shown)
        title = page.locator(".hit .hit-title").first.inner_text()
        page.locator(".hit a.hit-link").first.click()
        page.wait_for_url("**/doc/**")
        page.locator(".doc .back a").click()
        page.wait_for_url("**/search?**")
        assert page.url == server + shown
        assert page.locator(".hit .hit-title").first.inner_text() == title
    finally:
        page.close()


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("round4l")
    docs = tmp / "docs"
    docs.mkdir()
    for word in ("harbour", "cranes", "cargo", "winter", "ships", "quay", "tides", "gulls"):
        (docs / f"{word}.txt").write_text(f"About {word}\n\nA note on the {word} of the port.\n",
                                          encoding="utf-8")
    root = tmp / "index"
    assert index(root, docs).returncode == 0
    with env(SEARCHAPP_INSTANCE_DIR=str(tmp / "instance"), SEARCHAPP_ADMIN_PASSWORD="p" * 12,
             SEARCHAPP_RATELIMIT="5/minute"):
        with running_server(root, tmp / "server.log") as base:
            yield base


def test_a_refused_search_says_so_instead_of_old_results(browser: Browser,  # noqa: F811
                                                         limited_server: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:  # past the limit the box said "gulls" and the page still showed "harbour", silently
        statuses: list[int] = []
        page.on("response", lambda r: statuses.append(r.status) if "/search?" in r.url else None)
        page.goto(f"{limited_server}/search?q=harbour")
        for word in ("cranes", "cargo", "winter", "ships", "quay", "tides", "gulls"):
            page.fill("#q", word)
            page.wait_for_timeout(700)
            if 429 in statuses:
                break
        assert 429 in statuses, statuses
        alert = page.locator("#results [role=alert]")
        expect(alert).to_contain_text("Too many requests")
        assert page.locator("#results .hit").count() == 0  # no results of an earlier query
    finally:
        page.close()


def test_the_chosen_interface_language_follows_into_documents(browser: Browser,  # noqa: F811
                                                              server: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="en-US")
    try:  # ?ui=vi was dropped by every document link: the document page came in English
        page.goto(f"{server}/search?q=pelicanquay&ui=vi")
        page.locator(".hit a.hit-link").first.click()
        page.wait_for_url("**/doc/**")
        expect(page.locator(".doc .back")).to_contain_text("Quay lại kết quả")
        assert page.locator("html").get_attribute("lang") == "vi"
        page.locator(".related a").first.click()
        page.wait_for_url("**/doc/**")
        expect(page.locator(".doc .back")).to_contain_text("Quay lại kết quả")
    finally:
        page.close()


def test_every_tab_stop_shows_where_it_is(browser: Browser, server: str) -> None:  # noqa: F811
    stops = {}
    for width, height in ((1280, 800), (390, 844)):
        page = browser.new_page(viewport={"width": width, "height": height})
        try:  # at 1280 px the phone's hidden "Filters" switch took a tab stop showing nothing
            page.goto(f"{server}/search?q=pelicanquay")
            page.locator("#q").focus()
            seen = []
            for _ in range(10):
                page.keyboard.press("Tab")
                seen.append(page.evaluate("document.activeElement.id"))
            stops[width] = seen
        finally:
            page.close()
    assert "filters-open" not in stops[1280], stops
    assert "filters-open" in stops[390], stops  # the phone's toggle is still reachable


def test_a_long_filter_value_wraps_in_its_chip(browser: Browser, server: str) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:  # a 147-letter folder name as a source made the phone page 1,142 px wide
        folder = "Annual_Reports_Ministry_of_Foreign_Affairs_2019_" * 3
        page.goto(f"{server}/search?q=pelicanquay&lang=en&source={folder}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        kind = page.locator(".chip .chip-kind", has_text="Source").bounding_box()
        assert kind is not None and kind["height"] < 30, kind  # "Source:" on one line
    finally:
        page.close()
