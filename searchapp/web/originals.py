"""/file/<id>: the original file of a document, served only from inside the documents folders
the serving index was built from (the manifest's roots) and only if the index holds it.

The id's path is looked up in the manifest (a file never indexed is never served), joined to
each root, resolved (symlinks followed) and must still lie inside that root: no `..` traversal,
no symlink escape. The file is then opened once and sent from that descriptor only if its real
path is still inside the root (ingest/opened.py), so a swap after the check sends nothing. Types
a browser would run or render as a page (HTML, SVG, XML, office files, anything unknown) are
sent as attachments; PDF, plain text and images inline, sandboxed. Plain text in a legacy
encoding is shown as UTF-8 (readable.py); `?download=1` sends the exact bytes.
"""

from __future__ import annotations

import mimetypes
import os
import threading
from pathlib import Path, PurePosixPath

from flask import Blueprint, Response, abort, request, send_file
from flask.typing import ResponseReturnValue

from ..index import manifest
from ..index.layout import IndexLayout
from ..ingest.opened import pinned_inside
from .ratelimit import file_limit, search_limit
from .readable import as_utf8
from .service import services

bp = Blueprint("originals", __name__)

INLINE = {"application/pdf", "text/plain", "image/png", "image/jpeg", "image/gif"}
TEXT_AS_PLAIN = {".txt", ".text", ".md", ".markdown"}
_cache: dict[str, tuple[tuple[str, int], list[Path], set[str]]] = {}
_lock = threading.Lock()


def _indexed(index_dir: Path) -> tuple[list[Path], set[str]]:
    """(roots, indexed relative paths) of the serving version, cached per manifest change."""
    layout = IndexLayout(index_dir)
    name = layout.current_version()
    if name is None:
        return [], set()
    version_dir = layout.versions / name
    try:
        stamp = (name, (version_dir / manifest.MANIFEST).stat().st_mtime_ns)
    except OSError:
        return [], set()
    key = str(index_dir)
    with _lock:
        hit = _cache.get(key)
        if hit and hit[0] == stamp:
            return hit[1], hit[2]
    files = manifest.load(version_dir) or {}
    roots = [Path(r) for r in manifest.load_meta(version_dir).get("roots", [])]
    rels = {rel for rel, entry in files.items() if entry.ids}
    with _lock:
        _cache[key] = (stamp, roots, rels)
    return roots, rels


def locate(index_dir: Path, doc_id: str) -> tuple[Path, Path] | None:
    """(the original file of doc_id inside a manifest root, that root resolved), or None."""
    roots, rels = _indexed(index_dir)
    rel = doc_id
    if rel not in rels and "#" in rel:
        rel = rel.rsplit("#", 1)[0]  # a message or attachment inside a container file
    if rel not in rels:
        return None
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or ".." in parts or "\x00" in rel:
        return None
    for root in roots:
        try:
            base = root.resolve(strict=True)
            if base.is_file():
                candidate = base if rel == root.name else None
            else:
                candidate = (base / rel).resolve(strict=True)
                if not candidate.is_relative_to(base):
                    continue  # a symlink out of the folder
            if candidate is not None and candidate.is_file():
                return candidate, base
        except (OSError, RuntimeError, ValueError):
            continue
    return None


def gone_from_site(doc_id: str) -> str:
    """Why and since when a page fetched from the web is gone from its site ('' if it is not,
    or the document was not fetched): its saved copy is what is left."""
    from ..ingest.saved import read_note

    found = locate(services().index_dir, doc_id)
    note = read_note(found[0]) if found else None
    return note.gone if note else ""


def download_name(path: Path) -> str:
    """path's name as a header can carry it: control characters and undecodable bytes -> '_'."""
    return "".join(c if c.isprintable() else "_" for c in path.name) or "file"


def content_type(path: Path) -> tuple[str, bool]:
    """(the type to send, inline?)."""
    if path.suffix.lower() in TEXT_AS_PLAIN:
        return "text/plain", True
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return guessed, guessed in INLINE


@bp.get("/file")
@search_limit
@file_limit
def original_by_query() -> ResponseReturnValue:
    """/file?id=<id>: the original of a document whose id does not survive as a path (a file
    name with a newline, "..", a backslash: web.path_safe), as /doc?id= is its page."""
    return _send(request.args.get("id", ""))


@bp.get("/file/<path:doc_id>")
@search_limit
@file_limit
def original(doc_id: str) -> ResponseReturnValue:
    return _send(doc_id)


def _send(doc_id: str) -> ResponseReturnValue:
    found = locate(services().index_dir, doc_id)
    if found is None:
        abort(404, description="no original file for this document")
    path, base = found
    mimetype, inline = content_type(path)
    download = request.args.get("download") == "1"
    # The file sent is the one checked: opened once, its real path inside the root (a folder
    # or link swapped since locate() is refused), then sent through that open file.
    with pinned_inside(path, str(base)) as opened:
        if opened is None:
            abort(404, description="no original file for this document")
        st = os.stat(opened)
        text = as_utf8(Path(opened)) if mimetype == "text/plain" and not download else None
        if text is not None:  # a legacy encoding: the text the index read, as UTF-8
            response = Response(text, content_type="text/plain; charset=utf-8")
            response.headers["Content-Disposition"] = "inline"
            response.headers["Cache-Control"] = "no-cache"
        else:
            response = send_file(opened, mimetype=mimetype,
                                 as_attachment=download or not inline,
                                 download_name=download_name(path), conditional=True,
                                 max_age=0, etag=f"{st.st_mtime_ns:x}-{st.st_size:x}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    if mimetype != "application/pdf":  # the browser's PDF viewer does not run sandboxed
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
