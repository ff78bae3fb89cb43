"""The backend seam: what a search backend provides to the engine façade, the web layer, the CLI,
the admin jobs and eval/.

Everything above this line is engine-neutral: the request and page records (search/request.py),
the parsed query (search/parse.py), highlighting (search/highlight.py), analysis (analysis/).
A backend compiles a ParsedQuery into its own query language, runs it, and returns stored
documents; it also writes new versions of the index and says which one serves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # the seam's records; imported lazily (analysis builds on backends/tantivy)
    from ..analysis.analyzers import Analyzers
    from ..ingest.records import Document
    from ..search.parse import ParsedQuery
    from ..search.request import FacetValue, Matches, Overview, SearchRequest, StoredDoc


class OutdatedVersion(RuntimeError):
    """A version written by an older searchapp: it serves, but needs a full build to be updated."""


class BackendUnavailable(RuntimeError):
    """The search service cannot answer (a cluster that is unreachable or red): the web layer
    shows a clear page and answers 503, never a 500."""


class SearchBackend(Protocol):
    """Reads the serving version of one index."""

    name: str
    analyzers: Analyzers

    def current(self) -> object:
        """The opened serving version (backend-specific; re-opened when another serves)."""

    def serving(self) -> object:
        """A key that changes whenever the serving index does (new version or update)."""

    def serving_key(self) -> tuple[str, object]:
        """A hashable (version, stamp) for caches."""

    def version(self) -> str: ...

    def stem_langs(self) -> tuple[str, ...]:
        """Languages with stemmed documents in the serving version (for highlighting)."""

    def available(self) -> bool: ...

    def stats(self) -> dict[str, object]:
        """At least {"version": str, "documents": int} (for /health and /admin)."""

    def run(self, req: SearchRequest, pq: ParsedQuery, match_all_words: bool) -> Matches | None:
        """The requested page, total and (if req.facets) facets; None: nothing to search.
        Equal scores (dates, sorted by date) come newest first, then ids in natural order."""

    def browse(self, req: SearchRequest) -> Matches:
        """Every document the request's filters let through (no words), in req.sort order;
        ties newest first, then ids in natural order."""

    def overview(self, recent: int = 5) -> Overview:
        """Documents per language, year (and format, if indexed), the `recent` newest documents
        (bodies as short previews) and example queries drawn from the index's own words."""

    def facet_counts(
        self, req: SearchRequest, pq: ParsedQuery, match_all_words: bool
    ) -> tuple[int, dict[str, list[FacetValue]]] | None:
        """(documents matched, facets); None: nothing to search."""

    def document(self, doc_id: str, k: int = 5) -> tuple[StoredDoc, list[StoredDoc]] | None:
        """A stored document and up to k related ones; None if the id is unknown."""

    def vocabulary(self) -> list[tuple[str, int]]:
        """Exact terms of titles and bodies with document frequencies (did-you-mean)."""

    def pair_count(self, first: str, second: str) -> int:
        """Documents with the two exact words side by side (accent restoration)."""


class VersionWriter(Protocol):
    """Writes documents into one version of the index (a new one, or the serving one in place)."""

    def add(self, docs: Iterable[Document], languages: dict[str, int]) -> int:
        """Add documents (not yet committed); count each one's language; return how many."""

    def delete(self, doc_id: str) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None:
        """Drop what was added or deleted since the last commit."""

    def close(self) -> None:
        """Release the writer (and its files) after commit or rollback."""

    def num_docs(self) -> int: ...


@runtime_checkable
class DocumentReader(Protocol):
    """What semantic search needs beyond SearchBackend (Tantivy has it; a backend without it
    serves keyword results only): stored documents by id, and every stored document."""

    def documents(self, ids: list[str]) -> list[StoredDoc]:
        """The stored documents with these ids, in that order (unknown ids left out)."""

    def every_document(self) -> Iterator[StoredDoc]:
        """Every stored document of the serving version."""
