"""Synonyms (search/synonyms.py): the file format, the ParsedQuery rewrite, one-way sets, the
validation, /admin/synonyms and /admin/analyze, and edits reaching every worker of a real
gunicorn server without a restart."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from searchapp.index.build import build_index
from searchapp.search.engine import Engine
from searchapp.search.parse import parse
from searchapp.search.request import SearchRequest
from searchapp.search.synonym_check import check
from searchapp.search.synonyms import SynonymFile, expand, key_of, load_text, parse_rules
from searchapp.web import create_app
from tests.conftest import engine_over
from tests.test_admin import PASSWORD, AdminClient, env, login, make_docs, token_of
from tests.web_helpers import running_server

VI_ILO = "Hội nghị\n\nTổ chức Lao động Quốc tế đã công bố báo cáo mới về việc làm.\n"
EN_ILO = "Geneva\n\nThe ILO report on employment was published.\n"
ILO_SET = "# abbreviations\nILO => Tổ chức Lao động Quốc tế\n"


def ids(engine: Engine, query: str) -> set[str]:
    return {h.id for h in engine.search(SearchRequest(query=query, page_size=50)).hits}


# --------------------------------------------------------------------------- the format


def test_parse_rules_reads_the_solr_format_and_reports_bad_lines() -> None:
    rules, errors = parse_rules("a, b, c  # comment\n\n# only a comment\nILO => x y, z\n"
                                "lonely\n=> q\na => b => c\n")
    assert [(r.line, r.inputs, r.outputs) for r in rules] == [
        (1, ("a", "b", "c"), ()), (4, ("ILO",), ("x y", "z"))]
    assert [e.split(":")[0] for e in errors] == ["line 5", "line 6", "line 7"]
    assert key_of("Tổ  chức, Đà") == ("to", "chuc", "da")


def test_expand_is_the_same_query_without_synonyms() -> None:
    pq = parse('ILO "report" -x lang:vi')
    assert expand(pq, None) == (pq, [])
    assert expand(pq, load_text("# nothing\n"))[0] is pq
    assert expand(pq, load_text("car, auto\n"))[0] is pq  # nothing matches: untouched


def test_expand_multiword_and_both_directions() -> None:
    syn = load_text("car, automobile\nILO => ILO, Tổ chức Lao động Quốc tế\n")
    pq, notes = expand(parse("ilo automobile"), syn)
    assert [(n.typed, n.alternatives) for n in notes] == [
        ("ilo", ("Tổ chức Lao động Quốc tế", "ilo")), ("automobile", ("car", "automobile"))]
    assert pq.clauses[0].terms[0].phrase and not pq.clauses[0].terms[1].phrase
    # several typed words (or a phrase) match a multi-word entry
    syn = load_text("Tổ chức Lao động Quốc tế, ILO\n")
    for typed in ("to chuc lao dong quoc te x", '"Tổ chức Lao động Quốc tế" x'):
        pq, notes = expand(parse(typed), syn)
        assert [t.text for t in pq.clauses[0].terms][0] == "ILO" and len(pq.clauses) == 2
    # the one-way set never applies backwards: the long form is left as typed
    one_way = load_text(ILO_SET)
    assert expand(parse("to chuc lao dong quoc te"), one_way)[1] == []


def test_ilo_finds_the_vietnamese_name_and_one_way_does_not_go_back(tmp_path: Path) -> None:
    engine = engine_over(tmp_path, {"vi.txt": VI_ILO, "en.txt": EN_ILO})
    assert ids(engine, "ILO") == {"en.txt"}
    (tmp_path / "synonyms.txt").write_text(ILO_SET, encoding="utf-8")
    engine.synonyms = SynonymFile(tmp_path / "synonyms.txt")
    page = engine.search(SearchRequest(query="ILO"))
    assert {h.id for h in page.hits} == {"vi.txt"}  # one-way replaces what was typed
    assert "<mark>Tổ</mark> <mark>chức</mark>" in page.hits[0].snippet_html
    assert ids(engine, "Tổ chức Lao động Quốc tế") == {"vi.txt"}  # not backwards
    # edited on disk: the next search uses the new file (and not a cached page)
    (tmp_path / "synonyms.txt").write_text("ILO => ILO, Tổ chức Lao động Quốc tế\n", "utf-8")
    assert ids(engine, "ILO") == {"vi.txt", "en.txt"}
    (tmp_path / "synonyms.txt").unlink()
    assert ids(engine, "ILO") == {"en.txt"}


def test_a_broken_file_keeps_the_last_good_rules(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.txt"
    path.write_text("car, automobile\n", "utf-8")
    syn = SynonymFile(path)
    assert syn.current() is not None
    path.write_text("car, automobile\nlonely\n", "utf-8")
    assert syn.current() is not None and "line 2" in syn.error


def test_check_refuses_a_set_matching_half_the_index(tmp_path: Path) -> None:
    engine = engine_over(tmp_path, {f"d{i}.txt": f"river doc{i}" for i in range(6)})
    errors = check("river, stream\n", engine.count, 6)
    assert errors and "would match 6 of 6 documents" in errors[0] and "half" in errors[0]
    assert check("doc1, doc2\n", engine.count, 6) == []


# --------------------------------------------------------------------------- /admin (test client)


@pytest.fixture
def client(tmp_path: Path):  # type: ignore[no-untyped-def]
    docs = make_docs(tmp_path / "docs", 6)
    (docs / "vi.txt").write_text(VI_ILO, encoding="utf-8")
    build_index(tmp_path / "index", [docs])
    app = create_app({"INDEX_DIR": str(tmp_path / "index"), "DOCS_DIR": str(docs),
                      "INSTANCE_DIR": str(tmp_path / "instance"), "ADMIN_PASSWORD": PASSWORD})
    c = app.test_client()
    assert login(c) == 302
    return c


def test_admin_saves_validates_versions_and_analyze_shows_the_expansion(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/admin/synonyms").get_data(as_text=True)
    token = token_of(page)
    assert client.post("/admin/synonyms", data={"text": ILO_SET}).status_code == 400  # no CSRF
    r = client.post("/admin/synonyms", data={"text": "river, stream\n", "csrf_token": token})
    assert r.status_code == 422
    assert "would match 6 of 7 documents" in r.get_data(as_text=True)
    assert not (tmp_path / "instance" / "synonyms.txt").exists()
    r = client.post("/admin/synonyms", data={"text": ILO_SET, "csrf_token": token})
    assert r.status_code == 302
    assert (tmp_path / "instance" / "synonyms.txt").read_text("utf-8") == ILO_SET
    assert len(list((tmp_path / "instance" / "synonyms-versions").iterdir())) == 1
    assert "synonyms saved" in client.get("/admin/").get_data(as_text=True)
    hits = client.get("/api/search?q=ILO").get_json()["hits"]
    assert [h["id"] for h in hits] == ["vi.txt"]
    html = client.get("/admin/analyze?text=ILO").get_data(as_text=True)
    assert re.search(r'id="synonym-expansion".*<code>Tổ chức Lao động Quốc tế</code>', html, re.S)
    added = client.get("/admin/synonyms?add=zanzibar").get_data(as_text=True)
    assert "zanzibar, \n</textarea>" in added


# --------------------------------------------------------------------------- a real server


def _api(base: str, q: str) -> dict:  # type: ignore[type-arg]
    with urllib.request.urlopen(f"{base}/api/search?{urllib.parse.urlencode({'q': q})}",
                                timeout=30) as r:
        return json.loads(r.read())  # type: ignore[no-any-return]


@pytest.mark.slow
def test_admin_edit_reaches_every_gunicorn_worker_without_restart(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 8)
    (docs / "vi.txt").write_text(VI_ILO, encoding="utf-8")
    (docs / "en.txt").write_text(EN_ILO, encoding="utf-8")
    build_index(tmp_path / "index", [docs])
    with env(SEARCHAPP_DOCS_DIR=str(docs), SEARCHAPP_ADMIN_PASSWORD=PASSWORD,
             SEARCHAPP_INSTANCE_DIR=str(tmp_path / "instance")):
        with running_server(tmp_path / "index", tmp_path / "server.log", workers=2) as base:
            for _ in range(20):  # every worker has searched (and cached) ILO without synonyms
                assert [h["id"] for h in _api(base, "ILO")["hits"]] == ["en.txt"]
            admin = AdminClient(base)
            admin.login()
            status, body, _ = admin.request("POST", "/admin/synonyms",
                                            {"csrf_token": admin.token, "text": "river, stream\n"})
            assert status == 422 and "would match 8 of 10 documents" in body
            assert "at most half the index" in body
            text = "ILO => ILO, Tổ chức Lao động Quốc tế\n"
            status, _, _ = admin.request("POST", "/admin/synonyms",
                                         {"csrf_token": admin.token, "text": text})
            assert status == 302
            for _ in range(20):
                found = _api(base, "ILO")
                assert {h["id"] for h in found["hits"]} == {"vi.txt", "en.txt"}
                vi = next(h for h in found["hits"] if h["id"] == "vi.txt")
                assert "<mark>Tổ</mark> <mark>chức</mark> <mark>Lao</mark>" in vi["snippet_html"]
                back = _api(base, '"Tổ chức Lao động Quốc tế"')
                assert [h["id"] for h in back["hits"]] == ["vi.txt"]  # one-way: not backwards
            pids = set(re.findall(r"Booting worker with pid: (\d+)",
                                  (tmp_path / "server.log").read_text(errors="replace")))
            assert len(pids) == 2


def test_without_synonyms_txt_the_backend_query_is_byte_for_byte_the_same(engine: Engine,
                                                                           tmp_path: Path) -> None:
    """The relevance figures of eval/RESULTS.md stay as they are: no file, no change at all."""
    from searchapp.backends.tantivy import compile as tantivy_compile

    with_feature = Engine(engine.root, synonyms=SynonymFile(tmp_path / "synonyms.txt"))
    for text in ("quyền con người", 'ILO "human rights" -war lang:vi', "car automobile",
                 "Tổ chức Lao động Quốc tế", "人权 宣言", "a OR b title:x"):
        req = SearchRequest(query=text)
        _, ctx, extra = with_feature.backend._context(req)  # type: ignore[attr-defined]
        plain = tantivy_compile.build(ctx, parse(text), extra_filters=extra)
        featured = tantivy_compile.build(ctx, with_feature.parse(text), extra_filters=extra)
        assert repr(plain) == repr(featured)
        assert with_feature.search(req).hits == engine.search(req).hits
