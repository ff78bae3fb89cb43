"""Did-you-mean from the index's own vocabulary: accents restored in context, typos fixed."""

from __future__ import annotations

from pathlib import Path

from searchapp.indexer import build_index
from searchapp.search import Engine
from searchapp.suggest import Suggester


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
