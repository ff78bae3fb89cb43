"""Writing Documents into a physical OpenSearch index with bulk requests; moving the alias.

A version directory of the local index root holds the manifest, the COMPLETE marker and
`opensearch.json` (which physical index is the version's); the documents live in the cluster in
`<SEARCHAPP_OPENSEARCH_INDEX>-<version>`. A new index is bulk-loaded without replicas and
without refreshes; commit refreshes it, adds the replicas and waits for them (green), so a
version that serves has a copy of every shard on two nodes."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import opensearchpy
from opensearchpy import helpers

from ...analysis.language import CJK_RE, SPACELESS_RE, LanguageContext
from ...analysis.normalize import split_long_words
from ...analysis.text import fold_marks
from ...ingest.records import Document
from ..base import BackendUnavailable
from ..tantivy.writer import with_languages  # engine-neutral (language identification)
from .connection import OpenSearchSettings, call, client
from .mapping import index_body, stem_field, stem_langs

log = logging.getLogger(__name__)

MARKER = "opensearch.json"
BULK_DOCS = 500
BULK_BYTES = 8 * 1024 * 1024
MAX_ID_BYTES = 512  # OpenSearch's limit on _id
GREEN_WAIT = "120s"
_WORD_RE = re.compile(
    r"[^\W_\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    r"\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]+"
)
_STEMMED = frozenset(stem_langs())


def doc_key(doc_id: str) -> str:
    """The _id of a document id (ids longer than OpenSearch allows are hashed)."""
    if len(doc_id.encode("utf-8")) <= MAX_ID_BYTES:
        return doc_id
    return "sha1:" + hashlib.sha1(doc_id.encode("utf-8")).hexdigest()


def source_of(doc: Document, lang: str, words: list[str]) -> dict[str, Any]:
    """One Document -> the JSON document with every analysed field filled (as
    backends/tantivy/writer.to_tantivy fills the tantivy one)."""
    out: dict[str, Any] = {"id": doc.id, "lang": lang, "source": doc.source, "hash": doc.hash,
                           "body": doc.body}
    if doc.title and doc.title_given:  # else the page shows a title made from the body
        out["title"] = doc.title
    if doc.url:
        out["url"] = doc.url
    if doc.format:
        out["format"] = doc.format
    if doc.pages:
        out["pages"] = list(doc.pages)
    if doc.author:
        out["author"] = doc.author
    if doc.parent:
        out["parent"] = doc.parent
    if doc.boilerplate:
        out["boilerplate"] = "\n".join(doc.boilerplate)
    if doc.date:
        out["date"] = doc.date.isoformat()
        out["year"] = doc.date.year
    stemmed = lang in _STEMMED
    # Each text goes to the exact field and to ONE accent-free family; a title made from the
    # text's first line is stored (to show it) but not indexed in the derived fields.
    for name, text in (("title", doc.title if doc.title_given else ""), ("body", doc.body)):
        if not text:
            continue
        if stemmed:
            out[stem_field(name, lang)] = split_long_words(text)  # fold_marks cuts them too
        else:
            out[f"{name}_fold"] = fold_marks(text)
        if CJK_RE.search(text):
            out[f"{name}_cjk"] = text
        if SPACELESS_RE.search(text):
            out[f"{name}_seg"] = text
    if words:
        out["words"] = words
    return out


def exact_words(doc: Document) -> list[str]:
    """A document's distinct exact words (lowercase), for the did-you-mean vocabulary."""
    text = f"{doc.title if doc.title_given else ''}\n{doc.body}".lower()
    return sorted({w for w in _WORD_RE.findall(text) if len(w) < 60})


class OpenSearchWriter:
    """A VersionWriter (backends/base.py) over one physical index."""

    def __init__(self, settings: OpenSearchSettings, index: str, new: bool) -> None:
        self.settings = settings
        self.index = index
        self.new = new
        self.client = client(settings)
        self.pending: list[dict[str, Any]] = []
        self.closed = False
        self.context = LanguageContext()  # the languages of this run's documents so far

    @classmethod
    def create(cls, version_dir: Path) -> OpenSearchWriter:
        s = OpenSearchSettings.from_env()
        name = s.physical(version_dir.name)
        body = index_body(s.shards, 0)
        body["settings"]["index"]["refresh_interval"] = "-1"
        try:
            call(lambda: client(s).indices.create(index=name, body=body, request_timeout=120),
                 "create index")
        except opensearchpy.RequestError as exc:
            # a retry after a timed-out (but successful) create: the name is this new version's
            if exc.error != "resource_already_exists_exception":
                raise
        (version_dir / MARKER).write_text(
            json.dumps({"index": name, "alias": s.index, "urls": list(s.urls)}), encoding="utf-8"
        )
        return cls(s, name, new=True)

    @classmethod
    def open(cls, version_dir: Path) -> OpenSearchWriter:
        s = OpenSearchSettings.from_env()
        name = physical_of(version_dir, s)
        if not call(lambda: client(s).indices.exists(index=name), "open index"):
            raise BackendUnavailable(f"the index {name} of version {version_dir.name} is missing")
        return cls(s, name, new=False)

    # ------------------------------------------------------------------ writing
    # Index and delete operations queue in one list, in the order they were asked (an
    # incremental update deletes an id just before adding it again), and go out as bulk
    # requests of BULK_DOCS operations: a build of many one-document files sends a few large
    # requests, not one per file.
    def add(self, docs: Iterable[Document], languages: dict[str, int]) -> int:
        n = 0
        for doc, lang in with_languages(docs, self.context):
            languages[lang] = languages.get(lang, 0) + 1
            n += 1
            self._queue({"_op_type": "index", "_index": self.index, "_id": doc_key(doc.id),
                         "_source": source_of(doc, lang, exact_words(doc))})
        return n

    def delete(self, doc_id: str) -> None:
        self._queue({"_op_type": "delete", "_index": self.index, "_id": doc_key(doc_id)})

    def _queue(self, action: dict[str, Any]) -> None:
        self.pending.append(action)
        if len(self.pending) >= BULK_DOCS:
            self._flush()

    def _flush(self) -> None:
        todo, self.pending = self.pending, []
        if not todo:
            return
        failed: list[Any] = []
        try:
            for ok, item in helpers.streaming_bulk(
                self.client, todo, chunk_size=BULK_DOCS, max_chunk_bytes=BULK_BYTES,
                raise_on_error=False, raise_on_exception=True, max_retries=3, initial_backoff=1,
                request_timeout=120,
            ):
                if not ok:
                    op = next(iter(item.values()))
                    if op.get("status") == 404 and "delete" in item:
                        continue  # deleting what is not there
                    failed.append(item)
        except opensearchpy.TransportError as exc:  # connection errors and timeouts too
            raise BackendUnavailable(
                f"writing to the search cluster failed ({type(exc).__name__}: "
                f"{str(exc)[:200]}); run it again once the cluster answers") from exc
        if failed:
            raise BackendUnavailable(f"the search cluster refused {len(failed)} of {len(todo)} "
                                     f"writes ({refusal(failed[0])}); run it again once fixed")

    def commit(self) -> None:
        self._flush()
        c = self.client
        if self.new:
            call(lambda: c.indices.put_settings(index=self.index, body={"index": {
                "number_of_replicas": self.settings.replicas, "refresh_interval": "1s"}}),
                "index settings")
        call(lambda: c.indices.refresh(index=self.index), "refresh")
        if self.new:
            try:
                health = call(lambda: c.cluster.health(
                    index=self.index, wait_for_status="green", params={"timeout": GREEN_WAIT},
                    request_timeout=150), "wait for replicas")
            except opensearchpy.TransportError as exc:
                if exc.status_code != 408:  # 408: not green within GREEN_WAIT
                    raise
                health = {"status": "not green"}
            if health.get("status") != "green":
                # the primaries serve; the replicas go on recovering in the background
                log.warning("index %s is %s after %s", self.index, health.get("status"), GREEN_WAIT)

    def rollback(self) -> None:
        """Drop what was not sent yet (what bulk requests already wrote stays; a failed new
        version is deleted as a whole by `discard`)."""
        self.pending = []

    def close(self) -> None:
        self.closed = True

    def num_docs(self) -> int:
        c = self.client
        call(lambda: c.indices.refresh(index=self.index), "refresh")
        return int(call(lambda: c.count(index=self.index), "count")["count"])


def refusal(item: dict[str, Any]) -> str:
    """'type: reason' of one failed bulk item (e.g. the flood-stage read-only block)."""
    op: Any = next(iter(item.values()), {})
    err = op.get("error") if isinstance(op, dict) else None
    if isinstance(err, dict):
        return f"{err.get('type', 'error')}: {str(err.get('reason', ''))[:200]}"
    return str(err or op)[:200]


def physical_of(version_dir: Path, s: OpenSearchSettings | None = None) -> str:
    """The physical index of a version directory."""
    try:
        return str(json.loads((version_dir / MARKER).read_text(encoding="utf-8"))["index"])
    except (OSError, ValueError, KeyError):
        return (s or OpenSearchSettings.from_env()).physical(version_dir.name)


def activate(version: str) -> None:
    """Point the alias at the version's index, in one atomic aliases request."""
    s = OpenSearchSettings.from_env()
    c = client(s)
    target = s.physical(version)
    actions: list[dict[str, Any]] = [{"add": {"index": target, "alias": s.index}}]
    current = call(lambda: c.indices.get_alias(name=s.index, ignore=[404]), "read alias")
    for name in current or {}:
        if name != target and name not in ("error", "status"):
            actions.insert(0, {"remove": {"index": name, "alias": s.index}})
    call(lambda: c.indices.update_aliases(body={"actions": actions}), "move alias")


def discard(versions: list[str], serving_too: bool = False) -> None:
    """Delete the physical indexes of removed versions (the one the alias names only with
    serving_too)."""
    s = OpenSearchSettings.from_env()
    c = client(s)
    names = [s.physical(v) for v in versions]
    try:
        serving = set(call(lambda: c.indices.get_alias(name=s.index, ignore=[404]), "read alias"))
        doomed = [n for n in names if serving_too or n not in serving]
        if doomed:
            call(lambda: c.indices.delete(index=",".join(doomed), ignore_unavailable=True),
                 "delete indexes")
    except BackendUnavailable:
        log.warning("could not delete the indexes of removed versions %s", names)
