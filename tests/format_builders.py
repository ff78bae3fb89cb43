"""Builders of real files of every supported format, shared by the format tests and the
end-to-end indexing tests (tests/test_ingest_e2e.py)."""

from __future__ import annotations

import datetime
import io
import zipfile
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def make_pdf(pages: list[str], title: str = "", author: str = "",
             created: datetime.datetime | None = None, font: Path | None = DEJAVU) -> bytes:
    from fpdf import FPDF

    doc = FPDF()
    if font is not None:
        doc.add_font("DejaVu", "", str(font))
        doc.set_font("DejaVu", size=12)
    else:
        doc.set_font("Helvetica", size=12)
    if title:
        doc.set_title(title)
    if author:
        doc.set_author(author)
    doc.set_creation_date(created or datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    for text in pages:
        doc.add_page()
        doc.multi_cell(0, 8, text)
    return bytes(doc.output())


def image_pdf(text: str) -> bytes:
    from fpdf import FPDF
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1400, 200), 255)
    font = ImageFont.truetype(str(DEJAVU), 64) if DEJAVU.exists() else ImageFont.load_default()
    ImageDraw.Draw(image).text((20, 50), text, fill=0, font=font)
    doc = FPDF()
    doc.add_page()
    doc.image(image, x=10, y=10, w=190)
    return bytes(doc.output())


def make_docx() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Biên bản họp"
    document.core_properties.author = "Lê Thị Hoa"
    document.core_properties.created = datetime.datetime(2023, 6, 1, 8, 0)
    document.core_properties.language = "vi-VN"
    document.add_heading("Chương 1: Mở đầu", level=1)
    document.add_paragraph("Cuộc họp bắt đầu lúc tám giờ sáng.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Người dự", "Chức vụ"
    table.cell(1, 0).text, table.cell(1, 1).text = "Trần Văn Bình", "Giám đốc"
    document.add_paragraph("Cuộc họp kết thúc lúc mười giờ.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


RTF = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}"
    r"{\info{\title R\u233?sum\u233? du projet}{\author Fran\'e7ois Dupont}"
    r"{\creatim\yr2021\mo4\dy7\hr10\min0}}"
    r"\f0\fs24 Le projet a d\'e9marr\'e9 en avril.\par "
    r"Vi\u7879?t Nam: H\u224? N\u7897?i\par }"
)


def make_epub() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/container.xml", (
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>"))
        zf.writestr("OEBPS/content.opf", (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            "<dc:title>Truyện Kiều</dc:title><dc:creator>Nguyễn Du</dc:creator>"
            "<dc:date>1820-01-01</dc:date><dc:language>vi</dc:language></metadata>"
            '<manifest><item id="c2" href="text/ch2.xhtml" media-type="application/xhtml+xml"/>'
            '<item id="c1" href="text/ch1.xhtml" media-type="application/xhtml+xml"/>'
            '<item id="css" href="style.css" media-type="text/css"/></manifest>'
            '<spine><itemref idref="c1"/><itemref idref="c2"/></spine></package>'))
        for name, body in (("ch1", "Trăm năm trong cõi người ta,"),
                           ("ch2", "Chữ tài chữ mệnh khéo là ghét nhau.")):
            zf.writestr(f"OEBPS/text/{name}.xhtml", (
                '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title>'
                f"<style>p {{color: red}}</style></head><body><p>{body}</p></body></html>"))
        zf.writestr("OEBPS/style.css", "p { margin: 0 }")
    return buf.getvalue()


def make_pptx(title: str, slides: list[tuple[str, str]], author: str = "") -> bytes:
    import pptx

    prs = pptx.Presentation()
    prs.core_properties.title = title
    if author:
        prs.core_properties.author = author
    for heading, text in slides:
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = heading
        slide.placeholders[1].text = text
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def make_xlsx(title: str, sheets: dict[str, list[list[object]]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    first = True
    for name, rows in sheets.items():
        sheet = book.active if first else book.create_sheet(name)
        sheet.title = name
        first = False
        for row in rows:
            sheet.append(row)
    book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_odt(title: str, heading: str, text_body: str, created: str = "2022-09-30T12:00:00",
             lang: str = "fr-FR") -> bytes:
    from odf import dc, meta, text
    from odf.opendocument import OpenDocumentText

    odt = OpenDocumentText()
    odt.meta.addElement(dc.Title(text=title))
    odt.meta.addElement(meta.CreationDate(text=created))
    odt.meta.addElement(dc.Language(text=lang))
    odt.text.addElement(text.H(outlinelevel=1, text=heading))
    odt.text.addElement(text.P(text=text_body))
    buf = io.BytesIO()
    odt.write(buf)
    return buf.getvalue()


def make_ods(title: str, rows: list[list[str]]) -> bytes:
    from odf import dc, text
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow

    ods = OpenDocumentSpreadsheet()
    ods.meta.addElement(dc.Title(text=title))
    table = Table(name="Sheet1")
    for row in rows:
        tr = TableRow()
        for value in row:
            cell = TableCell()
            cell.addElement(text.P(text=value))
            tr.addElement(cell)
        table.addElement(tr)
    ods.spreadsheet.addElement(table)
    buf = io.BytesIO()
    ods.write(buf)
    return buf.getvalue()


def make_eml(subject: str, body: str, when: datetime.datetime,
             attachments: dict[str, bytes] | None = None) -> bytes:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = "Phạm Minh Châu <chau@example.vn>"
    msg["To"] = "team@example.vn"
    msg["Date"] = format_datetime(when)
    msg.set_content(body)
    for name, data in (attachments or {}).items():
        if name.endswith(".pdf"):
            msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
        else:
            msg.add_attachment(data, maintype="application", subtype="octet-stream",
                               filename=name)
    return msg.as_bytes()


def make_mbox(messages: list[tuple[str, str, datetime.datetime]]) -> bytes:
    parts = []
    for i, (subject, body, when) in enumerate(messages, 1):
        msg = EmailMessage()
        msg["Subject"] = subject
        msg["From"] = f"Person {i} <p{i}@example.org>"
        msg["Date"] = format_datetime(when)
        msg.set_content(body)
        parts.append(f"From p{i}@example.org Mon Mar  1 12:00:00 2021\n".encode() + msg.as_bytes())
    return b"\n".join(parts)


def make_png(text: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1400, 200), 255)
    font = ImageFont.truetype(str(DEJAVU), 64) if DEJAVU.exists() else ImageFont.load_default()
    ImageDraw.Draw(image).text((20, 50), text, fill=0, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
