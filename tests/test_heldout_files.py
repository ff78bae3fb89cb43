"""A held-out check of "every word of every real file is findable and shown right": real files
of the kinds people keep (Word files with notes, headers, text boxes, content controls and
tracked changes; OpenDocument notes; RTF in a font's code page), with news text in languages the
other tests do not use (NTREX-128), indexed by the real indexer and searched through the app."""

from __future__ import annotations

import base64
import html
import io
import json
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from searchapp.index.build import build_index
from searchapp.web import create_app
from tests.conftest import corpus_path
from tests.format_builders import DEJAVU

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECL = (f'xmlns:w="{W_NS}" '
          'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
          'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
          'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
          'xmlns:v="urn:schemas-microsoft-com:vml"')


def _sentences(lang: str, n: int, skip: int = 0) -> list[str]:
    """n real news sentences in lang (NTREX-128), longer than 40 characters."""
    out: list[str] = []
    corpus = "ntrex" if lang in ("eng", "vie", "rus", "deu", "fra", "zho", "jpn", "arb") \
        else "ntrex-more"
    with corpus_path(corpus, "sentences.jsonl").open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["lang"] == lang and len(row["text"]) > 40:
                out.append(row["text"])
                if len(out) == n + skip:
                    break
    assert len(out) == n + skip, lang
    return out[skip:]


# Where a Word file keeps text that python-docx's paragraph and table API does not show.
DOCX_PARTS = ("zqheader", "zqfooter", "zqnested", "zqcontrol", "zqinserted", "zqtextbox",
              "zqfootnote", "zqendnote", "zqcomment")


def _with_notes(data: bytes, footnote: str, endnote: str) -> bytes:
    """The DOCX with a footnotes and an endnotes part, referenced from the last paragraph."""
    parts = {"footnotes": footnote, "endnotes": endnote}
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            blob = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                blob = blob.replace(b"</Types>", b"".join(
                    f'<Override PartName="/word/{k}.xml" ContentType="application/vnd.'
                    f'openxmlformats-officedocument.wordprocessingml.{k}+xml"/>'.encode()
                    for k in parts) + b"</Types>")
            elif item.filename == "word/_rels/document.xml.rels":
                blob = blob.replace(b"</Relationships>", b"".join(
                    f'<Relationship Id="rId{k}" Type="http://schemas.openxmlformats.org/'
                    f'officeDocument/2006/relationships/{k}" Target="{k}.xml"/>'.encode()
                    for k in parts) + b"</Relationships>")
            zout.writestr(item, blob)
        for kind, text in parts.items():
            tag = kind[:-1]
            zout.writestr(f"word/{kind}.xml", (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{kind} {NSDECL}>'
                f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
                f'</w:{tag}><w:{tag} w:id="1"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:{tag}>'
                f'</w:{kind}>').encode())
    return out.getvalue()


def turkish_docx() -> tuple[bytes, dict[str, str]]:
    """A Word file in Turkish with a sentence in each place Word keeps text; {token: sentence}."""
    import docx
    from docx.oxml import parse_xml

    lines = _sentences("tur", 20)
    said = dict(zip(DOCX_PARTS, lines[len(lines) - len(DOCX_PARTS):], strict=True))
    planted = {token: f"{sentence} {token}" for token, sentence in said.items()}
    document = docx.Document()
    document.core_properties.title = "Yıllık rapor"
    section = document.sections[0]
    section.header.paragraphs[0].text = planted["zqheader"]
    section.footer.paragraphs[0].text = planted["zqfooter"]
    document.add_heading("Yıllık rapor", 1)
    for line in lines[:5]:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Bölge"
    table.cell(1, 1).add_table(rows=1, cols=1).cell(0, 0).text = planted["zqnested"]
    body = document.element.body
    body.insert(len(body) - 1, parse_xml(
        f'<w:sdt {NSDECL}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>{planted["zqcontrol"]}'
        '</w:t></w:r></w:p></w:sdtContent></w:sdt>'))
    document.add_paragraph(lines[5]).runs[0]._r.addnext(parse_xml(
        f'<w:ins {NSDECL} w:id="7" w:author="Ayşe" w:date="2024-01-01T00:00:00Z">'
        f'<w:r><w:t xml:space="preserve"> {planted["zqinserted"]}</w:t></w:r></w:ins>'))
    box = (f'<w:txbxContent><w:p><w:r><w:t>{planted["zqtextbox"]}</w:t></w:r></w:p>'
           '</w:txbxContent>')
    # Word writes a text box twice: the DrawingML shape and a VML copy for old readers
    document.add_paragraph(lines[6])._p.append(parse_xml(
        f'<w:r {NSDECL}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/'
        f'wordprocessingShape"><wps:wsp><wps:txbx>{box}</wps:txbx></wps:wsp></a:graphicData>'
        '</a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape>'
        f'<v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent>'
        '</w:r>'))
    last = document.add_paragraph(lines[7])
    document.add_comment(last.runs, text=planted["zqcomment"], author="Ayşe")
    buf = io.BytesIO()
    document.save(buf)
    return _with_notes(buf.getvalue(), planted["zqfootnote"], planted["zqendnote"]), said


ODF_PARTS = ("zqodtfootnote", "zqodtendnote", "zqodtheader", "zqodtfooter")


def polish_odt() -> tuple[bytes, dict[str, str]]:
    """A Polish text document with a footnote, an endnote, a page header and footer."""
    from odf import dc, office, style, text
    from odf.element import Element
    from odf.namespaces import TEXTNS
    from odf.opendocument import OpenDocumentText

    lines = _sentences("pol", 10)
    said = dict(zip(ODF_PARTS, lines[6:], strict=True))
    doc = OpenDocumentText()
    layout = style.PageLayout(name="pm1")
    doc.automaticstyles.addElement(layout)
    master = style.MasterPage(name="Standard", pagelayoutname=layout)
    for kind, token in ((style.Header, "zqodtheader"), (style.Footer, "zqodtfooter")):
        part = kind()
        part.addElement(text.P(text=f"{said[token]} {token}"))
        master.addElement(part)
    doc.masterstyles.addElement(master)
    doc.text.addElement(text.H(outlinelevel=1, text="Sprawozdanie roczne"))
    for line in lines[:5]:
        doc.text.addElement(text.P(text=line))
    # a tracked deletion (its words are not the document's) and a comment mid-sentence
    deleted = text.Deletion()
    info = office.ChangeInfo()
    info.addElement(dc.Creator(text="Jan Kowalski"))
    info.addElement(dc.Date(text="2024-01-01T10:00:00"))
    deleted.addElement(info)
    deleted.addElement(text.P(text="zqodtdeleted"))
    region = Element(qname=(TEXTNS, "changed-region"), check_grammar=False)
    region.setAttrNS(TEXTNS, "id", "ct1")
    region.addElement(deleted)
    changes = text.TrackedChanges()
    changes.addElement(region)
    doc.text.addElement(changes)
    remark = text.P(text=f"{lines[4]} ")
    comment = office.Annotation()
    comment.addElement(dc.Creator(text="Anna Nowak"))
    comment.addElement(dc.Date(text="2024-02-02T12:00:00"))
    comment.addElement(text.P(text="zqodtcomment"))
    remark.addElement(comment)
    remark.addText("zqodtaftercomment")
    doc.text.addElement(remark)
    para = text.P(text=lines[5])
    for n, (cls, token) in enumerate((("footnote", "zqodtfootnote"), ("endnote", "zqodtendnote"))):
        note = text.Note(id=f"n{n}", noteclass=cls)
        note.addElement(text.NoteCitation(text=str(n + 1)))
        body = text.NoteBody()
        body.addElement(text.P(text=f"{said[token]} {token}"))
        note.addElement(body)
        para.addElement(note)
    doc.text.addElement(para)
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue(), said


def spanish_odp() -> tuple[bytes, str]:
    """A Spanish slide show whose last slide has speaker notes; (file, the notes' sentence)."""
    from odf import draw, presentation, style, text
    from odf.opendocument import OpenDocumentPresentation

    lines = _sentences("spa", 7)
    doc = OpenDocumentPresentation()
    layout = style.PageLayout(name="PM1")
    doc.automaticstyles.addElement(layout)
    master = style.MasterPage(name="M1", pagelayoutname=layout)
    doc.masterstyles.addElement(master)
    for start in (0, 3):
        page = draw.Page(masterpagename=master)
        frame = draw.Frame(width="20cm", height="10cm", x="1cm", y="1cm")
        box = draw.TextBox()
        for line in lines[start:start + 3]:
            box.addElement(text.P(text=line))
        frame.addElement(box)
        page.addElement(frame)
        doc.presentation.addElement(page)
    notes = presentation.Notes()
    frame = draw.Frame(width="20cm", height="10cm", x="1cm", y="1cm")
    box = draw.TextBox()
    box.addElement(text.P(text=f"{lines[6]} zqodpnotes"))
    frame.addElement(box)
    notes.addElement(frame)
    page.addElement(notes)
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue(), lines[6]


def rtl_pdf(lang: str) -> tuple[bytes, str]:
    """A NTREX article as fpdf2 writes it with HarfBuzz shaping in the default direction, a
    paragraph a page, each naming a source in Latin letters before its final stop; (pdf, text).
    fpdf2 places every glyph with its own text matrix, and PDFium cut such lines into pieces."""
    from fpdf import FPDF

    lines = _sentences(lang, 12)
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(DEJAVU))
    pdf.set_font("DejaVu", size=11)
    pdf.set_text_shaping(True)
    for line in lines:
        pdf.add_page()
        pdf.multi_cell(0, 6, f"{line} Reuters.")
    return bytes(pdf.output()), "\n".join(lines)


EPUB_CHAPTERS = {  # language: (encoding, how the chapter states it)
    "kor": ("euc-kr", "xml"), "jpn": ("shift_jis", "xml"), "zho": ("gb18030", "meta")}


def legacy_epub() -> tuple[bytes, dict[str, str]]:
    """An EPUB whose chapters are in the legacy encodings their XML declaration or <meta>
    states (as EPUB 2 books from Korean, Japanese and Chinese publishers are); {lang: text}."""
    said = {lang: " ".join(_sentences(lang, 3)) for lang in EPUB_CHAPTERS}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/container.xml", (
            '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:'
            'opendocument:xmlns:container"><rootfiles><rootfile full-path="OPS/book.opf" '
            'media-type="application/oebps-package+xml"/></rootfiles></container>'))
        items = "".join(f'<item id="{lang}" href="{lang}.xhtml" media-type="application/xhtml+xml"/>'
                        for lang in EPUB_CHAPTERS)
        spine = "".join(f'<itemref idref="{lang}"/>' for lang in EPUB_CHAPTERS)
        zf.writestr("OPS/book.opf", (
            '<?xml version="1.0" encoding="utf-8"?><package xmlns="http://www.idpf.org/2007/opf" '
            'version="2.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements'
            '/1.1/"><dc:title>Anthology</dc:title><dc:identifier id="id">x</dc:identifier>'
            f"</metadata><manifest>{items}</manifest><spine>{spine}</spine></package>"))
        for lang, (encoding, how) in EPUB_CHAPTERS.items():
            decl = f'<?xml version="1.0" encoding="{encoding}"?>' if how == "xml" else ""
            meta = (f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}"/>'
                    if how == "meta" else "")
            page = (f'{decl}<html xmlns="http://www.w3.org/1999/xhtml"><head>{meta}<title>{lang}'
                    f"</title></head><body><p>{said[lang]}</p></body></html>")
            zf.writestr(f"OPS/{lang}.xhtml", page.encode(encoding))
    return buf.getvalue(), said


def ukrainian_page() -> tuple[str, str]:
    """A news page with a photo and its caption mid-article, menu and footer around; (page,
    caption)."""
    lines = _sentences("ukr", 8)
    caption = lines[7]
    paras = "".join(f"<p>{line}</p>" for line in lines[:3])
    more = "".join(f"<p>{line}</p>" for line in lines[3:7])
    page = (f'<!doctype html><html lang="uk"><head><meta charset="utf-8"><title>{lines[0]}'
            '</title></head><body><nav><a href="/">Головна</a> <a href="/news">Новини</a></nav>'
            f"<article><h1>{lines[0]}</h1>{paras}<figure><img src=\"photo.jpg\" alt=\"\">"
            f"<figcaption>{caption} zqcaption</figcaption></figure>{more}</article>"
            "<footer>© 2018</footer></body></html>")
    return page, caption


def korean_xlsx() -> tuple[bytes, str]:
    """A Korean workbook whose second sheet has a note (comment) on a cell; (file, note)."""
    import openpyxl
    from openpyxl.comments import Comment

    lines = _sentences("kor", 6)
    book = openpyxl.Workbook()
    book.active.title = "요약"
    for n, line in enumerate(lines[:3], start=1):
        book.active.cell(row=n, column=1, value=line)
    data = book.create_sheet("자료")
    data["A1"], data["B1"] = "지역", 12
    data["B1"].comment = Comment(f"{lines[5]} zqxlsxnote", "김")
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue(), lines[5]


def thai_chart_pptx() -> tuple[bytes, str]:
    """A Thai slide show whose second slide is a chart with a title; (file, the title)."""
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    lines = _sentences("tha", 3)
    prs = Presentation()
    first = prs.slides.add_slide(prs.slide_layouts[1])
    first.shapes.title.text, first.placeholders[1].text = lines[0], lines[1]
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "ยอดขาย"
    data = CategoryChartData()
    data.categories = ["zqchartcategory", "ไตรมาสสอง"]
    data.add_series("zqchartseries", (1.0, 2.0))
    chart = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(1.5),
                                   Inches(6), Inches(4), data).chart
    chart.has_title = True
    chart.chart_title.text_frame.text = f"{lines[2]} zqcharttitle"
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue(), lines[2]


# (file, language, how the mail says its charset, code page of the bytes, token)
MAILS = [
    ("no-charset.eml", "ukr", "Content-Type: text/plain", "cp1251", "zqnocharset"),
    ("latin1-label.eml", "ell", "Content-Type: text/plain; charset=iso-8859-1", "cp1253",
     "zqwronglabel"),
    ("thai-874.eml", "tha", "Content-Type: text/plain; charset=windows-874", "cp874",
     "zqwin874"),
    ("mac-cyrillic.eml", "ukr", "Content-Type: text/plain; charset=x-mac-cyrillic",
     "mac_cyrillic", "zqmaccyr"),
]


def labelled_mail(lang: str, header: str, codepage: str, token: str, skip: int) -> tuple[bytes,
                                                                                         str]:
    """A mail as old clients and scripts send them: 8-bit text in a code page its Content-Type
    names wrongly or not at all, the subject an encoded word in the same label; (file, text)."""
    lines = _sentences(lang, 3, skip=skip)
    text = " ".join(lines[1:]).encode(codepage, "replace").decode(codepage)
    subject = lines[0].encode(codepage, "replace").decode(codepage)
    label = header.rsplit("=", 1)[-1] if "charset=" in header else "us-ascii"
    encoded = base64.b64encode(subject.encode(codepage)).decode("ascii")
    raw = (f"From: a@example.org\nSubject: =?{label}?B?{encoded}?=\nDate: Mon, 1 Oct 2018 "
           f"10:00:00 +0000\nMIME-Version: 1.0\n{header}\nContent-Transfer-Encoding: 8bit\n\n"
           ).encode("ascii")
    return raw + f"{text} {token}\n".encode(codepage), text


def mislabelled_page() -> tuple[bytes, str]:
    """An old Russian site's page: Windows-1251 bytes under <meta ... charset=iso-8859-1>, with
    markup, a script and a style around the article; (page, article text)."""
    lines = _sentences("rus", 6, skip=40)
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
            f"<title>{lines[0]}</title><style>body {{font-family: Arial}}</style><script>var "
            'menuItems = ["home", "news", "contacts"];</script></head><body><div class="menu">'
            '<a href="/index.html">Home</a></div><div class="article-content">'
            f"<h1>{lines[0]}</h1>" + "".join(f'<p class="text">{line}</p>' for line in lines[1:])
            + " zqlatin1label</div></body></html>")
    return page.encode("cp1251", "replace"), " ".join(lines[1:]).encode(
        "cp1251", "replace").decode("cp1251")


def commented_form_pdf() -> tuple[bytes, dict[str, str]]:
    """A two-page Greek PDF form as people return it: a text field filled in on page 2, a
    reviewer's sticky note and a typewriter (FreeText) comment there; {token: text}."""
    import pypdf
    from fpdf import FPDF
    from pypdf.annotations import FreeText, Text
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        TextStringObject,
    )

    lines = _sentences("ell", 5, skip=30)
    said = {"zqformfield": lines[2], "zqsticky": lines[3], "zqtypewriter": lines[4]}
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(DEJAVU))
    pdf.set_font("DejaVu", size=11)
    for line in lines[:2]:
        pdf.add_page()
        pdf.multi_cell(0, 6, line)
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(bytes(pdf.output()))))
    field = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject("answer"),
        NameObject("/V"): TextStringObject(f"{said['zqformfield']} zqformfield"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (50, 600, 500, 620)])}))
    writer.pages[1][NameObject("/Annots")] = ArrayObject([field])
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([field])})
    writer.add_annotation(page_number=1, annotation=Text(
        text=f"{said['zqsticky']} zqsticky", rect=(50, 450, 70, 470)))
    writer.add_annotation(page_number=1, annotation=FreeText(
        text=f"{said['zqtypewriter']} zqtypewriter", rect=(50, 300, 400, 350)))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue(), said


RTF_PARTS = ("zqrtfheader", "zqrtffooter", "zqrtffootnote", "zqrtfcomment")


def _rtf_1254(text: str) -> str:
    """Text as RTF writes it in a Windows-1254 document: \\'xx for every non-ASCII byte."""
    return "".join(c if ord(c) < 128 and c not in "\\{}" else "".join(
        f"\\'{b:02x}" for b in c.encode("cp1254", "replace")) for c in text)


def turkish_rtf() -> tuple[bytes, dict[str, str]]:
    """A Turkish RTF as Word saves it: a header and a footer, a footnote and a comment (with
    its author and reference groups) in the body; {token: sentence}."""
    lines = _sentences("tur", 8, skip=30)
    said = dict(zip(RTF_PARTS, lines[4:], strict=True))
    part = {k: _rtf_1254(f"{v} {k}") for k, v in said.items()}
    body = "\\par ".join(_rtf_1254(line) for line in lines[:4])
    rtf = ("{\\rtf1\\ansi\\ansicpg1254\\deff0{\\fonttbl{\\f0\\fcharset162 Calibri;}}"
           f"{{\\header \\pard\\plain {part['zqrtfheader']}\\par}}"
           f"{{\\footer \\pard\\plain {part['zqrtffooter']}\\par}}"
           f"\\pard\\plain {body}{{\\super\\chftn}}{{\\footnote \\pard\\plain "
           f"{{\\super\\chftn}} {part['zqrtffootnote']}}}\\par "
           "{\\*\\atnid AY}{\\*\\atnauthor Ay\\'fee}\\chatn{\\*\\annotation{\\*\\atnref 1}"
           f"\\pard\\plain {part['zqrtfcomment']}}}\\par}}")
    return rtf.encode("ascii"), said


def hyphenated_text(lang: str = "rus") -> tuple[str, list[str]]:
    """News text as copied from a page that hyphenates with &shy; (a soft hyphen in every
    long word) and a zero-width space inside some; (text, the long words whole)."""
    lines = _sentences(lang, 4, skip=60)
    words = sorted({w.strip(".,«»:;!?()\"") for line in lines for w in line.split()
                    if len(w.strip(".,«»:;!?()\"")) >= 10 and w.isalpha()})[:6]
    text = "\n".join(lines)
    for n, word in enumerate(words):
        mark = "\u200b" if n % 3 == 2 else "\u00ad"
        text = text.replace(word, word[:4] + mark + word[4:])
    return text, words


DIAGRAM = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/diagramData",
           "application/vnd.openxmlformats-officedocument.drawingml.diagramData+xml")


def with_smartart(data: bytes, rels: str, folder: str, items: list[str]) -> bytes:
    """The Office file with a SmartArt diagram's data part (its text as DrawingML paragraphs)
    related from the part whose rels file is `rels`, as PowerPoint and Word keep them."""
    points = "".join(
        f'<dgm:pt modelId="{{{n:08d}-0000-0000-0000-000000000000}}"><dgm:prSet/><dgm:spPr/>'
        f"<dgm:t><a:bodyPr/><a:p><a:r><a:t>{item}</a:t></a:r></a:p></dgm:t></dgm:pt>"
        for n, item in enumerate(items, start=1))
    part = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><dgm:dataModel '
            'xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram" '
            'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            f"<dgm:ptLst>{points}</dgm:ptLst><dgm:cxnLst/></dgm:dataModel>")
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            blob = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                blob = blob.replace(b"</Types>", (
                    f'<Override PartName="/{folder}/diagrams/data1.xml" '
                    f'ContentType="{DIAGRAM[1]}"/></Types>').encode())
            elif item.filename == rels:
                blob = blob.replace(b"</Relationships>", (
                    f'<Relationship Id="rIdDgm1" Type="{DIAGRAM[0]}" '
                    f'Target="{"diagrams" if folder == "word" else "../diagrams"}/data1.xml"/>'
                    "</Relationships>").encode())
            zout.writestr(item, blob)
        zout.writestr(f"{folder}/diagrams/data1.xml", part)
    return out.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("heldout")
    docs = root / "docs"
    docs.mkdir()
    data, said = turkish_docx()
    (docs / "rapor.docx").write_bytes(with_smartart(
        data, "word/_rels/document.xml.rels", "word", ["Planlama zqsmartdoc", "Uygulama"]))
    odt, odt_said = polish_odt()
    (docs / "sprawozdanie.odt").write_bytes(odt)
    odp, notes = spanish_odp()
    (docs / "charla.odp").write_bytes(odp)
    xlsx, note = korean_xlsx()
    (docs / "zaryo.xlsx").write_bytes(xlsx)
    pptx, chart_title = thai_chart_pptx()
    (docs / "chart.pptx").write_bytes(with_smartart(
        pptx, "ppt/slides/_rels/slide2.xml.rels", "ppt", ["ขั้นตอนแรก zqsmartslide", "ถัดไป"]))
    mails = {}
    for n, (name, lang, header, codepage, token) in enumerate(MAILS):
        data, mails[name] = labelled_mail(lang, header, codepage, token, skip=20 + 5 * n)
        (docs / name).write_bytes(data)
    old_page, old_text = mislabelled_page()
    (docs / "staraya.html").write_bytes(old_page)
    hyphenated, long_words = hyphenated_text()
    (docs / "perenos.txt").write_text(hyphenated, encoding="utf-8")
    record, record_words = hyphenated_text("ukr")
    (docs / "perenos.jsonl").write_text(json.dumps(
        {"id": "perenos-uk", "title": "Перенос", "text": record}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    rtf, rtf_said = turkish_rtf()
    (docs / "rapor.rtf").write_bytes(rtf)
    form, form_said = commented_form_pdf()
    (docs / "aitisi.pdf").write_bytes(form)
    page, caption = ukrainian_page()
    (docs / "novyny.html").write_text(page, encoding="utf-8")
    epub, epub_said = legacy_epub()
    (docs / "anthology.epub").write_bytes(epub)
    rtl = {}
    for lang in ("heb", "arb"):
        data, rtl[lang] = rtl_pdf(lang)
        (docs / f"{lang}.pdf").write_bytes(data)
    result = build_index(root / "idx", [docs])
    assert not result.skipped, result.skipped
    client = create_app({"TESTING": True, "INDEX_DIR": str(root / "idx")}).test_client()
    return {"client": client, "docx": said, "odt": odt_said, "odp": notes, "rtl": rtl, "epub": epub_said, "caption": caption, "note": note, "mails": mails, "old_page": old_text, "form": form_said, "rtf": rtf_said, "long_words": long_words,
            "record_words": record_words,
            "chart": chart_title,
            "docs": docs}


def _search(client: Any, q: str) -> dict[str, Any]:
    r = client.get(f"/api/search?q={quote(q)}")
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("token", DOCX_PARTS)
def test_every_part_of_a_word_file_is_found_and_marked(built: dict[str, Any], token: str) -> None:
    """Headers, footers, notes, comments, nested tables, content controls, tracked insertions
    and text boxes were lost (python-docx's paragraph API does not see them)."""
    hits = _search(built["client"], token)["hits"]
    assert [h["id"] for h in hits] == ["rapor.docx"], token
    assert f"<mark>{token}</mark>" in hits[0]["snippet_html"]
    # the sentence beside the token is found by its own words too, and only once
    sentence = built["docx"][token]
    assert [h["id"] for h in _search(built["client"], f'"{sentence}"')["hits"]] == ["rapor.docx"]


def test_a_word_text_box_is_read_once(built: dict[str, Any]) -> None:
    """Word keeps a text box twice (DrawingML and its VML fallback): its words count once."""
    body = built["client"].get("/api/doc?id=rapor.docx").get_json()["body_html"]
    assert body.count("zqtextbox") == 1
    assert body.count("zqheader") == 1  # and a header repeated by the sections once


@pytest.mark.parametrize("token", ODF_PARTS)
def test_opendocument_notes_headers_and_footers_are_found(built: dict[str, Any],
                                                          token: str) -> None:
    """An ODT's footnotes and endnotes (dropped with their citation) and its page header and
    footer (styles.xml, never read) are found by their words and marked."""
    hits = _search(built["client"], token)["hits"]
    assert [h["id"] for h in hits] == ["sprawozdanie.odt"], token
    assert f"<mark>{token}</mark>" in hits[0]["snippet_html"]
    sentence = built["odt"][token]
    assert [h["id"] for h in _search(built["client"], f'"{sentence}"')["hits"]] == [
        "sprawozdanie.odt"]
    # the note's citation mark and body stay out of the sentence that cites it
    body = built["client"].get("/api/doc?id=sprawozdanie.odt").get_json()["body_html"]
    cited = " ".join(_sentences("pol", 6)[5].split())  # no-break spaces are spaces
    assert cited in html.unescape(body)


def test_odp_speaker_notes_are_found_on_their_slide(built: dict[str, Any]) -> None:
    """Speaker notes were dropped from ODP (PPTX notes were read): found, marked, page 2."""
    hits = _search(built["client"], "zqodpnotes")["hits"]
    assert [h["id"] for h in hits] == ["charla.odp"]
    assert "<mark>zqodpnotes</mark>" in hits[0]["snippet_html"] and hits[0]["page"] == 2
    assert [h["id"] for h in _search(built["client"], f'"{built["odp"]}"')["hits"]] == [
        "charla.odp"]


RTL_WORDS = re.compile(r"[\u0590-\u08ff\ufb1d-\ufefc]+")


@pytest.mark.parametrize("lang", ["heb", "arb"])
def test_rtl_pdf_lines_laid_out_glyph_by_glyph_are_read(built: dict[str, Any], lang: str) -> None:
    """Hebrew 40 % and Arabic 80 % of the words of such PDFs were findable (a letter a line)."""
    client, text = built["client"], built["rtl"][lang]
    body = html.unescape(re.sub(r"<[^>]+>", "", client.get(
        f"/api/doc?id={lang}.pdf").get_json()["body_html"]))
    got = set(RTL_WORDS.findall(body))
    want = RTL_WORDS.findall(text)
    share = sum(w in got for w in want) / len(want)
    assert share > 0.95, share
    plain = {w for w in want if w.isalpha()}  # vowel points (niqqud) are marks, not letters
    for word in sorted(plain, key=len)[-3:]:  # the longest words are found
        hits = _search(client, word)["hits"]
        assert f"{lang}.pdf" in [h["id"] for h in hits], word
    assert "<mark>Reuters</mark>" in _search(client, "Reuters")["hits"][0]["snippet_html"]


@pytest.mark.parametrize("lang", list(EPUB_CHAPTERS))
def test_epub_chapters_in_a_stated_legacy_encoding_are_decoded(built: dict[str, Any],
                                                               lang: str) -> None:
    """EPUB chapters were read as UTF-8 whatever they declared: EUC-KR Korean, Shift_JIS
    Japanese and GB18030 Chinese came out as replacement characters, not one word findable."""
    client = built["client"]
    body = client.get("/api/doc?id=anthology.epub").get_json()["body_html"]
    assert "\ufffd" not in body
    sentence = built["epub"][lang].split(" ")[0]
    assert html.escape(sentence, quote=False) in body or sentence in html.unescape(body)
    hits = _search(client, f'"{sentence}"')["hits"]
    assert "anthology.epub" in [h["id"] for h in hits], sentence


def test_a_photo_caption_on_a_web_page_is_found(built: dict[str, Any]) -> None:
    """A <figcaption> was dropped with its <figure> by the main-text extraction."""
    hits = _search(built["client"], "zqcaption")["hits"]
    assert [h["id"] for h in hits] == ["novyny.html"]
    assert "<mark>zqcaption</mark>" in hits[0]["snippet_html"]
    assert [h["id"] for h in _search(built["client"], f'"{built["caption"]}"')["hits"]] == [
        "novyny.html"]


def test_a_spreadsheet_cell_note_is_found_on_its_sheet(built: dict[str, Any]) -> None:
    """openpyxl's read-only mode skips cell comments: a note on a cell was lost."""
    hits = _search(built["client"], "zqxlsxnote")["hits"]
    assert [h["id"] for h in hits] == ["zaryo.xlsx"]
    assert "<mark>zqxlsxnote</mark>" in hits[0]["snippet_html"] and hits[0]["page"] == 2


@pytest.mark.parametrize("token", ["zqcharttitle", "zqchartseries", "zqchartcategory"])
def test_a_slide_chart_s_title_series_and_categories_are_found(built: dict[str, Any],
                                                               token: str) -> None:
    """A chart on a slide kept no text: its title, series and category labels were lost."""
    hits = _search(built["client"], token)["hits"]
    assert [h["id"] for h in hits] == ["chart.pptx"]
    assert f"<mark>{token}</mark>" in hits[0]["snippet_html"] and hits[0]["page"] == 2


@pytest.mark.parametrize(("name", "lang", "header", "codepage", "token"), MAILS)
def test_mail_text_in_a_code_page_its_label_misnames(built: dict[str, Any], name: str, lang: str,
                                                     header: str, codepage: str,
                                                     token: str) -> None:
    """8-bit text with no charset came out as U+FFFD, Greek labelled ISO-8859-1 as Latin
    letters, windows-874 and x-mac-cyrillic (unknown to Python) subjects as U+FFFD."""
    client = built["client"]
    doc = client.get(f"/api/doc?id={name}").get_json()
    assert "\ufffd" not in doc["title"] + doc["body_html"]
    text = built["mails"][name]
    assert " ".join(text.split()[:5]) in html.unescape(doc["body_html"])
    hits = _search(client, token)["hits"]
    assert [h["id"] for h in hits] == [name] and f"<mark>{token}</mark>" in hits[0]["snippet_html"]
    first = " ".join(text.split()[1:3]) if lang != "tha" else text.split()[0][:12]
    assert name in [h["id"] for h in _search(client, f'"{first}"')["hits"]]


def test_a_web_page_whose_meta_misnames_its_code_page(built: dict[str, Any]) -> None:
    """Windows-1251 under a <meta> saying ISO-8859-1 (common on old sites) was Latin mojibake."""
    client = built["client"]
    doc = client.get("/api/doc?id=staraya.html").get_json()
    assert " ".join(built["old_page"].split()[:6]) in html.unescape(doc["body_html"])
    words = built["old_page"].split()[2:4]
    assert "staraya.html" in [h["id"] for h in _search(client, f'"{" ".join(words)}"')["hits"]]


@pytest.mark.parametrize("token", ["zqformfield", "zqsticky", "zqtypewriter"])
def test_pdf_form_values_and_comments_are_found_on_their_page(built: dict[str, Any],
                                                               token: str) -> None:
    """A filled-in field, a sticky note and a FreeText comment are not in PDFium's text layer:
    their words were lost."""
    client = built["client"]
    hits = _search(client, token)["hits"]
    assert [h["id"] for h in hits] == ["aitisi.pdf"]
    assert f"<mark>{token}</mark>" in hits[0]["snippet_html"] and hits[0]["page"] == 2
    words = " ".join(built["form"][token].split()[:4])
    assert "aitisi.pdf" in [h["id"] for h in _search(client, f'"{words}"')["hits"]]


@pytest.mark.parametrize("token", RTF_PARTS)
def test_rtf_headers_footers_footnotes_and_comments_are_found(built: dict[str, Any],
                                                              token: str) -> None:
    """striprtf skips them as destinations: a Word RTF lost its footnotes, comments, headers
    and footers; the title stays the body's first line."""
    client = built["client"]
    hits = _search(client, token)["hits"]
    assert [h["id"] for h in hits] == ["rapor.rtf"]
    assert f"<mark>{token}</mark>" in hits[0]["snippet_html"]
    words = " ".join(built["rtf"][token].split()[:4])
    assert "rapor.rtf" in [h["id"] for h in _search(client, f'"{words}"')["hits"]]
    assert hits[0]["title"] == " ".join(_sentences("tur", 1, skip=30)[0].split())


def test_an_odt_comment_is_its_own_words_and_deleted_text_is_gone(built: dict[str, Any]) -> None:
    """A comment was glued into its sentence with its author and date ('Nowak2024-02-02...',
    'zqodtcommentzqodtaftercomment'), and tracked deletions were indexed as text."""
    client = built["client"]
    for token in ("zqodtcomment", "zqodtaftercomment"):
        hits = _search(client, token)["hits"]
        assert [h["id"] for h in hits] == ["sprawozdanie.odt"], token
        assert f"<mark>{token}</mark>" in hits[0]["snippet_html"]
    assert _search(client, "zqodtdeleted")["hits"] == []
    body = html.unescape(client.get("/api/doc?id=sprawozdanie.odt").get_json()["body_html"])
    assert "2024-02-02" not in body and "Jan Kowalski" not in body


def test_words_split_by_soft_hyphens_or_zero_width_spaces_are_found(built: dict[str, Any]) -> None:
    """A soft hyphen or a zero-width space inside a word (invisible, copied from hyphenated
    pages) cut it in two for every tokenizer: the whole word was not found."""
    client = built["client"]
    assert built["long_words"]
    for word in built["long_words"]:
        assert "perenos.txt" in [h["id"] for h in _search(client, word)["hits"]], word
        pasted = word[:3] + "\u00ad" + word[3:]  # a query pasted with the hyphen in it
        assert "perenos.txt" in [h["id"] for h in _search(client, pasted)["hits"]], word
    body = client.get("/api/doc?id=perenos.txt").get_json()["body_html"]
    assert "\u00ad" not in body and "\u200b" not in body
    for word in built["record_words"]:  # a JSON record's text too
        assert "perenos-uk" in [h["id"] for h in _search(client, word)["hits"]], word


def test_a_declared_language_the_text_cannot_be_in_is_not_trusted(tmp_path: Path) -> None:
    """A template's `<html lang="en">` on an Arabic article and `lang: en` in the front matter of
    Thai notes were trusted: filed and analysed as English, and the Thai file failed the canary
    query, so every rebuild of the folder was refused. Latin text declared Vietnamese keeps it."""
    docs = tmp_path / "docs"
    docs.mkdir()
    arabic = _sentences("arb", 6, skip=50)
    (docs / "maqal.html").write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{arabic[0]}</title>'
        f"</head><body><article><h1>{arabic[0]}</h1>"
        + "".join(f"<p>{line}</p>" for line in arabic[1:]) + "</article></body></html>",
        encoding="utf-8")
    thai = _sentences("tha", 6, skip=50)
    (docs / "banthuek.md").write_text("---\ntitle: x\nlang: en\n---\n" + "\n".join(thai),
                                      encoding="utf-8")
    english = _sentences("ind", 3, skip=50)  # Indonesian text declared Vietnamese: same script
    (docs / "ghi-chu.md").write_text("---\ntitle: Ghi chú\nlang: vi\n---\n" + "\n".join(english),
                                     encoding="utf-8")
    for _ in range(2):  # the second build replaces a serving index: its canaries must pass
        result = build_index(tmp_path / "idx", [docs])
    assert result.languages == {"ar": 1, "th": 1, "vi": 1}, result.languages
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "idx")}).test_client()
    word = max(arabic[2].split(), key=len).strip(".,،")
    hits = _search(client, word)["hits"]
    assert [(h["id"], h["lang"]) for h in hits] == [("maqal.html", "ar")]


def _cut_member(data: bytes, member: str) -> bytes:
    """The zip with one member cut in half (damaged XML)."""
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            blob = zin.read(item.filename)
            zout.writestr(item, blob[: len(blob) // 2] if item.filename == member else blob)
    return out.getvalue()


def test_a_damaged_notes_part_costs_only_the_notes(tmp_path: Path) -> None:
    """The parts read now (DOCX footnotes, XLSX cell notes, ODT styles) can be damaged while the
    body is fine: the file is still indexed and its body found, never skipped whole."""
    docs = tmp_path / "docs"
    docs.mkdir()
    docx_data, _ = turkish_docx()
    (docs / "rapor.docx").write_bytes(_cut_member(docx_data, "word/footnotes.xml"))
    xlsx_data, _ = korean_xlsx()
    comments = [n for n in zipfile.ZipFile(io.BytesIO(xlsx_data)).namelist() if "comment" in n
                and n.endswith(".xml")]
    (docs / "zaryo.xlsx").write_bytes(_cut_member(xlsx_data, comments[0]))
    odt_data, _ = polish_odt()
    (docs / "sprawozdanie.odt").write_bytes(_cut_member(odt_data, "styles.xml"))
    result = build_index(tmp_path / "idx", [docs])
    assert result.skipped == [] and result.documents == 3
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "idx")}).test_client()
    for doc_id, words in (("rapor.docx", _sentences("tur", 1)[0]),
                          ("zaryo.xlsx", _sentences("kor", 1)[0]),
                          ("sprawozdanie.odt", _sentences("pol", 1)[0])):
        phrase = " ".join(words.split()[:3])
        assert doc_id in [h["id"] for h in _search(client, f'"{phrase}"')["hits"]], doc_id


@pytest.mark.parametrize(("token", "doc_id", "page"), [("zqsmartslide", "chart.pptx", 2),
                                                       ("zqsmartdoc", "rapor.docx", None)])
def test_smartart_text_is_found(built: dict[str, Any], token: str, doc_id: str,
                                page: int | None) -> None:
    """A SmartArt diagram keeps its words in a diagram data part nobody read."""
    hits = _search(built["client"], token)["hits"]
    assert [h["id"] for h in hits] == [doc_id]
    assert f"<mark>{token}</mark>" in hits[0]["snippet_html"] and hits[0]["page"] == page


def _half_width(text: str) -> str:
    """Katakana as JIS X 0201 half-width forms, the way legacy Shift_JIS systems wrote them."""
    table = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF66, 0xFF9E)}
    table |= {"\u3099": "\uff9e", "\u309a": "\uff9f", "\u30fc": "\uff70"}
    return "".join(table.get(c, c) for c in unicodedata.normalize("NFD", text))


def test_half_width_katakana_and_full_width_queries_meet(tmp_path: Path) -> None:
    """A legacy Shift_JIS file writes katakana half-width ('ﾃﾞｰﾀ'): a query typed full-width
    ('データ'), as everyone types, found nothing, nor the other way round."""
    docs = tmp_path / "docs"
    docs.mkdir()
    lines = [line for line in _sentences("jpn", 200) if re.search("[\u30a1-\u30fa]{4,}", line)]
    legacy, modern = lines[0], lines[1]
    (docs / "kyu.txt").write_bytes(_half_width(legacy).encode("shift_jis"))
    (docs / "shin.txt").write_text(modern, encoding="utf-8")
    build_index(tmp_path / "idx", [docs])
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "idx")}).test_client()
    word = max(re.findall("[\u30a1-\u30fa\u30fc]{4,}", legacy), key=len)
    assert "kyu.txt" in [h["id"] for h in _search(client, word)["hits"]], word
    other = max(re.findall("[\u30a1-\u30fa\u30fc]{4,}", modern), key=len)
    assert "shin.txt" in [h["id"] for h in _search(client, _half_width(other))["hits"]], other


def test_a_workbook_without_a_title_is_named_by_its_title_row(tmp_path: Path) -> None:
    """Without a title in its properties a workbook was titled by its first sheet's name, so
    every such result read "Sheet" or "Sheet1"; its title row (one text cell) names it now."""
    import openpyxl

    docs = tmp_path / "docs"
    docs.mkdir()
    title = _sentences("kor", 1, skip=80)[0]
    book = openpyxl.Workbook()  # its first sheet is "Sheet", as Excel's is "Sheet1"
    book.active["A1"] = title
    book.active.append([])
    book.active.append(["지역", "분기", "매출"])
    book.active.append(["서울", "1분기", 120])
    book.save(docs / "maechul.xlsx")
    build_index(tmp_path / "idx", [docs])
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "idx")}).test_client()
    hits = _search(client, "서울")["hits"]
    assert [(h["id"], h["title"]) for h in hits] == [("maechul.xlsx", " ".join(title.split()))]
