"""Find the date a document states about itself ("04 November 2025", "date 2024-09-06",
"November 3, 2025", "ngày 6 tháng 2 năm 2017", "6/2/2017" read day-first)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan", "janvier", "januar", "enero", "gennaio"),
            ("february", "feb", "février", "fevrier", "februar", "febrero", "febbraio"),
            ("march", "mar", "mars", "märz", "marz", "marzo"),
            ("april", "apr", "avril", "abril", "aprile"),
            ("may", "mai", "mayo", "maggio"),
            ("june", "jun", "juin", "juni", "junio", "giugno"),
            ("july", "jul", "juillet", "juli", "julio", "luglio"),
            ("august", "aug", "août", "aout", "agosto"),
            ("september", "sep", "sept", "septembre", "septiembre", "settembre"),
            ("october", "oct", "octobre", "oktober", "octubre", "ottobre"),
            ("november", "nov", "novembre", "noviembre"),
            ("december", "dec", "décembre", "decembre", "dezember", "diciembre", "dicembre"),
        ]
    )
    for m in names
}
_MONTH_RE = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), "ymd"),
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I), "dMy"),
    (re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I), "Mdy"),
    (re.compile(r"\bngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})\b", re.I), "dmy"),
    (re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"), "ymd"),
    (re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b"), "dmy"),
]

SCAN_CHARS = 600  # a document states its own date near the top


def _make(y: int, m: int, d: int) -> date | None:
    if not 1900 <= y <= 2100:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_date(text: str) -> date | None:
    """The earliest date stated near the top of text, or None."""
    head = text[:SCAN_CHARS]
    best: tuple[int, date] | None = None
    for pattern, order in _PATTERNS:
        for m in pattern.finditer(head):
            g = m.groups()
            if order == "ymd":
                found = _make(int(g[0]), int(g[1]), int(g[2]))
            elif order == "dmy":
                found = _make(int(g[2]), int(g[1]), int(g[0]))
            elif order == "dMy":
                found = _make(int(g[2]), _MONTHS[g[1].lower()], int(g[0]))
            else:  # Mdy
                found = _make(int(g[2]), _MONTHS[g[0].lower()], int(g[1]))
            if found and (best is None or m.start() < best[0]):
                best = (m.start(), found)
            if found:
                break
    return best[1] if best else None


def parse_date_value(value: object) -> date | None:
    """A date from a JSON field value (ISO string, year, or epoch seconds)."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1900 <= value <= 2100:
            return date(int(value), 1, 1)
        try:
            return datetime.fromtimestamp(float(value), UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        s = value.strip()
        try:
            return datetime.fromisoformat(s.replace("Z", "+00:00")).date()
        except ValueError:
            return find_date(s)
    return None
