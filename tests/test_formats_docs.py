"""Document readers on real files built here: PDF, DOCX, PPTX, XLSX, ODT/ODS/ODP, RTF, EPUB."""

from __future__ import annotations

import datetime
import io
import shutil
import zipfile

import pytest

from searchapp.ingest.extracted import Limits, SkipFile
from searchapp.ingest.formats import epub, office, pdf
from searchapp.ingest.formats.dispatch import extract_any, reader_for
from tests.format_builders import DEJAVU, RTF, image_pdf, make_docx, make_epub, make_pdf

LIMITS = Limits()
VI_PAGES = [
    "Hà Nội là thủ đô của nước Cộng hòa Xã hội chủ nghĩa Việt Nam.",
    "Thành phố Hồ Chí Minh là trung tâm kinh tế lớn nhất cả nước.",
    "Đà Nẵng nổi tiếng với những bãi biển đẹp và cây cầu Rồng.",
]


needs_dejavu = pytest.mark.skipif(not DEJAVU.exists(),
                                  reason="DejaVu fonts (Debian fonts-dejavu-core) not installed")


@needs_dejavu
def test_pdf_pages_metadata_and_unicode() -> None:
    data = make_pdf(VI_PAGES, title="Báo cáo thường niên", author="Nguyễn Văn An",
                    created=datetime.datetime(2024, 3, 15, 9, 30, tzinfo=datetime.UTC))
    (doc,) = pdf.extract(data, "bao-cao.pdf", LIMITS)
    assert (doc.title, doc.author, doc.date, doc.format) == (
        "Báo cáo thường niên", "Nguyễn Văn An", datetime.date(2024, 3, 15), "pdf")
    assert len(doc.pages) == 3 and doc.pages[0] == 0
    for start, text in zip(doc.pages, VI_PAGES, strict=True):
        assert doc.body[start:start + len(text)] == text


@needs_dejavu
def test_pdf_title_from_first_heading_and_max_pages() -> None:
    data = make_pdf(["Annual Report 2023\nThe board met four times.", "Second page.",
                     "Third page."])
    (doc,) = pdf.extract(data, "x.pdf", Limits(max_pages=2))
    assert doc.title == "Annual Report 2023"
    assert len(doc.pages) == 2 and "Third page" not in doc.body


def test_pdf_date_strings() -> None:
    assert pdf.parse_pdf_date("D:20240315093000+01'00'") == datetime.date(2024, 3, 15)
    assert pdf.parse_pdf_date("D:1999") == datetime.date(1999, 1, 1)
    assert pdf.parse_pdf_date("garbage") is None


def test_pdf_encrypted_corrupt_and_empty() -> None:
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(["Confidential minutes of the meeting."], font=None)
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(plain)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(SkipFile, match="encrypted PDF"):
        pdf.extract(out.getvalue(), "secret.pdf", LIMITS)
    with pytest.raises(SkipFile, match="corrupt PDF"):
        pdf.extract(plain[: len(plain) // 3], "cut.pdf", LIMITS)
    with pytest.raises(SkipFile, match="corrupt PDF"):
        pdf.extract(b"this is not a pdf at all", "fake.pdf", LIMITS)
    with pytest.raises(SkipFile, match="empty file"):
        pdf.extract(b"", "empty.pdf", LIMITS)
    with pytest.raises(SkipFile, match="too large"):
        pdf.extract(plain, "big.pdf", Limits(max_bytes=100))


def test_pdf_image_only_is_reported_without_ocr() -> None:
    with pytest.raises(SkipFile, match="no text layer"):
        pdf.extract(image_pdf("Scanned letter"), "scan.pdf", LIMITS)


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_pdf_ocr_with_tesseract() -> None:
    (doc,) = pdf.extract(image_pdf("Quarterly water report"), "scan.pdf",
                         Limits(ocr=True, ocr_langs="eng"))
    assert "water report" in doc.body.lower()


def test_docx_body_order_tables_and_core_properties() -> None:
    (doc,) = office.extract(make_docx(), "bien-ban.docx", LIMITS)
    assert (doc.title, doc.author, doc.date, doc.lang, doc.format) == (
        "Biên bản họp", "Lê Thị Hoa", datetime.date(2023, 6, 1), "vi", "docx")
    body = doc.body
    assert body.index("Mở đầu") < body.index("tám giờ") < body.index("Trần Văn Bình") \
        < body.index("mười giờ")
    assert "Giám đốc" in body


def test_docx_zip_bomb_and_corrupt() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * (30 * 1024 * 1024))
    bomb = buf.getvalue()
    assert len(bomb) < 100_000
    with pytest.raises(SkipFile, match="zip bomb"):
        office.extract(bomb, "bomb.docx", Limits(max_unzipped=10 * 1024 * 1024))
    with pytest.raises(SkipFile, match="corrupt docx"):
        office.extract(make_docx()[:2000], "cut.docx", LIMITS)
    with pytest.raises(SkipFile, match="encrypted"):
        office.extract(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "locked.docx", LIMITS)


def test_pptx_slides_are_pages() -> None:
    import pptx

    prs = pptx.Presentation()
    prs.core_properties.title = "Kế hoạch 2025"
    prs.core_properties.author = "Phòng Kế hoạch"
    for heading, text in [("Mục tiêu", "Tăng doanh thu mười phần trăm."),
                          ("Ngân sách", "Tổng chi phí dự kiến hai tỷ đồng.")]:
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = heading
        slide.placeholders[1].text = text
    out = io.BytesIO()
    prs.save(out)
    (doc,) = office.extract(out.getvalue(), "plan.pptx", LIMITS)
    assert doc.title == "Kế hoạch 2025" and doc.author == "Phòng Kế hoạch"
    assert len(doc.pages) == 2
    assert doc.body[doc.pages[0]:].startswith("Mục tiêu")
    assert doc.body[doc.pages[1]:].startswith("Ngân sách")


def test_xlsx_cells_by_sheet() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Dân số"
    sheet.append(["Tỉnh", "Dân số"])
    sheet.append(["Hà Giang", 854679])
    book.create_sheet("Diện tích").append(["Hà Giang", 7929.5])
    book.properties.title = "Thống kê"
    book.properties.creator = "Tổng cục Thống kê"
    out = io.BytesIO()
    book.save(out)
    (doc,) = office.extract(out.getvalue(), "stats.xlsx", LIMITS)
    assert doc.title == "Thống kê" and doc.author == "Tổng cục Thống kê"
    assert "Hà Giang 854679" in doc.body and "7929.5" in doc.body
    assert len(doc.pages) == 2 and doc.body[doc.pages[1]:].startswith("Diện tích")


def test_odt_ods_odp() -> None:
    from odf import dc, meta, text
    from odf.draw import Frame, Page, TextBox
    from odf.opendocument import (
        OpenDocumentPresentation,
        OpenDocumentSpreadsheet,
        OpenDocumentText,
    )
    from odf.style import MasterPage, PageLayout
    from odf.table import Table, TableCell, TableRow

    odt = OpenDocumentText()
    odt.meta.addElement(dc.Title(text="Rapport annuel"))
    odt.meta.addElement(meta.InitialCreator(text="Élodie Martin"))
    odt.meta.addElement(meta.CreationDate(text="2022-09-30T12:00:00"))
    odt.meta.addElement(dc.Language(text="fr-FR"))
    odt.text.addElement(text.H(outlinelevel=1, text="Introduction"))
    para = text.P(text="Le chiffre d'affaires a progressé de")
    para.addElement(text.S(c=1))
    para.addText("douze pour cent.")
    odt.text.addElement(para)
    buf = io.BytesIO()
    odt.write(buf)
    (doc,) = office.extract(buf.getvalue(), "rapport.odt", LIMITS)
    assert (doc.title, doc.author, doc.date, doc.lang, doc.format) == (
        "Rapport annuel", "Élodie Martin", datetime.date(2022, 9, 30), "fr", "odt")
    assert doc.body == "Introduction\nLe chiffre d'affaires a progressé de douze pour cent."

    ods = OpenDocumentSpreadsheet()
    table = Table(name="Ventes")
    for row in (["Région", "Montant"], ["Bretagne", "1200"]):
        tr = TableRow()
        for value in row:
            cell = TableCell()
            cell.addElement(text.P(text=value))
            tr.addElement(cell)
        table.addElement(tr)
    ods.spreadsheet.addElement(table)
    buf = io.BytesIO()
    ods.write(buf)
    (doc,) = office.extract(buf.getvalue(), "ventes.ods", LIMITS)
    assert doc.body == "Ventes\nRégion Montant\nBretagne 1200" and doc.pages == (0,)

    odp = OpenDocumentPresentation()
    layout = PageLayout(name="L")
    odp.automaticstyles.addElement(layout)
    master = MasterPage(name="M", pagelayoutname=layout)
    odp.masterstyles.addElement(master)
    for words in ("Première diapositive", "Deuxième diapositive"):
        page = Page(masterpagename=master)
        frame = Frame(width="20cm", height="3cm", x="1cm", y="1cm")
        box = TextBox()
        box.addElement(text.P(text=words))
        frame.addElement(box)
        page.addElement(frame)
        odp.presentation.addElement(page)
    buf = io.BytesIO()
    odp.write(buf)
    (doc,) = office.extract(buf.getvalue(), "slides.odp", LIMITS)
    assert len(doc.pages) == 2 and doc.body[doc.pages[1]:] == "Deuxième diapositive"


def test_rtf_unicode_codepage_and_info() -> None:
    (doc,) = office.extract(RTF.encode("ascii"), "projet.rtf", LIMITS)
    assert (doc.title, doc.author, doc.date, doc.format) == (
        "Résumé du projet", "François Dupont", datetime.date(2021, 4, 7), "rtf")
    assert doc.body == "Le projet a démarré en avril.\nViệt Nam: Hà Nội"
    with pytest.raises(SkipFile, match="corrupt RTF"):
        office.extract(b"not rtf", "x.rtf", LIMITS)


def test_epub_spine_order_and_metadata() -> None:
    (doc,) = epub.extract(make_epub(), "kieu.epub", LIMITS)
    assert (doc.title, doc.author, doc.date, doc.lang, doc.format) == (
        "Truyện Kiều", "Nguyễn Du", datetime.date(1820, 1, 1), "vi", "epub")
    assert doc.body == "Trăm năm trong cõi người ta,\n\nChữ tài chữ mệnh khéo là ghét nhau."
    assert doc.pages == (0, len("Trăm năm trong cõi người ta,") + 2)
    with pytest.raises(SkipFile, match="corrupt EPUB"):
        epub.extract(b"PK\x05\x06" + b"\0" * 18, "empty.epub", LIMITS)


def test_dispatch_by_suffix() -> None:
    assert reader_for("A.PDF") is pdf.extract and reader_for("x.odt") is office.extract
    assert reader_for("photo.jpg") is None
    with pytest.raises(SkipFile, match="unsupported"):
        extract_any(b"\xff\xd8\xff", "photo.jpg", LIMITS)
