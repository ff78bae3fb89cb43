"""Issue #28 without a browser: ignored parameters are named, /admin/analyze offers every
language, progress counts add up and say each phase, the history rows, the favicon."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from searchapp.index.build import Progress, build_index
from searchapp.index.jobs import JobStatus, Reporter
from searchapp.index.layout import IndexLayout
from searchapp.web import create_app
from searchapp.web.runs import breakable, duration, run_rows
from tests.test_admin import PASSWORD, login
from tests.ux_archive import make_long_archive


@pytest.fixture(scope="module")
def archive_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("ux3")
    index = tmp / "index"
    build_index(index, [make_long_archive(tmp / "docs", 60)])
    return index


@pytest.fixture
def app(archive_index: Path, tmp_path: Path) -> Flask:
    return create_app({"INDEX_DIR": str(archive_index), "INSTANCE_DIR": str(tmp_path / "inst"),
                       "ADMIN_PASSWORD": PASSWORD})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_bad_date_and_sort_are_reported_as_ignored(client: FlaskClient) -> None:
    answer = client.get("/api/search?q=council&from=2015-13-45&to=2020&sort=bogus").json
    assert answer is not None
    assert any("from=2015-13-45" in w and "Ignored" in w for w in answer["warnings"])
    assert any("sort=bogus" in w for w in answer["warnings"])
    assert not any("to=2020" in w for w in answer["warnings"])  # a year is a date
    html = client.get("/search?q=council&to=yesterday&ui=vi").get_data(as_text=True)
    assert "Đã bỏ qua to=yesterday" in html
    clean = client.get("/api/search?q=council&from=2015-02&sort=oldest").json
    assert clean is not None and clean["warnings"] == []


def test_favicon_is_served(client: FlaskClient) -> None:
    with client.get("/favicon.ico") as answer:
        assert answer.status_code == 200 and answer.data[:4] == b"\x00\x00\x01\x00"
        assert answer.mimetype == "image/vnd.microsoft.icon"
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/").get_data(as_text=True)
    with client.get("/static/favicon.svg") as svg:
        assert svg.status_code == 200


def test_analyze_offers_every_language_of_the_index_and_the_unstemmed_ones(
    client: FlaskClient,
) -> None:
    assert login(client) == 302
    html = client.get("/admin/analyze").get_data(as_text=True)
    offered = set(re.findall(r'<option value="([^"]+)"', html))
    assert {"vi", "zh", "ja", "th", "ko", "en", "de", "tr", "pl"} <= offered
    held = re.search(r'<optgroup label="In this index">(.*?)</optgroup>', html, re.S)
    assert held and {"vi", "th", "zh", "ja", "ko"} <= set(re.findall(r'value="(\w+)"',
                                                                       held.group(1)))
    html = client.get("/admin/analyze?text=สภาประชุม&lang=th").get_data(as_text=True)
    assert '<option value="th" selected>' in html


def test_percent_is_none_while_finishing_and_counts_include_skipped_files(
    tmp_path: Path,
) -> None:
    lines: list[str] = []
    layout = IndexLayout(tmp_path / "index")
    reporter = Reporter(layout, JobStatus(id="x", kind="full", who="cli", pid=1,
                                          state="running", phase="scanning"), lines.append)
    reporter(Progress(5, 25, 0, 5, "indexing"))
    assert reporter.status.percent == 10  # 5 of 25 files (the 5 skipped) of READ_SHARE 50
    reporter(Progress(25, 25, 20, 5, "writing", written=10, to_write=20))
    assert reporter.status.percent == 50 + 22
    for phase in ("committing", "merging", "validating", "switching"):
        reporter(Progress(25, 25, 20, 5, phase, written=20, to_write=20))
        assert reporter.status.percent is None and reporter.status.step.startswith("finishing")
    assert lines == ["scanning the folders…", "reading 20 files (25 found, 5 skipped)…",
                     "writing 20 documents to the index…", "finishing: committing…",
                     "finishing: merging segments…", "finishing: checking the new version…",
                     "finishing: switching searches to it…"]


def test_index_command_says_each_phase_and_counts_every_file(tmp_path: Path) -> None:
    """In a terminal (stderr a pty, as the progress bar needs) every phase has its line."""
    docs = make_long_archive(tmp_path / "docs", 20)
    main, term = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "searchapp.cli", "index", "--index-dir",
                                 str(tmp_path / "index"), str(docs)],
                                stdout=subprocess.PIPE, stderr=term, text=True)
        os.close(term)
        said = b""
        while chunk := _read(main):  # read as it comes: a full terminal would block the child
            said += chunk
        stdout = proc.communicate(timeout=120)[0]
    finally:
        os.close(main)
    assert proc.returncode == 0
    text = said.decode("utf-8", "replace")
    for step in ("scanning the folders…", "reading 22 files (27 found, 5 skipped: unsupported",
                 "finding text repeated", "writing 22 documents", "finishing: committing…",
                 "finishing: checking the new version…", "finishing: switching"):
        assert step in text, text
    assert stdout.startswith("read 27 files: indexed 22 documents, skipped 5 in ")
    quiet = subprocess.run([sys.executable, "-m", "searchapp.cli", "index", "--index-dir",
                            str(tmp_path / "index"), str(docs)], capture_output=True, text=True)
    assert quiet.returncode == 0 and "finishing" not in quiet.stderr  # a log stays short


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: the other end is closed
        return b""


def test_history_rows_are_short_and_paths_wrap_at_slashes() -> None:
    rows = run_rows([{"start": "2026-11-07T14:04:12+00:00", "end": "2026-11-07T14:14:40+00:00",
                      "kind": "full", "outcome": "succeeded", "documents": 3, "skipped": 0},
                     {"start": "garbage"}])
    assert (rows[0].when, rows[0].took) == ("2026-11-07 14:04", "10 min 28 s")
    assert (rows[1].when, rows[1].took, rows[1].documents) == ("garbage", "", None)
    assert duration(54.2) == "54 s" and duration(7300) == "2 h 1 min"
    assert str(breakable("/a/<b>/c")) == "/<wbr>a/<wbr>&lt;b&gt;/<wbr>c"


def test_a_missing_page_says_so_in_the_reader_s_language(client: FlaskClient) -> None:
    html = client.get("/nope?ui=vi").get_data(as_text=True)
    assert "Không có trang nào ở địa chỉ này." in html and "Về trang tìm kiếm" in html
    assert client.get("/api/nope").json == {"error": "not found", "status": 404}


def test_no_filters_button_when_nothing_matched_and_nothing_is_filtered(
    client: FlaskClient,
) -> None:
    assert 'id="filters-toggle"' not in client.get("/search?q=zzzqqqxx").get_data(as_text=True)
    html = client.get("/search?q=zzzqqqxx&lang=en&year=2020").get_data(as_text=True)
    assert 'id="filters-toggle"' in html and '<span class="filters-count">(2)</span>' in html
