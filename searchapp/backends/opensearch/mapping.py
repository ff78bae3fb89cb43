"""The index settings and mapping, generated from the same analysis plan as the Tantivy schema
(analysis/text.py field families, analysis/language.py STEMMERS).

Per text (title, body): the exact field (stored in _source for our own highlighter), one
accent-free family per document (`<base>_stem_<lang>` for the 18 languages with a Snowball
stemmer, else `<base>_fold`), `<base>_cjk` (one Han/Kana/Hangul character per token) and
`<base>_seg` (ICU dictionary words of spaceless scripts). Words are cut by pattern tokenizers that
are the reference (Tantivy) tokenizers in Java syntax (analysis/text.WORD_PATTERN for the exact
field, tantivy's simple tokenizer for the folded and stemmed ones), so every field holds the
very tokens of the reference implementation; the ICU tokenizer would keep
`l'homme`, `3.14` or `foo_bar` whole, which the reference splits. Folding is ICU folding (a
superset of ascii_fold + analysis/text.fold_marks), segmentation the ICU tokenizer (the same
dictionary algorithm as analysis/segmentation.py). The derived fields are left out of _source.
"""

from __future__ import annotations

from typing import Any

from ...analysis.language import STEMMERS
from ...analysis.text import CJK, EXACT, FOLD, MAX_TOKEN_LEN, SEG, stem_analyzer_name

TEXT_FIELDS = ("title", "body")
# analysis/text.WORD_PATTERN and CJK_PATTERN in java.util.regex syntax
JAVA_WORD_PATTERN = (
    r"[\p{L}\p{N}\p{M}&&[^\p{IsHan}\p{IsHiragana}\p{IsKatakana}\p{IsThai}\p{IsLao}"
    r"\p{IsKhmer}\p{IsMyanmar}]]+"
)
JAVA_CJK_PATTERN = r"[\p{IsHan}\p{IsHiragana}\p{IsKatakana}\p{IsHangul}]"
# tantivy's simple tokenizer, which the folded and stemmed families use (analysis/chains.py
# SIMPLE): runs of Rust's char::is_alphanumeric (Alphabetic or Numeric)
JAVA_SIMPLE_PATTERN = r"[\p{IsAlphabetic}\p{N}]+"
# OpenSearch's `snowball` filter names (Lucene's Snowball stemmers); the same algorithms as the
# rust-stemmers tantivy uses (English is Porter2 in both). Greek and Tamil are not among
# Lucene's Snowball stemmers: Lucene's own Greek stemmer, and the folded field for Tamil.
SNOWBALL = {
    "ar": "Arabic", "da": "Danish", "nl": "Dutch", "en": "English", "fi": "Finnish",
    "fr": "French", "de": "German", "hu": "Hungarian", "it": "Italian", "no": "Norwegian",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "es": "Spanish", "sv": "Swedish",
    "tr": "Turkish",
}
OTHER_STEMMERS = {"el": ("greek", "greek")}  # lang -> (lowercase filter, stemmer)


def stem_langs() -> tuple[str, ...]:
    """Languages with a stemmed field here (STEMMERS that OpenSearch can stem)."""
    return tuple(lang for lang in STEMMERS if lang in SNOWBALL or lang in OTHER_STEMMERS)


def analysis() -> dict[str, Any]:
    words = {"type": "pattern", "pattern": JAVA_WORD_PATTERN, "group": 0}
    filters: dict[str, Any] = {"sa_long": {"type": "length", "max": MAX_TOKEN_LEN - 1}}
    analyzers: dict[str, Any] = {
        EXACT: {"type": "custom", "tokenizer": "sa_words", "filter": ["sa_long", "lowercase"]},
        FOLD: {"type": "custom", "tokenizer": "sa_simple",
               "filter": ["sa_long", "lowercase", "icu_folding"]},
        CJK: {"type": "custom", "tokenizer": "sa_cjk", "filter": ["lowercase"]},
        SEG: {"type": "custom", "tokenizer": "icu_tokenizer", "filter": ["lowercase"]},
    }
    for lang in stem_langs():
        name = stem_analyzer_name(lang)
        if lang in SNOWBALL:
            filters[name] = {"type": "snowball", "language": SNOWBALL[lang]}
            chain = ["sa_long", "lowercase", name, "icu_folding"]
        else:
            lower, stemmer = OTHER_STEMMERS[lang]
            filters[f"{name}_lower"] = {"type": "lowercase", "language": lower}
            filters[name] = {"type": "stemmer", "language": stemmer}
            chain = ["sa_long", f"{name}_lower", name, "icu_folding"]
        analyzers[name] = {"type": "custom", "tokenizer": "sa_simple", "filter": chain}
    return {
        "tokenizer": {
            "sa_words": words,
            "sa_simple": {"type": "pattern", "pattern": JAVA_SIMPLE_PATTERN, "group": 0},
            "sa_cjk": {"type": "pattern", "pattern": JAVA_CJK_PATTERN, "group": 0},
        },
        "filter": filters,
        "analyzer": analyzers,
    }


def stem_field(base: str, lang: str) -> str:
    return f"{base}_stem_{lang}"


def mappings() -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": {"type": "keyword"},
        "lang": {"type": "keyword"},
        "source": {"type": "keyword"},
        "url": {"type": "keyword", "index": False, "doc_values": False},
        "hash": {"type": "keyword", "index": False, "doc_values": False},
        "date": {"type": "date", "format": "strict_date"},
        "year": {"type": "integer"},
        # stored as the embedded index stores them (ingest/records.Document)
        "format": {"type": "keyword"},
        "pages": {"type": "integer", "index": False},
        "author": {"type": "keyword", "index": False, "doc_values": False},
        "parent": {"type": "keyword", "index": False, "doc_values": False},
        "boilerplate": {"type": "keyword", "index": False, "doc_values": False},
        # each document's distinct exact words: the did-you-mean vocabulary by aggregation
        "words": {"type": "keyword", "index": False},
    }
    for base in TEXT_FIELDS:
        props[base] = {"type": "text", "analyzer": EXACT}
        props[f"{base}_fold"] = {"type": "text", "analyzer": FOLD}
        props[f"{base}_cjk"] = {"type": "text", "analyzer": CJK}
        props[f"{base}_seg"] = {"type": "text", "analyzer": SEG}
        for lang in stem_langs():
            props[stem_field(base, lang)] = {"type": "text", "analyzer": stem_analyzer_name(lang)}
    return {
        "dynamic": "strict",
        "_source": {"excludes": ["*_fold", "*_cjk", "*_seg", "*_stem_*", "words"]},
        "properties": props,
    }


def index_body(shards: int, replicas: int) -> dict[str, Any]:
    """Settings and mapping of a new physical index (replicas and refresh are set after the
    bulk load: see writer.py)."""
    return {
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                "refresh_interval": "1s",
                "max_result_window": 10_000,
            },
            "analysis": analysis(),
        },
        "mappings": mappings(),
    }
