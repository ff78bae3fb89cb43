"""Plain-text readers: encodings, front matter, boilerplate, HTML main content (real bytes)."""

from __future__ import annotations

import codecs
import datetime
import unicodedata
from pathlib import Path

import pytest

from searchapp.ingest.extracted import Limits, SkipFile
from searchapp.ingest.formats import boilerplate, plaintext, webpage
from searchapp.ingest.formats.encoding import decode_text, mojibake_signs
from searchapp.ingest.formats.frontmatter import split_front_matter

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
LIMITS = Limits()

# Realistic text (>= 200 characters) in the language each legacy encoding serves.
TEXTS = {
    "cp1258": "Hà Nội là thủ đô của nước Cộng hòa Xã hội chủ nghĩa Việt Nam, một thành phố có lịch sử hơn một nghìn năm. Người dân ở đây rất thân thiện và mến khách. Mùa thu Hà Nội đẹp nhất với những hàng cây lá vàng, hồ Gươm yên bình và những con phố cổ nhộn nhịp suốt ngày đêm. Du khách thường thưởng thức phở, bún chả và cà phê trứng.",
    "cp1251": "Москва является столицей Российской Федерации и крупнейшим городом страны. Город расположен на реке Москве в центре Восточно-Европейской равнины. В Москве находятся многие государственные учреждения, музеи, театры и университеты. Исторический центр города включает Кремль и Красную площадь, которые входят в список объектов всемирного наследия.",
    "koi8_r": "Санкт-Петербург был основан Петром Первым в тысяча семьсот третьем году на берегах Невы. Это второй по численности населения город России, важный культурный и промышленный центр. Эрмитаж, Русский музей и Мариинский театр привлекают миллионы посетителей каждый год, а белые ночи в июне делают город особенно красивым и оживлённым.",
    "cp1250:cs": "Praha je hlavní a současně největší město České republiky. Leží v centru Čech na řece Vltavě. Historické jádro města je zapsáno na seznamu světového dědictví UNESCO. Mezi nejznámější památky patří Pražský hrad, Karlův most, Staroměstské náměstí s orlojem a Josefov. Každoročně sem přijíždějí miliony turistů z celého světa, kteří obdivují architekturu.",
    "cp1250:pl": "Kraków jest jednym z najstarszych i największych miast w Polsce, położonym nad Wisłą. Przez wiele stuleci był stolicą państwa polskiego i siedzibą królów. Zamek Królewski na Wawelu, Rynek Główny z Sukiennicami oraz Kościół Mariacki przyciągają każdego roku tysiące turystów. Miasto słynie także z uniwersytetu założonego w czternastym wieku przez Kazimierza Wielkiego.",
    "cp1252:fr": "La cathédrale Notre-Dame de Paris est l'un des monuments les plus célèbres de France. Sa construction a commencé au douzième siècle et s'est achevée près de deux cents ans plus tard. Après l'incendie d'avril 2019, des milliers d'artisans ont travaillé à sa restauration : charpentiers, tailleurs de pierre, maîtres verriers. Elle a rouvert ses portes en décembre, à la grande joie des fidèles et des visiteurs.",
    "cp1252:de": "Die Zugspitze ist mit 2962 Metern der höchste Berg Deutschlands und liegt im Wettersteingebirge südwestlich von Garmisch-Partenkirchen. Über den Gipfel verläuft die Grenze zwischen Bayern und Tirol. Drei Seilbahnen und eine Zahnradbahn führen hinauf; im Winter ist das Gletscherskigebiet sehr beliebt. Bei schönem Wetter reicht der Blick über vierhundert Gipfel in vier Ländern, das ist wirklich großartig.",
    "iso8859_2:hu": "Budapest Magyarország fővárosa és legnépesebb települése, a Duna két partján fekszik. A várost 1873-ban egyesítették Buda, Óbuda és Pest összevonásával. Legismertebb látnivalói közé tartozik a Parlament épülete, a Budai Vár, a Halászbástya és a Széchenyi fürdő. A Lánchíd volt az első állandó híd a Dunán a két városrész között, ma is a főváros egyik jelképe, és esténként gyönyörű a kivilágított part.",
    "gb18030": "北京是中华人民共和国的首都，也是全国的政治、文化和国际交往中心。北京有着三千多年的建城史和八百多年的建都史，拥有故宫、天坛、颐和园、长城等众多世界文化遗产。每年都有大量游客来到这里参观游览，品尝北京烤鸭和各种传统小吃。城市交通发达，地铁线路覆盖全市主要区域，生活十分方便。近年来，北京在科技创新方面也取得了显著成就，吸引了许多年轻人前来工作和学习。到了秋天，香山的红叶漫山遍野，景色非常迷人，是市民周末郊游的好去处。",
    "big5": "臺北市是中華民國的首都，位於臺灣北部的臺北盆地。這座城市擁有豐富的歷史與文化，故宮博物院收藏了大量珍貴的中華文物。臺北一零一大樓曾經是世界最高的建築物，每年跨年煙火吸引無數民眾觀賞。夜市文化也是臺北的特色之一，士林夜市與饒河街夜市都有各式各樣的美食小吃。市內捷運系統四通八達，讓居民與觀光客都能方便地到達各個景點。週末時，許多家庭喜歡到陽明山或淡水老街走走，欣賞山景與河岸的夕陽風光，享受悠閒的時光。",
    "shift_jis": "東京は日本の首都であり、世界有数の大都市です。江戸時代には徳川幕府が置かれ、明治維新の後に東京と改名されました。浅草寺や明治神宮などの歴史的な名所と、渋谷や新宿のような近代的な繁華街が共存しています。電車や地下鉄の交通網がとても発達しており、毎日何百万人もの人々が通勤や通学に利用しています。春には上野公園で桜が咲き、多くの人がお花見を楽しみます。夏には隅田川の花火大会が開かれ、浴衣を着た人々で川沿いはとてもにぎやかになります。",
    "euc_jp": "京都は千年以上にわたって日本の都が置かれた古い町で、数多くの寺院や神社が残っています。金閣寺、清水寺、伏見稲荷大社などは国内外から多くの観光客が訪れる人気の名所です。秋になると紅葉がとても美しく、嵐山や東福寺は大変にぎわいます。伝統的な町家が並ぶ祇園では、舞妓さんの姿を見かけることもあります。京料理や和菓子も有名で、季節ごとの味を楽しむことができます。冬の朝には雪化粧をした寺の庭がとても静かで、写真を撮りに来る人も少なくありません。",
    "euc_kr": "서울은 대한민국의 수도이자 최대 도시로, 한강을 중심으로 남북으로 펼쳐져 있습니다. 조선 시대부터 육백 년이 넘는 역사를 가진 도시로 경복궁, 창덕궁, 종묘와 같은 문화유산이 많이 남아 있습니다. 오늘날 서울은 세계적인 경제와 문화의 중심지로 성장하였으며, 지하철과 버스 등 대중교통이 매우 편리합니다. 명동과 인사동, 홍대 거리에는 언제나 많은 사람들이 모여 쇼핑과 음식을 즐깁니다. 봄에는 여의도 윤중로에 벚꽃이 활짝 피어 수많은 시민들이 산책을 하며 봄날의 정취를 만끽합니다.",
}
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def encode_1258(text: str) -> bytes:
    """Windows-1258 the way Vietnamese editors wrote it: base letter + combining tone mark."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            tone = next(c for c in decomposed if c in _TONES)
            base = unicodedata.normalize("NFC", decomposed.replace(tone, ""))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return out


def encoded(key: str, text: str) -> bytes:
    codec = key.split(":")[0]
    return encode_1258(text) if codec == "cp1258" else text.encode(codec)


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_legacy_encodings_decode_to_the_original(key: str) -> None:
    text = TEXTS[key]
    assert len(text) >= 200
    data = encoded(key, text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_text(data) == unicodedata.normalize("NFC", text)


@pytest.mark.parametrize("key", sorted(TEXTS))
@pytest.mark.parametrize("size", [60, 150])
def test_short_texts_decode_too_thanks_to_the_tie_break(key: str, size: int) -> None:
    text = TEXTS[key][:size]
    assert decode_text(encoded(key, text)) == unicodedata.normalize("NFC", text)


def test_windows_1258_becomes_precomposed() -> None:
    text = "Người Việt Nam rất thích uống cà phê sữa đá vào buổi sáng."
    data = encode_1258(text)
    assert b"\xd2" in data or b"\xf2" in data  # a combining tone mark byte was written
    out = decode_text(data)
    assert out == text and unicodedata.is_normalized("NFC", out)


@pytest.mark.parametrize(
    "bom,codec", [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                  (codecs.BOM_UTF16_BE, "utf-16-be"), (codecs.BOM_UTF32_LE, "utf-32-le"),
                  (codecs.BOM_UTF32_BE, "utf-32-be")])
def test_bom_wins(bom: bytes, codec: str) -> None:
    text = "Tiếng Việt, русский, 日本語"
    assert decode_text(bom + text.encode(codec)) == text


def test_nfd_utf8_is_normalised() -> None:
    assert decode_text(unicodedata.normalize("NFD", "Nguyễn").encode()) == "Nguyễn"


def test_binary_is_refused() -> None:
    with pytest.raises(SkipFile, match="binary file"):
        decode_text(b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 4)
    with pytest.raises(SkipFile, match="binary file"):
        decode_text(bytes([1, 2, 3, 4, 5, 6, 14, 15, 16, 17, 18, 19]) * 50)


def test_mojibake_signs_counts_debris_inside_words() -> None:
    assert mojibake_signs("by³ stolic¹") == 2
    assert mojibake_signs("był stolicą, 3² = 9") == 0


def test_yaml_front_matter() -> None:
    text = (
        "---\ntitle: \"Báo cáo năm 2024\"\ndate: 2024-03-15\nlang: vi\n"
        "tags: [kinh tế, xã hội]\nauthor: Trần Thị B\n---\n# Heading\n\nNội dung chính.\n"
    )
    meta, body = split_front_matter(text)
    assert meta["title"] == "Báo cáo năm 2024"
    assert meta["date"] == datetime.date(2024, 3, 15)
    assert meta["lang"] == "vi" and meta["tags"] == ("kinh tế", "xã hội")
    assert meta["author"] == "Trần Thị B"
    assert body.startswith("# Heading") and "---" not in body


def test_toml_front_matter_and_markdown_reader() -> None:
    data = (
        b'+++\ntitle = "Release notes"\ndate = 2023-11-02T10:00:00Z\nlanguage = "en-GB"\n'
        b'tags = ["search", "tantivy"]\n+++\n\nThe new release indexes PDF files.\n'
    )
    (doc,) = plaintext.extract(data, "notes.md", LIMITS)
    assert (doc.title, doc.date, doc.lang, doc.tags, doc.format) == (
        "Release notes", datetime.date(2023, 11, 2), "en", ("search", "tantivy"), "md")
    assert doc.body == "The new release indexes PDF files."


def test_markdown_without_front_matter_uses_first_heading() -> None:
    (doc,) = plaintext.extract(b"Intro line\n\n## Installing *searchapp*\n\ntext", "a.md", LIMITS)
    assert doc.title == "Installing searchapp"  # the heading as shown, not its markup
    meta, body = split_front_matter("---\nnot: [valid yaml\n---\nbody")
    assert meta == {} and body.startswith("---")


def test_markdown_is_read_as_the_rendered_page_shows_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Markup is not text: a link keeps its words but not its URL, an image its alt text,
    emphasis, heading hashes and table pipes go; a tight list is one item a line."""
    from searchapp.index.build import build_index
    from searchapp.search.engine import Engine
    from searchapp.search.request import SearchRequest

    source = (
        "# Báo cáo **quý** ba\n\nĐoạn văn *nhấn mạnh* với [liên kết](https://example.com/zqxpath) "
        "và `mã_nguồn`.\n\n- mục một\n- mục __hai__\n\n| Tỉnh | Số ca |\n|---|---|\n"
        "| Huế | 12 |\n\n![bản đồ vùng lũ](map.png)\n"
    )
    (doc,) = plaintext.extract(source.encode(), "bao-cao.md", LIMITS)
    assert doc.title == "Báo cáo quý ba"
    for markup in ("**", "](", "zqxpath", "|", "# ", "__", "`", "!["):
        assert markup not in doc.body, (markup, doc.body)
    assert "Đoạn văn nhấn mạnh với liên kết và mã_nguồn." in doc.body
    assert "mục một\nmục hai" in doc.body and "Tỉnh Số ca\nHuế 12" in doc.body
    assert "bản đồ vùng lũ" in doc.body
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "bao-cao.md").write_text(source, encoding="utf-8")
    build_index(tmp_path / "idx", [docs])
    engine = Engine(tmp_path / "idx")
    assert engine.search(SearchRequest(query="zqxpath", prefix_last=False)).total == 0
    hit = engine.search(SearchRequest(query="nhấn mạnh", prefix_last=False)).hits[0]
    assert "*" not in hit.snippet_html and "nhấn" in hit.snippet_html


def test_terminal_colours_in_a_saved_log_do_not_glue_onto_its_words(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Output saved from a terminal keeps its colour codes: "\\x1b[31mERROR" was indexed as the
    word "31merror", so "error" did not find it and the page showed "[31m"."""
    from searchapp.index.build import build_index
    from searchapp.search.engine import Engine
    from searchapp.search.request import SearchRequest

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "build-output.txt").write_bytes(
        b"\x1b]0;ci runner\x07\x1b[1;31mERROR\x1b[0m disk quota exceeded on \x1b[4mnode7\x1b[24m\n"
        b"\x1b[32mPASSED\x1b[0m 118 tests \x1b(B\n")
    build_index(tmp_path / "idx", [docs])
    engine = Engine(tmp_path / "idx")
    page = engine.search(SearchRequest(query="error quota", prefix_last=False))
    assert page.total == 1
    assert "[31m" not in page.hits[0].snippet_html and "\x1b" not in page.hits[0].snippet_html
    assert engine.search(SearchRequest(query="node7 passed", prefix_last=False)).total == 1


def test_a_man_page_saved_with_overstrikes_reads_as_its_words(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`man grep > grep.txt` without `col -b` keeps nroff's overstrikes ("N\\bNA\\bA": bold,
    "_\\bl": underlined): a third of the file was backspaces, so it was skipped as binary; a
    bell or a DEL of a broken export showed as a box."""
    from searchapp.index.build import build_index
    from searchapp.search.engine import Engine
    from searchapp.search.request import SearchRequest

    def bold(word: str) -> str:
        return "".join(f"{c}\b{c}" for c in word)

    def underlined(word: str) -> str:
        return "".join(f"_\b{c}" for c in word)

    page = (f"{bold('NAME')}\n       {bold('grep')} - print {underlined('lines')} that match "
            f"patterns\x07\n\n{bold('DESCRIPTION')}\n       Searches each\x7f{underlined('FILE')} "
            "for patterns.\n")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "grep.txt").write_text(page, encoding="utf-8")
    (doc,) = plaintext.extract(page.encode(), "grep.txt", LIMITS)
    assert "\b" not in doc.body and "\x07" not in doc.body and "\x7f" not in doc.body
    assert doc.body.startswith("NAME\ngrep - print lines that match patterns")
    build_index(tmp_path / "idx", [docs])
    engine = Engine(tmp_path / "idx")
    assert engine.search(SearchRequest(query="grep description", prefix_last=False)).total == 1
    assert engine.search(SearchRequest(query="each file", prefix_last=False)).total == 1


def test_plaintext_reader_refuses_empty_and_binary() -> None:
    with pytest.raises(SkipFile, match="empty"):
        plaintext.extract(b"", "a.txt", LIMITS)
    with pytest.raises(SkipFile, match="empty"):
        plaintext.extract(b"   \n\n  ", "a.txt", LIMITS)
    with pytest.raises(SkipFile, match="binary"):
        plaintext.extract(b"PK\x03\x04\x00\x00" * 100, "a.txt", LIMITS)
    with pytest.raises(SkipFile, match="too large"):
        plaintext.extract(b"x" * 101, "a.txt", Limits(max_bytes=100))


def test_seed_footer_is_stripped_and_article_kept() -> None:
    path = SEEDS / "000_b2a8526e512383b7.txt"
    if not path.exists():
        pytest.skip("seeds/ not present")
    text = decode_text(path.read_bytes())
    out, removed = boilerplate.strip(text)
    assert out.rstrip().endswith("non-politicized basis.")
    assert {"print version", "Video", "Archive", "Official Internet Resources"} <= set(removed)
    assert "Deputy Minister of Foreign Affairs of Belarus" in out
    # The other seeds have no furniture: nothing of them is removed.
    for other in sorted(SEEDS.glob("00[12]_*.txt")):
        kept, gone = boilerplate.strip(decode_text(other.read_bytes()))
        assert gone == [] and kept == decode_text(other.read_bytes()).strip()


def test_known_patterns_only_at_the_edges_and_only_short_lines() -> None:
    text = "Share this\nThe print version of the report was sent to Parliament.\nArchive\nEnd.\n"
    out, removed = boilerplate.strip(text)
    assert removed == ["Share this"]
    assert "Archive" in out and "print version of the report" in out


def test_repeated_lines_per_source() -> None:
    menu = "Home | News | Contacts"
    texts = {
        "site-a": [f"{menu}\nArticle {i} about water supply in district {i}.\nCall 1900 1234"
                   for i in range(6)],
        "site-b": ["Home | News | Contacts\nA single page."],
    }
    found = boilerplate.repeated_lines(texts, min_docs=3, min_share=0.5)
    assert found["site-a"] == {"home | news | contacts", "call 1900 1234"}
    assert found["site-b"] == set()
    out, removed = boilerplate.strip(texts["site-a"][2], found["site-a"])
    assert out == "Article 2 about water supply in district 2." and len(removed) == 2


PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>Minister meets ILO | Ministry of Foreign Affairs</title>
<meta property="og:title" content="Deputy Minister meets representatives of OHCHR and ILO">
<meta property="article:published_time" content="2025-11-04T10:00:00+01:00">
<link rel="canonical" href="https://mfa.example.org/news/ilo-geneva">
<script>window.dataLayer = [];</script></head><body>
<div id="cookie-banner" class="cookie-consent">This website uses cookies to improve your
experience. <button>Accept all cookies</button></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/about">About the Ministry</a></li><li><a href="/contacts">Contacts</a></li></ul>
</nav></header>
<main><article><h1>Deputy Minister meets representatives of OHCHR and ILO</h1>
<p>On November 3, 2025, during his visit to Geneva to participate in the Fourth Universal
Periodic Review, the Deputy Minister of Foreign Affairs met with the UN High Commissioner.</p>
<p>The interlocutors exchanged views on global trends in ensuring conditions for the realization
of human rights and discussed the prospects for cooperation with the regional office.</p>
<p>The Deputy Minister stressed the importance of restoring full-fledged cooperation between all
ILO institutions and national partners on a pragmatic and non-politicized basis.</p>
<table><tr><th>Meeting</th><th>Date</th></tr><tr><td>OHCHR</td><td>3 November</td></tr>
<tr><td>ILO Director-General</td><td>4 November</td></tr></table>
</article></main>
<footer><a href="/print">print version</a> <a href="/video">Video</a>
<a href="/archive">Archive</a> <a href="/res">Official Internet Resources</a>
<p>© 2025 Ministry of Foreign Affairs. All rights reserved.</p></footer>
</body></html>"""


def test_webpage_main_content_without_furniture() -> None:
    (doc,) = webpage.extract(PAGE.encode(), "news.html", LIMITS)
    assert doc.title == "Deputy Minister meets representatives of OHCHR and ILO"
    assert doc.date == datetime.date(2025, 11, 4)
    assert doc.lang == "en" and doc.url == "https://mfa.example.org/news/ilo-geneva"
    assert "pragmatic and non-politicized basis" in doc.body
    assert "ILO Director-General" in doc.body  # tables are kept
    for furniture in ("cookies", "About the Ministry", "Contacts", "print version",
                      "Official Internet Resources", "All rights reserved", "dataLayer"):
        assert furniture not in doc.body, furniture


def test_webpage_fallback_and_legacy_charset() -> None:
    html = ('<html lang="ru"><head><meta charset="windows-1251"><title>Новости</title></head>'
            '<body><nav>Главная</nav><div>Короткая заметка.</div></body></html>')
    (doc,) = webpage.extract(html.encode("cp1251"), "n.htm", LIMITS)
    assert doc.title == "Новости" and doc.lang == "ru"
    assert "Короткая заметка." in doc.body and "Главная" not in doc.body
    with pytest.raises(SkipFile):
        webpage.extract(b"<html><body><script>x=1</script></body></html>", "e.html", LIMITS)
