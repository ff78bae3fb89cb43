"""NTREX-128: the same 123 news articles in 8 languages (../shared/corpora/ntrex)."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from searchapp.analysis.language import detect_language, normalize_code
from searchapp.analysis.segmentation import spaceless_words
from searchapp.index.build import build_index
from searchapp.search.engine import Engine
from searchapp.search.request import SearchRequest

from .conftest import corpus_path

LANGS = ["eng", "vie", "rus", "deu", "fra", "zho", "jpn", "arb"]


@pytest.fixture(scope="module")
def ntrex(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, dict[str, dict[str, dict]]]:  # type: ignore[type-arg]
    path = corpus_path("ntrex", "corpus.jsonl")
    root = tmp_path_factory.mktemp("ntrex")
    result = build_index(root, [path])
    assert result.documents == 984 and not result.skipped
    articles: dict[str, dict[str, dict]] = defaultdict(dict)  # type: ignore[type-arg]
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        articles[d["id"].split("-", 1)[1]][d["lang"]] = d
    return Engine(root), articles


def top_id(engine: Engine, query: str) -> str | None:
    hits = engine.search(SearchRequest(query=query, prefix_last=False)).hits
    return hits[0].id if hits else None


@pytest.mark.parametrize("lang", LANGS)
def test_title_query_finds_same_language_version_first(ntrex, lang: str) -> None:  # type: ignore[no-untyped-def]
    engine, articles = ntrex
    keys = sorted(articles)[:20]
    found = sum(top_id(engine, articles[k][lang]["title"]) == articles[k][lang]["id"] for k in keys)
    assert found >= 19, f"{lang}: {found}/20 titles found their own article first"


def test_russian_inflection_finds_other_forms(ntrex) -> None:  # type: ignore[no-untyped-def]
    engine, _ = ntrex
    hits = engine.search(SearchRequest("парламенте", prefix_last=False, page_size=50)).hits
    other_forms = [h for h in hits if "парламенте" not in h.snippet_html.lower()]
    assert other_forms, "no document with another inflection of парламент"
    assert all(h.lang == "ru" for h in hits)
    assert any("<mark>парламента</mark>" in h.snippet_html.lower() for h in hits)


def test_german_inflection_finds_other_forms(ntrex) -> None:  # type: ignore[no-untyped-def]
    engine, _ = ntrex
    hits = engine.search(SearchRequest("Regierungen", prefix_last=False, page_size=50)).hits
    assert len(hits) > 3  # "Regierungen" alone occurs in fewer documents
    assert any("<mark>Regierung</mark>" in h.snippet_html for h in hits)


def test_two_character_chinese_word_finds_chinese_article(ntrex) -> None:  # type: ignore[no-untyped-def]
    engine, articles = ntrex
    checked = 0
    for key in sorted(articles)[:15]:
        doc = articles[key]["zho"]
        words = [w for w in spaceless_words(doc["title"]) if len(w) == 2]
        if not words:
            continue
        word = words[0]
        ids = [h.id for h in engine.search(SearchRequest(word, prefix_last=False, page_size=100)).hits]
        assert doc["id"] in ids, f"{word} did not find {doc['id']}"
        hit = next(h for h in engine.search(SearchRequest(word, page_size=100)).hits if h.id == doc["id"])
        assert f"<mark>{word}</mark>" in hit.snippet_html or f"<mark>{word}</mark>" in hit.title_html
        checked += 1
    assert checked >= 5


def test_language_identification_accuracy() -> None:
    path = corpus_path("ntrex", "corpus.jsonl")
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    right = sum(detect_language(d["title"] + "\n" + d["text"]) == normalize_code(d["lang"]) for d in docs)
    assert right / len(docs) >= 0.99, f"{right}/{len(docs)}"
