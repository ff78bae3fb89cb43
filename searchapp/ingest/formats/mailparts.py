"""The parts of one e-mail: every text part, its attached files, its inner messages.

A message is a tree: multipart/mixed holds a body and attachments, multipart/alternative the
same text as plain and HTML (one is read: plain, else HTML), multipart/digest (a Mailman digest)
and message/rfc822 (a forwarded message, attached or inline) hold whole messages, which are read
as documents of their own.  Every inline text part counts, not only the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

MAX_DEPTH = 20  # multiparts inside multiparts: real mail has a handful


@dataclass
class Parts:
    """What one message holds, in order."""

    # (plain|html|html-alternative, content); html-alternative: the HTML twin of the plain text
    # before it, read only when that plain text is a stub ("view this mail in HTML")
    texts: list[tuple[str, str]] = field(default_factory=list)
    files: list[Any] = field(default_factory=list)  # attachment parts with a file name
    messages: list[EmailMessage] = field(default_factory=list)  # forwarded / digest messages


def split(msg: EmailMessage, read: Any) -> Parts:
    """The parts of msg; read(part) -> str decodes a text part."""
    out = Parts()
    _visit(msg, out, read, 0)
    return out


def _is_file(part: Any) -> bool:
    return bool(part.get_filename()) and (
        part.get_content_disposition() == "attachment" or part.get_content_maintype() != "text"
    )


def _best(alternative: Any) -> Any:
    """The plain-text alternative, else the HTML one, else the last (the richest)."""
    options = list(alternative.iter_parts())
    for wanted in ("text/plain", "text/html"):
        for option in options:
            if option.get_content_type() == wanted and not _is_file(option):
                return option
    for option in reversed(options):
        if option.is_multipart():
            return option
    return options[-1] if options else None


def _html_alternative(alternative: Any, chosen: Any) -> Any:
    """The HTML alternative beside a chosen plain one, or None."""
    if chosen.get_content_type() != "text/plain":
        return None
    for option in alternative.iter_parts():
        if option.get_content_type() == "text/html" and not _is_file(option):
            return option
    return None


def _visit(part: Any, out: Parts, read: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        if isinstance(inner, EmailMessage):
            out.messages.append(inner)
        return
    if part.is_multipart():
        if ctype == "multipart/alternative":
            best = _best(part)
            if best is not None:
                _visit(best, out, read, depth + 1)
                html = _html_alternative(part, best)
                if html is not None and out.texts and out.texts[-1][0] == "plain":
                    text = read(html)
                    if text.strip():  # the body keeps it when the plain text is only a stub
                        out.texts.append(("html-alternative", text))
            return
        for sub in part.iter_parts():
            _visit(sub, out, read, depth + 1)
        return
    if _is_file(part):
        out.files.append(part)
    elif part.get_content_maintype() == "text":
        subtype = "html" if part.get_content_subtype() == "html" else "plain"
        text = read(part)
        if text.strip():
            out.texts.append((subtype, text))
