"""The tantivy schema: stored originals and one indexed field per analyzer family, and how a
stored document's text is read back."""

from __future__ import annotations

from pathlib import Path

import tantivy

from ...analysis.language import STEMMERS
from ...analysis.text import CJK, EXACT, EXACT_PLAIN, FOLD, PLAIN_FIELD, SEG, stem_analyzer_name
from .readonly import is_lock_failure, open_read_only
from .tokenizers import register_all

TEXT_FIELDS = ("title", "body")


def stem_field(base: str, lang: str) -> str:
    return f"{base}_stem_{lang}"


FORMAT_FIELD = "format"
PAGES_FIELD = "pages"
BOILERPLATE_FIELD = "boilerplate"
PLAIN_SOURCE = "body_plain_text"


def exact_fields(base: str, schema_has_plain: bool = True) -> tuple[str, ...]:
    """The fields holding base's exact words: body's are in body or body_plain."""
    return (base, PLAIN_FIELD) if base == "body" and schema_has_plain else (base,)


def exact_field_of(doc: tantivy.Document, base: str) -> str:
    """The field that holds a stored document's exact words of base (title, body or body_plain)."""
    return PLAIN_FIELD if base == "body" and doc.get_first(PLAIN_SOURCE) else base


def stored_text(doc: tantivy.Document, base: str, limit: int | None = None) -> str:
    """The stored title or body of a document, wherever the indexer put it (its first `limit`
    characters when given: only those bytes are decoded)."""
    text = doc.get_first(base)
    if text:
        return text if limit is None else text[:limit]  # type: ignore[no-any-return]
    if base == "body" and (raw := doc.get_first(PLAIN_SOURCE)):
        if limit is None or len(raw) <= limit:
            return bytes(raw).decode("utf-8")
        # at most 4 bytes a character; a character cut at the end is dropped
        return bytes(raw[: 4 * limit]).decode("utf-8", "ignore")[:limit]
    return ""


def has_field(schema: tantivy.Schema, name: str) -> bool:
    """True when schema has a field of that name (an index built before it was added has not)."""
    try:
        tantivy.Query.term_query(schema, name, "")
    except ValueError:
        return False
    return True


def build_schema() -> tantivy.Schema:
    """The schema: stored originals, and one indexed field per analyzer family."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    for base in TEXT_FIELDS:
        sb.add_text_field(base, stored=True, tokenizer_name=EXACT)
        sb.add_text_field(f"{base}_fold", tokenizer_name=FOLD)
        sb.add_text_field(f"{base}_cjk", tokenizer_name=CJK)
        sb.add_text_field(f"{base}_seg", tokenizer_name=SEG)
        for lang in STEMMERS:
            sb.add_text_field(stem_field(base, lang), tokenizer_name=stem_analyzer_name(lang))
    # A body in Latin script only (analysis/text.is_plain): its exact words, cut by the faster
    # tokenizer, and the text itself stored as UTF-8 bytes (a text field would also index it).
    sb.add_text_field(PLAIN_FIELD, tokenizer_name=EXACT_PLAIN)
    sb.add_bytes_field(PLAIN_SOURCE, stored=True, indexed=False)
    sb.add_text_field("lang", stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("source", stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("url", stored=True, tokenizer_name="raw", index_option="basic")
    # The record's content hash, stored only: no search looks it up, and indexing one unique
    # 32-character term per document cost a fifth of the index and of tantivy's CPU on short
    # documents (200k sentences: 76 -> 69 MB). The writer adds it as text whichever the field
    # (indexes built before this declare it a raw text field); it reads back as that text.
    sb.add_bytes_field("hash", stored=True, indexed=False)
    # The file's format (pdf, docx, html, json…: a facet) and what the document page shows:
    # page start offsets (JSON list), author, the message of an attachment, tags, and the
    # furniture lines taken out of the body (ingest/furniture.py). Absent in older indexes.
    sb.add_text_field(FORMAT_FIELD, stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_bytes_field(PAGES_FIELD, stored=True, indexed=False)
    sb.add_text_field("author", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("parent", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("tags", stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_bytes_field(BOILERPLATE_FIELD, stored=True, indexed=False)
    sb.add_date_field("date", stored=True, indexed=True, fast=True)
    sb.add_integer_field("year", stored=False, indexed=True, fast=True)
    return sb.build()


def create_index(path: Path) -> tantivy.Index:
    """Create a new, empty index at path with analyzers registered."""
    index = tantivy.Index(build_schema(), path=str(path), reuse=False)
    register_all(index)
    return index


def open_index(path: Path) -> tantivy.Index:
    """Open an index directory (a version) and register the analyzers."""
    try:
        index = tantivy.Index.open(str(path))
    except ValueError as exc:
        if not is_lock_failure(exc):
            raise
        index = open_read_only(path)  # a read-only disk: searches still run
    register_all(index)
    return index
