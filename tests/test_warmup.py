"""The heaviest first keystrokes of a version are searched in the background (web/warmup.py)."""

from __future__ import annotations

from pathlib import Path

from searchapp.backends import create_analyzers
from searchapp.index.build import build_index
from searchapp.web import create_app
from searchapp.web.service import services
from searchapp.web.warmup import WARM_PREFIXES, typed_prefixes

KEYSTROKE = {"HX-Request": "true", "HX-Trigger": "q"}


def test_prefixes_weigh_documents_typed_with_and_without_diacritics() -> None:
    fold = create_analyzers().fold_token
    words = [("đường", 50), ("dân", 30), ("tôi", 40), ("zebra", 1), ("ăn", 5)]
    got = typed_prefixes(words, fold, limit=6)
    # d: đường (folded) + dân = 80; then đ, đư (as typed) and du (folded): 50 each; then
    # t, tô, to: 40 (tôi counts once for "t", typed with or without its accent)
    assert got[0] == "d"
    assert set(got[1:4]) == {"đ", "đư", "du"}
    assert set(got[4:6]) <= {"t", "tô", "to"}
    assert "z" not in got and "ze" not in got  # one document: not worth a search
    assert len(typed_prefixes(words, fold, limit=2)) == 2


def _docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    common = ["tàu thủy cập cảng", "thời tiết tháng mười", "tôm cá xuất khẩu"]
    for i in range(60):
        (docs / f"d{i:02}.txt").write_text(
            f"Bản tin {i}\n\n{common[i % 3]} số {i}, người dân địa phương.\n", encoding="utf-8")
    (docs / "rare.txt").write_text("Zebra crossing\n\nzebra quagga okapi\n", encoding="utf-8")
    return docs


def test_first_keystrokes_are_answered_from_the_cache_after_warming(tmp_path: Path) -> None:
    build_index(tmp_path / "idx", [_docs(tmp_path)])
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "idx"), "SEARCH_CACHE": 500,
                      "WARM_KEYSTROKES": True, "SEARCH_RATELIMIT": None})
    client = app.test_client()
    assert client.get("/search?q=b%E1%BA%A3n", headers=KEYSTROKE).status_code == 200
    with app.app_context():
        warmer = services()._warmer
    assert warmer is not None and warmer.thread is not None
    warmer.thread.join(60)
    assert not warmer.thread.is_alive()
    # "t" (tàu, thời, tháng, tôm...) and "ng" (người) were never typed here: answered from memory
    for typed in ("t", "ng", "d", "đ"):
        page = client.get(f"/search?q={typed}", headers=KEYSTROKE).get_data(as_text=True)
        assert "from the cache; first search" in page, typed
    # a rare word's prefix was not searched ahead: computed now
    page = client.get("/search?q=ze", headers=KEYSTROKE).get_data(as_text=True)
    assert "from the cache" not in page and "okapi" in page
    # the full page (with facets) is another request: not what the search box sends per keystroke
    assert "from the cache" not in client.get("/search?q=t").get_data(as_text=True)
    assert len(typed_prefixes([("a", 1)] * 3, str, limit=WARM_PREFIXES)) == 1


def test_no_warming_without_a_cache(tmp_path: Path) -> None:
    build_index(tmp_path / "idx", [_docs(tmp_path)])
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "idx"), "SEARCH_CACHE": 0,
                      "WARM_KEYSTROKES": True, "SEARCH_RATELIMIT": None})
    client = app.test_client()
    client.get("/search?q=t", headers=KEYSTROKE)
    with app.app_context():
        warmer = services()._warmer
    assert warmer is None or warmer.thread is None
