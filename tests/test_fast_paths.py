"""The fast paths of loading, date finding and highlighting give what the plain ones gave."""

from __future__ import annotations

import io
import json
from pathlib import Path

from searchapp.analysis.language import STEMMERS
from searchapp.backends import create_analyzers
from searchapp.index.build import build_index
from searchapp.ingest.dates import find_date
from searchapp.ingest.formats import jsonrec
from searchapp.ingest.load import load_file
from searchapp.ingest.records import LoadReport
from searchapp.search import highlight as H
from searchapp.search import parse as Q
from searchapp.search.engine import Engine
from searchapp.search.request import SearchRequest
from tests.conftest import engine_over


def test_month_names_any_case() -> None:
    assert find_date("Posted SEPT. 3, 2021 by x").isoformat() == "2021-09-03"
    assert find_date("3 MÄRZ 2020").isoformat() == "2020-03-03"
    assert find_date("ſept 3, 2021").isoformat() == "2021-09-03"  # re.I's ſ = s (was a KeyError)
    assert find_date("marches 3, 2021 and xmay 4, 2020") is None
    assert find_date("Foo 3, 2021; May 4, 2020").isoformat() == "2020-05-04"
    assert find_date("no year here, May 4") is None


def test_dates_are_found_in_the_window_around_each_year() -> None:
    """find_date only runs its patterns near four-digit numbers: the earliest date still wins,
    and a window's edge never cuts a number into a false date."""
    assert find_date("Hà Nội,   ngày 30   tháng 12    năm 2017 -").isoformat() == "2017-12-30"
    assert find_date("5 March 2020-01-02").isoformat() == "2020-03-05"
    assert find_date("ref 2020-01-021 and 1/2/20201, then 3/4/2021").isoformat() == "2021-04-03"
    assert find_date("x" * 300 + " 2019-05-06 " + "y" * 100 + " 1 Jan 2018").isoformat() == "2019-05-06"
    assert find_date("in 1999 and 2005, on 2 May 2010").isoformat() == "2010-05-02"
    assert find_date("12345678 90123") is None


def test_jsonl_is_streamed_with_a_per_record_limit(tmp_path: Path) -> None:
    big = tmp_path / "dump.jsonl"
    lines = [json.dumps({"id": f"r{i}", "text": f"record {i} llamas " + "x" * 50}) for i in range(300)]
    lines[5] = json.dumps({"id": "huge", "text": "y" * 5000})
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert big.stat().st_size > 4096  # larger than the limit as a whole: still loaded
    report = LoadReport()
    docs = list(load_file(big, "dump.jsonl", "s", report, max_bytes=4096))
    assert len(docs) == 299 and "huge" not in {d.id for d in docs}
    assert [s.path for s in report.skipped] == ["dump.jsonl:6"]
    assert "too large" in report.skipped[0].reason
    result = build_index(tmp_path / "idx", [big], max_bytes=4096)
    assert result.documents == 299
    assert Engine(tmp_path / "idx").search(SearchRequest("llamas")).total == 299


def test_jsonl_line_numbers_bom_and_bad_lines(tmp_path: Path) -> None:
    f = tmp_path / "b.jsonl"
    f.write_bytes(b'\xef\xbb\xbf{"id": "a", "text": "one"}\r\n\r\n{bad\n[1]\n\xff\xfe\n{"id": "b", "text": "two"}')
    report = LoadReport()
    docs = list(load_file(f, "b.jsonl", "s", report))
    assert [d.id for d in docs] == ["a", "b"]
    reasons = {s.path: s.reason for s in report.skipped}
    assert "invalid JSON" in reasons["b.jsonl:3"]
    assert "not a JSON object" in reasons["b.jsonl:4"]
    assert "UTF-8" in reasons["b.jsonl:5"]


def _records(data: bytes, max_bytes: int) -> list[tuple[int, object, str]]:
    return list(jsonrec._stream_lines(io.BytesIO(data), max_bytes))


def test_jsonl_read_in_blocks_gives_the_records_of_a_line_by_line_read(monkeypatch) -> None:
    """Blocks of whole lines give the records, line numbers, skips and too-large records of a
    read one line at a time, wherever the blocks end."""
    lines = [json.dumps({"id": f"r{i}", "text": "từ " * (i % 40)}, ensure_ascii=i % 3 == 0).encode()
             for i in range(200)]
    lines[7] = b'  {"id": "sp", "text": "spaces around"}  '
    lines[20] = b'{"id": "cr", "text": "a"}\r{"id": "cr2", "text": "b"}'  # CR alone: two lines
    lines[33] = '{"id": "nel"}\u0085{"id": "ls"}\u2028x'.encode()
    lines[40] = b'{"id": "bad", "text": "\xff\xfe"}'  # not UTF-8: its block goes line by line
    lines[51] = json.dumps({"id": "long", "text": "z" * 700}).encode()  # longer than a block
    lines[52] = json.dumps({"id": "huge", "text": "h" * 3000}).encode()  # over the limit
    lines[60] = b'{"id": "nan", "date": NaN, "n": 18446744073709551616}'
    lines[61] = b'{"id": "x"} {"id": "y"}'
    lines[62] = "\ufeff".encode()
    data = b"\xef\xbb\xbf" + b"\r\n".join(lines[:100]) + b"\n\n" + b"\n".join(lines[100:])
    monkeypatch.setattr(jsonrec, "BLOCK", 1 << 30)  # a limit under the block: line by line
    expected = _records(data, 2048)
    # the lines of 20 and 33 are cut at CR, NEL and LS: the bad ones are "x", \xff, huge, extra
    # data and a BOM inside the file
    assert {r[0] for r in expected if isinstance(r[1], str)} == {37, 44, 56, 65, 66}
    assert expected[-1][0] == 204 and len(expected) == 204 - 1  # (one blank line)
    for block in (16, 100, 512, 2048, 1 << 20):
        monkeypatch.setattr(jsonrec, "BLOCK", block)
        assert _records(data, 2048) == expected, block
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    whole = [r for r in jsonrec.text_lines(text) if r[0] not in (44, 56)]  # (those two bytes)
    assert [r for r in expected if r[0] not in (44, 56)] == whole


def test_json_lines_parse_as_json_loads_does() -> None:
    for line in ('{"a": 1}', '{"a": NaN, "b": 1e400}', '{"a": 18446744073709551616}', ' {"a": 1} ',
                 '{"a": "\\ud800"}', '{"a": 1}{"b": 2}', "\ufeff{}", "[1,]", "", "1 2", "[" * 5000):
        try:
            expected: object = json.loads(line)
        except (ValueError, RecursionError) as exc:
            expected = (type(exc), str(exc))
        try:
            got: object = jsonrec._loads(line)
        except (ValueError, RecursionError) as exc:
            got = (type(exc), str(exc))
        assert repr(got) == repr(expected), line


def _both(text: str, query: str, lang: str = "vi") -> list[tuple[int, int, str]]:
    az = create_analyzers()
    spec = H.match_spec(Q.parse(query), az, tuple(STEMMERS), True)
    fast = H.find_matches(text, spec, az, lang)
    slow = H.find_matches.__globals__["_token_spans"](text, spec, az, lang)
    assert [s for s in fast] == sorted(slow)  # the regex path agrees with the token path
    return fast


def test_fast_highlighting_matches_every_family() -> None:
    text = "Nhân quyền, NHAN QUYEN và quyên góp; Quyềnx giao thôngg"
    marked = {text[s:e] for s, e, _ in _both(text, "nhan quyen")}
    assert {"Nhân", "quyền", "NHAN", "QUYEN", "Quyềnx"} <= marked  # folded, prefix of the last word
    marked = {text[s:e] for s, e, _ in _both(text, "giao thông xyz")}
    assert {"giao", "thôngg"} <= marked  # one-edit typo of a word of 5+ letters
    html = H.highlight_all("<b>quyền</b> & co", H.match_spec(Q.parse("quyen"), create_analyzers(), (), True),
                           create_analyzers(), "vi")
    assert html == "&lt;b&gt;<mark>quyền</mark>&lt;/b&gt; &amp; co"


def test_multi_line_text_takes_the_fast_path() -> None:
    """Line breaks and tabs once sent every multi-line text (a document page) to the token path,
    ~3x slower; the regex path gives the same spans."""
    from searchapp.search import matching

    text = "Nhân quyền\nNHAN\tQUYEN\r\nvà quyên góp;\x0bQuyềnx\x0cgiao thôngg\n"
    marked = {text[s:e] for s, e, _ in _both(text, "nhan quyen")}
    assert {"Nhân", "quyền", "NHAN", "QUYEN", "Quyềnx"} <= marked
    az = create_analyzers()
    spec = H.match_spec(Q.parse("nhan quyen"), az, (), True)
    assert matching._fast_spans(text, spec, az, "vi") is not None


def test_token_path_still_used_where_needed() -> None:
    az = create_analyzers()
    spec = H.match_spec(Q.parse("strasse"), az, tuple(STEMMERS), False)
    assert [(s, e) for s, e, _ in H.find_matches("Die Straße", spec, az, "xx")] == [(4, 10)]
    spec = H.match_spec(Q.parse("conventions"), az, tuple(STEMMERS), False)
    assert len(H.find_matches("ILO Convention text", spec, az, "en")) == 1  # stemmed


def test_plain_text_is_cut_by_the_simple_tokenizer_exactly_as_by_the_regex() -> None:
    """Every code point analysis.is_plain accepts gives the same exact tokens with the fast
    tokenizer (body_plain) as with the regex one (body), alone and inside words."""
    from searchapp.analysis.text import EXACT, EXACT_PLAIN, is_plain
    from searchapp.backends.tantivy.tokenizers import build_analyzers

    analyzers = build_analyzers()
    regex, simple = analyzers[EXACT], analyzers[EXACT_PLAIN]
    accepted = [chr(cp) for cp in range(0x3000) if is_plain(chr(cp))]
    assert len(accepted) > 1500 and is_plain("Quyền con người, “Geneva” – 2025 №5 ½")
    assert not any(is_plain(s) for s in ("日本", "हिन्दी", "Ελλάδα", "a\u0301", "Ⓐ", "a\u20d7"))
    for ch in accepted:
        for text in (f"a{ch}b", ch, f"x {ch}{ch} y", f"1{ch}2"):
            assert regex.analyze(text) == simple.analyze(text), (hex(ord(ch)), text)


def test_plain_and_other_bodies_are_found_and_shown_alike(tmp_path: Path) -> None:
    """A Latin-only body (body_plain) and one with other scripts (body) are both found by their
    exact words, shown, highlighted and offered as related documents."""
    e = engine_over(tmp_path, {
        "plain.txt": "Nhân quyền và phát triển bền vững ở Geneva",
        "mixed.txt": "Nhân quyền và phát triển ở Geneva (日内瓦)",
    })
    page = e.search(SearchRequest("quyền Geneva", prefix_last=False))
    assert {h.id for h in page.hits} == {"plain.txt", "mixed.txt"}
    assert all("<mark>quyền</mark>" in h.snippet_html for h in page.hits)
    shown = e.document("plain.txt", "quyền")
    assert shown is not None and "<mark>quyền</mark>" in shown.body_html
    assert [r.id for r in shown.related] == ["mixed.txt"]
    assert [r.id for r in e.document("mixed.txt").related] == ["plain.txt"]


def test_clip_collapses_only_the_head_and_cuts_as_before() -> None:
    from searchapp.ingest.titles import TITLE_MAX
    from searchapp.ingest.titles import clip as _clip

    long = "word " * 1000
    assert _clip(long) == ("word " * (TITLE_MAX // 5)).strip() + "…"
    spaced = " " * (TITLE_MAX * 4) + "Title after a lot of blank"  # head all blank: full text
    assert _clip(spaced) == "Title after a lot of blank"
    assert _clip("  Short\n title ") == "Short title"
    assert _clip("x" * (TITLE_MAX + 5)) == "x" * TITLE_MAX + "…"


def test_derived_text_pass_is_skipped_only_where_it_changes_nothing() -> None:
    """backends/tantivy/writer.to_tantivy skips normalize_derived for a plain text without İ:
    on every code point is_plain accepts, the pass changes only İ."""
    from searchapp.analysis.normalize import normalize_derived
    from searchapp.analysis.text import is_plain

    changed = [hex(cp) for cp in range(0x3000)
               if is_plain(chr(cp)) and normalize_derived(f"a{chr(cp)}b") != f"a{chr(cp)}b"]
    assert changed == ["0x130"]


def test_json_records_lose_escaped_lone_surrogates_and_stay_findable(tmp_path: Path) -> None:
    """A JSON record whose \\u escapes make lone surrogates (which tantivy refuses) is indexed
    with U+FFFD in their place, in .jsonl lines and in a .json array alike; a line without an
    escape is not scanned (formats/jsonrec.py)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    rec = {"title": "Pelican \ud800 report", "text": "The quokka \udc80 count", "url": "u\udfff"}
    escaped = json.dumps({**rec, "id": "lone\ud83d"})  # ensure_ascii: every surrogate a \u escape
    assert "\\ud800" in escaped
    (docs / "a.jsonl").write_text(escaped + "\n" + json.dumps({"id": "plain", "text": "kea"})
                                  + "\n", encoding="utf-8")
    (docs / "b.json").write_text(json.dumps([{**rec, "id": "arr\udc00"}]), encoding="utf-8")
    result = build_index(tmp_path / "idx", [docs])
    assert result.documents == 3 and not result.skipped, result.summary()
    engine = Engine(tmp_path / "idx")
    page = engine.search(SearchRequest(query="quokka"))
    assert sorted(h.id for h in page.hits) == ["arr\ufffd", "lone\ufffd"]
    assert all(h.title == "Pelican \ufffd report" for h in page.hits)
    assert engine.search(SearchRequest(query="kea")).total == 1
