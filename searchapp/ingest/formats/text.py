"""JSON files: bytes to text (UTF-8, or UTF-16/32 marked by a BOM or by their zero bytes)."""

from __future__ import annotations

from ..records import SkipFile
from .sniff import wide_unicode


def decode(data: bytes) -> str:
    """Bytes -> str: UTF-8 (with or without BOM) or UTF-16/32; else SkipFile."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return _decode_as(data, "utf-32")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_as(data, "utf-16")
    if b"\x00" in data[:8192]:
        wide = wide_unicode(data)  # UTF-16/32 without a BOM: told by where the zero bytes are
        if wide is None:
            raise SkipFile("binary file (contains NUL bytes)")
        return _decode_as(data, wide)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SkipFile(f"not valid UTF-8 (byte {exc.start})") from exc


def _decode_as(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SkipFile(f"not valid {encoding.upper()} (byte {exc.start})") from exc
