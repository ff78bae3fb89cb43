"""The history of indexing runs: index/history.jsonl, one JSON object per finished run.

Fields: id, kind (full, incremental, rollback, synonyms: a synonyms.txt saved from /admin), who
(admin, cli), start, end (ISO 8601 UTC), documents, skipped (count), skipped_reasons
([{path, reason}], the first 100), outcome (succeeded, failed, interrupted), message, version
(for synonyms, the saved file's hash).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .layout import IndexLayout

HISTORY_FILE = "history.jsonl"
MAX_REASONS = 100


def path(layout: IndexLayout) -> Path:
    return layout.root / HISTORY_FILE


def append(layout: IndexLayout, entry: dict[str, Any]) -> None:
    """Add one run; a single O_APPEND write, so concurrent writers never interleave lines."""
    entry = dict(entry)
    entry["skipped_reasons"] = list(entry.get("skipped_reasons") or [])[:MAX_REASONS]
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    layout.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(path(layout), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read(layout: IndexLayout, limit: int = 20) -> list[dict[str, Any]]:
    """The latest runs, newest first; a torn last line (crash mid-write) is ignored."""
    try:
        lines = path(layout).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    out: list[dict[str, Any]] = []
    for line in reversed(lines):
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
        if len(out) >= limit:
            break
    return out
