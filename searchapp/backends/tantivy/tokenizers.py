"""The tantivy analyzers behind each field family: analysis/chains.py's chains built as tantivy
TextAnalyzers, registered on every opened Index (custom analyzers are not saved inside a tantivy
index) and run on the query side (analysis/analyzers.Analyzers, via backends.create_analyzers)."""

from __future__ import annotations

from tantivy import Filter, Index, TextAnalyzer, TextAnalyzerBuilder, Tokenizer

from ...analysis import chains as c


def _filter(f: c.Filter) -> Filter:
    if f.kind == "remove_long":
        return Filter.remove_long(int(f.arg))
    if f.kind == "lowercase":
        return Filter.lowercase()
    if f.kind == "ascii_fold":
        return Filter.ascii_fold()
    if f.kind == "stemmer":
        return Filter.stemmer(str(f.arg))
    if f.kind == "stopword":
        return Filter.stopword(str(f.arg))
    if f.kind == "custom_stopword":
        return Filter.custom_stopword(list(f.words))
    raise ValueError(f"unknown filter {f.kind!r}")


def build(chain: c.Chain) -> TextAnalyzer:
    """One chain as a tantivy TextAnalyzer."""
    tokenizer = {
        c.WORDS: lambda: Tokenizer.regex(chain.pattern),
        c.CHARS: lambda: Tokenizer.regex(chain.pattern),
        c.SIMPLE: Tokenizer.simple,
        c.WHITESPACE: Tokenizer.whitespace,
    }[chain.tokenizer]()
    builder = TextAnalyzerBuilder(tokenizer)
    for f in chain.filters:
        builder = builder.filter(_filter(f))
    return builder.build()


def build_analyzers() -> dict[str, TextAnalyzer]:
    """Every analyzer the schema names, by name."""
    return {name: build(chain) for name, chain in c.chains().items()}


def register_all(index: Index) -> None:
    """Register every custom analyzer on an Index (needed after each open)."""
    for name, analyzer in build_analyzers().items():
        index.register_tokenizer(name, analyzer)


def stopword_analyzer(lang: str) -> TextAnalyzer | None:
    """Words of lang's stop-word list removed (analysis/chains.stopword_chain); None when
    there is no list."""
    chain = c.stopword_chain(lang)
    return build(chain) if chain else None
