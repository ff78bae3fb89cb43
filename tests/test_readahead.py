"""A large JSON lines file is parsed in a child process (ingest/readahead.py): the build gives the
same documents, skips and ids as when it is read in the build's own process."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from searchapp.index.build import build_index
from searchapp.ingest import readahead
from searchapp.search.engine import Engine
from searchapp.search.request import SearchRequest


def make_docs(docs: Path) -> None:
    """A JSON lines file with good records and every kind of bad one, and a file after it."""
    docs.mkdir()
    lines = [json.dumps({"id": f"r{i}", "title": f"Record {i}", "text": f"pelican number{i} "
                         "went fishing at dawn"}) for i in range(1200)]
    lines[7] = "{not json"
    lines[8] = json.dumps({"id": "empty", "text": "  "})
    lines[9] = json.dumps({"id": "r3", "text": "a second r3"})  # duplicate id
    lines[10] = json.dumps({"id": "notes.txt", "text": "the id of another file"})
    lines[11] = json.dumps({"title": "No id \ud800", "text": "quokka without id"})
    (docs / "big.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (docs / "notes.txt").write_text("Notes\n\nkea notes", encoding="utf-8")
    (docs / "later.jsonl").write_text(json.dumps({"id": "r5", "text": "a later r5"}) + "\n"
                                      + json.dumps({"id": "z1", "text": "kakapo"}) + "\n",
                                      encoding="utf-8")


def build(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch, ahead: bool):
    """build_index over the documents, with or without the reading process; how many started."""
    monkeypatch.setenv("SEARCHAPP_READ_AHEAD", "1" if ahead else "0")
    monkeypatch.setattr(readahead, "READ_AHEAD_MIN_BYTES", 10_000)  # big.jsonl, not later.jsonl
    started = []
    real = subprocess.Popen

    def popen(*a, **k):  # type: ignore[no-untyped-def]
        started.append(a[0])
        return real(*a, **k)

    monkeypatch.setattr(readahead.subprocess, "Popen", popen)
    result = build_index(tmp_path / name, [tmp_path / "docs"])
    return result, len(started)


def test_read_ahead_gives_the_same_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_docs(tmp_path / "docs")
    here, n_here = build(tmp_path, "here", monkeypatch, ahead=False)
    ahead, n_ahead = build(tmp_path, "ahead", monkeypatch, ahead=True)
    assert (n_here, n_ahead) == (0, 1)  # only big.jsonl, only when on
    assert ahead.documents == here.documents == 1200 - 4 + 1 + 1  # 4 refused, notes + z1
    assert [(s.path, s.reason) for s in ahead.skipped] == [
        (s.path, s.reason) for s in here.skipped]
    reasons = " | ".join(s.reason for s in ahead.skipped)
    assert "invalid JSON" in reasons and "no text" in reasons and reasons.count("duplicate id") == 3
    engine = Engine(tmp_path / "ahead")
    assert engine.search(SearchRequest(query="number1199")).hits[0].id == "r1199"
    assert engine.search(SearchRequest(query="pelican")).total == 1200 - 5
    assert engine.search(SearchRequest(query="quokka")).hits[0].title == "No id \ufffd"
    assert engine.search(SearchRequest(query="kakapo")).total == 1  # the file after it
    assert engine.search(SearchRequest(query="later")).total == 0  # r5 was big.jsonl's


def test_a_reading_process_that_dies_is_reported_and_the_build_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_docs(tmp_path / "docs")
    monkeypatch.setattr(readahead.sys, "executable", "/bin/false")  # the child ends at once
    result, started = build(tmp_path, "idx", monkeypatch, ahead=True)
    assert started == 1
    assert any(s.path == "big.jsonl" and "reading process stopped" in s.reason
               for s in result.skipped), result.summary()
    assert result.documents == 3  # notes.txt, and r5 and z1 of later.jsonl (r5 is free now)
