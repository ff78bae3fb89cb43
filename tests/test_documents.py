"""Loading: formats, titles, dates, and bad files reported and skipped."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from searchapp.index.build import build_index
from searchapp.ingest.dates import find_date
from searchapp.ingest.records import LoadReport
from searchapp.ingest.titles import guess_title
from searchapp.ingest.walk import load_documents
from searchapp.search.engine import Engine
from searchapp.search.request import SearchRequest


def load(root: Path, **kw: int) -> tuple[list, LoadReport]:  # type: ignore[type-arg]
    report = LoadReport()
    return list(load_documents([root], report, **kw)), report


def test_title_skips_widget_labels_and_dates() -> None:
    text = "Font size:\n\nBig news about the ILO\n\n04 November 2025\n\nBody."
    assert guess_title(text, "x") == "Big news about the ILO"
    assert guess_title(" date 2024-09-06 Minister met the ILO chief", "x").startswith("Minister")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Share this story now\nReal title here", "Real title here"),  # a noise line (<= 29 chars)
        ("Share this story with all of your friends now", "Share this story with all of your friends now"),
        ("DATE 2024-09-06: Launch of the new app for all of us",  # a leading date, any case
         ": Launch of the new app for all of us"),
        ("٢٠٢٤-٠٩-٠٦ Arabic-Indic digits in a long enough line",  # \d: any decimal digit
         "Arabic-Indic digits in a long enough line"),
        ("if (a) { b(); }\nx = 1;\nvar y = 2\nThe words", "The words"),  # code lines skipped
        ("Giá vàng tăng 5% (theo SJC); thị trường sôi động", "Giá vàng tăng 5% (theo SJC); thị trường sôi động"),
        ("Tab\tand\u00a0no-break  spaces\u3000collapsed", "Tab and no-break spaces collapsed"),
        ("x" * 200 + " tail", "x" * 160 + "…"),
    ],
)
def test_title_rules_on_their_edge_cases(text: str, title: str) -> None:
    """The guards that spare most lines the title patterns (ingest/titles.py) keep each rule."""
    assert guess_title(text, "fallback") == title


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Published 04 November 2025 in Geneva", "2025-11-04"),
        ("date 2024-09-06 Deputy Prime Minister", "2024-09-06"),
        ("On November 3, 2025, during his visit", "2025-11-03"),
        ("Hà Nội, ngày 6 tháng 2 năm 2017 - Sáng nay", "2017-02-06"),
        ("Kết quả xổ số ngày 6/2/2017", "2017-02-06"),
        ("2023年5月1日発表", "2023-05-01"),
    ],
)
def test_dates_stated_in_text(text: str, iso: str) -> None:
    found = find_date(text)
    assert found is not None and found.isoformat() == iso


def test_formats(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Heading here\n\nSome *markdown* text.", encoding="utf-8")
    (tmp_path / "b.html").write_text(
        "<html><head><title>Page &amp; title</title><script>var secret=1</script></head>"
        "<body><p>Visible <b>text</b></p><style>.x{}</style></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "c.jsonl").write_text(
        json.dumps({"id": "j1", "title": "T1", "text": "first", "lang": "eng", "date": "2020-05-01",
                    "url": "https://example.org/1", "source": "wire"}) + "\n"
        + json.dumps({"id": "j2", "text": "Second record body"}) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "d.json").write_text(json.dumps([{"id": "k1", "title": "K", "text": "kk"}]))
    docs, report = load(tmp_path)
    by_id = {d.id: d for d in docs}
    assert by_id["a.md"].title == "Heading here"
    assert by_id["b.html"].title == "Page & title"
    assert "Visible" in by_id["b.html"].body and "secret" not in by_id["b.html"].body
    assert by_id["j1"].lang == "eng" and by_id["j1"].date.isoformat() == "2020-05-01"
    assert by_id["j1"].source == "wire" and by_id["j1"].url == "https://example.org/1"
    assert by_id["j2"].title == "Second record body"
    assert "k1" in by_id and not report.skipped


def test_nfd_input_is_normalised(tmp_path: Path) -> None:
    import unicodedata

    (tmp_path / "nfd.txt").write_text(unicodedata.normalize("NFD", "Nhân quyền và Đà Nẵng"))
    build_index(tmp_path / "idx", [tmp_path])
    e = Engine(tmp_path / "idx")
    assert [h.id for h in e.search(SearchRequest("quyền", prefix_last=False)).hits] == ["nfd.txt"]
    nfd_query = unicodedata.normalize("NFD", "quyền")
    assert e.search(SearchRequest(nfd_query, prefix_last=False)).total == 1


def test_bad_files_are_skipped_with_reasons(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text("A perfectly good document about llamas", encoding="utf-8")
    (docs / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    (docs / "latin1.txt").write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    (docs / "empty.txt").write_bytes(b"")
    (docs / "utf16.txt").write_bytes("\ufeffUTF-16 llamas too".encode("utf-16-le"))
    (docs / "big.txt").write_text("x" * 5000, encoding="utf-8")
    (docs / "broken.jsonl").write_text(
        '{"id": "ok1", "text": "llamas in json"}\n{not json\n[1,2]\n', encoding="utf-8"
    )
    (docs / "image.png").write_bytes(b"\x89PNG")
    (docs / "loop").mkdir()
    os.symlink("..", docs / "loop" / "again")
    locked = docs / "locked.txt"
    locked.write_text("secret llamas", encoding="utf-8")
    locked.chmod(0)
    try:
        result = build_index(tmp_path / "idx", [docs], max_bytes=4096)
    finally:
        locked.chmod(0o644)
    reasons = {s.path: s.reason for s in result.skipped}
    assert "binary" in reasons["binary.txt"]
    assert "latin1.txt" not in reasons  # legacy encodings are detected (formats/encoding.py)
    assert "empty" in reasons["empty.txt"]
    assert "too large" in reasons["big.txt"]
    assert "invalid JSON" in reasons["broken.jsonl:2"]
    assert "not a JSON object" in reasons["broken.jsonl:3"]
    assert "unsupported" in reasons["image.png"]
    assert any("symlink loop" in r for r in reasons.values())
    if os.geteuid() != 0:  # root reads anything
        assert "unreadable" in reasons["locked.txt"]
    e = Engine(tmp_path / "idx")
    found = {h.id for h in e.search(SearchRequest("llamas", prefix_last=False)).hits}
    assert {"good.txt", "utf16.txt", "ok1"} <= found
    assert [h.id for h in e.search(SearchRequest("crème", prefix_last=False)).hits] == ["latin1.txt"]
    assert "indexed" in result.summary() and "binary.txt" in result.summary()
