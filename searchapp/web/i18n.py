"""Interface strings in English and Vietnamese, chosen by ?ui= or Accept-Language."""

from __future__ import annotations

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
        "original_file": "Original file",
        "boilerplate": "Left out of search (repeated on many pages)",
        "attachment_of": "Attachment of",
        "not_found": "Document not found",
        "not_found_text": "There is no document with this id in the index.",
        "error": "Something went wrong",
        "error_text": "The request could not be handled.",
        "page_not_found": "Page not found",
        "too_many": "Too many requests",
        "too_many_text": "Too many searches from your address (limit: {limit}). "
        "Please wait a moment and try again.",
        "query_too_long": "The query was cut to its first {max:,} characters (it had {n:,}).",
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
        "original_file": "Tệp gốc",
        "boilerplate": "Không dùng khi tìm kiếm (lặp lại trên nhiều trang)",
        "attachment_of": "Tệp đính kèm của",
        "not_found": "Không tìm thấy tài liệu",
        "not_found_text": "Không có tài liệu nào với mã này trong chỉ mục.",
        "error": "Đã có lỗi xảy ra",
        "error_text": "Không thể xử lý yêu cầu.",
        "page_not_found": "Không tìm thấy trang",
        "too_many": "Quá nhiều yêu cầu",
        "too_many_text": "Địa chỉ của bạn đã tìm kiếm quá nhiều lần (giới hạn: {limit}). "
        "Vui lòng đợi một lát rồi thử lại.",
        "query_too_long": "Truy vấn đã được cắt còn {max:,} ký tự đầu (ban đầu có {n:,}).",
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

LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "en": {"en": "English", "vi": "Vietnamese", "de": "German", "fr": "French",
           "ru": "Russian", "zh": "Chinese", "ja": "Japanese", "ar": "Arabic",
           "es": "Spanish", "it": "Italian", "pt": "Portuguese", "ko": "Korean",
           "th": "Thai", "nl": "Dutch"},
    "vi": {"en": "Tiếng Anh", "vi": "Tiếng Việt", "de": "Tiếng Đức", "fr": "Tiếng Pháp",
           "ru": "Tiếng Nga", "zh": "Tiếng Trung", "ja": "Tiếng Nhật", "ar": "Tiếng Ả Rập",
           "es": "Tiếng Tây Ban Nha", "it": "Tiếng Ý", "pt": "Tiếng Bồ Đào Nha",
           "ko": "Tiếng Hàn", "th": "Tiếng Thái", "nl": "Tiếng Hà Lan"},
}


def choose(request: Request) -> str:
    """The interface language: ?ui= when valid, else the best Accept-Language match."""
    asked = request.args.get("ui", "")
    if asked in STRINGS:
        return asked
    return request.accept_languages.best_match(list(STRINGS), DEFAULT) or DEFAULT


def language_name(ui: str, code: str) -> str:
    """A language code as a name in the interface language (the code when unknown)."""
    return LANGUAGE_NAMES.get(ui, {}).get(code, code or "?")
