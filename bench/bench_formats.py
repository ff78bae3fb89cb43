"""Throughput of the format readers: builds N PDFs and N DOCX files, times extract() alone.

    .venv/bin/python bench/bench_formats.py            # 1,000 PDFs + 1,000 DOCX
    .venv/bin/python bench/bench_formats.py --n 100    # quicker
    .venv/bin/python bench/bench_formats.py --skip-index  # extract() only

After extract() alone, each folder (N PDFs, then N DOCX) is indexed by the real command,
`searchapp index --quiet` in a subprocess (reading, furniture, analysis, writing, commit,
validation, switch): documents/s and MB/s of the whole run, process start-up included.

Texts: articles from ../shared/corpora/ntrex/corpus.jsonl (many languages) when present, else
the repository's seeds/*.txt.  PDFs are written by fpdf2 with DejaVu Sans (Debian
fonts-dejavu-core) so non-Latin text has real glyphs; without DejaVu only Latin-1 texts are used
with Helvetica.  Files go to a temporary directory, deleted at the end.  Generation is not timed;
each file is read from disk into memory first, then only ``extract()`` is timed.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from searchapp.ingest.extracted import Limits
from searchapp.ingest.formats import office, pdf

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CORPUS = ROOT.parent / "shared" / "corpora" / "ntrex" / "corpus.jsonl"
LATIN_SCRIPTS = ("eng", "fra", "deu", "spa", "ita", "por", "nld", "vie", "pol", "ces")


def dejavu_covers(text: str) -> bool:
    """DejaVu Sans has Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic...; not CJK,
    Hangul, Thai or Indic scripts (those texts would come out as missing glyphs)."""
    return not any(ord(c) >= 0x0900 and not 0x1E00 <= ord(c) < 0x2C00 for c in text)


def load_texts(unicode_font: bool) -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    if CORPUS.exists():
        for line in CORPUS.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if not unicode_font and row.get("lang") not in LATIN_SCRIPTS:
                continue
            if not dejavu_covers(row.get("title", "") + row["text"]):
                continue
            texts.append((row.get("title") or "Untitled", row["text"]))
    if not texts:
        for path in sorted((ROOT / "seeds").glob("*.txt")):
            body = path.read_text(encoding="utf-8")
            texts.append((body.strip().split("\n", 1)[0][:80], body))
    if not unicode_font:
        texts = [(t, b) for t, b in texts if (t + b).encode("latin-1", "ignore").decode(
            "latin-1") == t + b]
    return texts


def paragraphs(text: str, k: int = 5) -> list[str]:
    paras = [p.strip() for p in text.split("\n") if p.strip()]
    return paras[:k] or [text[:2000]]


def make_pdf(title: str, paras: list[str], unicode_font: bool) -> bytes:
    from fpdf import FPDF

    doc = FPDF()
    if unicode_font:
        doc.add_font("DejaVu", "", str(DEJAVU))
        doc.set_font("DejaVu", size=11)
    else:
        doc.set_font("Helvetica", size=11)
    doc.set_title(title)
    doc.add_page()
    for para in paras:
        doc.multi_cell(0, 6, para)
        doc.ln(2)
    return bytes(doc.output())


def make_docx(title: str, paras: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(title, level=1)
    for para in paras:
        document.add_paragraph(para)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def run(kind: str, files: list[Path], reader, limits: Limits) -> None:  # type: ignore[no-untyped-def]
    blobs = [(p.name, p.read_bytes()) for p in files]
    size = sum(len(b) for _n, b in blobs)
    chars = 0
    start = time.perf_counter()
    for name, data in blobs:
        for doc in reader(data, name, limits):
            chars += len(doc.body)
    took = time.perf_counter() - start
    print(f"{kind:5} {len(blobs):6d} files {size / 1e6:8.1f} MB {took:7.2f} s "
          f"{len(blobs) / took:8.1f} docs/s {size / 1e6 / took:7.2f} MB/s "
          f"{chars / 1e6 / took:6.2f} M chars/s")


def index_run(kind: str, folder: Path, index_dir: Path) -> None:
    """`searchapp index` over one folder, timed from outside (the whole command)."""
    import subprocess

    files = sorted(folder.iterdir())
    size = sum(p.stat().st_size for p in files)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "searchapp.cli", "index", "--quiet", "--index-dir", str(index_dir),
         str(folder)], capture_output=True, text=True, check=False, cwd=ROOT,
    )
    took = time.perf_counter() - start
    if done.returncode != 0:
        print(f"{kind}: searchapp index failed: {done.stderr[-500:]}")
        return
    first = done.stdout.splitlines()[0] if done.stdout else ""
    print(f"index {kind:5} {len(files):6d} files {size / 1e6:8.1f} MB {took:7.2f} s "
          f"{len(files) / took:8.1f} docs/s {size / 1e6 / took:7.2f} MB/s   ({first})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="files of each format")
    parser.add_argument("--skip-index", action="store_true", help="time extract() only")
    args = parser.parse_args()
    logging.getLogger("fpdf").setLevel(logging.ERROR)
    unicode_font = DEJAVU.exists()
    texts = load_texts(unicode_font)
    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()},"
          f" texts from {'ntrex' if CORPUS.exists() else 'seeds'} ({len(texts)}),"
          f" font {'DejaVu' if unicode_font else 'Helvetica (Latin-1 only)'}")
    limits = Limits()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        pdfs, docxs = [], []
        (folder / "pdf").mkdir()
        (folder / "docx").mkdir()
        for i in range(args.n):
            title, body = texts[i % len(texts)]
            paras = paragraphs(body)
            path = folder / "pdf" / f"{i:05d}.pdf"
            path.write_bytes(make_pdf(title, paras, unicode_font))
            pdfs.append(path)
            path = folder / "docx" / f"{i:05d}.docx"
            path.write_bytes(make_docx(title, paras))
            docxs.append(path)
        print(f"# generated {2 * args.n} files in {time.perf_counter() - t0:.1f} s (not timed)")
        run("pdf", pdfs, pdf.extract, limits)
        run("docx", docxs, office.extract, limits)
        if not args.skip_index:
            index_run("pdf", folder / "pdf", folder / "index-pdf")
            index_run("docx", folder / "docx", folder / "index-docx")


if __name__ == "__main__":
    main()
