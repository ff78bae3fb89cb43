"""Real files of every format, indexed by the real indexer and found through /api/search:
by their words with and without diacritics, titled from the document, dated from its metadata,
the PDF page of the match; furniture kept out of matching; the original file served safely."""

from __future__ import annotations

import datetime
import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from searchapp.index.build import Checks, ValidationFailed, build_index
from searchapp.index.incremental import update_index
from searchapp.web import create_app
from tests.conftest import SEEDS
from tests.format_builders import (
    DEJAVU,
    RTF,
    make_docx,
    make_eml,
    make_epub,
    make_mbox,
    make_ods,
    make_odt,
    make_pdf,
    make_pptx,
    make_xlsx,
)

UTC = datetime.UTC
needs_dejavu = pytest.mark.skipif(not DEJAVU.exists(), reason="DejaVu fonts not installed")


def _folder(root: Path) -> Path:
    docs = root / "docs"
    docs.mkdir()
    (docs / "atlas.pdf").write_bytes(make_pdf(
        ["Mở đầu: giới thiệu chung về bản đồ.", "Chương hai nói về sông Mê Kông và đồng bằng.",
         "Chương ba: khí hậu nhiệt đới gió mùa."],
        title="Tập bản đồ Việt Nam", author="Nguyễn Văn An",
        created=datetime.datetime(2019, 5, 4, tzinfo=UTC)))
    (docs / "bien-ban.docx").write_bytes(make_docx())
    (docs / "plan.pptx").write_bytes(make_pptx(
        "Kế hoạch 2025", [("Mục tiêu", "Tăng doanh thu mười phần trăm."),
                          ("Ngân sách", "Tổng chi phí dự kiến hai tỷ đồng.")]))
    (docs / "stats.xlsx").write_bytes(make_xlsx(
        "Thống kê dân số", {"Dân số": [["Tỉnh", "Dân số"], ["Quảng Ninh", 1320324]]}))
    (docs / "rapport.odt").write_bytes(make_odt(
        "Rapport annuel", "Introduction", "Le chiffre d'affaires a progressé de douze pour cent."))
    (docs / "ventes.ods").write_bytes(make_ods(
        "Ventes régionales", [["Région", "Montant"], ["Bretagne", "1200"]]))
    (docs / "projet.rtf").write_bytes(RTF.encode("ascii"))
    (docs / "kieu.epub").write_bytes(make_epub())
    (docs / "q3.eml").write_bytes(make_eml(
        "Báo cáo quý III", "Xin gửi anh chị báo cáo quý ba về xuất khẩu cà phê.",
        datetime.datetime(2024, 10, 5, 9, 15, tzinfo=UTC),
        {"figures.pdf": make_pdf(["Revenue grew by twelve percent in the quarter."],
                                 title="Quarterly figures")}))
    (docs / "list.mbox").write_bytes(make_mbox([
        ("Weekly bulletin one", "Volunteers planted mangroves along the estuary.",
         datetime.datetime(2021, 3, 1, 12, tzinfo=UTC)),
        ("Weekly bulletin two", "The lighthouse keeper retired after forty years.",
         datetime.datetime(2021, 3, 2, 12, tzinfo=UTC))]))
    (docs / "page.html").write_text(
        '<html lang="de"><head><title>Die Zugspitze</title>'
        '<link rel="canonical" href="https://example.org/zugspitze">'
        '<meta property="article:published_time" content="2020-07-01"></head><body>'
        "<nav>Startseite Impressum Kontakt</nav><article><h1>Die Zugspitze</h1>"
        "<p>Die Zugspitze ist mit 2962 Metern der höchste Berg Deutschlands und liegt im "
        "Wettersteingebirge südwestlich von Garmisch-Partenkirchen.</p>"
        "<p>Über den Gipfel verläuft die Grenze zwischen Bayern und Tirol, und drei Seilbahnen "
        "führen hinauf.</p></article><footer>Druckversion</footer></body></html>",
        encoding="utf-8")
    (docs / "note.md").write_text(
        "---\ntitle: Ghi chú về phở\ndate: 2018-02-03\nlang: vi\ntags: [ẩm thực, Hà Nội]\n---\n"
        "# Tiêu đề khác\n\nPhở bò Nam Định nấu với quế và hồi.\n", encoding="utf-8")
    (docs / "legacy.txt").write_bytes(
        "Le château de Chambord est un joyau de la Renaissance française, bâti au "
        "seizième siècle au cœur de la Sologne. Son escalier à double révolution attire des "
        "visiteurs du monde entier.".encode("cp1252"))
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4\n garbage")
    return docs


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("formats")
    docs = _folder(root)
    build_index(root / "index", [docs])
    return root / "index", docs


@pytest.fixture(scope="module")
def client(built: tuple[Path, Path]):  # type: ignore[no-untyped-def]
    return create_app({"TESTING": True, "INDEX_DIR": str(built[0])}).test_client()


def _hits(client, q: str) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    r = client.get(f"/api/search?q={quote(q)}")
    assert r.status_code == 200
    return r.get_json()["hits"]  # type: ignore[no-any-return]


def _one(client, q: str, doc_id: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    hits = [h for h in _hits(client, q) if h["id"] == doc_id]
    assert hits, f"{q!r} does not find {doc_id}: {[h['id'] for h in _hits(client, q)]}"
    return hits[0]


CASES = [
    # query, folded query, id, format, title, date
    ("đồng bằng", "dong bang", "atlas.pdf", "pdf", "Tập bản đồ Việt Nam", "2019-05-04"),
    ("kết thúc", "ket thuc", "bien-ban.docx", "docx", "Biên bản họp", "2023-06-01"),
    ("doanh thu", "doanh thu", "plan.pptx", "pptx", "Kế hoạch 2025", None),
    ("Quảng Ninh", "quang ninh", "stats.xlsx", "xlsx", "Thống kê dân số", None),
    ("progressé", "progresse", "rapport.odt", "odt", "Rapport annuel", "2022-09-30"),
    ("Bretagne", "bretagne", "ventes.ods", "ods", "Ventes régionales", None),
    ("démarré", "demarre", "projet.rtf", "rtf", "Résumé du projet", "2021-04-07"),
    ("chữ mệnh", "chu menh", "kieu.epub", "epub", "Truyện Kiều", "1820-01-01"),
    ("xuất khẩu", "xuat khau", "q3.eml", "eml", "Báo cáo quý III", "2024-10-05"),
    ("mangroves", "mangroves", "list.mbox#1", "mbox", "Weekly bulletin one", "2021-03-01"),
    ("höchste Berg", "hochste berg", "page.html", "html", "Die Zugspitze", "2020-07-01"),
    ("quế và hồi", "que va hoi", "note.md", "md", "Ghi chú về phở", "2018-02-03"),
    ("château", "chateau", "legacy.txt", "txt", None, None),
]


@pytest.mark.parametrize("query,folded,doc_id,fmt,title,date", CASES)
def test_every_format_is_found_titled_and_dated(client, query, folded, doc_id, fmt, title, date) -> None:  # type: ignore[no-untyped-def]
    if fmt == "pdf" and not DEJAVU.exists():
        pytest.skip("DejaVu fonts not installed")
    for q in (query, folded):
        hit = _one(client, q, doc_id)
        assert hit["format"] == fmt
        if title:
            assert hit["title"] == title
        if date:
            assert hit["date"] == date


@needs_dejavu
def test_pdf_page_of_the_match(client) -> None:  # type: ignore[no-untyped-def]
    assert _one(client, "Mê Kông", "atlas.pdf")["page"] == 2
    assert _one(client, "nhiệt đới gió mùa", "atlas.pdf")["page"] == 3
    assert _one(client, "doanh thu", "plan.pptx")["page"] == 1
    assert _one(client, "chi phí", "plan.pptx")["page"] == 2
    assert _one(client, "xuất khẩu", "q3.eml")["page"] is None
    doc = client.get("/api/doc/atlas.pdf?q=khí+hậu").get_json()
    assert (doc["format"], doc["page"], doc["pages"]) == ("pdf", 3, 3)
    assert doc["author"] == "Nguyễn Văn An"
    assert client.get("/api/doc/q3.eml").get_json()["page"] is None
    page = client.get("/search?q=Mê+Kông").get_data(as_text=True)
    assert "/file/atlas.pdf#page=2" in page and "page 2" in page
    doc_page = client.get("/doc/atlas.pdf?q=Mê+Kông").get_data(as_text=True)
    assert 'href="/file/atlas.pdf#page=2"' in doc_page


def test_attachments_and_messages_have_their_own_ids(client) -> None:  # type: ignore[no-untyped-def]
    hit = _one(client, "twelve percent", "q3.eml#figures.pdf")
    assert hit["format"] == "pdf" and hit["title"] == "Quarterly figures"
    doc = client.get("/api/doc/" + quote("q3.eml#figures.pdf", safe="")).get_json()
    assert doc["title"] == "Quarterly figures"
    assert _one(client, "lighthouse", "list.mbox#2")["title"] == "Weekly bulletin two"


def test_html_lang_url_and_front_matter(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/api/doc/page.html").get_json()
    assert page["lang"] == "de" and page["url"] == "https://example.org/zugspitze"
    assert "Impressum" not in page["body_html"] and not _hits(client, "Impressum")
    note = client.get("/api/doc/note.md").get_json()
    assert note["lang"] == "vi" and note["tags"] == ["ẩm thực", "Hà Nội"]
    assert not _hits(client, "title")  # the front matter itself is not text


def test_bad_files_are_listed_and_formats_counted(built: tuple[Path, Path]) -> None:
    from searchapp.index import manifest
    from searchapp.index.layout import IndexLayout

    layout = IndexLayout(built[0])
    files = manifest.load(layout.versions / str(layout.current_version()))
    assert files is not None
    assert "corrupt PDF" in files["broken.pdf"].skipped
    assert files["q3.eml"].ids == ["q3.eml", "q3.eml#figures.pdf"]


def _file(client, doc_id: str):  # type: ignore[no-untyped-def]
    """GET /file/<doc_id> (already quoted), body read and the file closed."""
    r = client.get(f"/file/{doc_id}", follow_redirects=True)
    r.get_data()
    r.close()
    return r


def test_original_file_route(client, built: tuple[Path, Path], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = _file(client, "atlas.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert "attachment" not in r.headers.get("Content-Disposition", "")
    assert r.data == (built[1] / "atlas.pdf").read_bytes()
    r = _file(client, "page.html")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in r.headers["Content-Security-Policy"]
    r = _file(client, "bien-ban.docx")
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert _file(client, "legacy.txt").mimetype == "text/plain"
    assert _file(client, quote("q3.eml#figures.pdf", safe="")).status_code == 200
    for bad in ("../index/CURRENT", "..%2Findex%2FCURRENT", "%2Fetc%2Fpasswd", "broken.pdf",
                "nothing.pdf", "docs/atlas.pdf", "%2E%2E/index/CURRENT", "atlas.pdf%00"):
        assert _file(client, bad).status_code == 404, bad


def test_original_file_symlink_escape_is_refused(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("Top secret payroll figures for the board only.", encoding="utf-8")
    (docs / "fine.txt").write_text("An ordinary letter about the garden party.", encoding="utf-8")
    os.symlink(secret, docs / "link.txt")
    build_index(tmp_path / "index", [docs])
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    assert _file(client, "fine.txt").status_code == 200
    assert _file(client, "link.txt").status_code == 404
    # a file replaced by a symlink after indexing is refused too
    (docs / "fine.txt").unlink()
    os.symlink(secret, docs / "fine.txt")
    assert _file(client, "fine.txt").status_code == 404


def test_seed_footer_does_not_match(tmp_path: Path) -> None:
    build_index(tmp_path / "index", [SEEDS])
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    seed = "000_b2a8526e512383b7.txt"
    for q in ('"print version"', "print version", "archive", "Archive", "video",
              '"Official Internet Resources"', "Resources"):
        assert seed not in [h["id"] for h in _hits(client, q)], q
    assert seed in [h["id"] for h in _hits(client, "Sekreta")]
    hit = _one(client, "Sekreta", seed)
    assert "Font size" not in hit["title"] and "Sekreta" in hit["title"]
    doc = client.get(f"/api/doc/{seed}").get_json()
    assert "print version" not in doc["body_html"]
    assert "print version" in client.get(f"/doc/{seed}").get_data(as_text=True)  # dimmed


def _site(docs: Path, n: int) -> None:
    menu = "Home\nNews\nSport\nContact the newsroom\n"
    footer = "\nSubscribe to the Riverside Gazette\nRiverside Gazette 1999-2024"
    for i in range(n):
        (docs / f"a{i}.txt").write_text(
            f"{menu}\nStory number {i} about the harbour{' crane' * (i % 3)}.\n"
            f"The council met on Tuesday to discuss item {i}.\n{footer}", encoding="utf-8")


def test_repeated_lines_of_a_source_never_match_and_stay_out_incrementally(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    _site(docs, 6)
    build_index(tmp_path / "index", [docs])
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    for q in ("newsroom", "Gazette", "Subscribe"):
        assert _hits(client, q) == [], q
    assert len(_hits(client, "harbour")) == 6
    (docs / "a7.txt").write_text(
        "Home\nNews\nSport\nContact the newsroom\n\nA new story about the lighthouse.\n\n"
        "Subscribe to the Riverside Gazette\nRiverside Gazette 1999-2024", encoding="utf-8")
    update_index(tmp_path / "index", [docs])
    assert [h["id"] for h in _hits(client, "lighthouse")] == ["a7.txt"]
    assert _hits(client, "newsroom") == [] and _hits(client, "Gazette") == []


def test_first_build_serves_a_minority_of_good_files(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text("The only readable letter about orchards.", encoding="utf-8")
    for i in range(4):
        (docs / f"bad{i}.pdf").write_bytes(b"%PDF-1.4 broken")
    result = build_index(tmp_path / "index", [docs], checks=Checks(max_skip_ratio=0.5))
    assert result.documents == 1 and len(result.skipped) == 4
    assert all("corrupt PDF" in s.reason for s in result.skipped)
    # a serving index is protected: the same folder is refused by the guard now
    with pytest.raises(ValidationFailed):
        build_index(tmp_path / "index", [docs], checks=Checks(max_skip_ratio=0.5))


def test_bad_files_reported_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PdfReader, PdfWriter

    docs = tmp_path / "docs"
    docs.mkdir()
    plain = make_pdf(["A secret plan."], font=None)
    writer = PdfWriter(clone_from=PdfReader(__import__("io").BytesIO(plain)))
    writer.encrypt("pw")
    out = __import__("io").BytesIO()
    writer.write(out)
    (docs / "locked.pdf").write_bytes(out.getvalue())
    (docs / "long.pdf").write_bytes(make_pdf([f"Page {i} of the long report." for i in range(10_000)],
                                             font=None))
    import zipfile

    bomb = __import__("io").BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * (300 * 1024 * 1024))
    (docs / "bomb.docx").write_bytes(bomb.getvalue())
    (docs / "bad.mbox").write_bytes(b"hello world, not a mailbox\n")
    (docs / "ok.txt").write_text("A perfectly ordinary note about bicycles.", encoding="utf-8")
    monkeypatch.setenv("SEARCHAPP_MAX_PAGES", "10")
    result = build_index(tmp_path / "index", [docs])
    reasons = {s.path: s.reason for s in result.skipped}
    assert "encrypted" in reasons["locked.pdf"]
    assert "zip bomb" in reasons["bomb.docx"]
    assert "mbox" in reasons["bad.mbox"]
    assert "long.pdf" not in reasons and result.formats == {"pdf": 1, "txt": 1}
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    assert _hits(client, "bicycles")
    doc = client.get("/api/doc/long.pdf").get_json()
    assert doc["pages"] == 10  # SEARCHAPP_MAX_PAGES


def test_file_changed_while_read_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchapp.ingest import load
    from searchapp.ingest.records import LoadReport

    path = tmp_path / "moving.txt"
    path.write_text("A text that keeps changing while it is read.", encoding="utf-8")
    real = load.open_walked

    class Touching:  # the file, written to by someone else while the loader reads it
        def __init__(self, f: Any) -> None:
            self.f = f

        def __getattr__(self, name: str) -> Any:
            return getattr(self.f, name)

        def __enter__(self) -> Touching:
            return self

        def __exit__(self, *exc: object) -> None:
            self.f.close()

        def read(self, n: int = -1) -> bytes:
            data: bytes = self.f.read(n)
            with open(path, "a", encoding="utf-8") as other:
                other.write(" more")
            return data

    monkeypatch.setattr(load, "open_walked", lambda p, walked: Touching(real(p, walked)))
    report = LoadReport()
    assert list(load.load_file(path, "moving.txt", "t", report)) == []
    assert "changed while" in report.skipped[0].reason
    assert report.read["moving.txt"].size == len("A text that keeps changing while it is read.")


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_images_only_with_ocr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.format_builders import make_png

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "scan.png").write_bytes(make_png("Quarterly water report"))
    (docs / "note.txt").write_text("An unrelated note about tea.", encoding="utf-8")
    result = build_index(tmp_path / "off", [docs])
    assert result.documents == 1 and "unsupported" in result.skipped[0].reason
    monkeypatch.setenv("SEARCHAPP_OCR", "1")
    monkeypatch.setenv("SEARCHAPP_OCR_LANGS", "eng")
    result = build_index(tmp_path / "on", [docs])
    assert result.documents == 2, result.summary()
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "on")}).test_client()
    assert _one(client, "water", "scan.png")["format"] == "image"


def test_admin_and_cli_show_formats_and_skips(built: tuple[Path, Path], tmp_path: Path) -> None:
    from click.testing import CliRunner

    from searchapp.cli import main

    app = create_app({"TESTING": True, "INDEX_DIR": str(built[0]),
                      "INSTANCE_DIR": str(tmp_path / "instance"), "ADMIN_PASSWORD": "pw-123456",
                      "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/admin/login", data={"password": "pw-123456"})
    page = client.get("/admin/").get_data(as_text=True)
    assert 'id="formats"' in page and 'data-format="pdf"' in page and 'data-format="mbox"' in page
    assert 'data-watching="off"' in page
    result = CliRunner().invoke(main, ["index", "--quiet", "--index-dir", str(tmp_path / "i"),
                                       str(built[1])])
    assert result.exit_code == 0, result.output
    assert "formats: " in result.output and "pdf=" in result.output and "docx=1" in result.output
    assert "skipped broken.pdf: corrupt PDF" in result.output


def test_a_reader_stuck_in_c_code_is_stopped_and_nothing_else_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An HTML mail body nested 100k deep keeps the HTML parser busy for minutes inside C; the
    reader process is killed after SEARCHAPP_FILE_TIMEOUT (+ grace) and the next file is read."""
    import time

    docs = tmp_path / "docs"
    docs.mkdir()
    # (100k nested <div> are refused before parsing now: html.check_nesting; a huge flat
    # page still keeps the parsers busy in C for longer than the limit)
    deep = "<html><body>" + "<div><p>x</p></div>" * 600_000 + "deepword</body></html>"
    (docs / "a-deep.html").write_bytes(deep.encode())  # main-text extraction: busy in C
    (docs / "b-after.rtf").write_bytes(RTF.encode("ascii"))
    (docs / "c-note.txt").write_text("A note about walruses.", encoding="utf-8")
    monkeypatch.setenv("SEARCHAPP_FILE_TIMEOUT", "1")
    started = time.monotonic()
    result = build_index(tmp_path / "index", [docs])
    assert time.monotonic() - started < 90
    reasons = {s.path: s.reason for s in result.skipped}
    assert "took longer than 1 s" in reasons["a-deep.html"], reasons
    assert result.documents == 2 and result.formats == {"rtf": 1, "txt": 1}


def test_format_facet_and_filter(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/search?q=bretagne OR mangroves OR doanh").get_json()
    formats = {f["value"]: f["count"] for f in data["facets"]["format"]}
    assert formats.get("ods") == 1 and formats.get("mbox") == 1 and formats.get("pptx") == 1
    only = client.get("/api/search?q=bretagne OR mangroves OR doanh&format=mbox").get_json()
    assert [h["id"] for h in only["hits"]] == ["list.mbox#1"]
    page = client.get("/search?q=bretagne+OR+mangroves&format=mbox").get_data(as_text=True)
    assert 'data-facet="format"' in page and 'name="format" value="mbox"' in page


def test_an_index_built_before_formats_keeps_serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A version without the format/pages fields (built by an older searchapp) still answers:
    format and page are null, the format facet is empty, a format filter finds nothing; an
    incremental update asks for a full build instead of failing."""
    import dataclasses

    import tantivy

    from searchapp.backends.tantivy import schema, writer
    from searchapp.index.incremental import NoManifest

    new_fields = {"format", "pages", "author", "parent", "tags", "boilerplate"}
    real_builder = tantivy.SchemaBuilder

    class OldBuilder:
        def __init__(self) -> None:
            self.sb = real_builder()

        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            method = getattr(self.sb, name)

            def call(field: str = "", *args, **kwargs):  # type: ignore[no-untyped-def]
                if field in new_fields:
                    return self
                return method(field, *args, **kwargs) if field else method(*args, **kwargs)

            return call

    real_to_tantivy = writer.to_tantivy
    monkeypatch.setattr(schema.tantivy, "SchemaBuilder", OldBuilder)
    monkeypatch.setattr(writer, "to_tantivy", lambda doc, lang: real_to_tantivy(dataclasses.replace(
        doc, format="", pages=(), author="", parent="", tags=(), boilerplate=()), lang))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "old.txt").write_text("An old letter about zeppelins.", encoding="utf-8")
    build_index(tmp_path / "index", [docs])
    monkeypatch.undo()
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    data = client.get("/api/search?q=zeppelins").get_json()
    assert [(h["id"], h["format"], h["page"]) for h in data["hits"]] == [("old.txt", None, None)]
    assert data["facets"].get("format", []) == []  # no format facet values (or no facet)
    assert client.get("/api/search?q=zeppelins&format=txt").get_json()["total"] == 0
    assert client.get("/api/doc/old.txt").get_json()["format"] is None
    assert client.get("/doc/old.txt").status_code == 200
    (docs / "new.txt").write_text("A new letter about airships.", encoding="utf-8")
    with pytest.raises(NoManifest, match="full build"):
        update_index(tmp_path / "index", [docs])


def test_docx_template_language_is_not_taken_for_the_texts(tmp_path: Path) -> None:
    """python-docx's (and Word's) template declares en-US in its styles whatever the text is:
    only a language in the core properties is trusted, else the text's language is detected."""
    import io

    import docx

    document = docx.Document()
    document.add_paragraph("Hôm nay trời đẹp, chúng tôi đi dạo quanh hồ Gươm và ăn phở bò.")
    out = io.BytesIO()
    document.save(out)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "vi.docx").write_bytes(out.getvalue())
    result = build_index(tmp_path / "index", [docs])
    assert result.languages == {"vi": 1}


def test_menus_of_several_sites_mixed_in_one_folder(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    sites = ["Alderney Courier", "Brixham Bugle", "Corran Chronicle", "Dunmore Dispatch"]
    for s, site in enumerate(sites):
        for i in range(10):
            (docs / f"{s}-{i}.txt").write_text(
                f"{site} home\nWeather section\nLetters to {site}\n\n"
                f"Report {s}-{i}: the ferry timetable changes in spring {i}.\n"
                f"Harbour master {i} expects busier quays.\n\n© {site} newsroom",
                encoding="utf-8")
    build_index(tmp_path / "index", [docs])
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    assert len(_hits(client, "ferry timetable")) == 10  # a page of them: all match
    for q in ("Alderney", "Brixham", "newsroom", "Weather", "Letters"):
        assert _hits(client, q) == [], q
