"""Documents cut into passages for embedding: the title and lead first (cheap, for every
document), then the rest of the body in windows within the model's 512-token limit."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..analysis.language import SPACELESS_RE

# The lead is short on purpose: embedding cost grows with length (e5-small, one core: ~84 ms for
# 200 characters, ~372 ms for 800), and title + lead carry most of a news article's meaning.
LEAD_CHARS = 200
PASSAGE_CHARS = 900  # ~250 tokens of Latin or Cyrillic script: well within 512
SPACELESS_SHARE = 0.4  # Chinese, Japanese, Thai...: about one token per character or more
TITLE_LEAD = 200  # characters before a copy of the title at the start of the body


@dataclass(frozen=True)
class Passage:
    """A span of a document's body (start, end) and the text embedded for it."""

    start: int
    end: int
    text: str
    lead: bool = False  # the title + lead passage (embedded first, for every document)

    @property
    def key(self) -> bytes:
        return text_key(self.text)


def text_key(text: str) -> bytes:
    """The cache key of a passage's text: 16 bytes of BLAKE2b."""
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).digest()


def _budget(text: str, chars: int) -> int:
    """chars, shrunk for scripts without spaces (more tokens per character)."""
    sample = text[:400]
    if sample and len(SPACELESS_RE.findall(sample)) > len(sample) * 0.3:
        return int(chars * SPACELESS_SHARE)
    return chars


_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"[.!?。！？]\s"),
           re.compile(r"\s"))


def _cut(body: str, start: int, limit: int) -> int:
    """Where a passage starting at `start` ends: the last paragraph, line, sentence or word
    break within `limit` characters (past its first half), else at the limit."""
    end = start + limit
    if end >= len(body):
        return len(body)
    window = body[start:end]
    for pattern in _BREAKS:
        last = None
        for m in pattern.finditer(window, limit // 2):
            last = m
        if last is not None:
            return start + last.end()
    return end


def _lead_start(body: str, title: str) -> int:
    """Where the lead starts: after a copy of the title near the body's start, if any."""
    if title and len(title) >= 3:
        at = body.find(title, 0, len(title) + TITLE_LEAD)
        if at != -1:
            return at + len(title)
    return 0


def passages(title: str, body: str, limit: int = 0) -> list[Passage]:
    """The document's passages in order: title + lead first, then the body's windows; at most
    `limit` passages (0: the whole body)."""
    title = " ".join(title.split())
    begin = _lead_start(body, title)
    while begin < len(body) and body[begin].isspace():
        begin += 1
    lead_end = _cut(body, begin, _budget(body[begin:] or title, LEAD_CHARS))
    lead_text = " ".join(body[begin:lead_end].split())
    text = f"{title}\n{lead_text}" if title and lead_text else (title or lead_text)
    out = [Passage(begin, lead_end, text, lead=True)] if text.strip() else []
    size = _budget(body[lead_end:], PASSAGE_CHARS)
    at = lead_end
    while at < len(body) and (limit == 0 or len(out) < limit):
        end = _cut(body, at, size)
        chunk = " ".join(body[at:end].split())
        if len(chunk) >= 20:  # a stray line is no passage of its own
            out.append(Passage(at, end, chunk))
        at = end
    return out
