"""Damaged files of every format: a reader returns texts or raises SkipFile, never anything else."""

from __future__ import annotations

import io
import random

import pytest

from searchapp.ingest.extracted import Extracted, Limits, SkipFile
from searchapp.ingest.formats.dispatch import extract_any
from tests.format_builders import RTF, make_docx, make_epub, make_pdf
from tests.test_formats_text import PAGE

LIMITS = Limits(max_seconds=20)


def _samples() -> dict[str, bytes]:
    import openpyxl
    import pptx
    from odf import text
    from odf.opendocument import OpenDocumentText

    prs = pptx.Presentation()
    prs.slides.add_slide(prs.slide_layouts[1]).shapes.title.text = "Slide"
    pptx_buf = io.BytesIO()
    prs.save(pptx_buf)
    book = openpyxl.Workbook()
    book.active.append(["a", 1])
    xlsx_buf = io.BytesIO()
    book.save(xlsx_buf)
    odt = OpenDocumentText()
    odt.text.addElement(text.P(text="Bonjour"))
    odt_buf = io.BytesIO()
    odt.write(odt_buf)
    eml = (b"Subject: =?utf-8?q?Ch=C3=A0o?=\r\nFrom: a@b.c\r\nContent-Type: text/plain; "
           b"charset=utf-8\r\n\r\nXin ch\xc3\xa0o\r\n")
    return {
        "x.pdf": make_pdf(["Page one text.", "Page two text."], font=None),
        "x.docx": make_docx(), "x.pptx": pptx_buf.getvalue(), "x.xlsx": xlsx_buf.getvalue(),
        "x.odt": odt_buf.getvalue(), "x.epub": make_epub(), "x.rtf": RTF.encode(),
        "x.eml": eml, "x.mbox": b"From a@b.c Mon Jan  1 00:00:00 2024\n" + eml,
        "x.html": PAGE.encode(), "x.txt": "Plain text, ünïcödé.".encode(),
    }


SAMPLES = _samples()


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_whole_file_reads(name: str) -> None:
    docs = extract_any(SAMPLES[name], name, LIMITS)
    assert docs and all(isinstance(d, Extracted) and d.body for d in docs)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_damaged_files_only_raise_skipfile(name: str) -> None:
    data = SAMPLES[name]
    rng = random.Random(name)
    variants = [data[: len(data) * k // 7] for k in range(1, 7)]
    for _ in range(6):
        damaged = bytearray(data)
        for _ in range(max(1, len(data) // 200)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        variants.append(bytes(damaged))
    variants.append(bytes(rng.randrange(256) for _ in range(3000)))
    for variant in variants:
        try:
            docs = extract_any(variant, name, LIMITS)
        except SkipFile as exc:
            assert str(exc)
            continue
        assert all(isinstance(d, Extracted) for d in docs)
