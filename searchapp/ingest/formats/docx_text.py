"""The text of a DOCX as Word shows it: body in order, then notes, comments, headers, footers.

python-docx's `Paragraph.text` and `iter_inner_content()` see only runs and hyperlinks at the
top of a paragraph and paragraphs and tables at the top of the body, so a held-out archive lost
whole parts of real Word files: footnotes and endnotes, headers and footers, tables inside
table cells, content controls (`w:sdt`, common in Word templates and forms), tracked insertions
(`w:ins`), text boxes and shapes (`w:txbxContent`), fields' results (`w:fldSimple`), SmartArt
(its diagram data part; PPTX slides use diagram_texts too).  This walks
the WordprocessingML itself: every `w:t` in document order, skipping deleted text (`w:delText`
is another element), field codes (`w:instrText`) and the `mc:Fallback` copy of a drawing that
Word writes beside its `mc:Choice`.  Text boxes and nested tables come out as their own lines
after the paragraph or cell that anchors them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_ALTERNATE, _CHOICE = _MC + "AlternateContent", _MC + "Choice"
_P, _TBL, _TR, _TC, _T = _W + "p", _W + "tbl", _W + "tr", _W + "tc", _W + "t"
_TXBX = _W + "txbxContent"
_INLINE = {_W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-"}
_SKIP = {_W + "pPr", _W + "rPr", _W + "sectPr", _W + "tblPr", _W + "tblGrid",
         _W + "trPr", _W + "tcPr", _W + "del", _W + "moveFrom"}
log = logging.getLogger(__name__)
# Parts whose text is part of the document, in the order they are added after the body.
_PARTS = ("footnotes", "endnotes", "comments", "header", "footer")


def _kids(el: Any) -> Iterable[Any]:
    """el's children, with an mc:AlternateContent replaced by its first choice (or fallback)."""
    for child in el:
        if child.tag == _ALTERNATE:
            options = [c for c in child if c.tag == _CHOICE] or list(child)
            if options:
                yield from options[0]
        else:
            yield child


def _within(el: Any, tag: str) -> Iterable[Any]:
    """The tag elements under el, through containers (w:sdt...) but not nested tables."""
    for child in _kids(el):
        if child.tag == tag:
            yield child
        elif child.tag != _TBL and child.tag not in _SKIP and isinstance(child.tag, str):
            yield from _within(child, tag)


def _inline(el: Any, out: list[str], boxes: list[Any]) -> None:
    """Append the text of one paragraph's descendants; text boxes are kept for later."""
    for child in _kids(el):
        tag = child.tag
        if tag == _T:
            out.append(child.text or "")
        elif tag in _INLINE:
            out.append(_INLINE[tag])
        elif tag == _TXBX:
            boxes.append(child)
        elif tag not in _SKIP and isinstance(tag, str):
            _inline(child, out, boxes)


def _para(p: Any, lines: list[str], tick: Callable[[], None]) -> str:
    """One paragraph as a line; the paragraphs of its text boxes follow it in lines."""
    out: list[str] = []
    boxes: list[Any] = []
    _inline(p, out, boxes)
    text = "".join(out)
    lines.append(text)
    for box in boxes:
        blocks(box, lines, tick)
    return text


def _row(tr: Any, lines: list[str], tick: Callable[[], None]) -> None:
    cells: list[str] = []
    for tc in _within(tr, _TC):
        inner: list[str] = []
        blocks(tc, inner, tick)
        cells.append(" ".join(" ".join(inner).split()))
    while cells and not cells[-1]:
        cells.pop()
    if cells:
        lines.append("\t".join(cells))


def blocks(el: Any, lines: list[str], tick: Callable[[], None],
           heading: list[str] | None = None) -> None:
    """Append the block-level text under el (body, cell, text box, note) line by line."""
    for child in _kids(el):
        tag = child.tag
        if tag == _P:
            tick()
            text = _para(child, lines, tick)
            if heading is not None and not heading and text.strip():
                style = child.find(f"{_W}pPr/{_W}pStyle")
                if style is not None and (style.get(_W + "val") or "").startswith(
                        ("Title", "Heading")):
                    heading.append(text)
        elif tag == _TBL:
            for tr in _within(child, _TR):
                _row(tr, lines, tick)
        elif tag not in _SKIP and isinstance(tag, str):
            blocks(child, lines, tick, heading)  # w:sdt, w:sdtContent, w:customXml, w:ins...


def extra_parts(package: Any) -> Iterable[Any]:
    """The XML roots of the footnotes, endnotes, comments, headers and footers, in that order."""
    from docx.oxml import parse_xml

    found: dict[str, list[Any]] = {name: [] for name in _PARTS}
    for part in package.iter_parts():
        kind = str(getattr(part, "content_type", "")).rsplit(".", 1)[-1].removesuffix("+xml")
        if kind in found:
            element = getattr(part, "_element", None)
            try:
                found[kind].append(element if element is not None else parse_xml(part.blob))
            except Exception:  # noqa: BLE001 - a damaged notes part must not cost the body
                log.warning("DOCX: the %s part could not be read", kind)
    for name in _PARTS:
        yield from found[name]


_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def diagram_texts(part: Any) -> list[str]:
    """The text of the SmartArt diagrams a slide or a document part uses (their data parts
    hold it as DrawingML paragraphs), a line per paragraph."""
    from docx.oxml import parse_xml

    lines: list[str] = []
    for rel in part.rels.values():
        if rel.is_external or not str(rel.reltype).endswith("/diagramData"):
            continue
        try:
            root = parse_xml(rel.target_part.blob)
        except Exception:  # noqa: BLE001 - a damaged diagram must not cost the rest
            log.warning("a SmartArt diagram could not be read")
            continue
        for para in root.iter(_A + "p"):
            text = "".join(t.text or "" for t in para.iter(_A + "t"))
            if text.strip():
                lines.append(text)
    return lines


def document_text(document: Any, tick: Callable[[], None], limit: int) -> tuple[str, str]:
    """(text, first heading) of a python-docx Document: body, then the other parts' text."""
    lines: list[str] = []
    heading: list[str] = []
    blocks(document.element.body, lines, tick, heading)
    lines.extend(diagram_texts(document.part))  # SmartArt, after the body
    seen: set[str] = set()
    for root in extra_parts(document.part.package):
        if sum(map(len, lines)) > limit:
            break
        part_lines: list[str] = []
        blocks(root, part_lines, tick)
        text = "\n".join(line for line in part_lines if line.strip())
        if text and text not in seen:  # every section repeats its header
            seen.add(text)
            lines.append(text)
    return "\n".join(lines), heading[0] if heading else ""
