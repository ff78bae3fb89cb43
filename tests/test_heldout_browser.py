"""Right-to-left documents shown right-to-left: Persian, Arabic and Hebrew titles, snippets and
document pages in Chromium (they were laid out left to right: a sentence's final stop and a
quoted Latin name landed at the wrong end), left-to-right text unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from searchapp.index.build import build_index
from tests.conftest import corpus_path
from tests.web_helpers import LAUNCH_ARGS, running_server

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("chromium is not on PATH (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402

LANGS = {"fas": "rtl", "heb": "rtl", "arb": "rtl", "tur": "ltr"}


def _articles() -> dict[str, dict[str, str]]:
    """The first NTREX article in each language of LANGS."""
    out: dict[str, dict[str, str]] = {}
    for name in ("ntrex", "ntrex-more"):
        with corpus_path(name, "corpus.jsonl").open(encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if row["lang"] in LANGS and row["lang"] not in out:
                    out[row["lang"]] = row
    return out


def test_right_to_left_text_is_laid_out_right_to_left(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    articles = _articles()
    for lang, doc in articles.items():
        (docs / f"{lang}.txt").write_text(f"{doc['title']}\n\n{doc['text']}\nzqdir{lang}\n",
                                          encoding="utf-8")
    build_index(tmp_path / "idx", [docs])
    with running_server(tmp_path / "idx", tmp_path / "server.log") as base, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page()
        try:
            for lang, want in LANGS.items():
                page.goto(f"{base}/search?q=zqdir{lang}")
                hit = page.locator("li.hit").first
                direction = "el => getComputedStyle(el).direction"
                assert hit.locator(".snippet").evaluate(direction) == want, lang
                assert hit.locator(".hit-title").evaluate(direction) == want, lang
                # the interface around it (badges, dates) keeps the interface's direction
                assert hit.locator(".meta").evaluate(direction) == "ltr"
                page.goto(f"{base}/doc/{quote(lang + '.txt')}?q=zqdir{lang}")
                assert page.locator(".doc-body").evaluate(direction) == want, lang
                assert page.locator("h1.doc-title").evaluate(direction) == want, lang
                if want == "rtl":
                    # laid out from the right: the title's text starts at the heading's right edge
                    box = page.locator("h1.doc-title").bounding_box()
                    text_right = page.evaluate(
                        "() => { const r = document.createRange();"
                        " r.selectNodeContents(document.querySelector('h1.doc-title'));"
                        " return r.getClientRects()[0].right; }")
                    assert box is not None and abs(box["x"] + box["width"] - text_right) < 2
        finally:
            browser.close()
