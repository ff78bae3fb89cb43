"""Near-duplicates: the same article as HTML, PDF and DOCX is one result "also as PDF, DOCX",
each copy named in `duplicates`, and listed first among a copy's related documents; full builds
and incremental updates alike."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from searchapp.index.build import build_index
from searchapp.index.incremental import update_index
from searchapp.search.engine import Engine
from searchapp.search.request import SearchRequest
from searchapp.web import create_app
from tests.conftest import corpus_path
from tests.format_builders import make_pdf


def _articles() -> list[dict[str, str]]:
    lines = corpus_path("ntrex", "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    return [d for d in map(json.loads, lines) if d["lang"] == "eng"][:6]


def _html(title: str, paras: list[str], site: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f"<!doctype html><html lang=en><head><title>{title} | {site}</title></head><body>"
            f"<header><nav><a href=/>Home</a> <a href=/world>World</a> <a href=/sport>Sport"
            f"</a></nav></header><main><article><h1>{title}</h1>{body}</article></main>"
            f"<footer>© 2019 {site}. All rights reserved.</footer></body></html>")


def _docx(title: str, paras: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(title, level=1)
    for p in paras:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """One article as HTML, a two-page PDF and DOCX, five unrelated articles as text and HTML,
    and two short identical notes (too short to be compared)."""
    tmp = tmp_path_factory.mktemp("dups")
    docs = tmp / "docs"
    (docs / "press").mkdir(parents=True)
    (docs / "other").mkdir()
    first, *others = _articles()
    paras = first["text"].split("\n")
    half = len(paras) // 2
    (docs / "press" / "statement.html").write_text(_html(first["title"], paras, "Example News"),
                                                   encoding="utf-8")
    (docs / "press" / "statement.pdf").write_bytes(make_pdf(
        [first["title"] + "\n\n" + "\n".join(paras[:half]), "\n".join(paras[half:])],
        title=first["title"]))
    (docs / "other" / "statement-copy.docx").write_bytes(_docx(first["title"], paras))
    for i, d in enumerate(others):
        if i % 2:
            (docs / "other" / f"a{i}.txt").write_text(d["title"] + "\n\n" + d["text"],
                                                       encoding="utf-8")
        else:
            (docs / "other" / f"a{i}.html").write_text(
                _html(d["title"], d["text"].split("\n"), "Other Site"), encoding="utf-8")
    for name in ("note1.txt", "note2.txt"):
        (docs / name).write_text("Thanks, see you on Monday.\n", encoding="utf-8")
    root = tmp / "index"
    build_index(root, [docs])
    return root, docs, first


COPIES = {"press/statement.html", "press/statement.pdf", "other/statement-copy.docx"}


def _query(first: dict[str, str]) -> str:
    return " ".join(first["title"].split()[:4])


def test_copies_are_one_result_with_the_others_named(built) -> None:  # type: ignore[no-untyped-def]
    root, _docs, first = built
    page = Engine(root).search(SearchRequest(_query(first), page_size=10))
    ids = [h.id for h in page.hits]
    shown = [h for h in page.hits if h.id in COPIES]
    assert len(shown) == 1, ids  # one result for the three copies
    hit = shown[0]
    assert set(hit.duplicates) == COPIES - {hit.id}
    assert {fmt for _, fmt in hit.copies} == {"pdf", "docx", "html"} - {hit.format}
    assert len(ids) == len(set(ids))
    # browsing everything folds them the same way; the identical short notes stay apart
    browsed = [h.id for h in Engine(root).search(SearchRequest("*", page_size=50)).hits]
    assert len(COPIES & set(browsed)) == 1 and {"note1.txt", "note2.txt"} <= set(browsed)
    assert len(browsed) == 1 + 5 + 2


@pytest.fixture(scope="module")
def client(built) -> FlaskClient:  # type: ignore[no-untyped-def]
    return create_app({"TESTING": True, "INDEX_DIR": str(built[0])}).test_client()


def test_api_and_page_name_each_copy(built, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    _root, _docs, first = built
    data = client.get("/api/search", query_string={"q": _query(first)}).get_json()
    hits = [h for h in data["hits"] if h["id"] in COPIES]
    assert len(hits) == 1
    hit = hits[0]
    assert set(hit["duplicates"]) == COPIES - {hit["id"]}
    assert {"format", "page", "link"} <= hit.keys()
    assert all(h["duplicates"] == [] for h in data["hits"] if h["id"] not in COPIES)
    html = client.get("/search", query_string={"q": _query(first)}).get_data(as_text=True)
    assert html.count('class="copies"') == 1
    for other in COPIES - {hit["id"]}:
        assert f'data-id="{other}"' in html
    assert ">PDF</a>" in html or hit["format"] == "pdf"
    doc = client.get("/api/doc", query_string={"id": "press/statement.pdf"}).get_json()
    assert set(doc["duplicates"]) == {"press/statement.html", "other/statement-copy.docx"}
    assert {r["id"] for r in doc["related"][:2]} == set(doc["duplicates"])  # copies first
    assert not {r["id"] for r in doc["related"][2:]} & COPIES
    page = client.get("/doc/press/statement.pdf").get_data(as_text=True)
    assert page.count('class="copy"') == 2


def test_incremental_update_compares_new_documents_with_stored_ones(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, docs, first = built
    import shutil

    shutil.copytree(docs, tmp_path / "docs")
    shutil.copytree(root, tmp_path / "index")
    docs, root = tmp_path / "docs", tmp_path / "index"
    (docs / "mirror.txt").write_text(first["title"] + "\n\n" + first["text"], encoding="utf-8")
    (docs / "other" / "statement-copy.docx").unlink()
    update_index(root, [docs])
    data = Engine(root).document("mirror.txt")
    assert data is not None
    assert set(data.duplicates) == {"press/statement.html", "press/statement.pdf"}
    hits = Engine(root).search(SearchRequest(_query(first))).hits
    assert len([h for h in hits if h.id in COPIES | {"mirror.txt"}]) == 1


def test_signatures_are_datasketch_minhash_values() -> None:
    """The vectorised signature equals datasketch's MinHash over the same shingle hashes."""
    from datasketch import MinHash

    from searchapp.analysis.near_dup import NUM_PERM, SCHEME, SEED, shingle_hashes, signature

    for text in [a["text"] for a in _articles()[:3]] + ["日本語のテキストです。" * 12]:
        hashes = shingle_hashes(text)
        assert hashes is not None
        m = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int, scheme=SCHEME)
        m.update_batch(hashes.tolist())
        assert (signature(text) == m.hashvalues).all()
    assert signature("Thanks, see you on Monday.") is None  # too short to compare


def test_signing_does_not_load_datasketch_or_scipy() -> None:
    """A build signs with the permutations drawn as datasketch draws them, without importing it
    (datasketch loads scipy: 0.7 CPU-s and 57 MB of a build's peak memory)."""
    import subprocess
    import sys

    code = ("import sys; from searchapp.analysis.near_dup import signature; "
            "assert signature('word%d ' * 80 % tuple(range(80))) is not None; "
            "print(sorted(m for m in ('datasketch', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_signatures_signed_in_batches_equal_one_text_at_a_time() -> None:
    """Signatures signs waiting texts in batches (one numpy pass for many): each row equals the
    text's own signature, texts too short to compare are left out, the order is kept."""
    import numpy as np

    from searchapp.analysis.near_dup import signature
    from searchapp.index.duplicates import BATCH_BYTES, Signatures
    from searchapp.ingest.records import Document

    texts = [a["text"] for a in _articles()] + [
        "日本語のテキストです。" * 12, "Thanks, see you on Monday.", "word " * 49 + "end",
        "word " * 50, " " * 300, "Đây là một câu tiếng Việt khá dài. " * 9, "x" * 500,
    ]
    texts = texts * (2 * BATCH_BYTES // sum(len(t.encode()) for t in texts) + 1)  # > 1 batch
    sigs = Signatures()
    for i, text in enumerate(texts):
        sigs.add(Document(id=f"d{i}", title="", body=text, format="txt"))
    want = [(f"d{i}", s) for i, t in enumerate(texts) if (s := signature(t)) is not None]
    assert sigs.ids == [i for i, _ in want] and sigs.formats == ["txt"] * len(want)
    assert np.array_equal(sigs.matrix(), np.array([s for _, s in want]))
    assert 0 < len(want) < len(texts)
