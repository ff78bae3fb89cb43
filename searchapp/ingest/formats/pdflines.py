"""A PDF page's text without the line breaks PDFium invents between glyphs of one line.

Some producers place every glyph with its own text matrix: fpdf2 does it for right-to-left
text shaped by HarfBuzz (a Hebrew or Arabic paragraph in its default direction), and so do
other tools that lay out glyphs one by one.  PDFium then generates a line break ("\\r\\n")
between glyphs, drops the space glyphs, and returns pieces of words in mixed orders, so
`צעקתי` came out one letter a line and no word of such a page could be found.

Pieces whose generated break joins two glyphs on one baseline, the second starting where the
first ends (closer than a font size), are one line again: its glyphs are put in visual order
by their boxes (a letter keeps its marks, a ligature its characters), a space where the gap is
a word's space, and a line whose letters are mostly right-to-left is read from the right, its
runs of left-to-right words and numbers kept left to right and its brackets mirrored.  Pages
without such breaks, or without a right-to-left letter (the only pages this was seen on), are
returned as PDFium reads them, at no cost.
"""

from __future__ import annotations

import ctypes
import re
import unicodedata
from typing import Any

import pypdfium2.raw as pdfium_c

_SPACE_EM = 0.2  # a gap wider than this (in font sizes) between two glyphs is a word space
_NEAR_EM = 1.0  # a gap wider than this is a column or a tab stop: the break stays
_RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_MIRROR = dict(zip("()[]{}<>«»", ")(][}{><»«", strict=True))


def _origin(raw: Any, index: int) -> tuple[float, float]:
    x, y = ctypes.c_double(), ctypes.c_double()
    pdfium_c.FPDFText_GetCharOrigin(raw, index, ctypes.byref(x), ctypes.byref(y))
    return x.value, y.value


class _Page:
    """The text page, its text and the boxes asked for so far."""

    def __init__(self, textpage: Any, text: str) -> None:
        self.textpage, self.raw, self.text = textpage, textpage.raw, text
        self._boxes: dict[int, tuple[float, ...]] = {}

    def box(self, i: int) -> tuple[float, ...]:
        if i not in self._boxes:
            self._boxes[i] = tuple(self.textpage.get_charbox(i))
        return self._boxes[i]

    def size(self, i: int) -> float:
        return float(pdfium_c.FPDFText_GetFontSize(self.raw, i))

    def extent(self, start: int, end: int) -> tuple[float, float]:
        boxes = [self.box(i) for i in range(start, end) if not self.text[i].isspace()]
        return (min(b[0] for b in boxes), max(b[2] for b in boxes)) if boxes else (0.0, 0.0)


def _joins(page: _Page, prev: tuple[int, int], nxt: tuple[int, int]) -> bool:
    """Whether the generated break between two pieces lies inside one line of glyphs."""
    text, raw = page.text, page.raw
    last, first, at = prev[1] - 1, nxt[0], prev[1]
    if prev[0] == prev[1] or nxt[0] == nxt[1] or text[last].isspace() or text[first].isspace():
        return False
    if not (pdfium_c.FPDFText_IsGenerated(raw, at) and pdfium_c.FPDFText_IsGenerated(raw, at + 1)):
        return False
    size = page.size(last)
    if size <= 0 or abs(page.size(first) - size) > 0.01 * size:
        return False
    if abs(_origin(raw, last)[1] - _origin(raw, first)[1]) > 0.05 * size:
        return False  # another line
    gap = page.extent(*nxt)[0] - page.extent(*prev)[1]
    return -0.5 * size < gap < _NEAR_EM * size


def _strong(cluster: list[int], text: str) -> str:
    """'R' for a right-to-left letter, 'L' for a left-to-right one or a digit, '' otherwise."""
    kind = unicodedata.bidirectional(text[cluster[0]])
    return "R" if kind in ("R", "AL") else "L" if kind in ("L", "EN", "AN") else ""


def _line(page: Any, pieces: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """One line rebuilt from its pieces' glyph boxes, in reading order."""
    text = page.text
    clusters: list[list[int]] = []
    for start, end in pieces:
        for i in range(start, end):
            if text[i].isspace():
                continue
            if clusters and (unicodedata.category(text[i]) in ("Mn", "Me")
                             or page.box(i) == page.box(clusters[-1][-1])):
                clusters[-1].append(i)
            else:
                clusters.append([i])
    clusters.sort(key=lambda c: min(page.box(i)[0] for i in c))
    size = page.size(pieces[0][0]) or 1.0
    items: list[list[int]] = []  # clusters, and [] for a space
    right = None
    for cluster in clusters:
        left = min(page.box(i)[0] for i in cluster)
        if right is not None and left - right > _SPACE_EM * size:
            items.append([])
        items.append(cluster)
        right = max(page.box(i)[2] for i in cluster)
    kinds = [_strong(c, text) if c else "" for c in items]
    mirror = kinds.count("R") >= max(1, kinds.count("L"))
    if mirror:  # read from the right; left-to-right runs keep their own order
        items.reverse()
        kinds.reverse()
        i = 0
        while i < len(items):
            if kinds[i] != "L":
                i += 1
                continue
            j = end = i
            while j < len(items) and kinds[j] != "R":
                if kinds[j] == "L":
                    end = j
                j += 1
            items[i:end + 1] = items[i:end + 1][::-1]
            i = end + 1
    out: list[str] = []
    index: list[int] = []
    for n, item in enumerate(items):
        if not item:
            out.append(" ")
            index.append(items[n + 1][0] if n + 1 < len(items) else pieces[0][0])
            continue
        chars = "".join(text[i] for i in item)
        out.append(_MIRROR.get(chars, chars) if mirror else chars)
        index.extend(item)
    return "".join(out), index


def page_text(textpage: Any) -> tuple[str, list[int]]:
    """(text, index of each of its characters in the text page), invented breaks joined; no
    index when PDFium's text and characters do not pair up."""
    count = textpage.count_chars()
    text: str = textpage.get_text_range(0, count) if count > 0 else ""
    if len(text) != count:
        return text, []  # one character per index is needed to pair the text with its boxes
    if "\r\n" not in text or not _RTL_LETTER.search(text):
        return text, list(range(len(text)))  # seen with right-to-left text only: others skip
    pieces: list[tuple[int, int]] = []
    start = 0
    while (at := text.find("\r\n", start)) != -1:
        pieces.append((start, at))
        start = at + 2
    pieces.append((start, len(text)))
    page = _Page(textpage, text)
    lines: list[list[tuple[int, int]]] = [[pieces[0]]]
    for piece in pieces[1:]:
        if _joins(page, lines[-1][-1], piece):
            lines[-1].append(piece)
        else:
            lines.append([piece])
    if len(lines) == len(pieces):
        return text, list(range(len(text)))
    out: list[str] = []
    index: list[int] = []
    for n, line in enumerate(lines):
        if n:
            out.append("\r\n")
            index.extend((line[0][0] - 2, line[0][0] - 1))
        if len(line) == 1:
            out.append(text[line[0][0]:line[0][1]])
            index.extend(range(*line[0]))
        else:
            rebuilt, where = _line(page, line)
            out.append(rebuilt)
            index.extend(where)
    return "".join(out), index
