"""What every analyzer makes of a text, on the index side and the query side (/admin/analyze).

Mirrors backends/tantivy/writer.to_tantivy (index side) and compile.term_query (query side) without touching an
index, so a surprising match or miss can be explained from the tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis.analyzers import Analyzers
from ..analysis.language import (
    CJK_RE,
    SPACELESS_RE,
    STEMMERS,
    detect_language,
    detectable_languages,
    normalize_code,
)
from ..analysis.segmentation import segment_for_index, spaceless_words
from ..analysis.text import (
    CJK,
    EXACT,
    EXACT_PLAIN,
    FOLD,
    PLAIN_FIELD,
    SEG,
    fold_marks,
    is_plain,
    nfc,
    stem_analyzer_name,
)
from ..search import parse as q
from ..search.synonyms import Expansion, Synonyms, expand

MAX_CHARS = 5000


@dataclass(frozen=True)
class TokenRow:
    """One analyzer's output for one piece of text."""

    field: str  # the field family it fills, e.g. body_fold
    analyzer: str  # the registered analyzer name
    tokens: list[str]
    note: str = ""


@dataclass(frozen=True)
class QueryTerm:
    """One parsed query term and its tokens per field family."""

    text: str
    flags: str  # phrase / prefix / title: / negated
    rows: list[TokenRow]


@dataclass(frozen=True)
class Analysis:
    text: str
    lang: str  # the language used for stemming ('' = none)
    detected: bool
    index_rows: list[TokenRow]
    query_terms: list[QueryTerm]
    warnings: list[str]
    synonyms: list[Expansion]  # what each span matching a synonym set is searched as


def analyze(text: str, lang: str, analyzers: Analyzers,
            synonyms: Synonyms | None = None) -> Analysis:
    """Tokens of `text` for each analyzer; lang '' or 'auto' = detect as the indexer does."""
    text = nfc(text[:MAX_CHARS])
    code = normalize_code(lang) if lang and lang != "auto" else ""
    detected = not code
    if detected and text.strip():
        code = detect_language(text)
    return Analysis(
        text=text,
        lang=code,
        detected=detected,
        index_rows=index_side(text, code, analyzers),
        query_terms=query_side(text, code, analyzers),
        warnings=q.parse(text).warnings,
        synonyms=expand(q.parse(text), synonyms)[1],
    )


def index_side(text: str, lang: str, az: Analyzers) -> list[TokenRow]:
    """The body_* fields as the indexer fills them."""
    rows = [
        # Latin-only text goes to body_plain: the same words, cut by the faster tokenizer
        TokenRow(PLAIN_FIELD, EXACT_PLAIN, az.by_name[EXACT_PLAIN].analyze(text))
        if is_plain(text) else TokenRow("body", EXACT, az.exact(text)),
        TokenRow("body_fold", FOLD, az.by_name[FOLD].analyze(fold_marks(text))),
    ]
    if lang in STEMMERS:
        rows.append(TokenRow(f"body_stem_{lang}", stem_analyzer_name(lang), az.stem(lang, text)))
    else:
        rows.append(TokenRow("body_stem_*", "-", [], f"no stemmer for {lang or 'unknown'!r}"))
    if CJK_RE.search(text):
        rows.append(TokenRow("body_cjk", CJK, az.cjk(text)))
    else:
        rows.append(TokenRow("body_cjk", CJK, [], "not filled: no Han, Kana or Hangul"))
    seg = segment_for_index(text)
    if seg:
        rows.append(TokenRow("body_seg", SEG, az.by_name[SEG].analyze(seg), "ICU words"))
    else:
        rows.append(TokenRow("body_seg", SEG, [], "not filled: no spaceless script"))
    return rows


def query_side(text: str, lang: str, az: Analyzers) -> list[QueryTerm]:
    """Per parsed term, the tokens searched in each field family."""
    pq = q.parse(text)
    out = []
    for clause in pq.clauses:
        for term in clause.terms:
            flags = [f for f, on in (("phrase", term.phrase), ("prefix", term.prefix),
                                     ("title:", term.field == "title"),
                                     ("excluded", clause.negated)) if on]
            rows = [TokenRow("exact", EXACT, az.exact(term.text)),
                    TokenRow("fold", FOLD, az.fold(term.text))]
            if lang in STEMMERS:
                rows.append(TokenRow(f"stem_{lang}", stem_analyzer_name(lang),
                                     az.stem(lang, term.text)))
            if CJK_RE.search(term.text):
                rows.append(TokenRow("cjk", CJK, az.cjk(term.text)))
            if SPACELESS_RE.search(term.text):
                rows.append(TokenRow("seg", SEG, [s.lower() for s in spaceless_words(term.text)]))
            out.append(QueryTerm(term.text, " ".join(flags), rows))
    return out


def analyze_languages(in_index: list[str]) -> list[tuple[str, list[str]]]:
    """The language choices of /admin/analyze, grouped: those the index holds, the other
    stemmed ones, then every other language the detector knows (Vietnamese, Thai...)."""
    held = list(dict.fromkeys(in_index))
    stemmed = sorted(set(STEMMERS) - set(held))
    others = sorted(set(detectable_languages()) - set(held) - set(STEMMERS))
    return [(name, codes) for name, codes in (
        ("In this index", held), ("Stemmed", stemmed), ("Other languages", others)) if codes]
