"""Core benchmark: indexing throughput (ours vs raw tantivy) and in-process query latency.

    .venv/bin/python bench/bench_core.py                 # full Vietnamese news corpus (35,440 docs)
    .venv/bin/python bench/bench_core.py --docs 5000     # first 5,000 documents
    .venv/bin/python bench/bench_core.py --smoke         # a few hundred documents, a few seconds (CI)

The corpus is read from ../shared/corpora/baomoi-vi/corpus.jsonl.gz (relative to the repository
root's parent) unless --corpus is given; when it is missing the script prints
"skipped: corpus not found" and exits 0. Nothing is written inside the repository: the subset and
the indexes live in a temporary directory that is removed at the end.

Every measured phase runs in its own child process, so each one's peak RSS is its own
(resource.getrusage in the child) and one phase's caches do not help the next.
See bench/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version as pkg_version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from anywhere without installing the package

DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "baomoi-vi" / "corpus.jsonl.gz"
HEAP = 256_000_000  # the same arena as searchapp.backends.tantivy.writer.WRITER_HEAP
SMOKE_DOCS = 300
INDEX_RATIO_TARGET = 0.5  # ours docs/s ÷ raw tantivy docs/s
P95_TARGET_MS = 5.0

# (category, query). Document frequencies on the full corpus, for orientation: interpol 22,
# ebola 11, deepmind 3; của 32,390, và 33,494, người 26,824 (of 35,440 documents).
QUERIES: list[tuple[str, str]] = [
    ("term rare", "interpol"),
    ("term rare", "ebola"),
    ("term rare", "deepmind"),
    ("term rare", "Vietlott"),
    ("term common", "của"),
    ("term common", "và"),
    ("term common", "người"),
    ("term common", "năm"),
    ("2 words", "nhân quyền"),
    ("2 words", "bóng đá"),
    ("2 words", "giá vàng"),
    ("2 words", "tàu ngầm"),
    ("3+ words", "thành phố Hồ Chí Minh"),
    ("3+ words", "tai nạn giao thông"),
    ("3+ words", "giá xăng dầu"),
    ("3+ words", "đội tuyển Việt Nam"),
    ("phrase", '"nhân quyền"'),
    ("phrase", '"bóng đá"'),
    ("phrase", '"thành phố Hồ Chí Minh"'),
    ("phrase", '"tai nạn giao thông"'),
    ("phrase", '"của các"'),
    ("no diacritics", "nhan quyen"),
    ("no diacritics", "bong da"),
    ("no diacritics", "thanh pho ho chi minh"),
    ("no diacritics", "tai nan giao thong"),
    ("no diacritics", "gia vang"),
    ("as-you-type", "q"),
    ("as-you-type", "qu"),
    ("as-you-type", "quy"),
    ("as-you-type", "quye"),
    ("as-you-type", "quyen"),
    ("as-you-type", "b"),
    ("as-you-type", "bo"),
    ("as-you-type", "bon"),
    ("as-you-type", "bong"),
    ("as-you-type", "bong d"),
    ("as-you-type", "bong da"),
]


# --------------------------------------------------------------------------- helpers


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def dir_size_mb(path: Path) -> float:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(dirpath, name))
            except OSError:
                pass
    return total / 1e6


def percentile(values: list[float], p: float) -> float:
    """Linear-interpolated percentile (p in 0..100) of a non-empty list."""
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def machine_info() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no", "searchapp"],
            capture_output=True, text=True, check=False,
        ).stdout.strip()
        commit = (commit or "?") + (" (searchapp/ modified)" if dirty else "")
    except OSError:
        commit = "?"
    return {
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "tantivy": pkg_version("tantivy"),
        "commit": commit,
    }


def read_records(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# --------------------------------------------------------------------------- phases (children)


def phase_raw(work: Path) -> dict:
    """Plain tantivy: id (raw), title and body (default tokenizer, stored); same texts, same heap."""
    import tantivy

    records = read_records(work / "corpus.jsonl")
    out = work / "raw_index"
    out.mkdir()
    started = time.perf_counter()
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True)
    sb.add_text_field("body", stored=True)
    index = tantivy.Index(sb.build(), path=str(out))
    writer = index.writer(HEAP)
    for r in records:
        d = tantivy.Document()
        d.add_text("id", str(r.get("id", "")))
        d.add_text("title", r.get("title") or "")
        d.add_text("body", r.get("text") or "")
        writer.add_document(d)
    added = time.perf_counter()
    writer.commit()
    writer.wait_merging_threads()
    done = time.perf_counter()
    return {
        "docs": len(records),
        "seconds": done - started,
        "add_s": added - started,
        "commit_s": done - added,
        "size_mb": dir_size_mb(out),
        "rss_mb": peak_rss_mb(),
    }


def phase_ours_build(work: Path) -> dict:
    """searchapp.index.build.build_index on the subset file: loading + analysis + writing + switch."""
    from searchapp.index.build import build_index

    root = work / "ours_index"
    path = work / "corpus.jsonl"
    # The whole subset is one file, far above the 20 MB per-file default (DEFAULT_MAX_BYTES).
    max_bytes = path.stat().st_size + 1
    started = time.perf_counter()
    result = build_index(root, [path], max_bytes=max_bytes)
    seconds = time.perf_counter() - started
    return {
        "docs": result.documents,
        "skipped": len(result.skipped),
        "seconds": seconds,
        "size_mb": dir_size_mb(root / "versions"),
        "rss_mb": peak_rss_mb(),
        "languages": result.languages,
    }


def phase_ours_write(work: Path) -> dict:
    """Loading (load_file: read, NFC, JSON, Document) timed apart from write_documents + commit."""
    from searchapp.backends.tantivy.schema import create_index
    from searchapp.backends.tantivy.writer import WRITER_HEAP, write_documents
    from searchapp.ingest.load import load_file
    from searchapp.ingest.records import LoadReport

    path = work / "corpus.jsonl"
    started = time.perf_counter()
    report = LoadReport()
    docs = list(load_file(path, path.name, "bench", report, path.stat().st_size + 1))
    if not docs:
        raise SystemExit(f"no documents loaded: {report.summary()}")
    loaded = time.perf_counter()
    out = work / "ours_write_index"
    out.mkdir()
    t0 = time.perf_counter()
    index = create_index(out)
    writer = index.writer(WRITER_HEAP)
    languages: dict[str, int] = {}
    n = write_documents(writer, docs, languages)
    added = time.perf_counter()
    writer.commit()
    writer.wait_merging_threads()
    done = time.perf_counter()
    return {
        "docs": n,
        "load_s": loaded - started,
        "seconds": done - t0,
        "add_s": added - t0,
        "commit_s": done - added,
        "size_mb": dir_size_mb(out),
        "rss_mb": peak_rss_mb(),
    }


def phase_query(work: Path, reps: int, warmup: int) -> dict:
    """Engine.search (query parse + build + search + count + facets + 10 snippets) per query."""
    from searchapp.search.engine import Engine
    from searchapp.search.request import SearchRequest

    engine = Engine(work / "ours_index")
    t0 = time.perf_counter()
    engine.search(SearchRequest(query="khởi động"))  # opens the index, loads analyzers
    first_ms = (time.perf_counter() - t0) * 1000
    totals: dict[str, int] = {}
    for _ in range(warmup):
        for _cat, text in QUERIES:
            page = engine.search(SearchRequest(query=text))
            totals[text] = page.total
    samples: dict[str, list[float]] = {text: [] for _cat, text in QUERIES}
    order = [text for _cat, text in QUERIES]
    rng = random.Random(42)
    for _ in range(reps):
        rng.shuffle(order)  # no query always runs right after the same neighbour
        for text in order:
            req = SearchRequest(query=text)
            t = time.perf_counter()
            engine.search(req)
            samples[text].append((time.perf_counter() - t) * 1000)
    return {"first_ms": first_ms, "totals": totals, "samples": samples, "rss_mb": peak_rss_mb()}


def run_phase(name: str, work: Path, args: argparse.Namespace) -> dict:
    """Run one phase in a fresh interpreter; its last stdout line is the JSON result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_phase", name, "--_work", str(work),
           "--reps", str(args.reps), "--warmup", str(args.warmup)]
    if args.profile:
        cmd += ["--profile", str(args.profile.resolve())]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"phase {name} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- parent


_SENT_SPLIT = re.compile(r"(?<=[.!?…])\s+|\n+")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT_SPLIT.split(text) if len(s.strip()) > 20]


def prepare_subset(
    corpus: Path, limit: int | None, dest: Path, sentences: bool = False
) -> tuple[int, int]:
    """Write the first `limit` docs (articles, or sentences > 20 chars) as {id, lang, title, text}
    JSON lines to dest; return (docs, UTF-8 bytes of title + text)."""
    n = nbytes = 0
    opener = gzip.open if corpus.suffix == ".gz" else open
    with opener(corpus, "rt", encoding="utf-8") as src, open(dest, "w", encoding="utf-8") as out:
        for line in src:
            if not line.strip():
                continue
            if limit is not None and n >= limit:
                break
            rec = json.loads(line)
            if not sentences:
                recs = [rec]
            else:
                recs = [
                    {"id": f"{rec['id']}-s{i}", "lang": rec.get("lang") or "vi", "title": "",
                     "text": s}
                    for i, s in enumerate(split_sentences(rec.get("text") or ""))
                ]
            for r in recs:
                if limit is not None and n >= limit:
                    break
                nbytes += len((r.get("title") or "").encode()) + len((r.get("text") or "").encode())
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
                n += 1
    return n, nbytes


def fmt_row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=False)))


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [fmt_row(header, widths), "  ".join("-" * w for w in widths)]
    lines += [fmt_row([str(c) for c in r], widths) for r in rows]
    return "\n".join(lines)


def report(info: dict, corpus: Path, docs: int, nbytes: int, res: dict, args) -> str:
    mb = nbytes / 1e6
    out = [
        "searchapp core benchmark",
        f"machine : {info['cpu']}, {info['cores']} cores, {info['ram']} RAM",
        f"date    : {info['date']}   python {info['python']}   tantivy {info['tantivy']}"
        f"   repo {info['commit']}",
        f"load    : {info['load']} at start, {' '.join(f'{x:.2f}' for x in os.getloadavg())} at end"
        f" (1/5/15-min load average; above {info['cores']} means other processes shared the CPUs)",
        f"corpus  : {corpus} — {docs:,} docs, {mb:.1f} MB title+body (UTF-8)"
        + ("   [smoke]" if args.smoke else "")
        + ("   [PROFILED: timings inflated]" if args.profile else ""),
        "",
        "1. Indexing (one run each, heap 256 MB, default writer threads; commit + wait_merging_threads)",
    ]
    raw, build, write = res["raw"], res["ours_build"], res["ours_write"]
    rows = []

    def row(name: str, r: dict, secs: float, extra: str = "") -> list[str]:
        return [
            name, f"{secs:.2f}", f"{docs / secs:,.0f}", f"{mb / secs:.1f}",
            f"{r['add_s']:.2f}" if "add_s" in r else "-",
            f"{r['commit_s']:.2f}" if "commit_s" in r else "-",
            f"{r['size_mb']:.0f}", f"{r['rss_mb']:.0f}", extra,
        ]

    rows.append(row("raw tantivy (title+body, default tokenizer)", raw, raw["seconds"]))
    rows.append(row("ours: build_index (load + analyse + write)", build, build["seconds"]))
    rows.append(row("ours: load_file only (read, NFC, JSON, Document)",
                    {"size_mb": 0, "rss_mb": write["rss_mb"]}, write["load_s"]))
    rows.append(row("ours: write_documents + commit (no loading)", write, write["seconds"]))
    for r in rows[2:3]:
        r[6] = "-"
    out.append(table(
        ["pipeline", "seconds", "docs/s", "MB/s", "add s", "commit s", "index MB",
         "peak RSS MB", ""],
        rows,
    ))
    ratio_full = raw["seconds"] / build["seconds"]
    ratio_write = raw["seconds"] / write["seconds"]
    ok = "OK" if ratio_full >= INDEX_RATIO_TARGET else "MISSED"
    out.append(
        f"ratio ours/raw (docs/s): build_index {ratio_full:.2f}, write-only {ratio_write:.2f}"
        f"   target >= {INDEX_RATIO_TARGET} on build_index: {ok}"
    )
    if build.get("skipped"):
        out.append(f"note: build_index skipped {build['skipped']} records")

    q = res["query"]
    samples: dict[str, list[float]] = q["samples"]
    cats: dict[str, list[str]] = {}
    for cat, text in QUERIES:
        cats.setdefault(cat, []).append(text)
    all_ms = [v for vs in samples.values() for v in vs]
    out += [
        "",
        "2. Query latency, in process: Engine.search(SearchRequest(query)) = parse + build + "
        "search top 10 + count + facets + 10 snippets",
        f"   {len(QUERIES)} queries, {args.warmup} warm-up round(s), then {args.reps} runs each in "
        f"shuffled order; first search after open {q['first_ms']:.0f} ms; peak RSS "
        f"{q['rss_mb']:.0f} MB",
    ]
    qrows = []
    for cat, texts in [*cats.items(), ("ALL", [t for _c, t in QUERIES])]:
        vs = [v for t in texts for v in samples[t]]
        qrows.append([cat, str(len(texts)), f"{percentile(vs, 50):.2f}", f"{percentile(vs, 95):.2f}",
                      f"{percentile(vs, 99):.2f}", f"{max(vs):.2f}"])
    out.append(table(["category", "queries", "p50 ms", "p95 ms", "p99 ms", "max ms"], qrows))
    p95 = percentile(all_ms, 95)
    out.append(f"overall p95 {p95:.2f} ms   target <= {P95_TARGET_MS} ms: "
               f"{'OK' if p95 <= P95_TARGET_MS else 'MISSED'}")
    out += ["", "   per query (hits = total matches):"]
    prow = []
    for cat, text in QUERIES:
        vs = samples[text]
        prow.append([text, cat, f"{q['totals'].get(text, 0):,}", f"{percentile(vs, 50):.2f}",
                     f"{percentile(vs, 95):.2f}", f"{max(vs):.2f}"])
    out.append(table(["query", "category", "hits", "p50 ms", "p95 ms", "max ms"], prow))
    slow = sorted(QUERIES, key=lambda ct: percentile(samples[ct[1]], 50), reverse=True)[:5]
    out += ["", "   slowest queries (by p50): " + ", ".join(
        f"{t!r} {percentile(samples[t], 50):.1f} ms" for _c, t in slow)]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=None, help="index only the first N documents")
    ap.add_argument("--corpus", type=Path, default=None, help=f"corpus .jsonl[.gz] ({DEFAULT_CORPUS})")
    ap.add_argument("--smoke", action="store_true", help=f"{SMOKE_DOCS} documents, fast (CI)")
    ap.add_argument("--reps", type=int, default=None,
                    help="timed runs per query (default 20; 5 with --smoke)")
    ap.add_argument("--warmup", type=int, default=None,
                    help="warm-up rounds over all queries (default 2; 1 with --smoke)")
    ap.add_argument("--keep", type=Path, default=None,
                    help="keep the work directory (subset + indexes) at this path")
    ap.add_argument("--profile", type=Path, default=None,
                    help="run each phase under pyinstrument (pip install pyinstrument) and "
                    "write DIR/<phase>.txt and .html; timings are then inflated")
    ap.add_argument("--_phase", help=argparse.SUPPRESS)
    ap.add_argument("--_work", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args._phase:
        work = args._work
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        if args._phase == "raw":
            result = phase_raw(work)
        elif args._phase == "ours_build":
            result = phase_ours_build(work)
        elif args._phase == "ours_write":
            result = phase_ours_write(work)
        elif args._phase == "query":
            result = phase_query(work, args.reps, args.warmup)
        else:
            raise SystemExit(f"unknown phase {args._phase}")
        if profiler is not None:
            profiler.stop()
            args.profile.mkdir(parents=True, exist_ok=True)
            (args.profile / f"{args._phase}.txt").write_text(
                profiler.output_text(unicode=True, show_all=False), encoding="utf-8")
            (args.profile / f"{args._phase}.html").write_text(
                profiler.output_html(), encoding="utf-8")
        print(json.dumps(result))
        return 0

    if args.reps is None:
        args.reps = 5 if args.smoke else 20
    if args.warmup is None:
        args.warmup = 1 if args.smoke else 2
    corpus = (args.corpus or DEFAULT_CORPUS).expanduser()
    if not corpus.is_file():
        print(f"skipped: corpus not found ({corpus})")
        return 0
    limit = SMOKE_DOCS if args.smoke and args.docs is None else args.docs
    info = machine_info()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=False)
        work = args.keep
        cleanup = None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="bench_core_")
        work = Path(cleanup.name)
    try:
        docs, nbytes = prepare_subset(corpus, limit, work / "corpus.jsonl")
        if docs == 0:
            print(f"skipped: corpus is empty ({corpus})")
            return 0
        res = {}
        for name in ("raw", "ours_write", "ours_build", "query"):
            print(f"... {name}", file=sys.stderr, flush=True)
            res[name] = run_phase(name, work, args)
            if name == "ours_write":  # only its timings are needed; free the disk
                shutil.rmtree(work / "ours_write_index", ignore_errors=True)
        print(report(info, corpus, docs, nbytes, res, args), flush=True)
    finally:
        if cleanup is not None:
            cleanup.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
