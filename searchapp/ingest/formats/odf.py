"""OpenDocument (ODT, ODS, ODP) read straight from the zip: content.xml in order, meta.xml.

The XML is walked with the standard library's ElementTree (expat, with its entity-expansion
protection); no ODF library is needed for text.  Paragraphs and headings become lines, table rows
become tab-separated lines (repeated empty cells are not expanded), each ODP slide (draw:page)
and each ODS sheet is a page; notes follow the paragraph that cites them, an ODT's page headers
and footers (styles.xml) follow its body.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile

from searchapp.ingest.extracted import Extracted, Limits, SkipFile
from searchapp.ingest.formats._common import (
    Deadline,
    as_date,
    heading_title,
    lang_code,
    one_line,
    read_member,
    tidy,
)

SUFFIXES = {".odt", ".ods", ".odp"}
NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "presentation": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
}
_PAGE_PARTS = {"header", "footer", "header-left", "footer-left", "header-first", "footer-first"}
T = "{" + NS["text"] + "}"
TB = "{" + NS["table"] + "}"
D = "{" + NS["draw"] + "}"
P = "{" + NS["presentation"] + "}"
OF = "{" + NS["office"] + "}"


def _inline(el: ET.Element, notes: list[ET.Element]) -> str:
    """Text of a paragraph, honouring text:s (spaces), text:tab and text:line-break; the bodies
    of its footnotes and endnotes go to notes (they are read after the paragraph)."""
    out: list[str] = [el.text or ""]
    for child in el:
        tag = child.tag
        if tag == f"{T}s":
            out.append(" " * int(child.get(f"{T}c", "1")))
        elif tag == f"{T}tab":
            out.append("\t")
        elif tag == f"{T}line-break":
            out.append("\n")
        elif tag == f"{T}note":
            notes.extend(child.iter(f"{T}note-body"))
        elif tag == f"{OF}annotation":  # a comment: its paragraphs, not its author and date
            notes.append(child)
        else:
            out.append(_inline(child, notes))
        out.append(child.tail or "")
    return "".join(out)


def _blocks(el: ET.Element, out: list[str], first_heading: list[str]) -> None:
    for child in el:
        tag = child.tag
        if tag in (f"{T}p", f"{T}h"):
            notes: list[ET.Element] = []
            text = _inline(child, notes)
            out.append(text)
            if tag == f"{T}h" and text.strip() and not first_heading:
                first_heading.append(text)
            for note in notes:
                _blocks(note, out, first_heading)
        elif tag == f"{T}tracked-changes":
            continue  # deleted text and who changed what: not the document's text
        elif tag == f"{TB}table-row":
            cells = []
            for cell in child:
                parts: list[str] = []
                _blocks(cell, parts, first_heading)
                cells.append(" ".join(" ".join(parts).split()))
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                out.append("\t".join(cells))
        else:  # sections, lists, frames, text boxes, a slide's speaker notes
            _blocks(child, out, first_heading)


def _page_styles(zf: zipfile.ZipFile, limits: Limits) -> list[str]:
    """The texts of the master pages' headers and footers (styles.xml), each once."""
    if "styles.xml" not in zf.namelist():
        return []
    root = ET.fromstring(read_member(zf, "styles.xml", limits))
    texts: list[str] = []
    for page in root.iterfind("office:master-styles/style:master-page", NS):
        for part in page:
            if part.tag.rsplit("}", 1)[-1] in _PAGE_PARTS:
                lines: list[str] = []
                _blocks(part, lines, [])
                text = "\n".join(line for line in lines if line.strip())
                if text and text not in texts:
                    texts.append(text)
    return texts


def _meta(zf: zipfile.ZipFile, limits: Limits) -> dict[str, str]:
    if "meta.xml" not in zf.namelist():
        return {}
    root = ET.fromstring(read_member(zf, "meta.xml", limits))
    meta = root.find("office:meta", NS)
    if meta is None:
        return {}

    def get(path: str) -> str:
        node = meta.find(path, NS)
        return one_line(node.text) if node is not None and node.text else ""

    return {
        "title": get("dc:title"),
        "author": get("meta:initial-creator") or get("dc:creator"),
        "date": get("meta:creation-date") or get("dc:date"),
        "lang": get("dc:language"),
    }


def extract_zip(zf: zipfile.ZipFile, suffix: str, limits: Limits) -> list[Extracted]:
    kind = suffix.lstrip(".")
    deadline = Deadline(limits)
    try:
        if "content.xml" not in zf.namelist():
            raise SkipFile(f"corrupt {kind} (no content.xml)")
        root = ET.fromstring(read_member(zf, "content.xml", limits))
        meta = _meta(zf, limits)
        try:
            page_styles = _page_styles(zf, limits) if suffix == ".odt" else []
        except ET.ParseError:  # damaged styles must not cost the text
            page_styles = []
    except ET.ParseError as exc:
        raise SkipFile(f"corrupt {kind} (bad XML: {exc})") from None
    finally:
        zf.close()
    body_el = root.find("office:body", NS)
    if body_el is None:
        raise SkipFile(f"corrupt {kind} (no office:body)")
    heading: list[str] = []
    # Slides and sheets are pages; a text document is one flow.
    units = body_el.findall(".//draw:page", NS) or body_el.findall(".//table:table", NS)
    if suffix == ".odt" or not units:
        units = [body_el]
    texts: list[str] = []
    for unit in units[: limits.max_pages]:
        deadline.check()
        lines: list[str] = []
        if unit.tag == f"{TB}table" and unit.get(f"{TB}name"):
            lines.append(unit.get(f"{TB}name", ""))
        _blocks(unit, lines, heading)
        if unit is body_el:
            lines.extend(page_styles)  # a text's headers and footers, after its body
        texts.append(tidy("\n".join(lines)))
    pages, offset = [], 0
    for text in texts:
        pages.append(offset)
        offset += len(text) + 2
    body = "\n\n".join(texts)[: limits.max_chars]
    if not body.strip():
        raise SkipFile(f"no text in {kind}")
    title = meta.get("title") or one_line(heading[0] if heading else "")
    if not title and suffix == ".odt":
        title = heading_title(body)
    return [
        Extracted(
            body=body, title=title, date=as_date(meta.get("date", "")),
            lang=lang_code(meta.get("lang", "")), author=meta.get("author", ""), format=kind,
            pages=tuple(p for p in pages if p <= len(body)) if suffix != ".odt" else (),
        )
    ]
