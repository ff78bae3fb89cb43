"""The checks a new version passes before it may serve: the share of skipped files and canary
searches for words of its first documents. The searches go through a Probe (by default the
backend seam itself): writing never depends on the search engine above it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..analysis.text import MAX_TOKEN_LEN
from ..backends import create_analyzers, open_backend
from ..ingest.records import Document, LoadReport
from ..search.parse import parse
from ..search.request import SearchRequest


class ValidationFailed(RuntimeError):
    """A new version failed its checks before the switch: the serving index is left as it was."""


class Probe(Protocol):
    """Searches a version that does not serve yet."""

    def __call__(self, version_dir: Path, word: str) -> int:
        """How many documents of the version at version_dir contain word."""
        ...


def backend_probe(version_dir: Path, word: str) -> int:
    """How many documents of the version a one-word search finds, asked of its backend."""
    backend = open_backend(version_dir, create_analyzers())
    found = backend.run(SearchRequest(query=word, prefix_last=False, page_size=1, facets=False),
                        parse(word), match_all_words=True)
    return found.total if found else 0


@dataclass(frozen=True)
class Checks:
    """What a new version must pass before it may serve."""

    max_skip_ratio: float | None = None  # skipped / (documents + skipped); None = no limit
    canaries: int = 3  # title words of the first documents that must be found
    probe: Probe = backend_probe


CANARY_WORD = re.compile(r"[^\W\d_]{4,}")


def validate(
    version_dir: Path, report: LoadReport, firsts: list[Document], checks: Checks,
    first_build: bool = False,
) -> list[str]:
    """Refuse a version with too many skipped files or whose first documents cannot be found;
    return warnings.

    Both protect a serving index only: a first build serves whatever it could read (and lists
    the rest), and a canary it fails is a warning (nothing served at all helps no one)."""
    seen = report.documents + len(report.skipped)
    if checks.max_skip_ratio is not None and seen and not first_build:
        ratio = len(report.skipped) / seen
        if ratio > checks.max_skip_ratio:
            raise ValidationFailed(
                f"{len(report.skipped)} of {seen} files or records were skipped "
                f"({ratio:.0%} > limit {checks.max_skip_ratio:.0%}): the current index was kept"
            )
    warnings = []
    for word in (w for w in (canary_word(d) for d in firsts) if w):
        if checks.probe(version_dir, word) == 0:
            failed = f"canary query {word!r} (from a title) finds nothing in the new version"
            if not first_build:
                raise ValidationFailed(f"{failed}: the current index was kept")
            warnings.append(f"{failed}; served all the same (there was no index to keep)")
    return warnings


def canary_word(doc: Document) -> str:
    """The longest plain word of a document's title (or first line) that the index holds as one
    token (under MAX_TOKEN_LEN bytes; a longer word is held as pieces)."""
    words = [w for w in CANARY_WORD.findall(doc.title) or CANARY_WORD.findall(doc.body[:200])
             if len(w.encode("utf-8")) < MAX_TOKEN_LEN]
    return max(words, key=len) if words else ""
