"""Issue #17 in a real Chromium: an archive indexed from the command line, the admin page that
rebuilds that folder, pages that fit phones, the home page, the date range and typos."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chromium import Chromium, module_chromium
from tests.conftest import SEEDS
from tests.test_admin import PASSWORD, admin_server
from tests.test_browser import ARTIFACTS, DOCS

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("chromium is not on PATH; browser tests skipped", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect

WIDTHS = (360, 390, 768, 1280)
LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitaenswitwenrentenversicherung" * 2


def make_archive(folder: Path) -> Path:
    """An archive unlike seeds/: 19 dated harbour notes, Linzburg, and a very long title."""
    folder.mkdir(parents=True)
    for i in range(1, 20):
        year = 2020 + i % 3
        (folder / f"{i}.txt").write_text(
            f"Harbor note {i}\n\n{year}-05-0{1 + i % 3} harbor meeting notes about the quay.\n",
            encoding="utf-8")
    (folder / "linz.txt").write_text(
        "Linzburg council\n\n2021-03-04 The council of Linzburg met about the river bridge.\n",
        encoding="utf-8")
    (folder / f"{LONG_WORD[:60]}.txt").write_text(
        f"{LONG_WORD} harbor\n\n2022-01-01 {LONG_WORD} https://example.org/{LONG_WORD}\n",
        encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def archive_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`searchapp index archive` on the command line, then a server whose SEARCHAPP_DOCS_DIR is
    seeds/ (the admin page must rebuild the archive all the same)."""
    tmp = tmp_path_factory.mktemp("archive")
    archive = make_archive(tmp / "archive")
    index = tmp / "index"
    subprocess.run([sys.executable, "-m", "searchapp.cli", "index", "--quiet", "--index-dir",
                    str(index), str(archive)], check=True, capture_output=True)
    with admin_server(tmp, SEEDS, index) as base:
        yield base, archive


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    yield from module_chromium(CHROMIUM)


@pytest.fixture
def browser(chromium: Chromium) -> Browser:
    return chromium.get()  # type: ignore[no-any-return]


def new_page(browser: Browser, width: int = 1280) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 860}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/admin/login")
    page.locator("#password").fill(PASSWORD)
    page.locator("#login").click()
    expect(page.locator("#serving")).to_be_visible()


def assert_fits(page: Page, what: str) -> None:
    scroll, inner = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{what}: {scroll} px wide in a {inner} px window"


def test_admin_full_reindex_rebuilds_the_folder_the_index_came_from(
    browser: Browser, archive_server: tuple[str, Path],
) -> None:
    base, archive = archive_server
    page = new_page(browser)
    log_in(page, base)
    expect(page.locator("#index-roots")).to_contain_text(str(archive))
    expect(page.locator("#serving-docs")).to_have_text("21")
    page.locator("#reindex-full").click()
    expect(page.locator("#notice")).to_contain_text(f"Started a full reindex of {archive}")
    expect(page.locator("#job-state")).to_have_text("succeeded", timeout=60_000)
    expect(page.locator("#serving-docs")).to_have_text("21")  # not the 3 of seeds/
    page.goto(f"{base}/search?q=Linzburg")
    expect(page.locator("#results li.hit")).to_have_count(1)
    page.goto(f"{base}/admin")
    expect(page.locator("#history tbody tr").first).to_contain_text(str(archive))
    page.context.close()


def test_every_page_fits_phones_and_desktops(
    browser: Browser, archive_server: tuple[str, Path],
) -> None:
    base, _ = archive_server
    doc = f"/doc/{LONG_WORD[:60]}.txt?q=harbor"
    for width in WIDTHS:
        page = new_page(browser, width)
        page.goto(f"{base}/admin/login")
        assert_fits(page, f"login at {width}")
        log_in(page, base)
        for path in ("/admin", "/admin/analyze?text=" + LONG_WORD + "&lang=en"):
            page.goto(base + path)
            assert_fits(page, f"{path} at {width}")
        for path in ("/", "/search?q=harbor", "/search?q=*", doc):
            page.goto(base + path)
            assert_fits(page, f"{path} at {width}")
        page.goto(f"{base}/")
        page.locator("#q").fill("harbor")  # the search field's × appears
        expect(page.locator("#results li.hit").first).to_be_visible()
        assert_fits(page, f"typed query at {width}")
        box = page.locator(".search-button").bounding_box()
        assert box is not None and box["x"] + box["width"] <= width, (width, box)
        if width == 390:
            ARTIFACTS.mkdir(exist_ok=True)
            DOCS.mkdir(exist_ok=True)
            page.screenshot(path=str(DOCS / "screenshot-phone.png"))
        page.context.close()


def test_home_page_shows_counts_and_recent_documents(
    browser: Browser, archive_server: tuple[str, Path],
) -> None:
    base, _ = archive_server
    page = new_page(browser, 1200)
    page.goto(f"{base}/")
    expect(page.locator(".home-count")).to_contain_text("21 documents in")
    expect(page.locator("#recent li")).to_have_count(5)
    expect(page.locator(".home-examples .example").first).to_be_visible()
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "screenshot-home.png"))
    page.locator("#browse-all").click()
    expect(page).to_have_url(re.compile(r"/search\?sort=date$"))
    expect(page.locator("#status")).to_contain_text("21 results")
    page.context.close()


def test_date_range_control_narrows_results_and_lands_in_the_url(
    browser: Browser, archive_server: tuple[str, Path],
) -> None:
    base, _ = archive_server
    page = new_page(browser)
    page.goto(f"{base}/search?q=harbor")
    expect(page.locator("#status")).to_contain_text("20 results")
    page.locator("#date-from").fill("2021-01-01")
    page.locator("#date-to").fill("2021-12-31")
    page.locator("#date-apply").click()
    expect(page).to_have_url(re.compile(r"q=harbor.*from=2021-01-01&to=2021-12-31"))
    expect(page.locator("#status")).to_contain_text("7 results")
    for date in page.locator("#results li.hit time").all_inner_texts():
        assert date.startswith("2021"), date
    page.locator('.sort a[data-sort="date_asc"]').click()
    expect(page).to_have_url(re.compile(r"sort=date_asc"))
    expect(page.locator("#status")).to_contain_text("7 results")
    page.reload()  # bookmarkable
    expect(page.locator("#date-from")).to_have_value("2021-01-01")
    page.context.close()


def test_typo_query_shows_the_corrected_results(
    browser: Browser, archive_server: tuple[str, Path],
) -> None:
    base, _ = archive_server
    page = new_page(browser)
    page.goto(f"{base}/")
    page.locator("#q").click()
    page.keyboard.type("Lnzburg", delay=40)
    expect(page.locator("#corrected")).to_contain_text("Linzburg")
    expect(page.locator("#results li.hit")).to_have_count(1)
    expect(page.locator("#results li.hit a.hit-link")).to_have_attribute(
        "href", re.compile(r"^/doc/linz\.txt"))
    page.locator("#corrected a.verbatim-link").click()
    expect(page).to_have_url(re.compile(r"verbatim=1"))
    expect(page.locator("#results li.hit")).to_have_count(0)
    expect(page.locator(".suggestion-link")).to_have_text("Linzburg")
    page.context.close()
