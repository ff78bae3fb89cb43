"""Versioned index directories: atomic switch, re-open, single writer, failed builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchapp.index.build import EmptyBuild, build_index
from searchapp.index.layout import IndexBusy, IndexLayout, writer_lock
from searchapp.search.engine import Engine
from searchapp.search.request import SearchRequest


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_rebuild_switches_and_open_engine_follows(tmp_path: Path) -> None:
    docs, root = tmp_path / "docs", tmp_path / "idx"
    write(docs, "a.txt", "zebra crossing")
    first = build_index(root, [docs])
    engine = Engine(root)
    assert engine.search(SearchRequest("zebra")).total == 1
    write(docs, "b.txt", "zebra stripes")
    second = build_index(root, [docs])
    assert second.version != first.version
    assert IndexLayout(root).current_version() == second.version
    assert engine.search(SearchRequest("zebra")).total == 2  # same Engine object, new version


def test_old_versions_are_pruned(tmp_path: Path) -> None:
    docs, root = tmp_path / "docs", tmp_path / "idx"
    write(docs, "a.txt", "zebra")
    versions = [build_index(root, [docs], keep_previous=2).version for _ in range(4)]
    assert IndexLayout(root).list_versions() == sorted(versions[-3:])


def test_empty_build_keeps_serving_index(tmp_path: Path) -> None:
    docs, root = tmp_path / "docs", tmp_path / "idx"
    write(docs, "a.txt", "zebra")
    good = build_index(root, [docs]).version
    (docs / "a.txt").unlink()
    with pytest.raises(EmptyBuild):
        build_index(root, [docs])
    layout = IndexLayout(root)
    assert layout.current_version() == good
    assert layout.list_versions() == [good]  # the failed build's directory is gone
    assert Engine(root).search(SearchRequest("zebra")).total == 1


def test_dead_build_directory_is_cleaned(tmp_path: Path) -> None:
    docs, root = tmp_path / "docs", tmp_path / "idx"
    write(docs, "a.txt", "zebra")
    build_index(root, [docs])
    dead = IndexLayout(root).new_version_dir()  # as left by a killed indexer
    (dead / "junk").write_text("half a segment")
    build_index(root, [docs])
    assert not dead.exists()


def test_single_writer(tmp_path: Path) -> None:
    docs, root = tmp_path / "docs", tmp_path / "idx"
    write(docs, "a.txt", "zebra")
    layout = IndexLayout(root)
    with writer_lock(layout), pytest.raises(IndexBusy):
        build_index(root, [docs])
    build_index(root, [docs])  # free again afterwards
