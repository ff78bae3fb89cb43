"""RTF through striprtf, in the code page the file declares (\\ansicpgNNNN); \\info metadata;
\\uN surrogate pairs joined into the characters outside the BMP they stand for."""

from __future__ import annotations

import codecs
import datetime
import re

from striprtf.striprtf import rtf_to_text

from searchapp.ingest.extracted import Extracted, Limits, SkipFile
from searchapp.ingest.formats._common import heading_title, one_line, tidy

SUFFIXES = {".rtf"}
_CPG = re.compile(rb"\\ansicpg(\d+)")
_INFO = r"\{\\%s\s*((?:[^{}\\]|\\[^{}]|\\[{}])*)\}"
_CREATIM = re.compile(
    r"\{\\creatim\\yr(\d{4})\\mo(\d{1,2})\\dy(\d{1,2})"
)


def join_surrogates(text: str) -> str:
    """Pair the UTF-16 halves RTF writes for characters outside the BMP (\\u-10179?\\u-8704?
    is one emoji); a lone half becomes U+FFFD."""
    if not any("\ud800" <= c <= "\udfff" for c in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _codepage(data: bytes) -> str:
    m = _CPG.search(data[:4096])
    enc = f"cp{int(m[1])}" if m else "cp1252"
    try:
        codecs.lookup(enc)
    except LookupError:
        enc = "cp1252"
    return enc


def _info(raw: str, field: str, enc: str) -> str:
    m = re.search(_INFO % field, raw)
    if not m:
        return ""
    try:
        return one_line(join_surrogates(
            rtf_to_text("{\\rtf1 " + m[1] + "}", encoding=enc, errors="replace")))
    except Exception:  # noqa: BLE001 - striprtf raises assorted errors on odd control words
        return ""


def extract(data: bytes, name: str, limits: Limits) -> list[Extracted]:
    if not data.lstrip().startswith(b"{\\rtf"):
        raise SkipFile("corrupt RTF (no {\\rtf header)")
    enc = _codepage(data)
    raw = data.decode("latin-1")  # RTF is 7-bit; \\'xx bytes are decoded by striprtf with enc
    try:
        text = rtf_to_text(raw, encoding=enc, errors="replace")
    except Exception as exc:  # noqa: BLE001
        raise SkipFile(f"corrupt RTF ({exc})") from None
    body = tidy(join_surrogates(text), limits)
    if not body:
        raise SkipFile("no text in RTF")
    date = None
    m = _CREATIM.search(raw)
    if m:
        try:
            date = datetime.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            date = None
    title = _info(raw, "title", enc) or heading_title(body)
    return [Extracted(body=body, title=title, date=date, author=_info(raw, "author", enc),
                      format="rtf")]
