"""Short texts are not given exotic languages, and every language is listed by its name in the
interface's language (CLDR through Babel), the rare ones folded under "more"."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from searchapp.analysis.language import RELIABLE_LETTERS, detect_language, normalize_code
from searchapp.index.build import build_index
from searchapp.search.engine import Engine
from searchapp.search.request import SearchRequest
from searchapp.web import create_app
from tests.conftest import corpus_path

JUNK = ("JUnit test message", "bar", "hello world", "Budget", "Paris", "Hola amigo")


def test_short_junk_is_undetermined_and_sentences_keep_their_language() -> None:
    assert [detect_language(t) for t in JUNK] == ["und"] * len(JUNK)
    assert detect_language("12345 678") == "zxx"  # no letters: no linguistic content
    assert detect_language("Das ist gut") == "de"  # short but sure
    assert detect_language("Tôi yêu Hà Nội") == "vi"


def test_ntrex_sentences_keep_their_language() -> None:
    """Every NTREX sentence of RELIABLE_LETTERS letters or more keeps its guess; shorter ones
    become `und` rarely (measured: 88 of 6,950 sentences, 54 of them wrong guesses)."""
    path = corpus_path("ntrex-more", "sentences.jsonl")
    sents = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    sample = random.Random(7).sample(sents, 1500)
    letters = re.compile(r"[^\W\d_]")
    long_und = [s["id"] for s in sample if len(letters.findall(s["text"])) >= RELIABLE_LETTERS
                and detect_language(s["text"]) == "und"]
    assert not long_und
    got = [detect_language(s["text"]) for s in sample]
    assert sum(g == "und" for g in got) / len(sample) < 0.03
    kept = [(g, normalize_code(s["lang"])) for g, s in zip(got, sample, strict=True) if g != "und"]
    assert sum(g == want for g, want in kept) / len(kept) >= 0.985


@pytest.fixture(scope="module")
def many_langs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of one NTREX article in each of 19 languages, short French notes beside French
    articles, junk strings alone in their folder, and a table of numbers."""
    tmp = tmp_path_factory.mktemp("langs")
    docs = tmp / "docs"
    files = [corpus_path("ntrex", "corpus.jsonl"), corpus_path("ntrex-more", "corpus.jsonl")]
    seen: set[str] = set()
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            lang = normalize_code(d["lang"])
            if lang in seen:
                continue
            seen.add(lang)
            folder = docs / ("fr" if lang == "fr" else "articles")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{lang}.txt").write_text(d["title"] + "\n\n" + d["text"], encoding="utf-8")
    for i, d in enumerate(json.loads(x) for x in files[0].read_text(encoding="utf-8").splitlines()
                          if '"fra"' in x):
        if i >= 3:
            break
        (docs / "fr" / f"fr{i}.txt").write_text(d["title"] + "\n\n" + d["text"], encoding="utf-8")
    (docs / "fr" / "note.txt").write_text("Budget\n", encoding="utf-8")
    (docs / "junk").mkdir()
    (docs / "junk" / "junit.txt").write_text("JUnit test message\n", encoding="utf-8")
    (docs / "junk" / "numbers.txt").write_text("12345 67890\n", encoding="utf-8")
    root = tmp / "index"
    build_index(root, [docs])
    return root


def _lang_of(engine: Engine, doc_id: str) -> str:
    view = engine.document(doc_id)
    assert view is not None
    return view.lang


def test_short_documents_take_their_context_else_und(many_langs: Path) -> None:
    engine = Engine(many_langs)
    assert _lang_of(engine, "fr/note.txt") == "fr"  # its folder's language, not Hungarian
    assert _lang_of(engine, "junk/junit.txt") == "und"  # no context: undetermined, not Kabyle
    assert _lang_of(engine, "junk/numbers.txt") == "zxx"
    # an undetermined document is found by its exact and its accent-free words, and by filter
    for q in ("JUnit", "junit", "message lang:und"):
        ids = [h.id for h in engine.search(SearchRequest(q, prefix_last=False)).hits]
        assert ids == ["junk/junit.txt"], q
    counts = {f.value: f.count for f in engine.overview().languages}
    assert counts["und"] == 1 and counts["zxx"] == 1 and len(counts) == 21


@pytest.fixture(scope="module")
def client(many_langs: Path) -> FlaskClient:
    return create_app({"TESTING": True, "INDEX_DIR": str(many_langs)}).test_client()


@pytest.mark.parametrize("ui, names, count", [
    ("en", ("Persian", "Hebrew", "Polish", "Unknown language", "No linguistic content"),
     "in 19 languages"),
    ("vi", ("Tiếng Ba Tư", "Tiếng Do Thái", "Tiếng Ba Lan", "Ngôn ngữ không xác định"),
     "bằng 19 ngôn ngữ"),
])
def test_home_and_facets_list_every_language_by_name(client: FlaskClient, ui: str,
                                                     names: tuple[str, ...], count: str) -> None:
    home = client.get(f"/?ui={ui}").get_data(as_text=True)
    assert count in home
    langs = re.findall(r'data-lang="([^"]+)"', home)
    assert len(langs) == 21  # every language, none capped
    assert "<details" in home  # the rare ones folded under "more"
    for name in names:
        assert f"{name} <span class=\"count\">" in home, name
    assert not re.search(r'data-lang="\w+">(fa|he|pl|und|zxx) <', home)  # no raw codes
    page = client.get(f"/search?q=*&ui={ui}").get_data(as_text=True)
    facet = re.findall(r'data-facet="lang" data-value="([^"]+)"', page)
    assert len(facet) == 21
    shown = re.findall(r'<span class="facet-name">([^<]+)</span>', page)
    assert set(names) <= set(shown)


def test_a_short_part_takes_its_message_language_before_its_folders() -> None:
    """An attachment or inner message (id file#part) takes its own message's language, even when
    it comes first; the folder's majority only when its file has none, then its source's."""
    from searchapp.backends.tantivy.writer import with_languages
    from searchapp.ingest.records import Document

    german = ("Sehr geehrte Damen und Herren, anbei erhalten Sie den Bericht über das dritte "
              "Quartal mit allen Zahlen und einer kurzen Zusammenfassung der Ergebnisse.")
    english = ("Please find the minutes of the meeting attached; the next meeting will take "
               "place on Monday in the usual room, and everyone is welcome to join us.")
    docs = [
        Document(id="mail/q3.eml#2", title="Budget", body="JUnit test message", source="archive"),
        Document(id="mail/q3.eml", title="Bericht Q3", body=german, source="archive"),
        Document(id="mail/minutes.eml", title="Minutes", body=english, source="archive"),
        Document(id="mail/other.eml", title="Minutes", body=english, source="archive"),
        Document(id="mail/note.txt", title="bar", body="bar", source="archive"),
        Document(id="elsewhere/x.txt", title="bar", body="bar", source="web"),
    ]
    langs = {d.id: lang for d, lang in with_languages(docs)}
    assert langs == {"mail/q3.eml#2": "de", "mail/q3.eml": "de", "mail/minutes.eml": "en",
                     "mail/other.eml": "en", "mail/note.txt": "en", "elsewhere/x.txt": "und"}
