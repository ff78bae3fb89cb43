"""Page furniture in scraped texts: lines repeated across a source's documents, and known patterns.

Two signals, both conservative:
- ``repeated_lines``: a line (short, normalised) found in at least ``min_docs`` documents and in
  at least ``min_share`` of a source's documents is furniture of that source (menus, footers,
  mail signatures).  Computed at build time over everything read from one source.
- ``KNOWN_FURNITURE``: a small list of phrases that are furniture wherever they appear ("print
  version", "back to top", "share this", cookie notices...) in several languages.  They are only
  removed from the first or last ``EDGE_LINES`` non-blank lines of a text, and only when the line
  is short, so a sentence of an article that mentions "print version" stays.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

MAX_LINE = 120  # longer lines are content, never furniture
EDGE_LINES = 8  # known-pattern removal looks only this far from the start/end of a text

_KNOWN = [
    # English
    r"print( this)?( version| page)?", r"printer[- ]friendly( version)?", r"back to top",
    r"share( this( (article|page|story))?)?( on \w+)?", r"font size:?", r"skip to (main )?content",
    r"(video|photo) archive", r"archive", r"video", r"official internet resources",
    r"(read more|related (articles|news))", r"subscribe( to our newsletter)?",
    r"all rights reserved\.?", r"(copyright|©).{0,80}", r"(main )?menu", r"home",
    r"(this (web)?site|we) uses? cookies.{0,200}", r"accept( all)?( cookies)?", r"cookie settings",
    r"print version( video)?( archive)?( official internet resources)?",
    # French, German, Spanish, Portuguese, Italian
    r"version imprimable", r"imprimer", r"partager", r"retour en haut",
    r"druckversion", r"drucken", r"teilen", r"nach oben", r"versión (para )?imprimir",
    r"imprimir", r"compartir", r"volver arriba", r"versão para impressão", r"partilhar",
    r"stampa", r"condividi", r"torna su",
    # Russian, Vietnamese, Chinese
    r"версия для печати", r"печать", r"поделиться", r"наверх", r"phiên bản in", r"in bài viết",
    r"chia sẻ", r"về đầu trang", r"打印(本页|版本)?", r"分享(到)?", r"返回顶部",
]
KNOWN_FURNITURE = re.compile(r"^(?:" + "|".join(_KNOWN) + r")$", re.IGNORECASE)


def _norm(line: str) -> str:
    return " ".join(unicodedata.normalize("NFC", line).split()).casefold()


def repeated_lines(
    texts_by_source: dict[str, list[str]], min_docs: int = 3, min_share: float = 0.3
) -> dict[str, set[str]]:
    """Per source, the normalised short lines found in many of its documents."""
    out: dict[str, set[str]] = {}
    for source, texts in texts_by_source.items():
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update({n for n in (_norm(x) for x in text.splitlines()) if n and len(n) <= MAX_LINE})
        need = max(min_docs, int(min_share * len(texts) + 0.999))
        out[source] = {line for line, n in counts.items() if n >= need and _worth(line)}
    return out


def _worth(line: str) -> bool:
    """A repeated line counts only if it has letters (not a lone number or date separator)."""
    return any(c.isalpha() for c in line)


def is_known_furniture(line: str) -> bool:
    n = _norm(line).strip(" |·•-–—:»«>")
    return bool(n) and len(n) <= MAX_LINE and bool(KNOWN_FURNITURE.match(n))


def strip(text: str, lines: set[str] | frozenset[str] = frozenset()) -> tuple[str, list[str]]:
    """Remove furniture from text: any line in ``lines`` (normalised, anywhere), and known
    furniture patterns among the first/last EDGE_LINES non-blank lines.  Returns (text, removed)."""
    rows = text.split("\n")
    removed: list[str] = []
    drop = [False] * len(rows)
    for i, row in enumerate(rows):
        n = _norm(row)
        if n and n in lines and len(n) <= MAX_LINE:
            drop[i] = True
    nonblank = [i for i, r in enumerate(rows) if r.strip()]
    # Peel known furniture off both edges, stopping at the first line that is real content.
    for seq in (nonblank[:EDGE_LINES], list(reversed(nonblank[-EDGE_LINES:]))):
        for i in seq:
            if drop[i]:
                continue
            if is_known_furniture(rows[i]):
                drop[i] = True
            else:
                break
    kept = []
    for i, row in enumerate(rows):
        if drop[i]:
            removed.append(row.strip())
        else:
            kept.append(row)
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return out, removed
