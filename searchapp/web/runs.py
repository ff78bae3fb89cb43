"""The indexing history as /admin shows it: short times, durations, long text kept whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape


@dataclass(frozen=True)
class RunRow:
    """One finished run, ready to show."""

    when: str  # "2026-11-07 14:04" (UTC)
    when_full: str  # the ISO time as recorded, for the title
    took: str  # "54 s", "10 min 28 s", "" when unknown
    kind: str
    who: str
    outcome: str
    documents: int | None
    skipped: int
    message: str
    roots: list[str] = field(default_factory=list)
    skipped_reasons: list[dict[str, str]] = field(default_factory=list)


def _time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def duration(seconds: float) -> str:
    """54 s, 10 min 28 s, 2 h 5 min."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s" if s % 60 else f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60} min"


def run_rows(runs: list[dict[str, Any]]) -> list[RunRow]:
    """history.read's entries as rows (an entry missing a field still shows)."""
    rows = []
    for r in runs:
        start, end = _time(r.get("start", "")), _time(r.get("end", ""))
        when = start.strftime("%Y-%m-%d %H:%M") if start else str(r.get("start", ""))
        took = duration((end - start).total_seconds()) if start and end else ""
        docs = r.get("documents")
        rows.append(RunRow(
            when=when, when_full=str(r.get("start", "")), took=took, kind=str(r.get("kind", "")),
            who=str(r.get("who", "")), outcome=str(r.get("outcome", "")),
            documents=docs if isinstance(docs, int) else None, skipped=int(r.get("skipped") or 0),
            message=str(r.get("message", "")), roots=[str(x) for x in r.get("roots") or []],
            skipped_reasons=list(r.get("skipped_reasons") or []),
        ))
    return rows


def breakable(text: object) -> Markup:
    """A path or id that may wrap after each / (escaped, with <wbr>), never inside a name."""
    return Markup("/<wbr>").join(escape(part) for part in str(text).split("/"))
