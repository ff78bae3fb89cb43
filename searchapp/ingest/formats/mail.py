"""E-mail: .eml files and .mbox mailboxes, with readable attachments as their own documents.

Parsed by the standard library's ``email`` package with ``policy.default`` (RFC 2047 subjects and
names decoded, Date parsed).  Every inline text part is read (mailparts.py; of alternatives the
plain one, else all of the HTML one's visible text), in the charset the mail means (labelled.py:
missing, unknown or lying labels go through encoding's detection).  Attachments whose type another reader handles
(PDF, DOCX, HTML, text...) are read by it and returned with parent=subject and part=file name;
forwarded messages and a digest's messages are documents of their own (part=message-N, parent=
subject).  In an mbox a damaged message is skipped and the others kept.
"""

from __future__ import annotations

import email
import logging
import re
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any

from searchapp.ingest.extracted import Extracted, Limits, SkipFile
from searchapp.ingest.formats._common import Deadline, check_size, guarded, one_line, tidy
from searchapp.ingest.formats.encoding import decode_text
from searchapp.ingest.formats.labelled import decode_labelled, header_text
from searchapp.ingest.formats.mailparts import MAX_DEPTH, Parts, split

SUFFIXES = {".eml", ".mbox"}
_FROM_LINE = re.compile(rb"^From [^\n]*\n", re.MULTILINE)
_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
log = logging.getLogger(__name__)
_STUB = 3  # an HTML alternative this many times longer than its plain text replaces it


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # noqa: BLE001 - a damaged header must not lose the message
        raw = msg.get_all(name, failobj=[None])
        value = raw[0] if raw else None
    return one_line(header_text(msg, name, str(value))) if value is not None else ""


def _date(msg: EmailMessage) -> Any:
    try:
        header = msg.get("date")
        when = getattr(header, "datetime", None)
        if when is None and header:
            when = parsedate_to_datetime(str(header))
        return when.date() if when is not None else None
    except Exception:  # noqa: BLE001 - unparsable Date header
        return None


def _author(msg: EmailMessage) -> str:
    try:
        header = msg.get("from")
        addresses = getattr(header, "addresses", ())
        if addresses:
            return one_line(addresses[0].display_name or addresses[0].addr_spec)
        return one_line(str(header)) if header else ""
    except Exception:  # noqa: BLE001
        return ""


def _part_text(part: Any) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return decode_labelled(payload, part.get_param("charset"))  # labelled.py
    content = part.get_content()
    return decode_text(content) if isinstance(content, bytes) else str(content)


def _html_text(html: str) -> str:
    """All the visible text of an HTML mail part (no main-content pruning: a mail has no menus)."""
    from searchapp.ingest.formats.webpage import visible_text

    return visible_text(html)


def _body(parts: Parts, limits: Limits) -> str:
    seen: set[str] = set()
    texts: list[str] = []
    last, added = 0, False  # the previous text part's length, and whether it was kept
    for subtype, content in parts.texts:
        text = tidy(content if subtype == "plain" else _html_text(content))
        if subtype == "html-alternative":
            if len(text) <= _STUB * max(1, last):
                continue  # the plain text said it already
            if added:  # the plain text was a stub ("view this mail in a browser")
                seen.discard(texts.pop())
        added = bool(text) and text not in seen
        last = len(text)
        if added:
            seen.add(text)
            texts.append(text)
    return tidy("\n\n".join(texts), limits)


def _attachments(
    parts: Parts, subject: str, date: Any, author: str, prefix: str, limits: Limits
) -> list[Extracted]:
    from searchapp.ingest.formats.dispatch import reader_for

    out: list[Extracted] = []
    for part in parts.files:
        filename = part.get_filename() or ""
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload:
            continue
        if filename.lower().endswith(".eml"):  # a forwarded message sent as a file
            try:
                parts.messages.append(_parse(payload))
            except Exception as exc:  # noqa: BLE001 - a damaged inner message: the rest is kept
                log.warning("attached message %s of %r skipped: %s", filename, subject, exc)
            continue
        reader = reader_for(filename)
        if reader is None or filename.lower().endswith(tuple(SUFFIXES)):
            continue
        try:
            docs = reader(payload, filename, limits)
        except SkipFile as exc:
            log.warning("attachment %s of %r skipped: %s", filename, subject, exc)
            continue
        for doc in docs:
            doc.parent = subject
            doc.part = prefix + filename
            doc.date = doc.date or date
            doc.author = doc.author or author
            out.append(doc)
    return out


def _message(msg: EmailMessage, limits: Limits, fmt: str, part: str, parent: str = "",
             depth: int = 0) -> list[Extracted]:
    """The message as a document (id suffix `part`), its attachments and its inner messages
    (`part/message-N`: a forwarded message, a digest's messages) as documents naming it."""
    subject = _header(msg, "subject")
    date = _date(msg)
    author = _author(msg)
    parts = split(msg, _part_text)
    body = _body(parts, limits)
    prefix = f"{part}/" if part else ""
    out: list[Extracted] = []
    if body or subject:
        out.append(Extracted(body=body, title=subject, date=date, author=author, format=fmt,
                             part=part, parent=parent))
    out.extend(_attachments(parts, subject, date, author, prefix, limits))
    if depth < MAX_DEPTH:
        for number, inner in enumerate(parts.messages, start=1):
            out.extend(_message(inner, limits, fmt, f"{prefix}message-{number}",
                                subject or parent, depth + 1))
    return out


def split_mbox(data: bytes) -> list[bytes]:
    """The messages of an mbox (mboxo/mboxrd): split at 'From ' lines, '>From ' unquoted."""
    starts = [m.start() for m in _FROM_LINE.finditer(data)]
    if not starts or data[: starts[0]].strip():
        raise SkipFile("not an mbox (does not start with a 'From ' line)")
    chunks = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(data)
        chunk = data[start:end]
        chunk = chunk[chunk.index(b"\n") + 1:]
        chunks.append(_QUOTED_FROM.sub(rb"\1", chunk))
    return chunks


def _parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


@guarded("e-mail")
def extract(data: bytes, name: str, limits: Limits) -> list[Extracted]:
    check_size(data, limits)
    if name.lower().endswith(".mbox"):
        return _mbox(data, limits)
    msg = _parse(data)
    if not msg.keys():
        raise SkipFile("not an e-mail (no headers)")
    try:
        docs = _message(msg, limits, "eml", "")
    except SkipFile:
        raise
    except Exception as exc:  # noqa: BLE001
        raise SkipFile(f"malformed e-mail ({type(exc).__name__}: {exc})") from None
    if not docs:
        raise SkipFile("empty e-mail (no subject, text or readable attachment)")
    return docs


def _mbox(data: bytes, limits: Limits) -> list[Extracted]:
    deadline = Deadline(limits)
    out: list[Extracted] = []
    skipped = 0
    for number, raw in enumerate(split_mbox(data), start=1):
        if deadline.expired():
            log.warning("mbox: stopped at message %d (time limit)", number)
            break
        try:
            msg = _parse(raw)
            if not msg.keys() or msg.defects and not (msg.get("subject") or msg.get("from")):
                raise ValueError(f"no usable headers ({len(msg.defects)} defects)")
            out.extend(_message(msg, limits, "mbox", str(number)))
        except Exception as exc:  # noqa: BLE001 - one bad message must not lose the mailbox
            skipped += 1
            log.warning("mbox message %d skipped: %s", number, exc)
    if not out:
        raise SkipFile(f"no readable message in mbox ({skipped} malformed)")
    return out
