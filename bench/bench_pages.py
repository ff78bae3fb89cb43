"""Large result pages: `q=*&page_size=100` (browsing) and a word's 100 hits, over long documents.

    .venv/bin/python bench/bench_pages.py                      # build an index, then measure
    .venv/bin/python bench/bench_pages.py --index DIR          # measure an existing index
    .venv/bin/python bench/bench_pages.py --build DIR          # only build the index into DIR

The documents: 150 files of 5 k, 50 k and 300 k characters of Vietnamese news (the baomoi-vi
corpus from ../shared/corpora, concatenated), the shape of an archive of reports and books
where issue #28 measured 807 ms for q=*&page_size=100. Each URL is requested through the Flask
app in this process (no HTTP, no cache), once to warm up, then --runs times; the median and the
CPU time (user+sys) per request are printed. To compare two commits, run this script from both
checkouts over the same --index, interleaved (bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CORPUS = REPO.parent / "shared" / "corpora" / "baomoi-vi" / "corpus.jsonl.gz"
URLS = ("/search?q=*&page_size=100", "/search?q=*&page_size=100&sort=date_asc",
        "/search?q=người&page_size=100", "/api/search?q=*&page_size=100")


def build(folder: Path, index: Path) -> None:
    """The 150 long files, then their index."""
    from searchapp.index.build import build_index

    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        articles = [json.loads(line) for _, line in zip(range(6000), f, strict=False)]
    k = 0
    for n in range(150):
        parts: list[str] = []
        size, target = 0, (5_000, 50_000, 300_000)[n % 3]
        while size < target:
            a = articles[k % len(articles)]
            k += 1
            parts.append(f"{a.get('title', '')}\n{a['text']}")
            size += len(parts[-1])
        (folder / f"doc-{n:03d}.txt").write_text(
            f"Tài liệu {n}\n\n2020-01-{1 + n % 28:02d} " + "\n\n".join(parts), encoding="utf-8")
    build_index(index, [folder])


def measure(index: Path, runs: int) -> None:
    from searchapp.web import create_app

    with tempfile.TemporaryDirectory() as inst:
        os.environ.setdefault("SEARCHAPP_ADMIN_PASSWORD", "bench-password")
        app = create_app({"INDEX_DIR": str(index), "INSTANCE_DIR": inst, "SEARCH_CACHE": 0,
                          "RATELIMIT_ENABLED": False})
        client = app.test_client()
        for url in URLS:
            client.get(url)  # warm: the index opened, the page cache filled
            wall, cpu = [], []
            for _ in range(runs):
                t, c = time.perf_counter(), time.process_time()
                answer = client.get(url)
                wall.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
                assert answer.status_code == 200, (url, answer.status_code)
            print(f"{url:45s} median {statistics.median(wall):7.1f} ms  "
                  f"cpu {statistics.median(cpu):7.1f} ms  ({len(answer.data):,} bytes)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, help="measure this index (built by --build)")
    ap.add_argument("--build", type=Path, help="only build the index into this folder")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    if not CORPUS.exists() and not args.index:
        print(f"skipped: corpus not found ({CORPUS})")
        return
    if args.build:
        build(args.build / "docs", args.build / "index")
        return
    if args.index:
        measure(args.index, args.runs)
        return
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp) / "docs", Path(tmp) / "index")
        measure(Path(tmp) / "index", args.runs)


if __name__ == "__main__":
    main()
