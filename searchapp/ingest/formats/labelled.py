"""Text in the charset a mail part, a header or a web page means rather than says.

Mail archives and old web pages are full of labels that do not fit the bytes: no charset at all on 8-bit text
(a mail's RFC default, US-ASCII, then turned every Cyrillic letter into U+FFFD), Cyrillic, Greek or
Hebrew text labelled ISO-8859-1 in a Content-Type or a <meta> (read as `Â èñòîðèè`), Outlook's and old clients' names that
Python does not know (`windows-874`, `x-mac-cyrillic`) or that stand for a larger code page
(`ks_c_5601-1987` is UHC, `gb2312` mail holds GBK, `shift_jis` mail holds Windows-31J).
"""

from __future__ import annotations

import codecs
import email.header
import re
import unicodedata
from typing import Any

from searchapp.ingest.extracted import SkipFile
from searchapp.ingest.formats.encoding import detect

# Labels mail clients write, as the code page they mean (a superset where clients use one).
_MEANS = {
    "windows-874": "cp874", "x-mac-cyrillic": "mac_cyrillic", "x-mac-roman": "mac_roman",
    "x-mac-greek": "mac_greek", "x-mac-ce": "mac_latin2", "x-mac-turkish": "mac_turkish",
    "x-mac-icelandic": "mac_iceland", "iso-8859-8-i": "iso8859_8", "iso-8859-6-i": "iso8859_6",
    "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "gb2312": "gb18030", "gbk": "gb18030",
    "x-gbk": "gb18030", "shift_jis": "cp932", "x-sjis": "cp932", "big5": "cp950",
    "x-user-defined": "", "unknown-8bit": "", "x-unknown": "", "default": "",
}
# Labels often put on text in another single-byte code page: checked against the bytes.
_WESTERN = {"iso8859-1", "latin-1", "cp1252", "iso8859-15", "ascii"}
_FOREIGN_SHARE = 0.4  # Western text has a few accented letters, not mostly non-ASCII ones
_MIN_LETTERS = 40
# A page's scripts, styles and tags: their ASCII letters are not the text's.
_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>|&\w+;", re.IGNORECASE | re.DOTALL)


def codec(label: str | None) -> str:
    """The Python codec a mail charset label stands for, '' when unknown or missing."""
    name = (label or "").strip().strip('"').lower()
    name = _MEANS.get(name, name)
    if not name:
        return ""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def _foreign(text: str) -> bool:
    """Whether most letters are non-ASCII: another script's bytes read as a Western code page
    (a text too short to tell keeps its label)."""
    letters = [c for c in _MARKUP.sub(" ", text) if c.isalpha()]
    return len(letters) >= _MIN_LETTERS and sum(
        not c.isascii() for c in letters) > _FOREIGN_SHARE * len(letters)


def _detected(payload: bytes) -> tuple[str, str]:
    """(text, codec) detected; a part that looks binary is read as UTF-8, never loses the mail."""
    try:
        return detect(payload)
    except SkipFile:
        return payload.decode("utf-8", "replace"), "utf-8"


def decode_labelled(payload: bytes, label: str | None) -> str:
    """Bytes as text: in the charset their label names when it fits, else the one detected."""
    name = codec(label)
    if not name or name == "ascii":
        return _detected(payload)[0]  # no charset, or 8-bit bytes the label denies; ISO-2022
    try:
        text = payload.decode(name)
    except UnicodeDecodeError:
        return _detected(payload)[0]
    if name in _WESTERN and _foreign(text):
        guessed, found = _detected(payload)
        if codec(found) not in _WESTERN:
            return guessed
    return unicodedata.normalize("NFC", text)


def decode_header(raw: str) -> str:
    """An RFC 2047 header whose encoded words name a charset Python does not know."""
    out: list[str] = []
    for chunk, label in email.header.decode_header(raw):
        if isinstance(chunk, str):
            out.append(chunk)
        else:
            out.append(decode_labelled(chunk, label) if chunk else "")
    return "".join(out)


def header_text(msg: Any, name: str, value: str) -> str:
    """value, or when it holds U+FFFD the header decoded again from its raw source."""
    if "\ufffd" not in value:
        return value
    for key, raw in msg.raw_items():
        if key.lower() == name.lower():
            try:
                return decode_header(str(raw))
            except Exception:  # noqa: BLE001 - keep what the email package made of it
                return value
    return value
