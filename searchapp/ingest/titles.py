"""Titles: the first meaningful line of a text, clipped at a word boundary."""

from __future__ import annotations

import re

from .dates import find_date

TITLE_MAX = 160

_NOISE_LINE = re.compile(
    r"^(font size|print|share|email|tweet|menu|home|skip to|cỡ chữ|in bài)\b.{0,20}$", re.IGNORECASE
)
_LEADING_DATE = re.compile(r"^\s*(date\s*:?\s*)?\d{4}-\d{2}-\d{2}\s*", re.IGNORECASE)


def clip(text: str, limit: int = TITLE_MAX) -> str:
    """text with its whitespace collapsed, cut at a word boundary to at most `limit` characters
    (plus "…"). Only the head is collapsed when it already holds more than `limit` characters."""
    head = " ".join(text[: limit * 4].split())
    text = head if len(head) > limit or len(text) <= limit * 4 else " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(" ,;:-") + "…"


def guess_title(text: str, fallback: str) -> str:
    """First meaningful line: not blank, not a widget label such as 'Font size:', not a date."""
    for raw in text.splitlines()[:40]:
        line = raw.strip().lstrip("#").strip()
        if len(line) < 3 or line.endswith(":") or _NOISE_LINE.match(line):
            continue
        if len(line) < 40 and find_date(line):  # a short line that is only a date
            continue
        line = _LEADING_DATE.sub("", line)
        if len(line) >= 3:
            return clip(line)
    return fallback
