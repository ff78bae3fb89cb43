"""Shared fixtures: real indexes on disk built by the real indexer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from searchapp.index.build import build_index
from searchapp.search.engine import Engine

# Tests hammer servers from one address: the search rate limit is off unless a test sets it
# (tests/test_hardening.py does). Server processes inherit this.
os.environ.setdefault("SEARCHAPP_RATELIMIT", "off")

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
CORPORA = REPO.parent / "shared" / "corpora"


def corpus_path(*parts: str) -> Path:
    """A file under ../shared/corpora, or skip (fail on CI, which always has it)."""
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing on CI")
        pytest.skip(f"needs ../shared/corpora/{'/'.join(parts)} (not in a plain clone)")
    return path


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("seed-index")
    build_index(root, [SEEDS])
    return root


@pytest.fixture(scope="session")
def engine(seed_index: Path) -> Engine:
    return Engine(seed_index)


def engine_over(tmp_path: Path, texts: dict[str, str]) -> Engine:
    """An Engine over a real index of .txt files with these names and texts."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in texts.items():
        (docs / name).write_text(text, encoding="utf-8")
    build_index(tmp_path / "idx", [docs])
    return Engine(tmp_path / "idx")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A browser test whose Chromium closed under it (a crashed browser process, not the app)
    runs once more, with a browser started again (tests/chromium.py); any other failure stands."""
    for item in items:
        if item.get_closest_marker("browser") or "browser" in item.path.name:
            item.add_marker(pytest.mark.flaky(reruns=1, only_rerun=["TargetClosedError"]))
