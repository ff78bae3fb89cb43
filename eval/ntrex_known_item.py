"""NTREX known-item search over 19 languages mixed in ONE index, ours vs plain tantivy.

    python eval/ntrex_known_item.py [--per-lang 200] [--langs tha,hin] [--work DIR] [--no-plain]
                                    [--langid] [--failures LANG]

All 2,337 NTREX articles (../shared/corpora/ntrex and ntrex-more: 123 articles x 19 languages)
go into one index built by searchapp's own indexer; every query runs through Engine.search as
the web app runs a submitted query (prefix matching of the last word off). Per language:

- sentence:  a sentence of an article (not its title) finds that article (same language) in the
             top 10 (success@10); `--per-lang` sentences, evenly spread over the 1,997;
- bare:      the same sentence with every combining mark removed (NFD, drop Mn, NFC): typed
             without diacritics. Only where the script has such marks; for Thai and Devanagari
             the marks are vowel signs and the figure says how robust matching is, not a real
             way of typing;
- title:     the article's title finds it (success@10, and @1 in brackets).

Baseline "plain": tantivy with its default tokenizer (simple: split on non-alphanumerics,
lowercase) over one text field holding title + text of the same 2,337 documents, query words
OR-ed by tantivy's query parser (the way bench/bench_peers.py runs raw tantivy).

`--langid`: accuracy of searchapp.language.detect_language per language, on the articles
(title + text), on the titles alone and on the sampled sentences (short-query-sized text).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import tantivy  # noqa: E402

from searchapp.analysis.language import detect_language, normalize_code  # noqa: E402
from searchapp.index.build import build_index  # noqa: E402
from searchapp.search.engine import Engine  # noqa: E402
from searchapp.search.request import SearchRequest  # noqa: E402

CORPORA = Path(os.environ.get("SEARCHAPP_CORPORA", REPO.parent / "shared" / "corpora"))
FOLDERS = ("ntrex", "ntrex-more")
LANGS = [
    "eng", "vie", "rus", "deu", "fra", "zho", "jpn", "arb",
    "tha", "hin", "ell", "tur", "spa", "kor", "heb", "ukr", "pol", "fas", "ind",
]
K = 10


def strip_marks(text: str) -> str:
    """Every combining mark (Mn) removed after NFD: text typed without diacritics."""
    nfd = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in nfd if unicodedata.category(c) != "Mn"))


@dataclass
class Data:
    articles: list[dict] = field(default_factory=list)  # type: ignore[type-arg]
    sentences: dict[str, list[dict]] = field(default_factory=dict)  # type: ignore[type-arg]

    def files(self) -> list[Path]:
        return [CORPORA / f / "corpus.jsonl" for f in FOLDERS]


def load(per_lang: int, langs: list[str]) -> Data:
    data = Data()
    titles: dict[str, str] = {}
    for folder in FOLDERS:
        for line in (CORPORA / folder / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            data.articles.append(d)
            titles[d["id"]] = d["title"].strip()
    by_lang: dict[str, list[dict]] = defaultdict(list)  # type: ignore[type-arg]
    for folder in FOLDERS:
        for line in (CORPORA / folder / "sentences.jsonl").read_text(encoding="utf-8").splitlines():
            s = json.loads(line)
            target = f"{s['lang']}-{s['doc']}"
            if s["text"].strip() == titles.get(target) or len(s["text"]) < 20:
                continue  # the title is its own query set; very short lines say little
            by_lang[s["lang"]].append({"q": s["text"], "target": target})
    for lang in langs:
        pool = by_lang[lang]
        step = max(1, len(pool) // per_lang) if per_lang else 1
        data.sentences[lang] = pool[::step][:per_lang] if per_lang else pool
    return data


# --------------------------------------------------------------------------- engines


class Ours:
    name = "ours"

    def __init__(self, root: Path, files: list[Path]) -> None:
        if not (root / "CURRENT").exists():
            # Distinct names: a build skips a second file at the same relative path
            # (both folders hold corpus.jsonl), which left ntrex-more out of the index.
            docs = root.parent / "docs"
            docs.mkdir(parents=True, exist_ok=True)
            copies = []
            for f in files:
                if f.is_dir():
                    copies.append(f)
                    continue
                copy = docs / f"{f.parent.name}.jsonl"
                copy.write_bytes(f.read_bytes())
                copies.append(copy)
            result = build_index(root, copies)
            if result.skipped:
                raise SystemExit(f"files skipped by the build: {result.skipped}")
        self.engine = Engine(root)

    def top(self, query: str, k: int = K) -> list[str]:
        page = self.engine.search(SearchRequest(query=query, page_size=k, prefix_last=False))
        return [h.id for h in page.hits]


_PLAIN_WORD = re.compile(r"\w+")


class Plain:
    """tantivy's default tokenizer, one text field, parse_query over the words (OR)."""

    name = "plain"

    def __init__(self, root: Path, docs: list[dict]) -> None:  # type: ignore[type-arg]
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("body", stored=False)  # tokenizer "default"
        schema = sb.build()
        root.mkdir(parents=True, exist_ok=True)
        fresh = not (root / "meta.json").exists()
        self.index = tantivy.Index(schema, path=str(root))
        if fresh:
            writer = self.index.writer(200_000_000, 1)
            for d in docs:
                doc = tantivy.Document()
                doc.add_text("id", d["id"])
                doc.add_text("body", f"{d.get('title') or ''}\n{d.get('text') or ''}")
                writer.add_document(doc)
            writer.commit()
            writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def top(self, query: str, k: int = K) -> list[str]:
        # Words only: the query parser's syntax characters would make most sentences invalid.
        text = " ".join(_PLAIN_WORD.findall(query))
        if not text:
            return []
        try:
            q = self.index.parse_query(text, ["body"])
        except ValueError:
            return []
        hits = self.searcher.search(q, k).hits
        return [self.searcher.doc(addr)["id"][0] for _s, addr in hits]


# --------------------------------------------------------------------------- measures


def success(engine, items: list[tuple[str, str]]) -> tuple[float, float, list[tuple[str, str, int]]]:  # type: ignore[no-untyped-def]
    """(success@10, success@1, failures as (query, target, rank or -1)) over (query, target)."""
    at10 = at1 = 0
    fails = []
    for query, target in items:
        ids = engine.top(query)
        rank = ids.index(target) if target in ids else -1
        at10 += rank >= 0
        at1 += rank == 0
        if rank != 0:
            fails.append((query, target, rank))
    n = max(1, len(items))
    return at10 / n, at1 / n, fails


def has_marks_to_strip(items: list[tuple[str, str]]) -> float:
    """Share of queries that change when their marks are stripped."""
    return sum(strip_marks(q) != q for q, _ in items) / max(1, len(items))


def measure(engines: list, data: Data, langs: list[str]) -> dict[str, dict[str, object]]:  # type: ignore[type-arg]
    titles = defaultdict(list)
    for d in data.articles:
        titles[d["lang"]].append((d["title"], d["id"]))
    out: dict[str, dict[str, object]] = {}
    for lang in langs:
        sent = [(s["q"], s["target"]) for s in data.sentences[lang]]
        bare = [(strip_marks(q), t) for q, t in sent]
        changed = has_marks_to_strip(sent)
        row: dict[str, object] = {"n_sent": len(sent), "n_title": len(titles[lang]), "marked": changed}
        for eng in engines:
            t0 = time.perf_counter()
            row[f"{eng.name}_sent"], row[f"{eng.name}_sent1"], row[f"{eng.name}_sent_fail"] = success(eng, sent)
            if changed >= 0.05:
                row[f"{eng.name}_bare"], _, row[f"{eng.name}_bare_fail"] = success(eng, bare)
            row[f"{eng.name}_title"], row[f"{eng.name}_title1"], row[f"{eng.name}_title_fail"] = success(
                eng, titles[lang]
            )
            row[f"{eng.name}_ms"] = (time.perf_counter() - t0) * 1000 / max(1, len(sent) * 2 + len(titles[lang]))
        out[lang] = row
        print(line_for(lang, row, [e.name for e in engines]), flush=True)
    return out


def _f(v: object) -> str:
    return "—" if v is None else f"{v:.3f}"


def header(names: list[str]) -> str:
    cols = ["lang", "sent. n"]
    for part in ("sentence", "no marks", "title"):
        cols += [f"{part} {n}" for n in names]
    cols += ["title@1 " + n for n in names] + ["ms/q ours"]
    return "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols)


def line_for(lang: str, row: dict[str, object], names: list[str]) -> str:
    cells = [lang, str(row["n_sent"])]
    for part in ("sent", "bare", "title"):
        cells += [_f(row.get(f"{n}_{part}")) for n in names]
    cells += [_f(row.get(f"{n}_title1")) for n in names]
    cells.append(f"{row.get('ours_ms', 0):.1f}")
    return "| " + " | ".join(cells) + " |"


def mean_line(rows: dict[str, dict[str, object]], names: list[str]) -> str:
    cells = ["**mean**", str(sum(int(r["n_sent"]) for r in rows.values()))]  # type: ignore[call-overload]
    for part in ("sent", "bare", "title"):
        for n in names:
            vals = [r[f"{n}_{part}"] for r in rows.values() if f"{n}_{part}" in r]
            cells.append(_f(sum(vals) / len(vals)) if vals else "—")  # type: ignore[arg-type]
    for n in names:
        vals = [r[f"{n}_title1"] for r in rows.values() if f"{n}_title1" in r]
        cells.append(_f(sum(vals) / len(vals)) if vals else "—")  # type: ignore[arg-type]
    cells.append("")
    return "| " + " | ".join(cells) + " |"


def langid(data: Data, langs: list[str]) -> dict[str, tuple[float, float, float, dict[str, int]]]:
    """Per language: accuracy on articles, titles, sentences; and the wrong answers counted."""
    arts = defaultdict(list)
    for d in data.articles:
        arts[d["lang"]].append(d)
    out = {}
    for lang in langs:
        want = normalize_code(lang)
        wrong: dict[str, int] = defaultdict(int)
        a = 0
        for d in arts[lang]:
            got = detect_language(d["title"] + "\n" + d["text"])
            a += got == want
            if got != want:
                wrong["article:" + got] += 1
        t = sum(detect_language(d["title"]) == want for d in arts[lang])
        sents = [s["q"] for s in data.sentences[lang]]
        s_ok = 0
        for q in sents:
            got = detect_language(q)
            s_ok += got == want
            if got != want:
                wrong[got] += 1
        out[lang] = (a / len(arts[lang]), t / len(arts[lang]), s_ok / max(1, len(sents)), dict(wrong))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-lang", type=int, default=200, help="sentence queries per language (0: all)")
    ap.add_argument("--langs", default=",".join(LANGS))
    ap.add_argument("--work", type=Path, default=None, help="keep the indexes here (default: temp)")
    ap.add_argument("--no-plain", action="store_true")
    ap.add_argument("--langid", action="store_true", help="language identification accuracy too")
    ap.add_argument("--failures", default="", help="print failed queries of these languages")
    args = ap.parse_args()
    if not all((CORPORA / f / "corpus.jsonl").exists() for f in FOLDERS):
        print(f"skipped: {CORPORA}/ntrex and ntrex-more not found (the corpora live beside the repository)")
        return 0
    langs = [x.strip() for x in args.langs.split(",") if x.strip()]
    data = load(args.per_lang, langs)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        t0 = time.perf_counter()
        engines: list = [Ours(work / "ours", data.files())]
        print(f"ours: index ready in {time.perf_counter() - t0:.1f}s", flush=True)
        if not args.no_plain:
            engines.append(Plain(work / "plain", data.articles))
        names = [e.name for e in engines]
        print(header(names), flush=True)
        rows = measure(engines, data, langs)
        print()
        print(header(names))
        for lang in langs:
            print(line_for(lang, rows[lang], names))
        print(mean_line(rows, names))
        for lang in [x for x in args.failures.split(",") if x]:
            row = rows.get(lang, {})
            print(f"\n## failures {lang} (ours sentence, first 15)")
            for q, target, rank in row.get("ours_sent_fail", [])[:15]:  # type: ignore[union-attr]
                print(f"{rank:3d} {target} {q[:120]}")
    if args.langid:
        print("\n| lang | articles | titles | sentences | wrong answers (sentences unless marked) |")
        print("|---|---|---|---|---|")
        for lang, (a, t, s, wrong) in langid(data, langs).items():
            top = ", ".join(f"{k or '?'}×{v}" for k, v in sorted(wrong.items(), key=lambda kv: -kv[1])[:5])
            print(f"| {lang} | {a:.3f} | {t:.3f} | {s:.3f} | {top} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
