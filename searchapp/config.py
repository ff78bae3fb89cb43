"""Settings read from the environment (SEARCHAPP_*), with defaults for a source checkout."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .ingest.records import DEFAULT_MAX_BYTES


def project_root() -> Path:
    """The folder holding seeds/ and index/: the current directory when it has them, else the
    source checkout this package lives in, else the current directory."""
    cwd = Path.cwd()
    if (cwd / "seeds").is_dir() or (cwd / "index").is_dir():
        return cwd
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").exists() and (checkout / "seeds").is_dir():
        return checkout
    return cwd


@dataclass(frozen=True)
class Settings:
    index_dir: Path
    docs_dir: Path
    max_file_bytes: int
    host: str
    port: int
    workers: int
    threads: int
    search_cache: int
    watch: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        root = project_root()
        return cls(
            index_dir=Path(env.get("SEARCHAPP_INDEX_DIR") or root / "index"),
            docs_dir=Path(env.get("SEARCHAPP_DOCS_DIR") or root / "seeds"),
            max_file_bytes=int(float(env.get("SEARCHAPP_MAX_FILE_MB") or 0) * 1024 * 1024)
            or DEFAULT_MAX_BYTES,
            host=env.get("SEARCHAPP_HOST") or "127.0.0.1",
            port=int(env.get("SEARCHAPP_PORT") or 8000),
            workers=int(env.get("SEARCHAPP_WORKERS") or 2),
            threads=int(env.get("SEARCHAPP_THREADS") or 2),
            search_cache=int(env.get("SEARCHAPP_SEARCH_CACHE") or 5000),
            watch=env.get("SEARCHAPP_WATCH", "") in ("1", "true", "yes"),
        )
