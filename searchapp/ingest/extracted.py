"""What a format reader returns (Extracted), the limits it honours (Limits), and SkipFile."""

from __future__ import annotations

import datetime
import os
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

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, max_bytes: int | None = None) -> Limits:
        """The limits set by SEARCHAPP_* variables (README, configuration)."""
        env = dict(os.environ if env is None else env)
        d = cls()
        return cls(
            max_bytes=max_bytes or d.max_bytes,
            max_pages=int(env.get("SEARCHAPP_MAX_PAGES") or d.max_pages),
            max_chars=int(env.get("SEARCHAPP_MAX_CHARS") or d.max_chars),
            max_unzipped=int(float(env.get("SEARCHAPP_MAX_UNZIPPED_MB") or 0) * 1024 * 1024)
            or d.max_unzipped,
            max_seconds=float(env.get("SEARCHAPP_FILE_TIMEOUT") or d.max_seconds),
            ocr=env.get("SEARCHAPP_OCR", "") in ("1", "true", "yes"),
            ocr_langs=env.get("SEARCHAPP_OCR_LANGS") or d.ocr_langs,
        )


class SkipFile(Exception):
    """The file is reported and skipped, with this message as the reason."""
