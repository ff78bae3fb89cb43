"""A text original in a legacy encoding, re-encoded as UTF-8 for the browser.

The index decodes Windows-1258, GB18030, Shift-JIS, UTF-16 without a BOM... by the bytes
(ingest/formats/encoding.py); sent as they are under `charset=utf-8` the browser showed
replacement characters, and many of those code pages are not in the browser's list anyway.
The same detection decides here, so the page shows the text the index holds; `?download=1`
still sends the exact bytes.
"""

from __future__ import annotations

from pathlib import Path

from ..ingest.extracted import SkipFile
from ..ingest.formats.encoding import detect

MAX_CONVERTED = 16 * 1024 * 1024  # larger originals are sent as they are


def as_utf8(path: Path) -> bytes | None:
    """The file's text as UTF-8 when it is in another encoding; None to send the bytes as-is."""
    try:
        if path.stat().st_size > MAX_CONVERTED:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    try:
        data.decode("utf-8")
        return None  # already what the browser is told
    except UnicodeDecodeError:
        pass
    try:
        text, _codec = detect(data)
    except SkipFile:
        return None
    return text.encode("utf-8")
