"""Office documents: DOCX (python-docx), PPTX (python-pptx), XLSX (openpyxl), ODF and RTF.

Every zip-based container is opened by _common.open_zip first, which refuses zip bombs (declared
uncompressed sizes over limits.max_unzipped) and encrypted members before any parser sees it.
OpenDocument files are read by odf.py, RTF by rtf.py; this module dispatches on the suffix.
"""

from __future__ import annotations

import io
import logging
import posixpath
import xml.etree.ElementTree as ET
import zipfile
from typing import Any

from searchapp.ingest.extracted import Extracted, Limits, SkipFile
from searchapp.ingest.formats import docx_text, odf, rtf
from searchapp.ingest.formats._common import (
    Deadline,
    as_date,
    check_size,
    guarded,
    heading_title,
    lang_code,
    one_line,
    open_zip,
    read_member,
    tidy,
)

SUFFIXES = {".docx", ".pptx", ".xlsx", ".xlsm"} | odf.SUFFIXES | rtf.SUFFIXES
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML is an OLE2 compound file
log = logging.getLogger(__name__)


@guarded("office file")
def extract(data: bytes, name: str, limits: Limits) -> list[Extracted]:
    check_size(data, limits)
    suffix = "." + name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix in rtf.SUFFIXES:
        return rtf.extract(data, name, limits)
    kind = suffix.lstrip(".") or "office file"
    if data.startswith(_OLE):
        raise SkipFile(f"encrypted or legacy binary {kind} (OLE2 container)")
    zf = open_zip(data, limits, kind)
    if suffix in odf.SUFFIXES:
        return odf.extract_zip(zf, suffix, limits)
    zf.close()
    readers = {".docx": _docx, ".pptx": _pptx, ".xlsx": _xlsx, ".xlsm": _xlsx}
    reader = readers.get(suffix)
    if reader is None:
        raise SkipFile(f"unsupported office format {suffix!r}")
    try:
        doc = reader(data, limits)
    except SkipFile:
        raise
    except Exception as exc:  # noqa: BLE001 - the parsers raise many kinds on damaged files
        raise SkipFile(f"corrupt {kind} ({type(exc).__name__}: {exc})") from None
    if not doc.body:
        raise SkipFile(f"no text in {kind}")
    return [doc]


def _core(props: Any) -> dict[str, Any]:
    return {
        "title": one_line(getattr(props, "title", "")),
        "author": one_line(getattr(props, "author", "")),
        "date": as_date(getattr(props, "created", None)),
        "lang": lang_code(getattr(props, "language", "") or ""),
    }


def _docx(data: bytes, limits: Limits) -> Extracted:
    import docx

    document = docx.Document(io.BytesIO(data))
    deadline = Deadline(limits)
    text, heading = docx_text.document_text(document, deadline.check, limits.max_chars)
    # Only the core properties' language is trusted: the styles' default language (w:lang) is
    # the editing language of whoever made the template ("en-US" in python-docx's and most
    # Word templates), not the text's; without a declared one the language is detected.
    meta = _core(document.core_properties)
    body = tidy(text, limits)
    title = meta["title"] or one_line(heading) or heading_title(body)
    return Extracted(body=body, title=title, date=meta["date"], lang=meta["lang"],
                     author=meta["author"], format="docx")


def _pptx(data: bytes, limits: Limits) -> Extracted:
    import pptx

    prs = pptx.Presentation(io.BytesIO(data))
    deadline = Deadline(limits)
    slides: list[str] = []
    first_title = ""
    n_slides = len(prs.slides)
    for index, slide in enumerate(prs.slides):
        if index >= limits.max_pages:
            log.warning("PPTX: read %d of %d slides (limits)", index, n_slides)
            break
        deadline.check()
        parts: list[str] = []
        title_shape = slide.shapes.title
        if title_shape is not None and title_shape.has_text_frame and not first_title:
            first_title = one_line(title_shape.text_frame.text)
        for shape in slide.shapes:
            parts.extend(_shape_texts(shape))
        parts.extend(docx_text.diagram_texts(slide.part))  # SmartArt
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            parts.append(slide.notes_slide.notes_text_frame.text)
        slides.append(tidy("\n".join(parts)))
    pages, offset = [], 0
    for text in slides:
        pages.append(offset)
        offset += len(text) + 2
    body = "\n\n".join(slides)[: limits.max_chars]
    meta = _core(prs.core_properties)
    return Extracted(body=body, title=meta["title"] or first_title, date=meta["date"],
                     lang=meta["lang"], author=meta["author"], format="pptx",
                     pages=tuple(p for p in pages if p <= len(body)))


def _shape_texts(shape: Any) -> list[str]:
    if getattr(shape, "shape_type", None) == 6:  # MSO_SHAPE_TYPE.GROUP
        return [t for s in shape.shapes for t in _shape_texts(s)]
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        return [shape.text_frame.text]
    if getattr(shape, "has_table", False) and shape.has_table:
        return ["\n".join("\t".join(c.text for c in row.cells) for row in shape.table.rows)]
    if getattr(shape, "has_chart", False) and shape.has_chart:
        try:
            return [_chart_text(shape.chart)]
        except Exception:  # noqa: BLE001 - an odd chart must not cost the slide show its text
            log.warning("PPTX: a chart's text could not be read", exc_info=True)
    return []


def _chart_text(chart: Any) -> str:
    """A chart's title, its series' names and its category labels."""
    lines = [chart.chart_title.text_frame.text] if chart.has_title else []
    for plot in chart.plots:
        lines.extend(str(series.name or "") for series in plot.series)
        lines.append("\t".join(str(label) for label in plot.categories))
    return "\n".join(line for line in lines if line.strip())


_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_SML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _cell_comments(zf: zipfile.ZipFile, sheet_path: str, limits: Limits) -> list[str]:
    """The text of a sheet's cell comments (notes), from the comments part its rels name:
    openpyxl's read-only mode does not read them."""
    folder, name = posixpath.split(sheet_path)
    rels = f"{folder}/_rels/{name}.rels"
    if not sheet_path or rels not in zf.namelist():
        return []
    texts: list[str] = []
    for rel in ET.fromstring(read_member(zf, rels, limits)).iter(_REL):
        if not rel.get("Type", "").endswith("/comments"):
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(folder, target))
        if path not in zf.namelist():
            continue
        for comment in ET.fromstring(read_member(zf, path, limits)).iter(f"{_SML}comment"):
            text = "".join(t.text or "" for t in comment.iter(f"{_SML}t"))
            if text.strip():
                texts.append(text)
    return texts


def _xlsx(data: bytes, limits: Limits) -> Extracted:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    zf = zipfile.ZipFile(io.BytesIO(data))  # sizes checked by open_zip already
    deadline = Deadline(limits)
    sheets: list[str] = []
    size = 0
    heading = ""  # the first sheet's first row when it is one text cell: a title row
    try:
        for sheet in book.worksheets:
            lines = [sheet.title]
            for row in sheet.iter_rows(values_only=True):
                cells = ["" if v is None else str(v) for v in row]
                while cells and not cells[-1]:
                    cells.pop()
                if cells and not sheets and len(lines) == 1:
                    filled = [v for v in row if v not in (None, "")]
                    if len(filled) == 1 and isinstance(filled[0], str) and sum(
                            c.isalpha() for c in filled[0]) >= 3:
                        heading = one_line(filled[0])
                if cells:
                    line = "\t".join(cells)
                    lines.append(line)
                    size += len(line)
                if size > limits.max_chars:
                    break
                if len(lines) % 1000 == 0:
                    deadline.check()
            try:
                lines.extend(_cell_comments(zf, getattr(sheet, "_worksheet_path", ""), limits))
            except ET.ParseError:  # a damaged comments part must not cost the sheet
                log.warning("XLSX: the notes of sheet %r could not be read", sheet.title)
            sheets.append(tidy("\n".join(lines)))
            if size > limits.max_chars:
                break
        meta = _core(book.properties)
        meta["author"] = meta["author"] or one_line(getattr(book.properties, "creator", ""))
    finally:
        book.close()
        zf.close()
    pages, offset = [], 0
    for text in sheets:
        pages.append(offset)
        offset += len(text) + 2
    body = "\n\n".join(sheets)[: limits.max_chars]
    # without a title in the metadata: the title row, not the first sheet's name ("Sheet1")
    return Extracted(body=body, title=meta["title"] or heading, date=meta["date"],
                     lang=meta["lang"], author=meta["author"], format="xlsx",
                     pages=tuple(p for p in pages if p <= len(body)))
