"""The words a PDF page holds outside its text layer: comments and filled-in form fields.

A reviewer's sticky notes, typewriter (FreeText) comments and the notes on highlights are
annotations, and a filled-in form keeps its values in its fields: PDFium's text page has none
of them, so their words could not be found.  Each annotation's /Contents and each field's
value (/V) is read and added after the page's text, on the same page.
"""

from __future__ import annotations

import ctypes
from typing import Any

import pypdfium2.raw as pdfium_c

# Annotations whose /Contents is something a person wrote (not links, popups, sounds...).
_WRITTEN = {
    pdfium_c.FPDF_ANNOT_TEXT, pdfium_c.FPDF_ANNOT_FREETEXT, pdfium_c.FPDF_ANNOT_LINE,
    pdfium_c.FPDF_ANNOT_SQUARE, pdfium_c.FPDF_ANNOT_CIRCLE, pdfium_c.FPDF_ANNOT_POLYGON,
    pdfium_c.FPDF_ANNOT_POLYLINE, pdfium_c.FPDF_ANNOT_HIGHLIGHT, pdfium_c.FPDF_ANNOT_UNDERLINE,
    pdfium_c.FPDF_ANNOT_SQUIGGLY, pdfium_c.FPDF_ANNOT_STRIKEOUT, pdfium_c.FPDF_ANNOT_STAMP,
    pdfium_c.FPDF_ANNOT_CARET, pdfium_c.FPDF_ANNOT_INK, pdfium_c.FPDF_ANNOT_FILEATTACHMENT,
}
_MAX_NOTES = 1000  # a page's annotations read at most (a generated page can hold thousands)


def _string(annot: Any, key: bytes) -> str:
    """An annotation's string value (UTF-16LE from PDFium), '' when absent."""
    size = pdfium_c.FPDFAnnot_GetStringValue(annot, key, None, 0)
    if size <= 2:
        return ""
    buf = ctypes.create_string_buffer(size)
    pdfium_c.FPDFAnnot_GetStringValue(annot, key, ctypes.cast(buf, ctypes.POINTER(
        pdfium_c.FPDF_WCHAR)), size)
    return buf.raw[: size - 2].decode("utf-16-le", errors="replace")


def page_notes(page: Any) -> str:
    """The page's comments and form values, a line each, in the page's annotation order."""
    count = min(pdfium_c.FPDFPage_GetAnnotCount(page.raw), _MAX_NOTES)
    lines: list[str] = []
    for index in range(count):
        annot = pdfium_c.FPDFPage_GetAnnot(page.raw, index)
        if not annot:
            continue
        try:
            kind = pdfium_c.FPDFAnnot_GetSubtype(annot)
            if kind in _WRITTEN:
                text = _string(annot, b"Contents")
            elif kind == pdfium_c.FPDF_ANNOT_WIDGET and pdfium_c.FPDFAnnot_GetValueType(
                    annot, b"V") == pdfium_c.FPDF_OBJECT_STRING:  # a text field, not a tick
                text = _string(annot, b"V")
            else:
                text = ""
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
        text = " ".join(text.split())
        if text and text not in lines:
            lines.append(text)
    return "\n".join(lines)
