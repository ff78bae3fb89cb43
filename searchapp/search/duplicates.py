"""Near-duplicates on the search side: copies of one text shown as one result.

The groups come from the build (index/duplicates.py, a file beside the manifest whatever the
backend). A result list keeps the best-ranked copy of each group and names the others ("also
as PDF, DOCX"); the page is cut from a window of hits long enough to fill it after the copies
are folded away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..analysis.near_dup import load_groups
from .request import MAX_RESULT_WINDOW, Matches, SearchRequest, StoredDoc

Groups = dict[str, tuple[tuple[str, str], ...]]  # id -> the whole group as (id, format)


def version_dir(root: Path, version: str) -> Path:
    """The directory of a version under an index root (the root itself for a bare version)."""
    path = root / "versions" / version
    return path if path.is_dir() else root


def read_groups(root: Path, version: str) -> Groups:
    return load_groups(version_dir(root, version))


def copies_of(doc_id: str, groups: Groups) -> tuple[tuple[str, str], ...]:
    """The other copies of a document as (id, format), in id order; () when it has none."""
    return tuple(m for m in groups.get(doc_id, ()) if m[0] != doc_id)


def collapse(docs: list[StoredDoc], groups: Groups) -> list[StoredDoc]:
    """docs with only the first (best-ranked) copy of each group."""
    seen: set[str] = set()
    out = []
    for d in docs:
        group = groups.get(d.id)
        if group is None:
            out.append(d)
            continue
        key = group[0][0]
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def collapsed_page(
    fetch: Callable[[SearchRequest], Matches | None], req: SearchRequest, groups: Groups
) -> Matches | None:
    """The page req asks for, each group's copies folded into its best-ranked one: the hits
    from the first up to the page's end are fetched (again, further, while copies were folded
    away), folded, then the page is cut. The first page costs nothing more unless it holds
    copies. The total counts documents, less the copies folded when every hit was seen."""
    if not groups:
        return fetch(req)
    want = req.page * req.page_size
    window = min(want, MAX_RESULT_WINDOW)
    while True:
        found = fetch(replace(req, page=1, page_size=window))
        if found is None:
            return None
        kept = collapse(found.docs, groups)
        seen_all = len(found.docs) >= found.total
        if len(kept) >= want or seen_all or window >= MAX_RESULT_WINDOW:
            break
        window = min(window + 2 * (want - len(kept)), MAX_RESULT_WINDOW)
    total = len(kept) if seen_all else found.total
    return Matches(total, kept[want - req.page_size:want], found.facets)
