"""Hardening, third round (#27), the readers: YAML aliases in front matter, HTML nesting in
every reader that parses HTML, and timeouts that agree — through the real CLI."""

from __future__ import annotations

import io
import resource
import subprocess
import time
import zipfile
from email.message import EmailMessage
from pathlib import Path

from tests.test_round2_ingest import CLI, search

DEEP = "<div></x>" * 200_000  # every </x> closes nothing: 200,000 levels for a parser
GIB = 1 << 30


def cli_bounded(*args: str, memory: int = 2 * GIB, timeout: float = 300,
                **extra: str) -> subprocess.CompletedProcess[str]:
    """The CLI under an address-space limit (a runaway reader fails, not the machine)."""
    import os

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **extra}, preexec_fn=limit, check=False)


def laughs() -> str:
    """The 424-byte front matter of the report: nine lists of nine aliases, title: *l7."""
    lines = ["---", "l0: &l0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 8)]
    return "\n".join([*lines, "title: *l7", "---", "Body text about marmots.", ""])


def test_yaml_aliases_in_front_matter_are_refused(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "laughs.md").write_text(laughs(), encoding="utf-8")
    (docs / "fine.md").write_text("---\ntitle: Vole notes\ntags: [voles]\n---\nAbout voles.\n",
                                  encoding="utf-8")
    root = tmp_path / "index"
    started = time.monotonic()
    res = cli_bounded("index", "--index-dir", str(root), str(docs))
    assert res.returncode == 0, res.stderr[-2000:]
    assert time.monotonic() - started < 120
    hit = search(root, "marmots")["hits"]
    assert [h["id"] for h in hit] == ["laughs.md"] and hit[0]["title"] == "Body text about marmots."
    assert search(root, "lol")["total"] == 0  # the refused front matter is not text either
    assert search(root, "voles")["hits"][0]["title"] == "Vole notes"  # plain YAML still read


def deep_epub() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/container.xml", (
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>"))
        zf.writestr("content.opf", (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Deep</dc:title>'
            '</metadata><manifest><item id="c1" href="ch1.xhtml" '
            'media-type="application/xhtml+xml"/></manifest>'
            '<spine><itemref idref="c1"/></spine></package>'))
        zf.writestr("ch1.xhtml", f"<html><body><p>aardvark</p>{DEEP}</body></html>")
    return buf.getvalue()


def deep_eml() -> bytes:
    msg = EmailMessage()
    msg["Subject"] = "Deep mail"
    msg["From"] = "a@example.org"
    msg.set_content(f"<html><body><p>aardvark</p>{DEEP}</body></html>", subtype="html")
    return msg.as_bytes()


def test_every_reader_of_html_refuses_deep_nesting_at_once(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "deep.html").write_text(f"<html><body><p>aardvark</p>{DEEP}</body></html>",
                                    encoding="utf-8")
    (docs / "deep.epub").write_bytes(deep_epub())
    (docs / "deep.eml").write_bytes(deep_eml())
    (docs / "fine.html").write_text("<html><body><div><p>Fine page about aardvarks</p></div>"
                                    + "<div>a</div>" * 300 + "</body></html>", encoding="utf-8")
    root = tmp_path / "index"
    started = time.monotonic()
    res = cli_bounded("index", "--index-dir", str(root), str(docs), SEARCHAPP_FILE_TIMEOUT="20")
    took = time.monotonic() - started
    assert res.returncode == 0, res.stderr[-2000:]
    out = res.stdout + res.stderr
    for name in ("deep.html", "deep.epub", "deep.eml"):
        line = next((ln for ln in out.splitlines() if f"skipped {name}:" in ln), "")
        assert "nested too deeply" in line, (name, out[-3000:])
    assert took < 60, took
    assert [h["id"] for h in search(root, "aardvarks")["hits"]] == ["fine.html"]


def test_the_nesting_guard_follows_the_parser() -> None:
    """What the parser nests deeply counts deep; flat or unclosed-but-flat HTML does not."""
    from searchapp.ingest.formats.html import MAX_HTML_NESTING, nesting_depth

    deep = {"<div></x>": 200_000, "<span><div></span>": 6_000, "<b><div></b>": 6_000,
            "<div>": 20_000, "<li><ul>": 6_000}
    for piece, n in deep.items():
        assert nesting_depth(piece * n) > MAX_HTML_NESTING, piece
    flat = {"<div>a</div>": 50_000, "<p>para": 50_000, "<li>item": 50_000,
            "<table><tr><td>a<td>b<tr><td>c</table>": 5_000, "<br><img src=x>": 50_000,
            "<!-- <div> -->": 50_000, "<script>if (a<b) x='<div>'</script>": 50_000}
    for piece, n in flat.items():
        assert nesting_depth("<ul>" + piece * n) < 10, piece


def test_one_budget_per_file_keeps_what_was_read(tmp_path: Path) -> None:
    """SEARCHAPP_READ_TIMEOUT (per JSON record) no longer cuts a document file before its
    SEARCHAPP_FILE_TIMEOUT, nor calls the cut a crash: a mailbox too long to read in time keeps
    the messages read by then."""
    docs = tmp_path / "docs"
    docs.mkdir()
    with (docs / "long.mbox").open("w", encoding="utf-8") as f:
        for i in range(1, 40_001):  # ~8 MB: longer to read than 3 s on any machine here
            topic = "quokkas" if i == 1 else "wombats"
            f.write(f"From p{i}@example.org Mon Mar  1 12:00:00 2021\n"
                    f"From: Person {i} <p{i}@example.org>\nSubject: Message {i} about {topic}\n"
                    f"Date: Mon, 01 Mar 2021 12:00:00 +0000\nContent-Type: text/plain\n\n"
                    f"Body {i} of the long mailbox, wombats and more wombats.\n\n")
    (docs / "note.txt").write_text("Note\n\nabout numbats", encoding="utf-8")
    root = tmp_path / "index"
    res = cli_bounded("index", "--index-dir", str(root), str(docs),
                      SEARCHAPP_FILE_TIMEOUT="3", SEARCHAPP_READ_TIMEOUT="1")
    assert res.returncode == 0, res.stderr[-2000:]
    out = res.stdout + res.stderr
    assert "crashed" not in out and "did not start" not in out, out[-2000:]
    assert search(root, "quokkas")["total"] == 1, out[-2000:]  # the first message, kept
    assert search(root, "numbats")["total"] == 1
