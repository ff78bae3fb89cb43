"""Is an index version intact? Every tantivy file ends with a footer holding the CRC-32 of its
content; a version whose footers are missing or whose checksums differ is damaged (a torn copy,
a bad disk, an overwritten segment) and must not serve.

Footer layout (tantivy's common::file_slice footer): content, JSON {"version":..., "crc": N},
u32 length of that JSON, u32 magic 1337 (little-endian).
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

MAGIC = 1337
SEGMENT_SUFFIXES = {".idx", ".pos", ".term", ".store", ".fast", ".fieldnorm", ".del"}
CHUNK = 1 << 20


class Damaged(ValueError):
    """An index file failed its check."""


def verify_file(path: Path) -> None:
    """Raise Damaged unless path's footer is there and its CRC-32 matches the content."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size < 8:
            raise Damaged(f"{path.name}: too short for a footer ({size} bytes)")
        f.seek(size - 8)
        length, magic = struct.unpack("<II", f.read(8))
        if magic != MAGIC or length + 8 > size:
            raise Damaged(f"{path.name}: no tantivy footer")
        end = size - 8 - length
        f.seek(end)
        try:
            expected = int(json.loads(f.read(length))["crc"])
        except (ValueError, KeyError, TypeError) as exc:
            raise Damaged(f"{path.name}: unreadable footer") from exc
        f.seek(0)
        crc, left = 0, end
        while left > 0:
            chunk = f.read(min(CHUNK, left))
            if not chunk:
                raise Damaged(f"{path.name}: shorter than its footer says")
            crc = zlib.crc32(chunk, crc)
            left -= len(chunk)
    if crc != expected:
        raise Damaged(f"{path.name}: checksum mismatch")


def verify_version(version_dir: Path, segment_ids: list[str]) -> None:
    """Check every file of the segments meta.json lists."""
    for entry in sorted(version_dir.iterdir()):
        if entry.suffix in SEGMENT_SUFFIXES and entry.name.split(".")[0] in segment_ids:
            verify_file(entry)


def segment_ids(version_dir: Path) -> list[str]:
    """The segments meta.json lists (ids without dashes, as the file names have them)."""
    try:
        meta = json.loads((version_dir / "meta.json").read_text(encoding="utf-8"))
        return [str(s["segment_id"]).replace("-", "") for s in meta.get("segments", [])]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Damaged(f"meta.json cannot be read ({exc})") from exc
