"""Is a job's process still the one that started it? (from /proc, robust to PID reuse)"""

from __future__ import annotations

import os
from pathlib import Path


def process_start(pid: int) -> str:
    """A process's start time (clock ticks since boot, from /proc), '' when unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]


def process_alive(pid: int, start: str = "") -> bool:
    """True when pid runs (not a zombie) and, if given, started at `start`."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):
        return False
    return not start or fields[19] == start
