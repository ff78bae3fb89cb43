"""Did-you-mean from the index's own vocabulary: accents restored in context, typos fixed."""

from __future__ import annotations

from pathlib import Path

from searchapp.index.build import build_index
from searchapp.search.engine import Engine
from searchapp.search.suggest import Suggester


def test_accents_follow_the_neighbouring_word(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(4):
        (docs / f"sport{i}.txt").write_text("Trận bóng đá hôm nay rất hay", encoding="utf-8")
    for i in range(10):  # "đã" is the most frequent form of "da" on its own
        (docs / f"news{i}.txt").write_text("Họ đã đến và đã về nhà", encoding="utf-8")
    build_index(tmp_path / "idx", [docs])
    suggester = Suggester(Engine(tmp_path / "idx"))
    assert suggester.vocabulary(wait=10) is not None
    assert suggester.suggest("da", typos=False) == "đã"  # alone: the most frequent spelling
    assert suggester.suggest("bong da", typos=False) == "bóng đá"  # beside "bóng": đá
    assert suggester.suggest("ho da den", typos=False) == "họ đã đến"
    assert suggester.suggest("bóng đá", typos=False) is None  # already accented: nothing to say
    assert suggester.suggest("tranx bong da", typos=True) == "trận bóng đá"  # typo + accents


def test_a_typo_the_corpus_also_has_is_corrected_not_restored(tmp_path: Path) -> None:
    """'quoc hoii': the corpus has the typo 'hôịi' twice, but 'hội' in many documents."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(120):
        (docs / f"n{i}.txt").write_text(f"Quốc hội họp phiên thứ {i}", encoding="utf-8")
    for i in range(2):
        (docs / f"typo{i}.txt").write_text("Quốc hôịi bế mạc", encoding="utf-8")
    for i in range(2):  # a rare word with no frequent neighbour is not "corrected"
        (docs / f"rare{i}.txt").write_text("Loài zyxwa hiếm gặp", encoding="utf-8")
    build_index(tmp_path / "idx", [docs])
    suggester = Suggester(Engine(tmp_path / "idx"))
    assert suggester.vocabulary(wait=10) is not None
    assert suggester.suggest("quoc hoii", typos=True) == "quốc hội"
    assert suggester.suggest("quoc hoii", typos=False) == "quốc hôịi"  # accents only: as typed
    assert suggester.suggest("loai zyxwa", typos=True) == "loài zyxwa"
