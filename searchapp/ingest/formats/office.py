"""Office documents: DOCX (python-docx), PPTX (python-pptx), XLSX (openpyxl), ODF and RTF.

Every zip-based container is opened by _common.open_zip first, which refuses zip bombs (declared
uncompressed sizes over limits.max_unzipped) and encrypted members before any parser sees it.
OpenDocument files are read by odf.py, RTF by rtf.py; this module dispatches on the suffix.
"""

from __future__ import annotations

import io
import logging
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
    return []


def _xlsx(data: bytes, limits: Limits) -> Extracted:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    deadline = Deadline(limits)
    sheets: list[str] = []
    size = 0
    try:
        for sheet in book.worksheets:
            lines = [sheet.title]
            for row in sheet.iter_rows(values_only=True):
                cells = ["" if v is None else str(v) for v in row]
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    line = "\t".join(cells)
                    lines.append(line)
                    size += len(line)
                if size > limits.max_chars:
                    break
                if len(lines) % 1000 == 0:
                    deadline.check()
            sheets.append(tidy("\n".join(lines)))
            if size > limits.max_chars:
                break
        meta = _core(book.properties)
        meta["author"] = meta["author"] or one_line(getattr(book.properties, "creator", ""))
    finally:
        book.close()
    pages, offset = [], 0
    for text in sheets:
        pages.append(offset)
        offset += len(text) + 2
    body = "\n\n".join(sheets)[: limits.max_chars]
    return Extracted(body=body, title=meta["title"], date=meta["date"], lang=meta["lang"],
                     author=meta["author"], format="xlsx",
                     pages=tuple(p for p in pages if p <= len(body)))
