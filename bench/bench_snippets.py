"""Snippet cost per hit on a 5 MB document (issue #24), before vs after, interleaved in one run.

    .venv/bin/python bench/bench_snippets.py              # 5 M characters, 5 rounds
    .venv/bin/python bench/bench_snippets.py --chars 1000000 --rounds 3

The document is Vietnamese news articles from ../shared/corpora/baomoi-vi (the repository's
seeds when absent) joined to --chars characters, with a few rare words planted at 10 %, 50 % and
90 % of it. Each query is timed, round after round, in turn with:

  before   the previous snippet code (highlight.py at the commit given by --before, default the
           parent of the commit that added search/locate.py): only the first 30,000 characters
           are looked at, so a word deeper in gets no snippet and no mark
  cold     the new code on a text it has not seen (its folded copy is made: first hit on a
           document in a process)
  warm     the new code again on the same text (the live search's next keystrokes)

and, for the document page, the old whole-body highlight (up to 2 M characters) against the new
part (100,000 characters). CPU time (user+sys of this process) and wall time, median per call;
`marked` says whether the planted word came back marked.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from searchapp.backends import create_analyzers  # noqa: E402
from searchapp.search import highlight, locate  # noqa: E402
from searchapp.search.highlight import match_spec  # noqa: E402
from searchapp.search.parse import parse  # noqa: E402
from searchapp.search.parts import part_bounds, part_of, part_starts  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "baomoi-vi" / "corpus.jsonl.gz"
PLANTED = {0.1: "zanzibarcong", 0.5: "quyxolan", 0.9: "mekongvex"}
QUERIES = ["mekongvex", "quyxolan hội", "quyen", "thanh pho ho chi minh", "mekongvex quyen",
           "mekon", "bong da viet nam"]


def old_highlight(rev: str) -> types.ModuleType:
    """highlight.py as it was at rev, loaded beside the current matching.py (unchanged)."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:searchapp/search/highlight.py"],
                            check=True, capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("searchapp.search._highlight_before", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "searchapp.search"
    exec(compile(source, "highlight_before.py", "exec"), module.__dict__)  # noqa: S102
    return module


def document(chars: int) -> str:
    parts: list[str] = []
    size = 0
    if CORPUS.exists():
        with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                text = f"{row.get('title', '')}\n{row['text']}\n\n"
                parts.append(text)
                size += len(text)
                if size >= chars:
                    break
    while size < chars:
        for path in sorted((ROOT / "seeds").glob("*.txt")):
            text = path.read_text(encoding="utf-8") + "\n\n"
            parts.append(text)
            size += len(text)
    body = "".join(parts)[:chars]
    for share, word in sorted(PLANTED.items(), reverse=True):
        at = body.find(" ", int(len(body) * share))
        body = f"{body[:at]} {word} hội{body[at:]}"
    return body


def timed(fn):  # type: ignore[no-untyped-def]
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, (time.process_time() - c0) * 1000, (time.perf_counter() - t0) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--chars", type=int, default=5_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--before", default="")
    args = ap.parse_args()
    added = subprocess.run(
        ["git", "-C", str(ROOT), "log", "--format=%H", "--diff-filter=A", "--",
         "searchapp/search/locate.py"], capture_output=True, text=True).stdout.split()
    rev = args.before or (f"{added[-1]}~1" if added else "")
    try:
        before = old_highlight(rev) if rev else highlight
    except subprocess.CalledProcessError:  # not a git checkout: "before" is the new code too
        rev, before = "", highlight
    az = create_analyzers()
    body = document(args.chars)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    print(f"snippet cost per hit on a {len(body):,}-character document ({len(body.encode()):,} "
          f"bytes UTF-8)\nmachine: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; python "
          f"{platform.python_version()}; after = {commit or '?'}, "
          f"before = {rev or 'not available (no git history): the new code'}")
    langs: tuple[str, ...] = ()  # no Vietnamese stemmer
    rows: dict[tuple[str, str], list[tuple[float, float]]] = {}
    marked: dict[tuple[str, str], bool] = {}
    for _ in range(args.rounds):
        for q in QUERIES:
            spec = match_spec(parse(q), az, langs)
            planted = next((w for w in PLANTED.values() if w in q), None)
            for name in ("before", "cold", "warm"):
                if name == "cold":
                    locate._copies.clear()
                    locate._copied_chars = 0
                fn = before.snippet_at if name == "before" else highlight.snippet_at
                (html, _), cpu, wall = timed(lambda fn=fn, spec=spec: fn(body, spec, az, "vi"))
                rows.setdefault((q, name), []).append((cpu, wall))
                marked[(q, name)] = planted is None or f"<mark>{planted}</mark>" in html
        spec = match_spec(parse("mekongvex"), az, langs)
        _, cpu, wall = timed(lambda spec=spec: before.highlight_all(body, spec, az, "vi"))
        rows.setdefault(("document page", "before"), []).append((cpu, wall))

        def part(spec=spec) -> str:  # type: ignore[no-untyped-def]
            at = highlight.snippet_at(body, spec, az, "vi")[1]
            starts = part_starts(body)
            lo, hi = part_bounds(body, starts, part_of(starts, at or 0))
            return highlight.highlight_all(body[lo:hi], spec, az, "vi")

        html, cpu, wall = timed(part)
        rows.setdefault(("document page", "warm"), []).append((cpu, wall))
        marked[("document page", "warm")] = "<mark>mekongvex</mark>" in html
    print(f"\n{'query':<26}{'before cpu/wall ms':>20}{'cold cpu/wall ms':>20}"
          f"{'warm cpu/wall ms':>20}   marked (before/cold/warm)")
    for q in [*QUERIES, "document page"]:
        cells, marks = [], []
        for name in ("before", "cold", "warm"):
            got = rows.get((q, name))
            if got is None:
                cells.append(f"{'-':>20}")
                marks.append("-")
                continue
            cpu = statistics.median(c for c, _ in got)
            wall = statistics.median(w for _, w in got)
            cells.append(f"{cpu:>11.2f} / {wall:<7.2f}")
            marks.append("yes" if marked.get((q, name), True) else "NO")
        print(f"{q:<26}{''.join(cells)}   {'/'.join(marks)}")
    print("\ndocument page: before = the whole body highlighted (up to 2 M characters); "
          "warm = the best match located, its part (100,000 characters) highlighted")


if __name__ == "__main__":
    main()
