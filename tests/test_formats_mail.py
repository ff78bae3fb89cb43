"""E-mail readers on real messages: RFC 2047, legacy charsets, attachments, a damaged mbox."""

from __future__ import annotations

import datetime
import io
from email.message import EmailMessage
from email.utils import format_datetime

import pytest

from searchapp.ingest.extracted import Limits, SkipFile
from searchapp.ingest.formats import mail
from tests.test_formats_text import encode_1258

LIMITS = Limits()


def _pdf(text: str) -> bytes:
    from fpdf import FPDF

    doc = FPDF()
    doc.set_title("Quarterly figures")
    doc.set_font("Helvetica", size=12)
    doc.add_page()
    doc.multi_cell(0, 8, text)
    return bytes(doc.output())


def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_eml_with_rfc2047_subject_html_body_and_attachments() -> None:
    msg = EmailMessage()
    msg["Subject"] = "Báo cáo quý III – số liệu"
    msg["From"] = "Phạm Minh Châu <chau@example.vn>"
    msg["To"] = "team@example.vn"
    msg["Date"] = format_datetime(datetime.datetime(2024, 10, 5, 9, 15,
                                                    tzinfo=datetime.UTC))
    msg.set_content("Xin gửi anh chị báo cáo quý III.\nTrân trọng.")
    msg.add_alternative("<html><body><p>Xin gửi anh chị <b>báo cáo</b> quý III.</p>"
                        "<p>Trân trọng.</p></body></html>", subtype="html")
    msg.add_attachment(_pdf("Revenue grew by twelve percent in the third quarter."),
                       maintype="application", subtype="pdf", filename="figures.pdf")
    msg.add_attachment(_docx("Biên bản cuộc họp ngày 5 tháng 10."), maintype="application",
                       subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                       filename="bien-ban.docx")
    msg.add_attachment("Ghi chú: họp lại vào thứ Hai.".encode(), maintype="text",
                       subtype="plain", filename="ghi-chu.txt")
    msg.add_attachment(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, maintype="image", subtype="png",
                       filename="logo.png")
    raw = msg.as_bytes()
    assert b"=?utf-8?" in raw.lower()  # the subject really is RFC 2047 encoded on the wire
    docs = mail.extract(raw, "q3.eml", LIMITS)
    assert [d.part for d in docs] == ["", "figures.pdf", "bien-ban.docx", "ghi-chu.txt"]
    message, attached_pdf, attached_docx, note = docs
    assert message.title == "Báo cáo quý III – số liệu"
    assert message.author == "Phạm Minh Châu"
    assert message.date == datetime.date(2024, 10, 5) and message.format == "eml"
    assert message.body == "Xin gửi anh chị báo cáo quý III.\nTrân trọng."
    assert attached_pdf.format == "pdf" and attached_pdf.parent == message.title
    assert "twelve percent" in attached_pdf.body and attached_pdf.title == "Quarterly figures"
    assert attached_docx.body == "Biên bản cuộc họp ngày 5 tháng 10."
    assert attached_docx.parent == message.title
    assert note.body == "Ghi chú: họp lại vào thứ Hai." and note.format == "txt"
    assert (note.date, note.author) == (message.date, message.author)  # inherited


def test_html_only_mail_is_turned_into_text() -> None:
    msg = EmailMessage()
    msg["Subject"] = "Newsletter"
    msg["From"] = "news@example.org"
    msg.set_content("<html><body><nav>Home | Unsubscribe</nav><article><p>The library opens "
                    "a new reading room for children next Monday, with two thousand books "
                    "donated by readers.</p></article></body></html>", subtype="html")
    (doc,) = mail.extract(msg.as_bytes(), "n.eml", LIMITS)
    assert "new reading room" in doc.body and "<p>" not in doc.body
    assert doc.author == "news@example.org"


def _q(text: str) -> str:
    """An RFC 2047 Q-encoded word in windows-1258 (tones as combining marks)."""
    import binascii

    data = encode_1258(text)
    return "=?windows-1258?Q?" + binascii.b2a_qp(data, header=True).decode() + "?="


def test_windows_1258_mail_decodes_to_precomposed_vietnamese() -> None:
    import quopri

    body = "Ngày mai nghỉ họp. Xin thông báo tới toàn thể nhân viên."
    raw = (
        f"Subject: {_q('Thông báo')}\r\nFrom: {_q('Trần Văn B')} <b@example.vn>\r\n"
        "Date: Mon, 3 Jun 2019 08:00:00 +0700\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=windows-1258\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode("ascii") + quopri.encodestring(encode_1258(body))
    assert b"\xcc" in encode_1258(body) or b"\xd2" in encode_1258(body)  # combining marks
    (doc,) = mail.extract(raw, "tb.eml", LIMITS)
    assert doc.title == "Thông báo"
    assert doc.author == "Trần Văn B"
    assert doc.body == body
    assert doc.date == datetime.date(2019, 6, 3)


def test_iso_2022_jp_mail() -> None:
    body = "会議は明日の午後三時に始まります。資料を準備してください。"
    raw = (
        b"Subject: =?iso-2022-jp?B?" + __import__("base64").b64encode(
            "会議のお知らせ".encode("iso-2022-jp")) + b"?=\r\n"
        b"From: tanaka@example.jp\r\nDate: Tue, 4 Feb 2020 10:00:00 +0900\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n"
        b"Content-Transfer-Encoding: 7bit\r\n\r\n" + body.encode("iso-2022-jp") + b"\r\n"
    )
    (doc,) = mail.extract(raw, "jp.eml", LIMITS)
    assert doc.title == "会議のお知らせ" and doc.body == body


def test_unknown_charset_falls_back_to_detection() -> None:
    text = "Привет! Отчёт за месяц готов, посмотрите, пожалуйста, до пятницы. Спасибо."
    raw = (b"Subject: report\r\nFrom: a@example.ru\r\nContent-Type: text/plain; "
           b"charset=x-unknown\r\n\r\n" + text.encode("cp1251"))
    (doc,) = mail.extract(raw, "r.eml", LIMITS)
    assert doc.body == text


def _mbox_message(number: int) -> bytes:
    msg = EmailMessage()
    msg["Subject"] = f"Weekly update {number}"
    msg["From"] = f"Person {number} <p{number}@example.org>"
    msg["Date"] = format_datetime(datetime.datetime(2021, 3, number, 12, 0,
                                                    tzinfo=datetime.UTC))
    msg.set_content(f"Update number {number}.\nFrom the desk of the editor.\n")
    return msg.as_bytes()


def test_mbox_keeps_good_messages_and_skips_a_malformed_one() -> None:
    parts = [
        b"From p1@example.org Mon Mar  1 12:00:00 2021\n" + _mbox_message(1),
        (b"From MAILER-DAEMON Tue Mar  2 12:00:00 2021\n\x00\x01\x02garbage without headers"
         b"\xff\xfe\n--- no colon here ---\n"),
        b"From p2@example.org Tue Mar  2 12:00:00 2021\n" + _mbox_message(2),
        b"From p3@example.org Wed Mar  3 12:00:00 2021\n" + _mbox_message(3),
    ]
    # mboxo quoting: a body line starting with "From " is written as ">From ".
    data = b"\n".join(p.replace(b"\nFrom the desk", b"\n>From the desk") for p in parts)
    docs = mail.extract(data, "archive.mbox", LIMITS)
    assert [d.title for d in docs] == ["Weekly update 1", "Weekly update 2", "Weekly update 3"]
    assert [d.part for d in docs] == ["1", "3", "4"]
    assert docs[1].body == "Update number 2.\nFrom the desk of the editor."
    assert docs[2].date == datetime.date(2021, 3, 3) and docs[2].format == "mbox"


def test_not_mail() -> None:
    with pytest.raises(SkipFile, match="not an mbox"):
        mail.extract(b"hello world\n", "x.mbox", LIMITS)
    with pytest.raises(SkipFile):
        mail.extract(b"\x00\x01 no headers at all", "x.eml", LIMITS)
