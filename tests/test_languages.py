"""Query-side analysis of scripts beyond the tuned languages (no corpus needed)."""

from __future__ import annotations

from searchapp.search.parse import letter_runs, parse, spaceless_split


def test_thai_words_keep_their_vowel_and_tone_marks() -> None:
    # Thai vowel signs (ิ ี ั) and tone marks (่ ้) are combining marks (Mn), which Python's \w
    # does not match: the query used to be cut into fragments such as 'ประธานาธ', 'บด'.
    words = spaceless_split("ประธานาธิบดีทรัมป์ถึงยอมแพ้ได้ขนาดนี้")
    assert words[:2] == ["ประธานาธิบดี", "ทรัมป์"]
    assert "".join(words) == "ประธานาธิบดีทรัมป์ถึงยอมแพ้ได้ขนาดนี้"


def test_thai_query_terms_are_whole_words() -> None:
    terms = [t.text for c in parse("โรงพยาบาลในขณะที่ยังมีอาการไม่หนัก").clauses for t in c.terms]
    assert "พยาบาล" in terms and "ไม่" in terms
    assert "".join(terms) == "โรงพยาบาลในขณะที่ยังมีอาการไม่หนัก"


def test_letter_runs_split_at_digits_but_not_at_marks() -> None:
    assert letter_runs("กรุงเทพฯ2024ปี") == ["กรุงเทพฯ", "2024", "ปี"]
    assert letter_runs("東京タワー2024年") == ["東京タワー", "2024", "年"]
    assert letter_runs("hello, world") == ["hello", "world"]


def test_mixed_script_query_keeps_latin_and_japanese() -> None:
    assert spaceless_split("東京タワー2024年") == ["東京タワー", "2024", "年"]
    assert spaceless_split("Bangkokกรุงเทพฯ") == ["Bangkok", "กรุงเทพฯ"]  # the Latin word was dropped


def test_turkish_dotted_capital_i_matches_plain_i() -> None:
    from searchapp.backends import create_analyzers

    az = create_analyzers()
    assert az.fold("İstanbul") == az.fold("istanbul") == ["istanbul"]
    assert az.stem("tr", "İstanbul'da") == az.stem("tr", "istanbul'da")
    assert az.exact("İstanbul") != ["istanbul"]  # the exact field keeps the original spelling


def test_hindi_nukta_and_persian_letters_fold() -> None:
    from searchapp.backends import create_analyzers

    az = create_analyzers()
    assert az.fold("क़ानून") == az.fold("कानून") == az.fold("\u0958ानून") == ["कानुन"]  # ू -> ु too
    assert az.fold("کتاب") == az.fold("كتاب")  # Persian keheh vs Arabic kaf
    assert az.fold("ایران") == az.fold("ايران")


def test_indexed_turkish_document_found_without_dotted_capital(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from .conftest import engine_over

    engine = engine_over(tmp_path, {"tr.txt": "İstanbul'da büyük bir toplantı yapıldı ve İzmir de katıldı."})
    from searchapp.search.request import SearchRequest

    assert engine.search(SearchRequest("istanbul", prefix_last=False)).hits
    assert engine.search(SearchRequest("izmir", prefix_last=False)).hits


def test_unmarked_turkish_words_stem_to_an_indexed_variant() -> None:
    # Snowball stems before folding: olduğunu -> olduk, typed oldugunu -> oldugu. The stemmed
    # field also indexes the unmarked spelling of such words.
    from searchapp.analysis.normalize import unmarked
    from searchapp.backends import create_analyzers

    az = create_analyzers()
    assert unmarked("olduğunu") == "oldugunu" and unmarked("kitapları") == "kitaplari"
    indexed = az.stem_indexed("tr", "Olduğunu söyledi, çocuğun kitapları")
    for typed in ("oldugunu", "cocugun", "olduğunu", "çocuğun", "kitaplari"):
        assert az.stem("tr", typed)[0] in indexed, typed
    assert az.stem_variants("tr", "kitapları") == ""  # the same stem: nothing added
    assert az.stem_variants("ta", "தமிழ்") == ""  # Tamil signs are vowels, not accents


def test_indexed_turkish_document_found_typed_without_marks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from searchapp.search.request import SearchRequest

    from .conftest import engine_over

    engine = engine_over(tmp_path, {"tr.txt": "Bakan, toplantının ertelendiğini ve çocuğun iyi olduğunu söyledi."})
    for q in ("ertelendigini", "cocugun", "oldugunu"):
        assert engine.search(SearchRequest(q, prefix_last=False)).hits, q


def test_hindi_normalised_as_lucene_hindi_normalizer() -> None:
    from searchapp.backends import create_analyzers

    az = create_analyzers()
    assert az.fold("हिन्दी") == az.fold("हिंदी") == az.fold("हिंदि")  # dead n, long/short i
    assert az.fold("गाँव") == az.fold("गांव")  # chandrabindu -> anusvara
    assert az.fold("प्रस्ताव") == ["परसताव"]  # virama gone: one token, not प + रस + ताव
    assert az.fold("दीवाली") == az.fold("दिवाली")
    assert az.exact("हिन्दी") == ["हिन्दी"]  # the exact field keeps the spelling


def test_stop_words_of_languages_tantivy_has_no_list_for() -> None:
    from searchapp.backends import create_analyzers

    az = create_analyzers()
    for word, lang in (("și", "ro"), ("şi", "ro"), ("si", "ro"), ("είναι", "el"), ("ειναι", "el"), ("في", "ar"), ("أن", "ar"), ("ان", "ar")):
        assert az.is_stopword(word, (lang,)), (word, lang)
    assert not az.is_stopword("için", ("tr",))  # no Turkish list (it cost title@1)
    assert not az.is_stopword("bucurești", ("ro",))


def test_arabic_and_persian_normalised_as_lucene() -> None:
    from searchapp.backends import create_analyzers

    az = create_analyzers()
    assert az.stem("ar", "مستشفى") == az.stem("ar", "مستشفي")  # alef maksura
    assert az.stem("ar", "القرآن") == az.stem("ar", "القران")  # alef madda
    assert az.fold("مدينة") == az.fold("مدينه")  # teh marbuta
    assert az.fold("أحمد") == az.fold("إحمد") == az.fold("احمد")  # hamza on alef
    assert az.fold("كتـــابُ") == az.fold("كتاب")  # tatweel, damma
    assert az.fold("خانۀ") == az.fold("خانه")  # Persian heh yeh
    assert az.exact("مستشفى") == ["مستشفى"]
