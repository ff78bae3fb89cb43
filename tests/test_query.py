"""Query parsing is lenient: every input searches what it can and reports the rest."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchapp.search.engine import Engine
from searchapp.search.parse import parse
from searchapp.search.request import SearchRequest

NASTY = [
    '"unclosed', "AND OR", "title:", "(((", ")))", "{}", "[1 TO", "a:b:c", "*", "*:*", "NOT",
    "-", "--x", '""', "''", "\\", "wolf~1", "C++ e-mail U.S.", "lang:", "date:2024-13-45",
    "date:..", "year:abc", "source:", "title:\"", "%00", "\x00\x01\x1f", "\ud800", "🙂" * 50,
    "a" * 5000, " ".join(["OR"] * 300), "x " * 3000, "(" * 5000, "quyen" * 1000,
]


@pytest.mark.parametrize("text", NASTY)
def test_nasty_queries_never_raise(engine: Engine, text: str) -> None:
    page = engine.search(SearchRequest(query=text))
    assert page.total >= 0
    assert isinstance(page.warnings, list)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_any_unicode_query(engine: Engine, text: str) -> None:
    page = engine.search(SearchRequest(query=text, page=3, page_size=7))
    assert page.total >= 0


def test_warnings_explain_problems() -> None:
    assert parse('"unclosed phrase').warnings
    assert parse("nosuchfield:wolf").warnings
    assert parse("date:yesterday").warnings
    assert parse("a" * 3000).warnings
    assert not parse('"human rights" -belarus title:ilo lang:en date:2024').warnings


def test_structure() -> None:
    pq = parse('"human rights" -belarus a OR b title:ilo lang:en,vi date:2024-03..2024-05 x*')
    assert [(t.text, t.phrase) for t in pq.clauses[0].terms] == [("human rights", True)]
    assert pq.clauses[1].negated
    assert [t.text for t in pq.clauses[2].terms] == ["a", "b"]
    assert pq.clauses[3].terms[0].field == "title"
    assert pq.clauses[4].terms[0].prefix
    assert pq.langs == ["en", "vi"]
    assert (str(pq.date_from), str(pq.date_to)) == ("2024-03-01", "2024-05-31")


def test_spaceless_run_splits_into_words() -> None:
    assert [t.text for t in parse("国际劳工组织").words()] == ["国际", "劳工", "组织"]


def test_paging_is_clamped(engine: Engine) -> None:
    page = engine.search(SearchRequest(query="Geneva", page=10**9, page_size=10**9))
    assert page.request.page_size == 100 and page.total == 3 and page.hits == []
    assert engine.search(SearchRequest(query="Geneva", page=-3, page_size=-1)).request.page == 1


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("date:<2025", None, "2024-12-31"),
        ("date:>2025", "2026-01-01", None),
        ("date:<=2025", None, "2025-12-31"),
        ("date:>=2025-03", "2025-03-01", None),
        ("date:<2025-03-10", None, "2025-03-09"),
        ("date:2024-02", "2024-02-01", "2024-02-29"),
    ],
)
def test_date_comparisons(text: str, lo: str | None, hi: str | None) -> None:
    pq = parse(text)
    assert (str(pq.date_from) if pq.date_from else None, str(pq.date_to) if pq.date_to else None) == (lo, hi)
