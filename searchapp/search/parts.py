"""Long documents are shown in parts: a document page holds at most PART_CHARS characters, the
part around the query's best match unless another is asked for, with links to the others."""

from __future__ import annotations

from bisect import bisect_right

PART_CHARS = 100_000  # characters per part of a document page (~100-200 KB of HTML)
EDGE_CHARS = 2_000  # a part ends at a line (else a space) break within this many characters


def part_starts(text: str, size: int = PART_CHARS) -> list[int]:
    """The char offsets where each part of text starts (one part for a short text)."""
    starts = [0]
    while len(text) - starts[-1] > size:
        end = starts[-1] + size
        lo = end - min(EDGE_CHARS, size // 2)
        cut = text.rfind("\n", lo, end)
        if cut == -1:
            cut = text.rfind(" ", lo, end)
        starts.append(cut + 1 if cut != -1 else end)
    return starts


def part_of(starts: list[int], offset: int) -> int:
    """The 1-based part holding char offset."""
    return max(1, bisect_right(starts, offset))


def part_bounds(text: str, starts: list[int], part: int) -> tuple[int, int]:
    """(start, end) char offsets of 1-based part (clamped to the parts there are)."""
    part = min(max(part, 1), len(starts))
    end = starts[part] if part < len(starts) else len(text)
    return starts[part - 1], end
