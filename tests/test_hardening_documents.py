"""Hostile documents, generated at test time beside good ones, through `searchapp index` and the
admin reindex: each is indexed correctly or skipped with its reason (in the CLI summary and in
index/history.jsonl), every good document is indexed, and nothing crashes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from searchapp.index import history
from searchapp.index.layout import IndexLayout
from tests.test_admin import COMMON, AdminClient, admin_server, api_total, make_docs

GOOD = 24
BIG_MB = 50
NESTING = 5_000  # deep, under documents.MAX_HTML_NESTING; deeper files are skipped
AS_ROOT = os.geteuid() == 0  # root reads a chmod 000 file anyway


def make_hostile(docs: Path) -> dict[str, str | None]:
    """Write the hostile files; return {relative path: expected skip reason or None (indexed)}."""
    (docs / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (docs / "latin1.txt").write_bytes("Café crème, déjà vu - latin1word".encode("latin-1"))
    (docs / "utf16.txt").write_text("UTF-16 text with a BOM: utfsixteenword ở đây\n",
                                    encoding="utf-16")  # Python writes the BOM
    (docs / "empty.txt").write_bytes(b"")
    with open(docs / "huge.txt", "wb") as f:  # 50 MB of text, over the 20 MB default limit
        line = b"hugefileword lorem ipsum dolor sit amet " * 25 + b"\n"
        f.writelines(line for _ in range(BIG_MB * 1024 * 1024 // len(line) + 1))
    depth = NESTING  # 100_000 would take ~40 s to parse: see test_100k_nested_divs_load_quickly
    (docs / "nested.html").write_text(
        "<html><head><title>Deep nesting</title></head><body>" + "<div>" * depth
        + "deepnestword inside" + "</div>" * depth + "</body></html>", encoding="utf-8")
    (docs / "script.html").write_text(
        "<html><head><title>Scripted page</title><script>var scriptonlyword = 1;"
        "document.title='pwned'</script><style>.styleonlyword{}</style></head><body>"
        "<p>visiblescriptword text</p><script>alert('scriptonlyword')</script>"
        "<img src=x onerror=\"alert('attrword')\"><noscript>noscriptword</noscript></body></html>",
        encoding="utf-8")
    (docs / "broken.jsonl").write_text(
        '{"id": "jl-1", "title": "First record", "text": "jsonlgoodword one"}\n'
        '{"id": "jl-2", "title": "Broken\n'
        'not json at all\n'
        '[1, 2, 3]\n'
        '{"id": "jl-3", "title": "Third record", "text": "jsonlgoodword three"}\n'
        '{"id": "jl-4", "text": ""}\n', encoding="utf-8")
    (docs / "loopdir").mkdir()
    (docs / "loopdir" / "inner.txt").write_text("Inner file\n\nloopinnerword\n")
    (docs / "loopdir" / "back").symlink_to("..", target_is_directory=True)
    (docs / "selfloop.txt").symlink_to("selfloop.txt")
    (docs / "dangling.txt").symlink_to("does-not-exist.txt")
    locked = docs / "locked.txt"
    locked.write_text("Locked file\n\nlockedword\n")
    locked.chmod(0)
    return {
        "binary.txt": "binary file", "latin1.txt": None, "utf16.txt": None,
        "empty.txt": "empty file", "huge.txt": "too large", "nested.html": None,
        "script.html": None, "broken.jsonl:2": "invalid JSON", "broken.jsonl:3": "invalid JSON",
        "broken.jsonl:4": "not a JSON object", "broken.jsonl:6": "record has no text",
        "loopdir/back": "symlink loop",
        "selfloop.txt": "unreadable", "dangling.txt": "unreadable",
        "locked.txt": None if AS_ROOT else "unreadable",
    }


def check_reasons(skipped: dict[str, str], expected: dict[str, str | None]) -> None:
    for path, reason in expected.items():
        if reason is None:
            assert path not in skipped, (path, skipped.get(path))
        else:
            assert path in skipped and reason in skipped[path], (path, skipped.get(path), skipped)


@pytest.mark.slow
def test_hostile_documents_through_the_cli_and_the_admin_reindex(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", GOOD)
    expected = make_hostile(docs)
    if AS_ROOT:
        print("\nrunning as root: a chmod 000 file is still readable, so locked.txt is indexed "
              "(its 'unreadable' skip is only asserted for other users)")
    index = tmp_path / "index"
    # the CLI
    out = subprocess.run([sys.executable, "-m", "searchapp.cli", "index", "--quiet",
                          "--index-dir", str(index), str(docs)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Traceback" not in out.stderr
    summary = {line.split(": ", 1)[0].strip().removeprefix("skipped "): line.split(": ", 1)[1]
               for line in out.stdout.splitlines() if line.startswith("  skipped ")}
    check_reasons(summary, expected)
    layout = IndexLayout(index)
    cli_run = history.read(layout, 1)[0]
    assert cli_run["who"] == "cli" and cli_run["outcome"] == "succeeded"
    check_reasons({s["path"]: s["reason"] for s in cli_run["skipped_reasons"]}, expected)
    # utf16, latin1 (legacy encodings are detected), nested, script, loopdir/inner
    indexed_files = GOOD + 5 + (1 if AS_ROOT else 0)
    assert cli_run["documents"] == indexed_files + 2  # + two good JSON lines records

    # the admin reindex, on a real server over the same folders
    with admin_server(tmp_path, docs, index) as base:
        admin = AdminClient(base)
        admin.login()
        job = admin.wait_job(admin.reindex("full")["job"]["id"], timeout=120)
        assert job["state"] == "succeeded", job
        run = history.read(layout, 1)[0]
        assert run["who"] == "admin" and run["documents"] == cli_run["documents"]
        check_reasons({s["path"]: s["reason"] for s in run["skipped_reasons"]}, expected)
        status, page, _ = admin.request("GET", "/admin/")
        assert status == 200 and "binary file" in page and "symlink loop" in page

        assert api_total(base, COMMON) == GOOD  # every good document beside them
        for word, n in [("utfsixteenword", 1), ("deepnestword", 1), ("visiblescriptword", 1),
                        ("jsonlgoodword", 2), ("loopinnerword", 1), ("scriptonlyword", 0),
                        ("styleonlyword", 0), ("attrword", 0), ("noscriptword", 0),
                        ("hugefileword", 0), ("latin1word", 1)]:
            assert api_total(base, word) == n, word
        status, html, _ = admin.request("GET", "/doc/script.html")
        assert status == 200 and "visiblescriptword" in html
        assert "scriptonlyword" not in html and "pwned" not in html and "onerror" not in html
        status, body, _ = admin.request("GET", "/api/doc/nested.html")
        assert status == 200 and "deepnestword" in json.loads(body)["body_html"]


def test_100k_nested_divs_load_quickly(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div>" * 100_000 + "deepword" + "</div>" * 100_000
                    + "</body></html>", encoding="utf-8")
    code = ("import sys; from pathlib import Path; from searchapp.ingest.records import LoadReport; "
            "from searchapp.ingest.load import load_file; r = LoadReport(); d = list(load_file(Path(sys.argv[1]), 'deep.html', "
            "'x', r)); print(len(d), r.skipped)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                         timeout=5)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("1 []") or "nested too deeply" in out.stdout, out.stdout


def test_bounded_reads_stop_a_hung_step_not_the_callers_work() -> None:
    """bounded() interrupts one step (a read and parse) that hangs, while the caller's own work
    between steps, and a deadline nested in it, do not count against the steps."""
    import time

    from searchapp.ingest.safety import ReadTimeout, bounded, deadline

    def steps():  # type: ignore[no-untyped-def]
        yield 1
        time.sleep(0.3)  # a slow but honest step (< 0.5 s)
        yield 2
        time.sleep(30)  # hung
        yield 3

    got = []
    started = time.monotonic()
    with pytest.raises(ReadTimeout):
        for item in bounded(steps(), seconds=0.5):
            got.append(item)
            with deadline(5):
                time.sleep(0.05)
            time.sleep(1.6)  # the caller's work: longer than a step may take, and than REARM
    assert got == [1, 2]
    assert time.monotonic() - started < 8  # 0.3 + 2 x 1.65 + at most 0.5 + REARM


def test_bounded_reads_set_the_timer_rarely_yet_bound_every_step(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """bounded() does not set the interval timer for every step (two system calls per JSON
    line were ~10 % of a sentence build), yet a step that starts late in the timer's period
    still gets its full time, and a step that hangs later is stopped."""
    import signal
    import time

    from searchapp.ingest import safety

    calls = []
    real = signal.setitimer
    monkeypatch.setattr(safety.signal, "setitimer",
                        lambda which, secs, *a: (calls.append(secs), real(which, secs, *a))[1])
    assert list(safety.bounded(iter(range(5000)), seconds=5)) == list(range(5000))
    assert len(calls) <= 3, len(calls)  # set once, cleared at the end

    def steps():  # type: ignore[no-untyped-def]
        yield 1
        time.sleep(0.35)  # honest, but ends after the timer set for step 1 would have gone off
        yield 2
        time.sleep(30)  # hung
        yield 3

    got = []
    started = time.monotonic()
    with pytest.raises(safety.ReadTimeout):
        for item in safety.bounded(steps(), seconds=0.5):
            got.append(item)
            time.sleep(0.3)  # the caller's work, shorter than the timer
    assert got == [1, 2]
    assert time.monotonic() - started < 3
