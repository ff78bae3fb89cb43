"""Titles: the first meaningful line of a text, clipped at a word boundary."""

from __future__ import annotations

import re

from .dates import find_date

TITLE_MAX = 160

_NOISE_LINE = re.compile(
    r"^(font size|print|share|email|tweet|menu|home|skip to|cỡ chữ|in bài)\b.{0,20}$", re.IGNORECASE
)
_LEADING_DATE = re.compile(r"^\s*(date\s*:?\s*)?\d{4}-\d{2}-\d{2}\s*", re.IGNORECASE)
# Script or template text: `{{ x }}`, `a.b.c === "draft"`, `x => y`, `f(a) {`, `$ctrl.title`
_CODE = re.compile(
    r"\{\{|\}\}|\{%|%\}|===|!==|&&|\|\||=>|\bfunction\s*\(|\bvar\s+\w+\s*=|\$\w+\."
    r"|[;{}]\s*$"
)


# Cheap guards, each true of every line its pattern can match (most lines skip the pattern):
NOISE_MAX = 9 + 20  # _NOISE_LINE: its longest word ("font size") and at most 20 more
_DATE_FIRST = "dD"  # _LEADING_DATE on a stripped line: "date" or a digit first


def looks_like_code(text: str) -> bool:
    """Whether a title candidate is script or template text, not words for a reader."""
    # Every match of _CODE holds one of these (a ";" only at the end): most lines, news
    # text with its ";", "(" and "%" included, never run the pattern.
    if not ("{" in text or "}" in text or "=" in text or "$" in text or "&&" in text
            or "||" in text or "function" in text or text.rstrip()[-1:] == ";"):
        return False
    return bool(_CODE.search(text))


SITE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " « ", " / ")


def choose_title(*candidates: str) -> str:
    """The first candidate that is not code; the last candidate (a page's <h1>) picks among
    the others when they differ: the one that holds it, or the <h1> itself when the other
    only adds a site name ("Minister meets ILO | Ministry of Foreign Affairs")."""
    usable = [c for c in candidates if c.strip() and not looks_like_code(c)]
    if len(candidates) > 1 and len(usable) > 1 and usable[-1] is candidates[-1]:
        heading = usable[-1].casefold()
        for candidate in usable[:-1]:
            if heading in candidate.casefold():
                return usable[-1] if _site_named(candidate.casefold(), heading) else candidate
    return usable[0] if usable else ""


def _site_named(title: str, heading: str) -> bool:
    """title is heading and one more part (a site name) joined by a separator; a title of
    three parts ("News - Article - Site") under an <h1> that names a section is kept."""
    if title.startswith(heading):
        rest = title[len(heading):]
        return rest.startswith(SITE_SEPARATORS) and not _parted(rest[3:])
    if title.endswith(heading):
        rest = title[: len(title) - len(heading)]
        return rest.endswith(SITE_SEPARATORS) and not _parted(rest[:-3])
    return False


def _parted(text: str) -> bool:
    return not text.strip() or any(sep in text for sep in SITE_SEPARATORS)


def _collapsed(text: str) -> str:
    """text's whitespace runs as one space, ends stripped: text itself when its only whitespace
    is single spaces inside (most lines: every other whitespace character is unprintable, and
    two C scans cost a third of splitting into words and joining them)."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def clip(text: str, limit: int = TITLE_MAX) -> str:
    """text with its whitespace collapsed, cut at a word boundary to at most `limit` characters
    (plus "…"). Only the head is collapsed when it already holds more than `limit` characters."""
    head = _collapsed(text[: limit * 4])
    text = head if len(head) > limit or len(text) <= limit * 4 else " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(" ,;:-") + "…"


def guess_title(text: str, fallback: str) -> str:
    """First meaningful line: not blank, not a widget label such as 'Font size:', not a date."""
    for raw in text.splitlines()[:40]:
        line = raw.strip().lstrip("#").strip()
        size = len(line)
        if size < 3 or line[-1] == ":" or (size <= NOISE_MAX and _NOISE_LINE.match(line)):
            continue
        if size < 40 and find_date(line):  # a short line that is only a date
            continue
        if line[0] in _DATE_FIRST or line[0].isdigit():
            line = _LEADING_DATE.sub("", line)
        if len(line) >= 3 and not looks_like_code(line):
            return clip(line)
    return fallback
