"""Build a new index version from folders of documents, then switch to it atomically."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time as dtime
from pathlib import Path

import tantivy

from .analysis import fold_marks, nfc
from .documents import DEFAULT_MAX_BYTES, Document, LoadReport, Skipped, iter_files, load_file
from .language import CJK_RE, detect_language, normalize_code, stemmer_for
from .segmentation import segment_for_index
from .store import IndexLayout, create_index, stem_field, writer_lock

WRITER_HEAP = 256_000_000


@dataclass(frozen=True)
class Progress:
    """Where a running build is."""

    files_done: int
    files_total: int
    documents: int
    skipped: int


ProgressFn = Callable[[Progress], None]


@dataclass
class BuildResult:
    """The outcome of one full build."""

    version: str
    documents: int
    skipped: list[Skipped]
    seconds: float
    languages: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        langs = ", ".join(f"{k or '?'}={v}" for k, v in sorted(self.languages.items()))
        lines = [
            f"indexed {self.documents} documents, skipped {len(self.skipped)} "
            f"in {self.seconds:.2f}s -> version {self.version}" + (f" ({langs})" if langs else "")
        ]
        lines += [f"  skipped {s.path}: {s.reason}" for s in self.skipped]
        return "\n".join(lines)


class EmptyBuild(RuntimeError):
    """A build found no document: the serving index is left as it was."""


def to_tantivy(doc: Document, lang: str) -> tantivy.Document:
    """One Document -> a tantivy document with every analysed field filled."""
    t = tantivy.Document()
    t.add_text("id", doc.id)
    t.add_text("lang", lang)
    t.add_text("source", doc.source)
    t.add_text("hash", doc.hash)
    if doc.url:
        t.add_text("url", doc.url)
    if doc.date:
        t.add_date("date", datetime.combine(doc.date, dtime(), UTC))
        t.add_integer("year", doc.date.year)
    stem = stemmer_for(lang)
    # A title made from the text's first line is not indexed a second time (search shows it
    # again from the body).
    for name, text in (("title", doc.title if doc.title_given else ""), ("body", doc.body)):
        if not text:
            continue
        t.add_text(name, text)
        t.add_text(f"{name}_fold", fold_marks(text))
        if stem:
            t.add_text(stem_field(name, lang), text)
        if CJK_RE.search(text):
            t.add_text(f"{name}_cjk", text)
        seg = segment_for_index(text)
        if seg:
            t.add_text(f"{name}_seg", seg)
    return t


def document_language(doc: Document) -> str:
    """The document's declared language, else the detected one."""
    return normalize_code(doc.lang) or detect_language(f"{doc.title}\n{doc.body}")


def write_documents(
    writer: tantivy.IndexWriter,
    docs: Iterable[Document],
    languages: dict[str, int],
) -> int:
    """Add documents to a writer (not committed); return how many."""
    n = 0
    for doc in docs:
        doc = Document(**{**doc.__dict__, "title": nfc(doc.title), "body": nfc(doc.body)})
        lang = document_language(doc)
        writer.add_document(to_tantivy(doc, lang))
        languages[lang] = languages.get(lang, 0) + 1
        n += 1
    return n


def _progress_bar(total: int, enabled: bool):  # type: ignore[no-untyped-def]
    from tqdm import tqdm  # noqa: PLC0415

    return tqdm(total=total, unit="file", disable=not enabled, file=sys.stderr, leave=False)


def build_index(
    index_root: Path,
    doc_roots: list[Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    keep_previous: int = 2,
    progress: ProgressFn | None = None,
    show_bar: bool = False,
) -> BuildResult:
    """Index every document under doc_roots into a new version and make it current.

    The serving version is untouched until the new one is committed and holds documents."""
    layout = IndexLayout(index_root)
    started = time.perf_counter()
    with writer_lock(layout):
        layout.prune(keep_previous)  # dead builds from a crash go first
        report = LoadReport()
        files = list(iter_files(doc_roots, report))
        version_dir = layout.new_version_dir()
        index = create_index(version_dir)
        writer = index.writer(WRITER_HEAP)
        languages: dict[str, int] = {}
        bar = _progress_bar(len(files), show_bar)
        try:
            for i, (path, rel, source) in enumerate(files, 1):
                write_documents(writer, load_file(path, rel, source, report, max_bytes), languages)
                bar.update(1)
                bar.set_postfix(docs=report.documents, skipped=len(report.skipped), refresh=False)
                if progress:
                    progress(Progress(i, len(files), report.documents, len(report.skipped)))
            if report.documents == 0:
                raise EmptyBuild("no documents found: the current index was kept")
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            bar.close()
            del writer, index
            import shutil  # noqa: PLC0415

            shutil.rmtree(version_dir, ignore_errors=True)
            raise
        bar.close()
        layout.switch_to(version_dir)
        layout.prune(keep_previous)
    return BuildResult(
        version=version_dir.name,
        documents=report.documents,
        skipped=report.skipped,
        seconds=time.perf_counter() - started,
        languages=languages,
    )
