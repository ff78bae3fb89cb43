"""Interface strings in English and Vietnamese, chosen by ?ui= or Accept-Language."""

from __future__ import annotations

from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from flask import Request

DEFAULT = "en"

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "app": "searchapp",
        "search": "Search",
        "search_label": "Search the documents",
        "placeholder": "Search documents…",
        "results": "{n} results",
        "result": "1 result",
        "no_results": "No results for “{q}”.",
        "took": "{ms} ms",
        "did_you_mean": "Did you mean",
        "tips": "Check the spelling, use fewer or more general words, or remove a filter.",
        "by_meaning": "matched by meaning",
        "in_lang_by_meaning": "in {lang} — matched by meaning",
        "semantic_on": "Words and meaning",
        "semantic_off": "Words only",
        "semantic_label": "Match",
        "semantic_unavailable": "Search by meaning is not available on this index (no vectors): "
        "these results match your words only.",
        "home_hint": "Type to search. Words match with or without accents; use \"quotes\" "
        "for phrases and -word to exclude.",
        "lang": "Language",
        "source": "Source",
        "year": "Year",
        "sort": "Sort by",
        "relevance": "Relevance",
        "date": "Date",
        "remove_filter": "Remove filter",
        "clear_filters": "Clear all",
        "prev": "Previous",
        "next": "Next",
        "page": "Page {n}",
        "pages": "Pagination",
        "filters": "Filters",
        "loading": "Searching…",
        "back": "Back to results",
        "related": "Related documents",
        "original": "Original",
        "saved_copy": "saved copy",
        "gone_from_site": "removed from the site",
        "original_file": "Original file",
        "part_of": "Part {n} of {m}",
        "parts_nav": "Parts of this document",
        "prev_part": "Previous part",
        "next_part": "Next part",
        "long_doc": "A long document: characters {lo}–{hi} of {total} are shown.",
        "boilerplate": "Left out of search (repeated on many pages)",
        "attachment_of": "Attachment of",
        "not_found": "Document not found",
        "not_found_text": "There is no document with this id in the index.",
        "error": "Something went wrong",
        "error_text": "The request could not be handled.",
        "page_not_found": "Page not found",
        "page_not_found_text": "There is no page at this address.",
        "to_search": "Go to the search page",
        "too_many": "Too many requests",
        "too_many_text": "Too many searches from your address (limit: {limit}). "
        "Please wait a moment and try again.",
        "query_too_long": "The query was cut to its first {max:,} characters (it had {n:,}).",
        "bad_date": "Ignored {name}={value}: not a date (use 2024, 2024-05 or 2024-05-17).",
        "bad_sort": "Ignored sort={value}: use relevance, date (newest first) or date_asc "
        "(oldest first).",
        "bad_year": "Ignored year={value}: not a year (use 2024).",
        "past_last_page": "Page {n} is past the last page of these results ({last}).",
        "go_last_page": "Go to page {last}",
        "dates_swapped": "The start date came after the end date: searched from {low} to {high}.",
        "no_index": "No index yet",
        "no_index_text": "There is no search index yet. Build one with `searchapp index`, "
        "then reload this page.",
        "sort_relevance": "Relevance",
        "sort_date": "Newest",
        "sort_date_asc": "Oldest",
        "took_cached": "from the cache; first search {ms} ms",
        "took_cached_title": "This page was answered from memory: the same search ran before.",
        "showing_for": "No results for what you typed. Showing results for",
        "search_instead": "Search instead for",
        "date_range": "Date range",
        "date_from": "From",
        "date_to": "To",
        "apply": "Apply",
        "format": "File type",
        "home_count": "{n} documents in {k} languages",
        "home_count_1": "{n} documents in 1 language",
        "more_langs": "{k} more languages",
        "also_as": "also as",
        "recent": "Most recent documents",
        "try": "Try",
        "browse_all": "Browse all documents, newest first ›",
        "no_index_link": "Open the admin page",
        "unavailable": "Search is unavailable",
        "unavailable_text": "The search service cannot be reached right now. "
        "Please try again in a moment.",
        "switch": "Tiếng Việt",
        "shortcuts": "Press / to search, ↑ ↓ to move through results, Enter to open.",
    },
    "vi": {
        "app": "searchapp",
        "search": "Tìm kiếm",
        "search_label": "Tìm trong tài liệu",
        "placeholder": "Tìm tài liệu…",
        "results": "{n} kết quả",
        "result": "1 kết quả",
        "no_results": "Không có kết quả cho “{q}”.",
        "took": "{ms} ms",
        "did_you_mean": "Có phải bạn muốn tìm",
        "tips": "Kiểm tra chính tả, dùng ít từ hơn hoặc từ chung hơn, hoặc bỏ bớt bộ lọc.",
        "by_meaning": "khớp theo nghĩa",
        "in_lang_by_meaning": "bằng {lang} — khớp theo nghĩa",
        "semantic_on": "Từ và nghĩa",
        "semantic_off": "Chỉ theo từ",
        "semantic_label": "Khớp",
        "semantic_unavailable": "Chỉ mục này chưa hỗ trợ tìm theo nghĩa (chưa có vector): "
        "kết quả chỉ khớp theo từ.",
        "home_hint": "Gõ để tìm. Từ có dấu hay không dấu đều khớp; dùng \"ngoặc kép\" cho cụm "
        "từ và -từ để loại trừ.",
        "lang": "Ngôn ngữ",
        "source": "Nguồn",
        "year": "Năm",
        "sort": "Sắp xếp",
        "relevance": "Liên quan",
        "date": "Ngày",
        "remove_filter": "Bỏ bộ lọc",
        "clear_filters": "Bỏ tất cả",
        "prev": "Trang trước",
        "next": "Trang sau",
        "page": "Trang {n}",
        "pages": "Phân trang",
        "filters": "Bộ lọc",
        "loading": "Đang tìm…",
        "back": "Quay lại kết quả",
        "related": "Tài liệu liên quan",
        "original": "Bản gốc",
        "saved_copy": "bản đã lưu",
        "gone_from_site": "đã gỡ khỏi trang",
        "original_file": "Tệp gốc",
        "part_of": "Phần {n} / {m}",
        "parts_nav": "Các phần của tài liệu",
        "prev_part": "Phần trước",
        "next_part": "Phần sau",
        "long_doc": "Tài liệu dài: đang hiển thị ký tự {lo}–{hi} trong tổng số {total}.",
        "boilerplate": "Không dùng khi tìm kiếm (lặp lại trên nhiều trang)",
        "attachment_of": "Tệp đính kèm của",
        "not_found": "Không tìm thấy tài liệu",
        "not_found_text": "Không có tài liệu nào với mã này trong chỉ mục.",
        "error": "Đã có lỗi xảy ra",
        "error_text": "Không thể xử lý yêu cầu.",
        "page_not_found": "Không tìm thấy trang",
        "page_not_found_text": "Không có trang nào ở địa chỉ này.",
        "to_search": "Về trang tìm kiếm",
        "too_many": "Quá nhiều yêu cầu",
        "too_many_text": "Địa chỉ của bạn đã tìm kiếm quá nhiều lần (giới hạn: {limit}). "
        "Vui lòng đợi một lát rồi thử lại.",
        "query_too_long": "Truy vấn đã được cắt còn {max:,} ký tự đầu (ban đầu có {n:,}).",
        "bad_date": "Đã bỏ qua {name}={value}: không phải ngày (dùng 2024, 2024-05 hoặc "
        "2024-05-17).",
        "bad_sort": "Đã bỏ qua sort={value}: dùng relevance, date (mới nhất trước) hoặc "
        "date_asc (cũ nhất trước).",
        "bad_year": "Đã bỏ qua year={value}: không phải năm (dùng 2024).",
        "past_last_page": "Trang {n} nằm sau trang cuối của các kết quả này ({last}).",
        "go_last_page": "Đến trang {last}",
        "dates_swapped": "Ngày bắt đầu sau ngày kết thúc: đã tìm từ {low} đến {high}.",
        "no_index": "Chưa có chỉ mục",
        "no_index_text": "Chưa có chỉ mục tìm kiếm. Hãy tạo bằng `searchapp index` rồi tải "
        "lại trang.",
        "sort_relevance": "Liên quan",
        "sort_date": "Mới nhất",
        "sort_date_asc": "Cũ nhất",
        "took_cached": "từ bộ nhớ đệm; lần tìm đầu {ms} ms",
        "took_cached_title": "Trang này được trả lời từ bộ nhớ: cùng truy vấn đã chạy trước đó.",
        "showing_for": "Không có kết quả cho từ bạn gõ. Đang hiển thị kết quả cho",
        "search_instead": "Tìm chính xác",
        "date_range": "Khoảng thời gian",
        "date_from": "Từ",
        "date_to": "Đến",
        "apply": "Áp dụng",
        "format": "Loại tệp",
        "home_count": "{n} tài liệu bằng {k} ngôn ngữ",
        "home_count_1": "{n} tài liệu bằng 1 ngôn ngữ",
        "more_langs": "{k} ngôn ngữ khác",
        "also_as": "cũng có dạng",
        "recent": "Tài liệu mới nhất",
        "try": "Thử",
        "browse_all": "Xem tất cả tài liệu, mới nhất trước ›",
        "no_index_link": "Mở trang quản trị",
        "unavailable": "Tạm thời không tìm được",
        "unavailable_text": "Hiện không kết nối được dịch vụ tìm kiếm. "
        "Vui lòng thử lại sau ít phút.",
        "switch": "English",
        "shortcuts": "Nhấn / để tìm, ↑ ↓ để chọn kết quả, Enter để mở.",
    },
}

def choose(request: Request) -> str:
    """The interface language: ?ui= when valid, else the best Accept-Language match."""
    asked = request.args.get("ui", "")
    if asked in STRINGS:
        return asked
    return request.accept_languages.best_match(list(STRINGS), DEFAULT) or DEFAULT


LANGS_SHOWN = 10  # languages listed before the rest are folded under "more"
NOT_LANGUAGES = ("und", "zxx", "")  # undetermined, no linguistic content: not counted as languages


@lru_cache(maxsize=4096)
def language_name(ui: str, code: str) -> str:
    """A language code as its name in the interface language, from CLDR through Babel ('und':
    unknown language, 'zxx': no linguistic content); the code itself when CLDR has no name."""
    names = Locale.parse(ui).languages
    name = names.get(code or "und")
    if name is None:
        try:
            name = Locale.parse(code.replace("-", "_")).get_display_name(ui)
        except (ValueError, UnknownLocaleError):
            name = None
    return name[:1].upper() + name[1:] if name else code


@cache
def text_direction(code: str | None) -> str:
    """'rtl' for a right-to-left language (Arabic, Persian, Hebrew, Urdu... from CLDR), 'ltr'
    for a known left-to-right one, 'auto' (the browser looks at the text) when unknown."""
    if not code or code in NOT_LANGUAGES:
        return "auto"
    try:
        order = Locale.parse(code.replace("-", "_")).character_order
    except (ValueError, UnknownLocaleError):
        return "auto"
    return "rtl" if order == "right-to-left" else "ltr"


def language_count(values: list[object]) -> int:
    """How many real languages a list of language facet values holds (not und, zxx)."""
    return sum(1 for v in values if getattr(v, "value", v) not in NOT_LANGUAGES)
