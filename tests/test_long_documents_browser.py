"""A long document's page in a real Chromium (issues #24, #27.8): the part with the deep match
opens with the match marked and in view, and the part links go on, on a phone and a desktop."""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator

import pytest

from searchapp.index.build import build_index
from tests.chromium import Chromium, module_chromium
from tests.test_long_documents import _long_text
from tests.web_helpers import running_server

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("chromium is not on PATH; browser tests skipped", allow_module_level=True)

from playwright.sync_api import Browser, expect  # noqa: E402

DEEP = "snorkelwand"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("long-browser")
    docs = tmp / "docs"
    docs.mkdir()
    text = _long_text(random.Random(3), 420_000, DEEP, 0.6)  # 5 parts, the word in the 3rd
    (docs / "long.txt").write_text("Harbour log\n\n" + text, encoding="utf-8")
    build_index(tmp / "index", [docs])
    with running_server(tmp / "index", tmp / "server.log") as base:
        yield base


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    yield from module_chromium(CHROMIUM)


@pytest.fixture
def browser(chromium: Chromium) -> Browser:
    return chromium.get()  # type: ignore[no-any-return]


@pytest.mark.parametrize("width", [390, 1280])
def test_long_document_opens_at_its_match_and_goes_on(server: str, browser: Browser,
                                                      width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 860}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{server}/search?q={DEEP}")
    page.locator(".hit a", has_text="Harbour log").first.click()
    mark = page.locator(".doc-body mark", has_text=DEEP)
    expect(mark).to_have_count(1)
    expect(page.locator(".doc-parts .current").first).to_have_text("Part 3 of 5")
    mark.scroll_into_view_if_needed()
    expect(mark).to_be_in_viewport()
    scroll, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    assert scroll <= inner, f"{scroll} px wide in a {inner} px window"
    page.locator(".doc-parts .next-part").first.click()
    expect(page.locator(".doc-parts .current").first).to_have_text("Part 4 of 5")
    expect(page.locator(".doc-body mark", has_text=DEEP)).to_have_count(0)
    page.locator(".doc-parts .prev-part").first.click()
    expect(page.locator(".doc-body mark", has_text=DEEP)).to_have_count(1)
    context.close()
