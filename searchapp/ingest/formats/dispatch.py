"""Which reader handles a file name, and reading any supported file (used by mail attachments)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from searchapp.ingest.extracted import Extracted, Limits, SkipFile

Reader = Callable[[bytes, str, Limits], list[Extracted]]
_MODULES = ("pdf", "office", "epub", "mail", "webpage", "plaintext")


def _suffix(name: str) -> str:
    base = name.rsplit("/", 1)[-1].lower()
    return "." + base.rsplit(".", 1)[-1] if "." in base else ""


def suffixes() -> dict[str, str]:
    """Suffix (with dot, lower case) -> module name under searchapp.ingest.formats."""
    out: dict[str, str] = {}
    for mod in _MODULES:
        module = import_module(f"searchapp.ingest.formats.{mod}")
        for suffix in module.SUFFIXES:
            out[suffix] = mod
    return out


def reader_for(name: str) -> Reader | None:
    mod = suffixes().get(_suffix(name))
    if mod is None:
        return None
    reader: Reader = import_module(f"searchapp.ingest.formats.{mod}").extract
    return reader


def extract_any(data: bytes, name: str, limits: Limits) -> list[Extracted]:
    """Read a file of any supported format; SkipFile for unsupported suffixes."""
    reader = reader_for(name)
    if reader is None:
        raise SkipFile(f"unsupported file type {_suffix(name) or '(no suffix)'}")
    return reader(data, name, limits)
