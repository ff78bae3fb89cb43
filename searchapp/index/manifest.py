"""What each index version was built from: path -> (mtime, size, content hash, document ids).

Stored as manifest.json in the version directory. An incremental update compares the documents
folder against it: a file whose mtime and size are unchanged is skipped without being read; a
changed one is re-hashed, and only a different hash re-indexes it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..ingest.opened import Seen, Walked, open_walked

MANIFEST = "manifest.json"
FORMAT = 1


@dataclass(frozen=True)
class FileEntry:
    """One source file as it was indexed."""

    mtime_ns: int
    size: int
    hash: str
    ids: list[str] = field(default_factory=list)  # documents it produced (none if skipped)
    skipped: str = ""  # the reason, when the whole file was skipped


Manifest = dict[str, FileEntry]


def file_hash(path: Path, walked: Walked | None = None) -> str:
    """content_hash of the file's bytes, read in chunks (a JSON lines dump can be large); with
    walked, only of the file the walk checked (ingest.opened: SkipFile for another)."""
    h = hashlib.blake2b(digest_size=16)
    with open_walked(path, walked) as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def entry_for(path: Path, ids: list[str], skipped: str = "", digest: str = "",
              seen: Seen | None = None) -> FileEntry:
    """The manifest entry of a file just indexed. With seen (ingest.opened.Seen: the stat
    before the read and the hash of the bytes read) it records what was read, so a file that
    changed during the read differs at the next update; else stat, and hash unless given, now."""
    if seen is not None:
        return FileEntry(seen.mtime_ns, seen.size, seen.hash, ids, skipped)
    st = path.stat()
    if not digest:
        try:
            digest = file_hash(path)
        except OSError:
            digest = ""
    return FileEntry(st.st_mtime_ns, st.st_size, digest, ids, skipped)


def load(version_dir: Path) -> Manifest | None:
    """The manifest of a version, or None when it has none (built before manifests existed)."""
    try:
        data = json.loads((version_dir / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    if data.get("format") != FORMAT:
        return None
    return {rel: FileEntry(**e) for rel, e in data["files"].items()}


def roots(version_dir: Path) -> list[Path] | None:
    """The folders (or files) a version was built from, as absolute paths; None when its
    manifest is missing or predates them."""
    try:
        data = json.loads((version_dir / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    found = data.get("roots") if isinstance(data, dict) else None
    return [Path(r) for r in found] if found else None


def load_meta(version_dir: Path) -> dict[str, Any]:
    """The manifest's other keys: roots (the folders indexed), their devices, and furniture
    (per source, the lines kept out of every document: ingest/furniture.py); {} without one."""
    try:
        data = json.loads((version_dir / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return {"roots": data.get("roots") or [], "furniture": data.get("furniture") or {},
            "root_devices": data.get("root_devices") or {}}


def furniture_of(version_dir: Path) -> dict[str, set[str]]:
    return {k: set(v) for k, v in load_meta(version_dir).get("furniture", {}).items()}


def save(
    version_dir: Path, manifest: Manifest, roots: list[Path],
    furniture: dict[str, set[str]] | None = None,
) -> None:
    """Write manifest.json atomically."""
    devices = {}
    for r in roots:  # an unmounted folder shows on another device (index/guard.py)
        try:
            devices[str(r.absolute())] = os.stat(r).st_dev
        except OSError:
            continue
    payload = {
        "format": FORMAT,
        "roots": [str(r.absolute()) for r in roots],
        "root_devices": devices,
        "furniture": {k: sorted(v) for k, v in sorted((furniture or {}).items())},
        # vars(), not asdict(): asdict deep-copies each list of ids (0.5 s for 200k ids)
        "files": {rel: vars(e) for rel, e in sorted(manifest.items())},
    }
    tmp = version_dir / f"{MANIFEST}.{os.getpid()}.tmp"
    # a documents folder whose own path is not UTF-8 is written back as its bytes
    tmp.write_bytes(json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogateescape"))
    os.replace(tmp, version_dir / MANIFEST)
