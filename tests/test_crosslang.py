"""Ranking in an index mixing languages and scripts (issue #15): real indexes on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from searchapp.backends.tantivy.fieldstats import FieldShares
from searchapp.index.build import build_index
from searchapp.search.engine import PHRASE_NOTE, Engine
from searchapp.search.parse import parse, phrases_as_words
from searchapp.search.request import SearchRequest

ENGLISH = {
    "id": "en-sturridge", "lang": "en",
    "title": "Daniel Sturridge scores late equaliser for Liverpool against Chelsea",
    "text": "Liverpool striker Daniel Sturridge came off the bench and curled a late equaliser "
            "past the Chelsea goalkeeper at Stamford Bridge, a goal his manager called the "
            "best he had seen all season.",
}
THAI = {
    "id": "th-sturridge", "lang": "th",
    "title": "Daniel Sturridge ยิงตีเสมอให้ Liverpool ในนาทีสุดท้ายกับ Chelsea",
    "text": "กองหน้า Daniel Sturridge ของ Liverpool ลงมาจากม้านั่งสำรองและยิงประตูตีเสมอ "
            "Chelsea ในช่วงท้ายเกมที่สนาม Stamford Bridge",
}
# Other documents of the fold family (languages without a stemmer), so that English is a small
# share of the index, as in a library of many languages.
THAI_OTHERS = [
    "รัฐบาลประกาศมาตรการใหม่เพื่อช่วยเหลือเกษตรกรที่ได้รับผลกระทบจากน้ำท่วม",
    "นักวิทยาศาสตร์ค้นพบดาวเคราะห์ดวงใหม่ที่อาจมีน้ำอยู่บนพื้นผิว",
    "ราคาน้ำมันในตลาดโลกปรับตัวสูงขึ้นเป็นสัปดาห์ที่สามติดต่อกัน",
    "โรงพยาบาลในกรุงเทพฯ เปิดศูนย์รักษาโรคหัวใจแห่งใหม่",
    "นักเรียนหลายพันคนเข้าร่วมการแข่งขันคณิตศาสตร์ระดับประเทศ",
]
INDONESIAN = [
    "Pemerintah mengumumkan kebijakan baru untuk membantu petani yang terkena banjir.",
    "Para ilmuwan menemukan planet baru yang mungkin memiliki air di permukaannya.",
    "Harga minyak dunia naik untuk minggu ketiga berturut-turut.",
]


def _engine(tmp_path: Path, docs: list[dict[str, str]]) -> Engine:
    folder = tmp_path / "docs"
    folder.mkdir()
    with open(folder / "corpus.jsonl", "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    result = build_index(tmp_path / "idx", [folder])
    assert result.documents == len(docs) and not result.skipped
    return Engine(tmp_path / "idx")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    docs = [ENGLISH, THAI]
    docs += [{"id": f"th-{i}", "lang": "th", "title": "", "text": t} for i, t in enumerate(THAI_OTHERS)]
    docs += [{"id": f"id-{i}", "lang": "id", "title": "", "text": t} for i, t in enumerate(INDONESIAN)]
    return _engine(tmp_path_factory.mktemp("mixed"), docs)


def _ids(engine: Engine, query: str) -> list[str]:
    return [h.id for h in engine.search(SearchRequest(query, prefix_last=False)).hits]


def test_english_title_finds_english_document_and_its_thai_translation(mixed: Engine) -> None:
    # Which of the two ranks first here is not settled: with one English document in ten, the
    # English family's own idf (fieldstats.py) is near zero. The ranking check is on NTREX's 19
    # languages (tests/test_languages_corpus.py), where it went from 0.76-0.89 to 0.95.
    ids = _ids(mixed, ENGLISH["title"])
    assert set(ids[:2]) == {"en-sturridge", "th-sturridge"}, ids


def test_thai_query_ranks_thai_document_first(mixed: Engine) -> None:
    ids = _ids(mixed, THAI["title"])
    assert ids[0] == "th-sturridge", ids


def test_thai_typed_without_marks_finds_its_document(mixed: Engine) -> None:
    # Vowel signs and tone marks stripped: ICU cuts the words differently, so only the bigrams of
    # the unmarked letters (accent-free field) still match.
    # นักวิทยาศาสตร์ค้นพบ ("scientists discovered") without its marks: ICU finds other words in
    # it, and a sentence about students (นักเรียน) ranked first
    assert _ids(mixed, "นกวทยาศาสตรคนพบ")[:1] == ["th-1"]
    assert _ids(mixed, "ราคานำมนในตลาดโลก")[:1] == ["th-2"]  # ราคาน้ำมันในตลาดโลก


def test_field_shares_leave_a_one_language_index_alone() -> None:
    one = FieldShares.from_languages({"en": 500})
    assert one.weight("stem_en", 1.5, df=3) == 1.5
    mixed = FieldShares.from_languages({"en": 10, "th": 80, "id": 10})
    assert mixed.share("stem_en") == pytest.approx(0.1)
    assert mixed.share("fold") == pytest.approx(0.9)
    assert mixed.share("seg") == pytest.approx(0.8)  # Thai documents hold the seg field
    # the small share's length normalisation is undone far more than the large one's
    assert mixed.length_factor("stem_en") > 3 * mixed.length_factor("fold") > 3
    assert mixed.idf_factor("stem_en", 1) < 1.0  # idf over 10 documents, not 100


def test_long_quoted_phrase_found_nowhere_falls_back_to_its_words(tmp_path: Path) -> None:
    engine = _engine(tmp_path, [
        {"id": "tr-1", "lang": "tr", "title": "",
         "text": "Teknik direktör, \"Kante'nin geldiğini gördüğümde çok mutlu oldum\" dedi."},
        {"id": "tr-2", "lang": "tr", "title": "", "text": "Yarın İstanbul'da yağmur bekleniyor."},
    ])
    query = "\"Kante'nin geldigini gordugumde cok mutlu oldum\""  # typed without marks
    page = engine.search(SearchRequest(query, prefix_last=False))
    assert [h.id for h in page.hits][:1] == ["tr-1"]
    assert PHRASE_NOTE in page.warnings
    # a phrase that is found stays a phrase; a short one is not loosened
    page = engine.search(SearchRequest("\"çok mutlu oldum\"", prefix_last=False))
    assert [h.id for h in page.hits] == ["tr-1"] and PHRASE_NOTE not in page.warnings
    assert not engine.search(SearchRequest("\"mutlu gordugumde\"", prefix_last=False)).hits


def test_phrases_as_words_only_loosens_long_positive_phrases() -> None:
    assert phrases_as_words(parse('"two words" other')) is None
    loose = phrases_as_words(parse('"one two three four" -"five six seven eight" nine'))
    assert loose is not None
    assert [(c.terms[0].text, c.terms[0].phrase, c.negated) for c in loose.clauses] == [
        ("one", False, False), ("two", False, False), ("three", False, False),
        ("four", False, False), ("five six seven eight", True, True), ("nine", False, False),
    ]
