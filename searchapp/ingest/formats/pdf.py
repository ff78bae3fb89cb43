"""PDF files through pypdfium2 (PDFium's text layer), page by page, optional OCR by tesseract.

Right-to-left words that PDFium returns in visual order are put back in reading order (rtl.py).
"""

from __future__ import annotations

import datetime
import logging
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from searchapp.ingest.extracted import Extracted, Limits, SkipFile
from searchapp.ingest.formats._common import (
    Deadline,
    check_size,
    guarded,
    heading_title,
    one_line,
    tidy,
)
from searchapp.ingest.formats.pdfnotes import page_notes
from searchapp.ingest.formats.rtl import logical_text

SUFFIXES = {".pdf"}
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")
_OCR_DPI = 300
log = logging.getLogger(__name__)


def parse_pdf_date(value: str | None) -> datetime.date | None:
    """'D:20240315093000+01'00'' -> 2024-03-15 (month/day default to 1)."""
    if not value:
        return None
    m = _PDF_DATE.match(value.strip())
    if not m:
        return None
    try:
        return datetime.date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        return None


def _open(data: bytes) -> Any:
    if not data.lstrip()[:1024].startswith(b"%PDF") and b"%PDF" not in data[:1024]:
        raise SkipFile("corrupt PDF (no %PDF header)")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg or "security" in msg:
            raise SkipFile("encrypted PDF") from None
        raise SkipFile(f"corrupt PDF ({exc})") from None


def _pgm(page: Any) -> bytes:
    """The page rendered at 300 dpi as a binary greyscale PGM (no Pillow needed)."""
    bitmap = page.render(scale=_OCR_DPI / 72, grayscale=True)
    try:
        width, height, stride, channels = (bitmap.width, bitmap.height, bitmap.stride,
                                           bitmap.n_channels)
        raw = bytes(bitmap.buffer)
    finally:
        bitmap.close()
    rows = bytearray()
    for y in range(height):
        row = raw[y * stride : y * stride + width * channels]
        rows += row if channels == 1 else row[::channels]  # BGR(x): one channel is enough
    return f"P5 {width} {height} 255\n".encode("ascii") + bytes(rows)


def _ocr_page(page: Any, langs: str, timeout: float) -> str:
    """Render one page at 300 dpi and run tesseract on it; '' when it fails."""
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "page.pgm"
        image.write_bytes(_pgm(page))
        try:
            done = subprocess.run(
                ["tesseract", str(image), "stdout", "-l", langs],
                capture_output=True, timeout=max(1.0, timeout), check=False,
            )
        except (subprocess.TimeoutExpired, OSError):
            return ""
    return done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else ""


@guarded("PDF")
def extract(data: bytes, name: str, limits: Limits) -> list[Extracted]:
    check_size(data, limits)
    deadline = Deadline(limits)
    pdf = _open(data)
    try:
        return [_read(pdf, limits, deadline)]
    finally:
        pdf.close()


# PDFium gives a hyphen that ended a line, in a word broken across two lines, as U+FFFE (older
# builds: U+0002) and drops the line break: "Verhand\ufffelungen". Left in, the word is lost to
# search ("Verhandlungen" found nothing); removed, the halves are the word again.
_LINE_HYPHENS = str.maketrans("", "", "\ufffe\x02")


def joined_hyphens(text: str) -> str:
    """A page's text with PDFium's line-end hyphens taken out (the word's halves joined)."""
    return text.translate(_LINE_HYPHENS) if "\ufffe" in text or "\x02" in text else text


def _read(pdf: Any, limits: Limits, deadline: Deadline) -> Extracted:
    try:
        meta = pdf.get_metadata_dict(skip_empty=True)
    except pdfium.PdfiumError:
        meta = {}
    n_pages = len(pdf)
    if n_pages == 0:
        raise SkipFile("empty PDF (no pages)")
    tesseract = shutil.which("tesseract") if limits.ocr else None
    texts: list[str] = []
    image_only = 0
    ocred = 0
    total = 0
    for index in range(min(n_pages, limits.max_pages)):
        if deadline.expired():
            break
        page = pdf[index]
        try:
            textpage = page.get_textpage()
            text = tidy(joined_hyphens(logical_text(textpage)))
            textpage.close()
            if not text and limits.ocr and tesseract:
                text = tidy(_ocr_page(page, limits.ocr_langs, deadline.end - time.monotonic()))
                ocred += bool(text)
            if not text:
                image_only += 1
            notes = page_notes(page)  # comments and form values (pdfnotes.py)
            if notes:
                text = tidy(f"{text}\n{notes}")
        finally:
            page.close()
        texts.append(text)
        total += len(text) + 2
        if total > limits.max_chars:
            break
    pages: list[int] = []
    body_parts: list[str] = []
    offset = 0
    for text in texts:
        pages.append(offset)
        body_parts.append(text)
        offset += len(text) + 2  # pages are joined by a blank line
    body = "\n\n".join(body_parts)[: limits.max_chars]
    if not body.strip():
        if limits.ocr and not tesseract:
            raise SkipFile("PDF has no text layer (image only) and tesseract is not installed")
        hint = "" if limits.ocr else "; OCR is off"
        raise SkipFile(f"PDF has no text layer (image only){hint}")
    title = one_line(meta.get("Title"))
    if not title:
        title = heading_title(texts[0] if texts else "")
    date = parse_pdf_date(meta.get("CreationDate")) or parse_pdf_date(meta.get("ModDate"))
    if n_pages > len(texts):  # reported, the file is still indexed
        log.warning("PDF: read %d of %d pages (limits)", len(texts), n_pages)
    if image_only:
        log.info("PDF: %d pages without text layer%s", image_only,
                 "" if tesseract else " (OCR off or tesseract missing)")
    return Extracted(
        body=body, title=title, date=date, author=one_line(meta.get("Author")), format="pdf",
        pages=tuple(p for p in pages if p <= len(body)),
    )

