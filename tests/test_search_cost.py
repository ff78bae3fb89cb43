"""What keeps live search cheap on a large index: short prefixes complete to their most frequent
words only, and repeated searches come from a per-version result cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from searchapp.backends.tantivy import compile as Q
from searchapp.index.build import build_index
from searchapp.search import parse as P
from searchapp.search.engine import Engine
from searchapp.search.request import SearchRequest

# z-words with distinct document frequencies: zeta 6, zebra 5, zinc 4, zorro 3, zoom 2, zulu 1
Z_WORDS = {"zeta": 6, "zebra": 5, "zinc": 4, "zorro": 3, "zoom": 2, "zulu": 1}


def _write(folder: Path, records: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "docs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def z_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("zidx")
    records = [
        {"id": f"{word}-{i}", "lang": "en", "title": f"Notes {i}", "text": f"A page about {word} number {i}."}
        for word, n in Z_WORDS.items()
        for i in range(n)
    ]
    build_index(root / "index", [_write(root / "docs", records)])
    return root / "index"


def _ids(engine: Engine, text: str) -> set[str]:
    page = engine.search(SearchRequest(text, page_size=100))
    return {h.id.rsplit("-", 1)[0] for h in page.hits}


def test_one_letter_prefix_completes_to_its_most_frequent_words(z_index: Path) -> None:
    engine = Engine(z_index)
    limit = Q.SHORT_PREFIX_EXPANSIONS[1]
    assert limit < len(Z_WORDS)
    most_frequent = sorted(Z_WORDS, key=Z_WORDS.get, reverse=True)[:limit]
    assert _ids(engine, "z") == set(most_frequent)


def test_three_letters_complete_to_every_word(z_index: Path) -> None:
    engine = Engine(z_index)
    assert _ids(engine, "zul") == {"zulu"}  # the rarest word is found once typed further
    assert _ids(engine, "zoo") == {"zoom"}
    assert _ids(engine, "zulu") == {"zulu"}
    # a submitted query (no prefix matching) is not limited either
    page = engine.search(SearchRequest("zulu", prefix_last=False))
    assert [h.id for h in page.hits] == ["zulu-0"]


def test_repeated_search_comes_from_the_cache_until_the_index_changes(tmp_path: Path) -> None:
    docs = _write(tmp_path / "docs", [{"id": "a", "text": "Llamas graze in the hills."}])
    build_index(tmp_path / "index", [docs])
    engine = Engine(tmp_path / "index", cache_size=10)
    first = engine.search(SearchRequest("llamas"))
    again = engine.search(SearchRequest("llamas"))
    assert (engine.cache.misses, engine.cache.hits) == (1, 1)
    assert [h.id for h in again.hits] == [h.id for h in first.hits] == ["a"]
    assert again.total == first.total and again.facets == first.facets
    # a different request (another page size) is a different entry
    engine.search(SearchRequest("llamas", page_size=5))
    assert engine.cache.misses == 2

    # a new version is switched in: the cached page must not be served
    _write(tmp_path / "docs", [{"id": "a", "text": "Llamas graze."}, {"id": "b", "text": "More llamas."}])
    build_index(tmp_path / "index", [tmp_path / "docs" / "docs.jsonl"])
    fresh = engine.search(SearchRequest("llamas"))
    assert fresh.total == 2 and {h.id for h in fresh.hits} == {"a", "b"}
    assert fresh.version != first.version


def test_cache_keeps_at_most_its_size_and_off_keeps_nothing(tmp_path: Path) -> None:
    docs = _write(tmp_path / "docs", [{"id": f"d{i}", "text": f"word{i} llamas"} for i in range(5)])
    build_index(tmp_path / "index", [docs])
    engine = Engine(tmp_path / "index", cache_size=3)
    for i in range(5):
        engine.search(SearchRequest(f"word{i}"))
    assert len(engine.cache) == 3
    engine.search(SearchRequest("word0"))  # evicted first: searched again
    assert engine.cache.hits == 0
    engine.search(SearchRequest("word4"))
    assert engine.cache.hits == 1
    off = Engine(tmp_path / "index")
    off.search(SearchRequest("word1"))
    off.search(SearchRequest("word1"))
    assert len(off.cache) == 0 and off.cache.hits == 0


def test_failed_search_is_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _write(tmp_path / "docs", [{"id": "a", "text": "Llamas graze."}])
    build_index(tmp_path / "index", [docs])
    engine = Engine(tmp_path / "index", cache_size=10)

    def broken(*_a: object, **_k: object) -> None:
        raise ValueError("tantivy said no")

    monkeypatch.setattr(Q, "build", broken)
    failed = engine.search(SearchRequest("llamas"))
    assert failed.total == 0 and failed.warnings and not failed.complete
    monkeypatch.undo()
    assert engine.search(SearchRequest("llamas")).total == 1


def test_rerank_skips_queries_whose_top_hits_hold_too_much_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from searchapp.backends.tantivy import rerank

    records = [
        {"id": f"d{i}", "lang": "en", "text": f"llamas graze on the green hills {'near farms ' * i}"}
        for i in range(8)
    ]
    build_index(tmp_path / "index", [_write(tmp_path / "docs", records)])
    engine = Engine(tmp_path / "index")
    question = "where do the llamas graze on green hills"
    opened = engine.current()
    searcher = opened.index.searcher()
    from dataclasses import replace

    ctx = replace(opened.ctx, searcher=searcher, num_docs=searcher.num_docs)
    pq = P.parse(question)
    assert rerank.applies(pq)
    hits = searcher.search(Q.build(ctx, pq, prefix_last=False), 10).hits
    reranked = rerank.rerank(ctx, searcher, pq, hits)
    assert sorted(a for _, a in reranked) == sorted(a for _, a in hits)
    assert [s for s, _ in reranked] != [s for s, _ in hits]  # rescored
    monkeypatch.setattr(rerank, "RERANK_MAX_CHARS", 100)
    assert rerank.rerank(ctx, searcher, pq, hits) == hits  # over budget: tantivy's order


def test_cached_pages_are_kept_packed_and_come_back_whole(tmp_path: Path) -> None:
    text = "Llamas graze in the hills above the lake; " * 20
    docs = _write(tmp_path / "docs", [{"id": f"d{i}", "text": f"{text} herd {i}"} for i in range(12)])
    build_index(tmp_path / "index", [docs])
    engine = Engine(tmp_path / "index", cache_size=10)
    first = engine.search(SearchRequest("llamas hills"))
    kept = next(iter(engine.cache._data.values()))
    assert isinstance(kept, bytes) and len(kept) < sum(len(h.snippet_html) for h in first.hits)
    again = engine.search(SearchRequest("llamas hills"))
    assert again.cached and again is not first
    assert again.hits == first.hits and again.total == first.total == 12
    assert again.facets == first.facets and again.warnings == first.warnings
    facets = engine.facets(SearchRequest("llamas"))
    assert engine.facets(SearchRequest("llamas")) == facets and engine.facet_cache.hits == 1
