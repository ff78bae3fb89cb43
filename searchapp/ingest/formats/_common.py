"""Helpers shared by the format readers: size and time limits, zip-bomb guard, dates, text tidying."""

from __future__ import annotations

import datetime
import functools
import io
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable
from typing import TypeVar

from searchapp.analysis.text import typed_form
from searchapp.ingest.extracted import Limits, SkipFile

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_BLANKS = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t\u00a0]+")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*$")
# Overstrikes of text formatted for a terminal (man pages, nroff): "N\bN" is a bold N, "_\bN"
# an underlined one; as `col -b` does, the character before each backspace goes
_OVERSTRIKE = re.compile(r"[^\n]\x08")
# Other control characters (a bell, a stray NUL of a broken export) show as boxes; tabs,
# newlines and form feeds stay
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]+")
# Terminal escape sequences (colours and cursor moves: CSI; window titles and links: OSC;
# character sets: nF; the two-byte ones) in logs and captured output: left in,
# "\x1b[31mERROR" is the word "31merror"
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[ -/]+[0-~]|[@-Z\\-_])")


R = TypeVar("R")


def guarded(kind: str) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Turn any error a parser raises on a damaged file into SkipFile('corrupt <kind> (...)').

    The libraries raise many kinds (KeyError, zlib.error, NotImplementedError for odd zip
    versions, lxml errors...); a damaged file must be reported and skipped, not crash the walk.
    """

    def wrap(fn: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(fn)
        def inner(*args: object, **kwargs: object) -> R:
            try:
                return fn(*args, **kwargs)
            except SkipFile:
                raise
            except (MemoryError, RecursionError) as exc:
                raise SkipFile(f"{kind} too complex to read ({type(exc).__name__})") from None
            except Exception as exc:  # noqa: BLE001 - see docstring
                raise SkipFile(f"corrupt {kind} ({type(exc).__name__}: {exc})"[:300]) from None

        return inner

    return wrap


def check_size(data: bytes, limits: Limits) -> None:
    """Refuse empty files and files over limits.max_bytes."""
    if not data:
        raise SkipFile("empty file")
    if len(data) > limits.max_bytes:
        raise SkipFile(f"file too large ({len(data)} bytes > {limits.max_bytes})")


class Deadline:
    """Cooperative per-file time limit: readers call check() between pages/parts."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.end = time.monotonic() + limits.max_seconds

    def expired(self) -> bool:
        return time.monotonic() > self.end

    def check(self) -> None:
        if self.expired():
            raise SkipFile(f"took longer than {self.limits.max_seconds:g} s")


def open_zip(data: bytes, limits: Limits, kind: str) -> zipfile.ZipFile:
    """Open a zip container after checking its declared sizes (zip bomb guard)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - BadZipFile, OSError, ValueError, NotImplementedError
        raise SkipFile(f"corrupt {kind} (not a valid zip container: {exc})") from None
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if total > limits.max_unzipped:
        raise SkipFile(
            f"zip bomb guard: {kind} unpacks to {total} bytes > {limits.max_unzipped}"
        )
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > 1000 and (
            info.file_size > 10 * 1024 * 1024
        ):
            raise SkipFile(f"zip bomb guard: {info.filename} compressed {info.compress_size}"
                           f" -> {info.file_size} bytes")
    if any(i.flag_bits & 0x1 for i in infos):
        raise SkipFile(f"encrypted {kind}")
    return zf


def read_member(zf: zipfile.ZipFile, name: str, limits: Limits) -> bytes:
    """Read one member, never more than limits.max_unzipped bytes (declared sizes may lie)."""
    with zf.open(name) as fh:
        out = fh.read(limits.max_unzipped + 1)
    if len(out) > limits.max_unzipped:
        raise SkipFile(f"zip bomb guard: {name} unpacks past {limits.max_unzipped} bytes")
    return out


def tidy(text: str, limits: Limits | None = None) -> str:
    """NFC, unified newlines, runs of spaces and blank lines squeezed, clipped to max_chars;
    soft hyphens and zero-width spaces (invisible break hints) dropped, half-width katakana
    made full-width, terminal escape sequences (colours) and overstrikes removed, other control
    characters made spaces."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if "\x1b" in text:
        text = _ANSI.sub("", text).replace("\x1b", "")
    if "\x08" in text:
        text = _OVERSTRIKE.sub("", text)
    if _CONTROLS.search(text) is not None:
        text = _CONTROLS.sub(" ", text)
    text = typed_form(text)  # analysis/text.py, as queries
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    text = _BLANKS.sub("\n\n", text).strip()
    if limits is not None and len(text) > limits.max_chars:
        text = text[: limits.max_chars]
    return text


def one_line(text: str | None) -> str:
    """Metadata value as a single NFC line."""
    if not text:
        return ""
    return unicodedata.normalize("NFC", " ".join(str(text).split()))


def as_date(value: object) -> datetime.date | None:
    """A date from a datetime/date or from a string starting with an ISO date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        m = _ISO_DATE.search(value)
        if m:
            try:
                return datetime.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def lang_code(value: str | None) -> str:
    """ISO 639-1 (two letters, lower case) from a tag like 'en-GB' or 'vi_VN'; '' if not one."""
    if not value or not _LANG.match(value.strip()):
        return ""
    base = re.split(r"[-_]", value.strip())[0].lower()
    return base if len(base) == 2 else ""


def heading_title(text: str, max_len: int = 200) -> str:
    """First heading-like line of a text: short, not ending like a sentence, has letters."""
    for line in text.split("\n")[:15]:
        line = line.strip()
        if not line:
            continue
        if len(line) <= max_len and any(c.isalpha() for c in line) and not line.endswith(
            (".", ",", ";", ":")
        ):
            return line
        return ""
    return ""
