"""Writing Documents into a tantivy index: every analysed field of each document filled."""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from datetime import time as dtime
from functools import cache
from pathlib import Path

import tantivy

from ...analysis.analyzers import Analyzers
from ...analysis.language import (
    CJK_RE,
    SAMPLE_CHARS,
    SPACELESS_RE,
    LanguageContext,
    detect_language,
    normalize_code,
    stemmer_for,
)
from ...analysis.normalize import normalize_derived
from ...analysis.segmentation import segment_for_index
from ...analysis.text import fold_marks, is_plain, nfc
from ...ingest.records import Document
from ..base import OutdatedVersion
from .schema import (
    BOILERPLATE_FIELD,
    FORMAT_FIELD,
    PAGES_FIELD,
    PLAIN_FIELD,
    PLAIN_SOURCE,
    create_index,
    has_field,
    open_index,
    stem_field,
)
from .tokenizers import build

WRITER_HEAP = 256_000_000
# Any character that fold_marks, the cjk field or the seg field cares about (the union of
# analysis/text._NEEDS_MARK_FOLD_RE, CJK_RE and SPACELESS_RE): most texts have none, and one scan
# then settles all three.
_SPECIAL_SCRIPTS_RE = re.compile(
    "[\u0370-\u052f\u0590-\u06ff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]"
)


@cache
def _analyzers() -> Analyzers:
    return Analyzers.create(build)


def to_tantivy(doc: Document, lang: str) -> tantivy.Document:
    """One Document -> a tantivy document with every analysed field filled."""
    t = tantivy.Document()
    t.add_text("id", doc.id)
    t.add_text("lang", lang)
    t.add_text("source", doc.source)
    t.add_text("hash", doc.hash)
    if doc.url:
        t.add_text("url", doc.url)
    if doc.format:
        t.add_text(FORMAT_FIELD, doc.format)
    if doc.pages:
        t.add_bytes(PAGES_FIELD, json.dumps(list(doc.pages)).encode("ascii"))
    if doc.author:
        t.add_text("author", doc.author)
    if doc.parent:
        t.add_text("parent", doc.parent)
    for tag in doc.tags:
        t.add_text("tags", tag)
    if doc.boilerplate:
        t.add_bytes(BOILERPLATE_FIELD, "\n".join(doc.boilerplate).encode("utf-8"))
    if doc.date:
        t.add_date("date", datetime.combine(doc.date, dtime(), UTC))
        t.add_integer("year", doc.date.year)
    stemmed = stemmer_for(lang) is not None
    # Each text goes to the exact field and to ONE accent-free family: stemmed (and folded)
    # for the 18 languages with a stemmer, else folded. A title made from the text's first line is not indexed a second time (search shows it
    # again from the body).
    for name, text in (("title", doc.title if doc.title_given else ""), ("body", doc.body)):
        if not text:
            continue
        plain = name == "body" and is_plain(text)
        special = not plain and _SPECIAL_SCRIPTS_RE.search(text) is not None
        # for the accent-free fields only; of its characters a plain text can hold only İ
        derived = normalize_derived(text) if not plain or "\u0130" in text else text
        folded = fold_marks(derived) if special else derived
        if plain:  # the same exact words as the regex gives, ~2x faster (analysis/text.is_plain)
            t.add_text(PLAIN_FIELD, text)
            t.add_bytes(PLAIN_SOURCE, text.encode("utf-8"))
        else:
            t.add_text(name, text)
        if stemmed:
            t.add_text(stem_field(name, lang), derived)
            if variants := _analyzers().stem_variants(lang, derived):
                t.add_text(stem_field(name, lang), variants)
        else:
            t.add_text(f"{name}_fold", folded)
        if special and CJK_RE.search(text):
            t.add_text(f"{name}_cjk", text)
        seg = segment_for_index(text) if special and SPACELESS_RE.search(text) else ""
        if seg:
            t.add_text(f"{name}_seg", seg)
    return t


def document_language(doc: Document) -> str:
    """The document's declared language, else the detected one ('und' when unsure)."""
    return normalize_code(doc.lang) or detect_language(f"{doc.title}\n{doc.body}")


def _where(doc: Document) -> tuple[str, str, str]:
    file = doc.id.split("#", 1)[0]
    return file, file.rpartition("/")[0], doc.source


def with_languages(
    docs: Iterable[Document], context: LanguageContext | None = None
) -> Iterator[tuple[Document, str]]:
    """(NFC document, its language) for each document: declared, detected, else its context's
    (analysis/language.LanguageContext)."""
    return (context or LanguageContext()).decided(
        (_nfc(doc) for doc in docs), lambda d: d.lang,
        lambda d: f"{d.title}\n{d.body[:SAMPLE_CHARS]}", _where)  # all a guess looks at


def _nfc(doc: Document) -> Document:
    title, body = nfc(doc.title), nfc(doc.body)  # the same objects when already NFC
    if title is not doc.title or body is not doc.body:
        doc = replace(doc, title=title, body=body)
    return doc


def write_documents(
    writer: tantivy.IndexWriter,
    docs: Iterable[Document],
    languages: dict[str, int],
    context: LanguageContext | None = None,
) -> int:
    """Add documents to a writer (not committed); return how many."""
    n = 0
    for doc, lang in with_languages(docs, context):
        writer.add_document(to_tantivy(doc, lang))
        languages[lang] = languages.get(lang, 0) + 1
        n += 1
    return n


_OS_ERROR = re.compile(r"os error (\d+)")
LOW_SPACE = 4 * 1024 * 1024  # bytes free under which a failed writer is taken for a full disk


def disk_error(exc: BaseException, path: Path) -> OSError | None:
    """The OSError behind a tantivy writer failure (tantivy reports them as ValueError, with
    the errno in the text when it kept it), or None when it was not one."""
    text = str(exc)
    if m := _OS_ERROR.search(text):
        code = int(m.group(1))
        return OSError(code, os.strerror(code), str(path))
    if "io::Error" in text or "IoError" in text or "writer was killed" in text:
        try:
            st = os.statvfs(path)
            if st.f_bavail * st.f_frsize < LOW_SPACE:
                return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        except OSError:
            pass
        return OSError(errno.EIO, f"the index writer failed ({text})", str(path))
    return None


@contextmanager
def io_errors(path: Path) -> Iterator[None]:
    """Raise a tantivy I/O failure as the OSError it is (disk full, read-only, permissions)."""
    try:
        yield
    except ValueError as exc:
        if (err := disk_error(exc, path)) is not None:
            raise err from exc
        raise


class TantivyWriter:
    """A VersionWriter (backends/base.py) over one tantivy index directory; disk failures are
    raised as OSError."""

    def __init__(self, index: tantivy.Index, path: Path) -> None:
        self.index = index
        self.path = path
        with io_errors(path):
            self.writer: tantivy.IndexWriter | None = index.writer(WRITER_HEAP)
        self.context = LanguageContext()  # the languages of this run's documents so far

    @classmethod
    def create(cls, version_dir: Path) -> TantivyWriter:
        """A writer of a new, empty index in version_dir."""
        with io_errors(version_dir):
            return cls(create_index(version_dir), version_dir)

    @classmethod
    def open(cls, version_dir: Path) -> TantivyWriter:
        """A writer of the existing index in version_dir (an incremental update)."""
        with io_errors(version_dir):
            index = open_index(version_dir)
        if not has_field(index.schema, PLAIN_FIELD):
            raise OutdatedVersion(
                f"version {version_dir.name} was built by an older searchapp (no {PLAIN_FIELD} "
                "field): run a full build first"
            )
        if not has_field(index.schema, FORMAT_FIELD):
            raise OutdatedVersion(
                f"version {version_dir.name} was built by an older searchapp (no {FORMAT_FIELD} "
                "field): run a full build first"
            )
        return cls(index, version_dir)

    def _w(self) -> tantivy.IndexWriter:
        if self.writer is None:
            raise RuntimeError("the writer is closed")
        return self.writer

    def add(self, docs: Iterable[Document], languages: dict[str, int]) -> int:
        with io_errors(self.path):
            return write_documents(self._w(), docs, languages, self.context)

    def delete(self, doc_id: str) -> None:
        self._w().delete_documents_by_term("id", doc_id)

    def commit(self) -> None:
        with io_errors(self.path):
            self._w().commit()

    def rollback(self) -> None:
        self._w().rollback()

    def close(self) -> None:
        if self.writer is not None:
            with io_errors(self.path):
                self.writer.wait_merging_threads()
        self.writer = None

    def num_docs(self) -> int:
        self.index.reload()
        return int(self.index.searcher().num_docs)
