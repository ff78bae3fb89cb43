"""Refuse a run that would quietly drop most of the archive.

Two guards, for every way a run starts (the CLI, /admin, the watcher):

- a documents folder the serving index was built from that is now missing, empty, unreadable
  or on another device than when it was indexed (an unmounted disk leaves an empty mount point)
  is *unavailable*, not emptied: the run changes nothing and says so;
- a run that would leave fewer than (1 - SEARCHAPP_MAX_REMOVE_RATIO) of the serving documents
  refuses unless it was confirmed (`--yes`, the confirmation box on /admin).

A first build has nothing to protect and is never refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import manifest
from .layout import IndexLayout

DEFAULT_MAX_REMOVE_RATIO = 0.5


class RemovalRefused(RuntimeError):
    """The run would remove most of the serving documents and was not confirmed."""


class RootsUnavailable(RemovalRefused):
    """A folder the index was built from cannot be seen as it was: nothing is removed."""


@dataclass(frozen=True)
class RemovalPolicy:
    """How much of the serving index a run may remove without a confirmation."""

    max_remove_ratio: float = DEFAULT_MAX_REMOVE_RATIO
    confirmed: bool = False

    @classmethod
    def from_env(cls, confirmed: bool = False) -> RemovalPolicy:
        raw = os.environ.get("SEARCHAPP_MAX_REMOVE_RATIO") or ""
        try:
            ratio = float(raw) if raw else DEFAULT_MAX_REMOVE_RATIO
        except ValueError:
            ratio = DEFAULT_MAX_REMOVE_RATIO
        return cls(min(1.0, max(0.0, ratio)), confirmed)


HOW_TO_CONFIRM = ("run it again with --yes (on /admin: tick the confirmation) if that is "
                  "what you want")


def root_problem(root: Path, recorded_dev: int | None) -> str:
    """Why a folder the index was built from cannot be trusted now ('' when it can)."""
    try:
        st = os.stat(root)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if recorded_dev is not None and st.st_dev != recorded_dev:
        return "on another device than when it was indexed (unmounted?)"
    if not root.is_dir():
        return ""
    try:
        with os.scandir(root) as entries:
            if not any(not e.name.startswith(".") for e in entries):
                return "empty"
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    return ""


def serving_manifest(layout: IndexLayout) -> tuple[manifest.Manifest, dict[str, object]] | None:
    """The serving version's manifest and its meta (roots, devices), None without one."""
    name = layout.current_version()
    if name is None:
        return None
    entries = manifest.load(layout.versions / name)
    if entries is None:
        return None
    return entries, manifest.load_meta(layout.versions / name)


Served = tuple[manifest.Manifest, dict[str, object]]


def check_roots(layout: IndexLayout, roots: list[Path], policy: RemovalPolicy,
                served: Served | None = None) -> int | None:
    """Refuse (RootsUnavailable) when a folder the serving index holds documents of is gone;
    return how many documents it serves (None: confirmed, or nothing serves), for
    check_removal. `served`: the serving manifest and meta when the caller has read them."""
    if policy.confirmed:
        return None
    served = served or serving_manifest(layout)
    if served is None:
        return None
    entries, meta = served
    count = sum(len(e.ids) for e in entries.values())
    if not count:
        return None
    remembered = {str(Path(r)) for r in meta.get("roots") or []}  # type: ignore[attr-defined]
    devices = meta.get("root_devices") or {}
    problems = []
    for root in roots:
        key = str(root.absolute())
        if key not in remembered:
            continue  # a new folder: the removal guard below judges what it replaces
        dev = devices.get(key) if isinstance(devices, dict) else None
        if why := root_problem(root.absolute(), dev if isinstance(dev, int) else None):
            problems.append(f"{key} is {why}")
    if problems:
        raise RootsUnavailable(
            f"not indexed: {'; '.join(problems)}. Its documents are kept (the index still "
            f"serves {count} documents); mount or restore the folder and run again, or "
            f"{HOW_TO_CONFIRM}")
    return count


def check_removal(remaining: int, policy: RemovalPolicy, before: int | None) -> None:
    """Refuse (RemovalRefused) a run that would leave fewer than the allowed share of the
    `before` serving documents (check_roots' count; None: nothing to protect)."""
    if policy.confirmed or not before:
        return
    removed = before - remaining
    if removed > 0 and removed / before > policy.max_remove_ratio:
        raise RemovalRefused(
            f"not switched: this run would remove {removed} of the {before} documents the "
            f"index serves ({removed / before:.0%} > limit {policy.max_remove_ratio:.0%}); "
            f"the index was kept as it was. {HOW_TO_CONFIRM[0].upper()}{HOW_TO_CONFIRM[1:]}")
