"""Hardening, third round (#27), the documents folder: a link swapped between the folder walk and
the read, and a file that changes while it is read — through the real CLI.

The swap is made deterministic with a Linux file lease: the test holds a write lease on the first
file the indexer reads, so the indexer's open() of it blocks (after the walk, which never opens
a file) until the test has swapped the link and released the lease.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.test_backends import backend, cluster  # noqa: F401 - fixtures
from tests.test_round2_ingest import CLI, index, search


@contextmanager
def leased(path: Path) -> Iterator[threading.Event]:
    """Hold a write lease on path; the event is set when another process tries to open it
    (its open() waits until the block ends and the lease is released)."""
    opened = threading.Event()
    previous = signal.signal(signal.SIGIO, lambda *_: opened.set())
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
        except OSError as exc:
            pytest.skip(f"file leases are not available here ({exc})")
        yield opened
    finally:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        os.close(fd)
        signal.signal(signal.SIGIO, previous)


def swap_link(link: Path, target: Path) -> None:
    """Replace link atomically by one to target (ln -sfn target tmp && mv -T tmp link)."""
    tmp = link.with_name(".swap-tmp")
    os.symlink(target, tmp)
    os.replace(tmp, link)


def run_while_held(args: list[str], first: Path, then: object) -> subprocess.CompletedProcess[str]:
    """Run the CLI; when it opens `first` (after its folder walk), call then() before the open
    goes on."""
    with leased(first) as opened:
        proc = subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        assert opened.wait(120), "the indexer never opened the first file"
        then()  # type: ignore[operator]
    out, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def make_folder(tmp: Path) -> tuple[Path, Path]:
    docs = tmp / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "aaa_first.txt").write_text("First report\n\nabout pelicans", encoding="utf-8")
    (docs / "inside.txt").write_text("Inside report\n\nabout herons", encoding="utf-8")
    (docs / "sub" / "note.txt").write_text("Sub note\n\nabout egrets", encoding="utf-8")
    os.symlink("inside.txt", docs / "zzz_link.txt")
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "note.txt").write_text("Secret outside note\n\nmarmalade password", encoding="utf-8")
    return docs, outside


def assert_nothing_outside(root: Path) -> None:
    assert search(root, "root")["total"] == 0  # /etc/passwd's first line: root:x:0:0
    assert search(root, "marmalade")["total"] == 0
    assert search(root, "pelicans")["total"] == 1


@pytest.mark.usefixtures("backend")
def test_a_link_swapped_after_the_walk_publishes_nothing(tmp_path: Path) -> None:
    docs, outside = make_folder(tmp_path)
    root = tmp_path / "index"

    def swap() -> None:
        swap_link(docs / "zzz_link.txt", Path("/etc/passwd"))
        os.rename(docs / "sub", tmp_path / "sub-away")  # a folder on the path, swapped
        os.symlink(outside, docs / "sub")

    res = run_while_held(["index", "--index-dir", str(root), str(docs)], docs / "aaa_first.txt",
                         swap)
    assert res.returncode == 0, res.stderr
    assert_nothing_outside(root)
    out = res.stdout + res.stderr
    assert "zzz_link.txt" in out and "sub/note.txt" in out and "not read" in out, out

    # an incremental update (the watcher's and /admin's path) is held to the same rule
    swap_link(docs / "zzz_link.txt", Path("inside.txt"))
    (docs / "sub").unlink()
    os.rename(tmp_path / "sub-away", docs / "sub")
    assert index(root, docs).returncode == 0
    assert search(root, "herons")["total"] == 2  # inside.txt and the link to it
    assert search(root, "egrets")["total"] == 1
    (docs / "aaa_first.txt").write_text("First report\n\nabout pelicans again", encoding="utf-8")
    res = run_while_held(["index", "--incremental", "--index-dir", str(root), str(docs)],
                         docs / "aaa_first.txt", swap)
    assert res.returncode == 0, res.stderr
    assert_nothing_outside(root)


@pytest.mark.usefixtures("backend")
def test_a_file_changed_while_read_is_read_again_at_the_next_update(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "aaa_first.txt").write_text("First report\n\nabout pelicans", encoding="utf-8")
    notes = docs / "notes.txt"
    notes.write_text("Notes\n\nthe old text about zebras", encoding="utf-8")
    root = tmp_path / "index"

    def save() -> None:  # an editor's save (write a new file, rename it over) during the read
        new = docs / ".notes.tmp"
        new.write_text("Notes\n\nthe new text about giraffes, longer", encoding="utf-8")
        os.replace(new, notes)

    res = run_while_held(["index", "--index-dir", str(root), str(docs)], notes, save)
    assert res.returncode == 0, res.stderr
    res = index(root, docs, "--incremental")
    assert res.returncode == 0, res.stderr
    assert search(root, "giraffes")["total"] == 1, res.stdout
    assert search(root, "zebras")["total"] == 0

    # and again through incremental updates (the watcher's path)
    def save_again() -> None:
        new = docs / ".notes.tmp"
        new.write_text("Notes\n\nthe newest text about okapis, longer still", encoding="utf-8")
        os.replace(new, notes)

    notes.write_text("Notes\n\nthe text about lemurs", encoding="utf-8")
    res = run_while_held(["index", "--incremental", "--index-dir", str(root), str(docs)],
                         notes, save_again)
    assert res.returncode == 0, res.stderr
    res = index(root, docs, "--incremental")
    assert res.returncode == 0, res.stderr
    assert search(root, "okapis")["total"] == 1, res.stdout
    assert search(root, "lemurs")["total"] == 0 and search(root, "giraffes")["total"] == 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))


def test_a_file_name_writes_no_line_or_escape_of_its_own(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("A note\n\nabout pelicans", encoding="utf-8")
    (docs / "b\nFORGED indexed 999 documents\x1b[31m.txt").write_bytes(b"")  # skipped: empty
    res = index(tmp_path / "index", docs)
    assert res.returncode == 0, res.stderr
    out = res.stdout + res.stderr
    assert "FORGED" in out and "empty file" in out  # reported ...
    assert not any(line.startswith("FORGED") for line in out.splitlines())  # ... on its line
    assert "\x1b" not in out
