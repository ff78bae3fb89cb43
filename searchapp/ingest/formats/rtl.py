"""Right-to-left words of a PDF text layer put back in logical (reading) order.

A PDF printed from a browser (Chromium/Skia) draws each shaped Arabic, Persian or Hebrew word
as glyphs from left to right; PDFium's text page returns some of those words in that visual
order, so `العالمي` came out as `يملاعلا` and a third of the words were findable.  The glyph
boxes tell the order apart: in reading order the letters of a right-to-left word go from right
to left, so a run whose glyphs go strictly left to right is reversed.  Clusters stay whole (a
letter with its marks, the characters of one ligature glyph such as lam-alef share one box), so
only the order of glyphs changes and the page's length, hence every page offset, is kept.
Left-to-right words inside a right-to-left line come out in right-to-left order ('Parliament
Welsh.'); a run of them whose boxes go strictly leftwards is put back too.
Some producers map the lam-alef ligature backwards (alef, lam): that
is mended too.  Digits are not part of a run: numbers are written left to right in right-to-left text too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from searchapp.ingest.formats.pdflines import page_text

_BLOCKS = ((0x0590, 0x0900), (0xFB1D, 0xFE00), (0xFE70, 0xFEFD))  # Hebrew ... NKo, forms


_ALEFS = "\u0627\u0622\u0623\u0625"  # there is no alef-lam ligature; there is lam-alef


@cache
def _run() -> re.Pattern[str]:
    """Two or more right-to-left letters or marks: not digits (they read left to right) nor
    punctuation (it stays where PDFium put it)."""
    chars = "".join(
        chr(c) for lo, hi in _BLOCKS for c in range(lo, hi)
        if unicodedata.bidirectional(chr(c)) in ("R", "AL", "NSM")
    )
    return re.compile(f"[{re.escape(chars)}]{{2,}}")


def has_rtl(text: str) -> bool:
    """Whether text holds a right-to-left word."""
    return _run().search(text) is not None


def _clusters(start: int, end: int, text: str, boxes: dict[int, tuple[float, ...]]) -> list[list[int]]:
    """Character indices grouped by glyph: a base with its marks, one ligature's characters."""
    out: list[list[int]] = []
    for i in range(start, end):
        if out and (unicodedata.category(text[i]) == "Mn" or boxes[i] == boxes[out[-1][-1]]):
            out[-1].append(i)
        else:
            out.append([i])
    return out


def _glyph(text: str, group: list[int]) -> str:
    """The characters of one glyph; a lam-alef ligature mapped backwards (alef, lam) mended."""
    chars = "".join(text[i] for i in group)
    if len(chars) == 2 and chars[0] in _ALEFS and chars[1] == "\u0644":
        return chars[::-1]
    return chars


def _left_to_right(groups: list[list[int]], boxes: dict[int, tuple[float, ...]]) -> bool:
    centres = [(boxes[g[0]][0] + boxes[g[0]][2]) / 2 for g in groups]
    return len(centres) > 1 and all(b > a for a, b in zip(centres, centres[1:], strict=False))


# Two or more left-to-right words (Latin letters, digits) on one line, one space apart.
_LTR_WORDS = re.compile(r"[A-Za-z0-9\u00c0-\u024f][^\s\u0590-\u08ff\ufb1d-\ufefc]*"
                        r"(?: [A-Za-z0-9\u00c0-\u024f][^\s\u0590-\u08ff\ufb1d-\ufefc]*)+")


_EDGES = re.compile(r"(\W*)(.*?)(\W*)$", re.DOTALL)


def _ltr_words(text: str, out: list[str], box: Any) -> None:
    """Left-to-right words that a right-to-left line lists from right to left ('Welsh the of
    Member') put back in reading order; only on lines that hold right-to-left words."""
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if has_rtl(line):
            for m in _LTR_WORDS.finditer(line):
                words = m.group().split(" ")
                firsts, at = [], start + m.start()
                for word in words:
                    firsts.append(at)
                    at += len(word) + 1
                xs = [box(i)[0] for i in firsts]
                if all(b < a for a, b in zip(xs, xs[1:], strict=False)):
                    # punctuation at the run's ends stays there: 'Parliament Welsh.' is
                    # 'Welsh Parliament.'
                    edges = _EDGES.match(m.group())
                    assert edges is not None
                    inner = " ".join(reversed(edges[2].split(" ")))
                    lo = start + m.start()
                    out[lo:lo + len(m.group())] = list(edges[1] + inner + edges[3])
        start = end + 1


def logical_text(textpage: Any) -> str:
    """The page's text with every visually ordered right-to-left word reversed."""
    text, index = page_text(textpage)
    if not index or not has_rtl(text):
        return text
    charbox = textpage.get_charbox

    def box(i: int) -> tuple[float, ...]:
        return tuple(charbox(index[i]))

    boxes: dict[int, tuple[float, ...]] = {}
    out = list(text)
    for run in _run().finditer(text):
        start, end = run.span()
        for i in range(start, end):
            boxes[i] = box(i)
        groups = _clusters(start, end, text, boxes)
        if _left_to_right(groups, boxes):
            groups.reverse()
        out[start:end] = [c for group in groups for c in _glyph(text, group)]
    _ltr_words(text, out, box)
    return "".join(out)
