"""The per-process Engine and Suggester behind the views, and what a search page shows."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, request

from ..index.layout import IndexMissing
from ..search.correct import search_with_correction
from ..search.engine import BackendUnavailable, Engine
from ..search.parse import MAX_QUERY_CHARS
from ..search.request import DocView, FacetValue, Hit, Overview, SearchPage, SearchRequest
from ..search.semantic import SemanticIndex
from ..search.suggest import Suggester
from ..search.synonyms import FILE_NAME as SYNONYMS_FILE
from ..search.synonyms import SynonymFile
from . import i18n
from .params import MAX_DOC_ID_CHARS
from .requestlog import log_error, record_hits
from .warmup import Warmer

log = logging.getLogger(__name__)

EXTENSION = "searchapp"


class Services:
    """Opens the Engine lazily, once per process (so after a pre-fork server has forked)."""

    def __init__(self, index_dir: Path, cache_size: int = 0,
                 instance_dir: Path | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.cache_size = cache_size
        # synonyms.txt in the instance folder, re-read when it changes (search/synonyms.py)
        self.synonyms_path = Path(instance_dir or index_dir) / SYNONYMS_FILE
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._engine: Engine | None = None
        self._suggester: Suggester | None = None
        self._warmer: Warmer | None = None
        # The request a keystroke of a text runs (set by the app when it warms keystrokes)
        self.keystroke: Callable[[str], SearchRequest] | None = None

    def warm(self) -> None:
        """Search the heaviest first keystrokes of the serving version in the background, once
        per version and process (warmup.py); nothing unless the app set `keystroke`."""
        if self.keystroke is None:
            return
        self._ensure()
        if self._warmer is None:
            assert self._engine is not None and self._suggester is not None
            self._warmer = Warmer(self._engine, self._suggester, self.keystroke)
        self._warmer.start()

    def _ensure(self) -> None:
        if self._pid == os.getpid() and self._engine is not None:
            return
        with self._lock:
            if self._pid != os.getpid() or self._engine is None:
                engine = Engine(self.index_dir, cache_size=self.cache_size,
                                synonyms=SynonymFile(self.synonyms_path),
                                semantic=SemanticIndex(self.index_dir))
                self._engine, self._suggester = engine, Suggester(engine)
                self._warmer = None
                self._pid = os.getpid()

    @property
    def engine(self) -> Engine:
        self._ensure()
        assert self._engine is not None
        return self._engine

    @property
    def suggester(self) -> Suggester:
        self._ensure()
        assert self._suggester is not None
        return self._suggester


def services() -> Services:
    """The Services of the current app."""
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


class NoIndex(RuntimeError):
    """The index directory holds no built index yet."""


@dataclass(frozen=True)
class Results:
    """One search as the pages and the API show it."""

    page: SearchPage
    suggestion: str | None = None
    notes: tuple[str, ...] = ()  # about the request itself (a query that was cut)

    @property
    def request(self) -> SearchRequest:
        return self.page.request

    @property
    def messages(self) -> list[str]:
        """The notes, then the engine's warnings (each once)."""
        return list(dict.fromkeys([*self.notes, *self.page.warnings]))


def _engine() -> Engine:
    engine = services().engine
    if not engine.available():
        raise NoIndex(str(engine.root))
    return engine


SEARCH_FAILED = "The search could not be run; try simpler words."


def safe_search(engine: Engine, req: SearchRequest) -> SearchPage:
    """engine.search, which should never raise; if it does anyway, log the error with its
    traceback (searchapp.errors) and show an empty page with a warning instead of a 500."""
    try:
        return engine.search(req)
    except IndexMissing as exc:
        raise NoIndex(str(engine.root)) from exc
    except BackendUnavailable:
        raise  # a 503 page (web/__init__.py)
    except Exception as exc:  # noqa: BLE001 - logged with its traceback
        log_error(exc)
        return SearchPage(req, [], 0, {}, 0.0, [SEARCH_FAILED])


def run_search(req: SearchRequest, notes: tuple[str, ...] = (), verbatim: bool = False,
               keystroke: bool = False) -> Results:
    """Search; when nothing matched and a correction of the query finds something, the page
    holds the correction's results (page.corrected_from says so); else propose a better query
    when the corpus vocabulary has one. A keystroke of the live search never waits for the
    vocabulary to be built (the next one gets the correction), and asks for a did-you-mean only
    when it found few results (KEYSTROKE_FEW)."""
    engine = _engine()

    def suggest(query: str, typos: bool) -> str | None:
        return _suggest(query, typos, wait=not keystroke)

    answer = search_with_correction(
        lambda r: safe_search(engine, r), suggest, engine.analyzers.fold, req, verbatim,
        few=KEYSTROKE_FEW if keystroke else None,
    )
    record_hits(answer.page.total, answer.page.cached)
    return Results(answer.page, answer.suggestion, notes)


# A keystroke whose words all matched at least this many documents gets no did-you-mean: the
# accents it would restore cost tantivy phrase counts per keystroke (issue 29), and pressing
# Enter (a full search) still shows it.
KEYSTROKE_FEW = 10

# How long a query that found nothing waits for the did-you-mean vocabulary while it is built
# (the CLI waits for it too: both then show the same correction); others wait 0.05 s.
WEAK_QUERY_WAIT = 5.0


def _suggest(query: str, typos: bool, wait: bool = True) -> str | None:
    """The suggester's better query; never raises (a suggestion is optional)."""
    try:
        suggester = services().suggester
        if typos and wait:  # nothing (or not every word) matched: worth a wait, once
            suggester.vocabulary(wait=WEAK_QUERY_WAIT)  # per worker and index version
        return suggester.suggest(query, typos=typos)
    except (IndexMissing, BackendUnavailable):
        return None
    except Exception:  # a suggestion must never break the search
        log.exception("did-you-mean failed for a query of %d chars", len(query))
        return None


def overview() -> Overview | None:
    """The home page's summary of the serving index; None when there is no index yet or it
    cannot be read (the home page still works)."""
    engine = services().engine
    try:
        return engine.overview() if engine.available() else None
    except IndexMissing:
        return None
    except Exception as exc:  # noqa: BLE001 - logged with its traceback; the page still works
        log_error(exc)
        return None


def run_facets(req: SearchRequest) -> dict[str, list[FacetValue]]:
    """The facets of a search on their own (the live search box loads them once typing pauses)."""
    engine = _engine()
    try:
        return engine.facets(req)
    except IndexMissing as exc:
        raise NoIndex(str(engine.root)) from exc
    except BackendUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - logged with its traceback; facets are optional
        log_error(exc)
        return {}


def document(doc_id: str, query: str, part: int | None = None) -> DocView | None:
    """A document with the query marked, with related documents; None when unknown (and for ids
    no document can have: too long, or with NUL or unpaired surrogate characters). A long
    document comes in parts: `part`, else the one holding the query's best match."""
    engine = _engine()
    if len(doc_id) > MAX_DOC_ID_CHARS or "\x00" in doc_id or not _encodable(doc_id):
        return None
    return engine.document(doc_id, query[:MAX_QUERY_CHARS], part)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def health() -> dict[str, object]:
    """Status, backend, serving version and document count; for a cluster also its status
    and node count. A red cluster is reported as unavailable (503)."""
    stats = _engine().stats()
    problem = stats.get("problem")
    out: dict[str, object] = {"status": "degraded" if problem else "ok",
                              "version": stats["version"], "documents": stats["documents"],
                              "backend": stats.get("backend", "tantivy")}
    if problem:  # an older version serves: CURRENT's is damaged or missing
        out["problem"] = problem
    for key in ("cluster", "cluster_status", "nodes"):
        if key in stats:
            out[key] = stats[key]
    if stats.get("cluster_status") == "red":
        raise BackendUnavailable("the search cluster is red: some shards have no copy")
    return out


def hit_json(hit: Hit) -> dict[str, object]:
    """The public JSON form of a hit."""
    return {
        "id": hit.id,
        "title": hit.title,
        "lang": hit.lang,
        "date": hit.date,
        "source": hit.source,
        "snippet_html": hit.snippet_html,
        "score": hit.score,
        "link": _doc_url(hit.id),
        "format": hit.format or None,
        "page": hit.page,
        "url": hit.url or None,  # a fetched page's address (web sources), or the document's own
        "duplicates": hit.duplicates,
        "match": hit.match,  # "words", "meaning" (found through another language...) or "both"
    }


def _doc_url(doc_id: str) -> str:
    from . import doc_url  # the package imports this module: imported when first used

    return doc_url(doc_id)


def semantic_ready() -> bool:
    """The serving version has vectors (the words/meaning control is shown)."""
    engine = services().engine
    try:
        return (engine.semantic is not None and engine.available()
                and engine.semantic.has_vectors(engine.backend.version()))
    except Exception:  # noqa: BLE001 - keyword search stands
        return False


def semantic_notes(req: SearchRequest, ready: bool | None = None) -> tuple[str, ...]:
    """A note when the URL asks for results by meaning (semantic=1) that this index cannot
    give (no vectors yet, the extra not installed, or the OpenSearch backend)."""
    if not req.semantic or (semantic_ready() if ready is None else ready):
        return ()
    return (i18n.STRINGS[i18n.choose(request)]["semantic_unavailable"],)


def default_on() -> bool:
    """Fused results when a URL does not say (SEARCHAPP_SEMANTIC_DEFAULT, on unless 0)."""
    sem = services().engine.semantic
    return bool(sem is not None and sem.settings.default_on)


def fused_later(req: SearchRequest) -> bool:
    """A keystroke's keyword results will be replaced by fused ones once typing pauses: the
    request asks for them (or the default does) and the serving version has vectors."""
    return semantic_ready() and services().engine._fuse(req)
