"""What a format reader returns (Extracted), the limits it honours (Limits), and SkipFile."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass
class Extracted:
    body: str  # NFC text
    title: str = ""  # from the document's own metadata/first heading, never the file name
    date: datetime.date | None = None
    lang: str = ""  # ISO 639-1 from the document if it says (html lang, docx language), else ''
    author: str = ""
    format: str = ""  # 'pdf','docx','odt','rtf','pptx','xlsx','ods','epub','eml','mbox','html','txt','md'
    pages: tuple[int, ...] = ()  # for paged formats: char offset in body where each page starts
    url: str = ""  # canonical URL if the document names one
    part: str = ""  # sub-id inside a container file: mbox message number, attachment name
    parent: str = ""  # for an e-mail attachment: the subject of its message
    tags: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()  # lines the reader itself recognised as page furniture


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_pages: int = 2000  # PDF pages/slides read at most (rest reported)
    max_chars: int = 5_000_000  # text kept per document
    max_unzipped: int = 200 * 1024 * 1024  # zip bomb guard for docx/odt/pptx/epub/xlsx
    max_seconds: float = 60.0  # per file
    ocr: bool = False
    ocr_langs: str = "eng"


class SkipFile(Exception):
    """The file is reported and skipped, with this message as the reason."""
