"""The seed documents: the acceptance queries of the core engine issue."""

from __future__ import annotations

from dataclasses import replace

import pytest

from searchapp.search.engine import Engine
from searchapp.search.request import SearchRequest
from tests.conftest import engine_over

EN_BELARUS = "000_b2a8526e512383b7.txt"
VI = "001_ae9e3e1196b18828.txt"
EN_KAZ = "002_41cebceda6e24be3.txt"


def ids(engine: Engine, query: str, **kw: object) -> list[str]:
    return [h.id for h in engine.search(SearchRequest(query=query, **kw)).hits]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Geneva", {EN_BELARUS, VI, EN_KAZ}),
        ("quyen", {VI}),
        ("quyền", {VI}),
        ("do hung viet", {VI}),
        ("Houngbo", {EN_KAZ}),
        ("ILO convention", {EN_BELARUS, EN_KAZ}),
        ("UPR", {EN_BELARUS, VI}),
        ('"human rights"', {EN_BELARUS, EN_KAZ}),
    ],
)
def test_seed_queries_find_exactly(engine: Engine, query: str, expected: set[str]) -> None:
    assert set(ids(engine, query, prefix_last=False)) == expected
    # As typed in the search box (last word also a prefix) the same documents come first.
    assert expected <= set(ids(engine, query))


def test_languages_detected(engine: Engine) -> None:
    hits = {h.id: h for h in engine.search(SearchRequest(query="Geneva")).hits}
    assert hits[VI].lang == "vi"
    assert hits[EN_BELARUS].lang == "en" and hits[EN_KAZ].lang == "en"


def test_titles_and_dates_from_text(engine: Engine) -> None:
    hits = {h.id: h for h in engine.search(SearchRequest(query="Geneva")).hits}
    assert hits[EN_BELARUS].title.startswith("Deputy Minister of Foreign Affairs of Belarus")
    assert hits[EN_BELARUS].date == "2025-11-04"
    assert hits[EN_KAZ].date == "2024-09-06"
    assert not hits[EN_KAZ].title.lower().startswith("date")


def test_unaccented_query_highlights_accented_word(engine: Engine) -> None:
    hit = engine.search(SearchRequest(query="quyen")).hits[0]
    assert "<mark>quyền</mark>" in hit.snippet_html


def test_stemmed_match_is_highlighted(engine: Engine) -> None:
    page = engine.search(SearchRequest(query="ILO convention", prefix_last=False))
    top = {h.id: h for h in page.hits}[EN_BELARUS]
    assert "<mark>conventions</mark>" in top.snippet_html
    assert "<mark>ILO</mark>" in top.snippet_html


def test_prefix_of_last_word_matches_while_typing(engine: Engine) -> None:
    assert ids(engine, "Houng") == [EN_KAZ]
    assert VI in ids(engine, "nhan quy")
    hit = engine.search(SearchRequest(query="nhan quy")).hits[0]
    assert "<mark>quyền</mark>" in hit.snippet_html


def test_typo_tolerance_for_long_words(engine: Engine) -> None:
    assert ids(engine, "Houngbi", prefix_last=False) == [EN_KAZ]  # one letter wrong


def test_phrase_and_exclusion(engine: Engine) -> None:
    assert set(ids(engine, "Geneva -Kazakhstan")) == {EN_BELARUS, VI}
    assert ids(engine, '"rights human"') == []


def test_filters_and_facets(engine: Engine) -> None:
    page = engine.search(SearchRequest(query="Geneva"))
    langs = {f.value: f.count for f in page.facets["lang"]}
    assert langs == {"en": 2, "vi": 1}
    assert ids(engine, "Geneva lang:vi") == [VI]
    assert ids(engine, "Geneva", lang=("en",)) and VI not in ids(engine, "Geneva", lang=("en",))
    assert ids(engine, "Geneva date:2024") == [EN_KAZ]
    assert set(ids(engine, "Geneva", year=(2024, 2025))) == {EN_KAZ, EN_BELARUS}


def test_sort_by_date(engine: Engine) -> None:
    page = engine.search(SearchRequest(query="ILO", sort="date", prefix_last=False))
    dates = [h.date for h in page.hits]
    assert dates == sorted(dates, reverse=True)


def test_fallback_to_any_word_is_reported(engine: Engine) -> None:
    page = engine.search(SearchRequest(query="Houngbo Bachelet", prefix_last=False))
    assert page.relaxed and page.total == 2
    assert any("all the words" in w for w in page.warnings)


def test_exact_spelling_ranks_first(tmp_path) -> None:  # type: ignore[no-untyped-def]
    e = engine_over(tmp_path, {
        "a.txt": "Quyên góp ủng hộ đồng bào vùng lũ miền Trung",
        "b.txt": "Cao ủy Nhân quyền LHQ đánh giá cao Việt Nam",
    })
    assert ids(e, "quyền", prefix_last=False) == ["b.txt", "a.txt"]
    assert ids(e, "quyên", prefix_last=False) == ["a.txt", "b.txt"]
    assert set(ids(e, "quyen", prefix_last=False)) == {"a.txt", "b.txt"}


def test_repeated_query_terms_keep_their_weight(tmp_path) -> None:  # type: ignore[no-untyped-def]
    e = engine_over(tmp_path, {"a.txt": "apple banana banana banana", "b.txt": "apple apple apple banana"})
    once = {h.id: h.score for h in e.search(SearchRequest("apple banana", prefix_last=False)).hits}
    twice = {
        h.id: h.score for h in e.search(SearchRequest("apple apple banana", prefix_last=False)).hits
    }
    assert twice["b.txt"] - once["b.txt"] > 0  # the repeated word adds its weight again


def test_filtered_facet_still_offers_its_other_values(engine: Engine) -> None:
    page = engine.search(SearchRequest(query="Geneva", lang=("vi",)))
    assert [h.id for h in page.hits] == [VI]
    assert {f.value: f.count for f in page.facets["lang"]} == {"en": 2, "vi": 1}
    # Facets not filtered on count only the filtered results.
    assert [(f.value, f.count) for f in page.facets["year"]] == [(page.hits[0].date[:4], 1)]


def test_document_view_with_related(engine: Engine) -> None:
    doc = engine.document(EN_BELARUS, "human rights")
    assert doc is not None and "<mark>human</mark> <mark>rights</mark>" in doc.body_html
    assert EN_KAZ in {r.id for r in doc.related} and EN_BELARUS not in {r.id for r in doc.related}
    assert engine.document("no/such/doc.txt") is None


@pytest.mark.parametrize(
    "query, filters",
    [("Geneva", {}), ("Geneva", {"lang": ("vi",)}), ("Geneva", {"year": (2024,)}),
     ("quyen", {}), ("Houngbo Bachelet", {}), ("q", {}), ("rights lang:en", {}),
     ("zzqx nothing", {}), ("", {})],
)
def test_facets_alone_equal_the_facets_of_the_search(engine: Engine, query, filters) -> None:  # type: ignore[no-untyped-def]
    """Engine.facets (the live search box's second request) counts what search() would show,
    including the any-word fallback and a facet's own filter left out."""
    req = SearchRequest(query=query, **filters)
    assert engine.facets(req) == engine.search(req).facets
    without = engine.search(replace(req, facets=False))
    assert without.facets == {} and without.total == engine.search(req).total
