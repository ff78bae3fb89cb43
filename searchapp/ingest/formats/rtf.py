"""RTF through striprtf, in the code page the file declares (\\ansicpgNNNN); \\info metadata;
\\uN surrogate pairs joined into the characters outside the BMP they stand for; headers,
footers, footnotes and comments read as paragraphs where they stand."""

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
# Groups striprtf skips as destinations although Word shows their text: footnotes and endnotes
# (\footnote) and comments (\*\annotation), read as paragraphs where they stand; headers and
# footers, read after the body (their text is not the document's first line, hence its title).
_SHOWN = re.compile(r"\{\\(?:\*\\annotation|footnote)(?![a-z])")
_PAGE_PARTS = re.compile(r"\{\\(?:header|footer)[lrf]?(?![a-z])")


def _page_parts(raw: str) -> tuple[str, str]:
    """(raw without its header and footer groups, those groups as paragraphs of their own)."""
    kept: list[str] = []
    parts: list[str] = []
    at = 0
    for m in _PAGE_PARTS.finditer(raw):
        if m.start() < at:
            continue  # inside a group taken already
        depth, i = 0, m.start()
        while i < len(raw):
            c = raw[i]
            if c == "\\":
                i += 2
                continue
            depth += (c == "{") - (c == "}")
            i += 1
            if depth == 0:
                break
        kept.append(raw[at:m.start()])
        parts.append("{\\par " + raw[m.end():i])
        at = i
    kept.append(raw[at:])
    return "".join(kept), "".join(parts)
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
        body_raw, page_parts = _page_parts(_SHOWN.sub(r"{\\par ", raw))
        if page_parts:  # after the body, inside the document's group (its fonts still apply)
            cut = body_raw.rstrip().rfind("}")
            cut = cut if cut >= 0 else len(body_raw)
            body_raw = body_raw[:cut] + "\\par " + page_parts + body_raw[cut:]
        text = rtf_to_text(body_raw, encoding=enc, errors="replace")
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
