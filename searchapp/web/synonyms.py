"""/admin/synonyms: edit synonyms.txt (search/synonyms.py) with CSRF, validated before it is
saved (search/synonym_check.py), each saved version kept and recorded in the history. Every
worker's Engine notices the new file on its next search (it checks the file's mtime and size)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..index import history, jobs
from ..index.layout import IndexLayout, IndexMissing
from ..search.synonym_check import check
from ..search.synonyms import parse_rules
from . import auth
from .service import services

bp = Blueprint("synonyms", __name__, url_prefix="/admin/synonyms")

MAX_BYTES = 256 * 1024
VERSIONS_DIR = "synonyms-versions"


def _path() -> Path:
    return services().synonyms_path


def save(path: Path, text: str) -> str:
    """Write the file atomically, keep a copy under synonyms-versions/; the version's id."""
    data = text.replace("\r\n", "\n").encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()[:12]
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = path.parent / VERSIONS_DIR
    kept.mkdir(exist_ok=True)
    stamp = jobs.now().replace(":", "").replace("-", "")
    (kept / f"synonyms-{stamp}-{digest}.txt").write_bytes(data)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return digest


@bp.get("/")
@bp.get("")
@auth.login_required
def edit() -> ResponseReturnValue:
    synonyms = services().engine.synonyms
    text = synonyms.read_text() if synonyms is not None else ""
    add = request.args.get("add", "").strip()[:200]
    if add:  # from a zero-result query on /admin/analytics: a new set to complete
        text = text.rstrip("\n") + ("\n" if text.strip() else "") + f"{add}, \n"
    return _page(text, [], 200, focus_end=bool(add))


@bp.post("/")
@bp.post("")
@auth.login_required
def update() -> ResponseReturnValue:
    text = request.form.get("text", "")
    if len(text.encode("utf-8")) > MAX_BYTES:
        return _page(text, [f"The file may hold at most {MAX_BYTES // 1024} KB."], 422)
    engine = services().engine
    try:
        documents = int(engine.stats()["documents"])  # type: ignore[call-overload]
    except (IndexMissing, ValueError):
        documents = 0
    try:
        saved = _path().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        saved = ""
    errors = check(text, engine.count, documents, saved)
    if errors:
        return _page(text, errors, 422)
    version = save(_path(), text)
    rules, _ = parse_rules(text)
    one_way = sum(r.one_way for r in rules)
    now = jobs.now()
    history.append(IndexLayout(Path(current_app.config["INDEX_DIR"]).absolute()), {
        "id": jobs.new_job_id(), "kind": "synonyms", "who": "admin", "start": now, "end": now,
        "documents": None, "skipped": 0, "skipped_reasons": [], "outcome": "succeeded",
        "message": f"synonyms saved: {len(rules) - one_way} equivalent and {one_way} one-way "
                   f"sets (kept as {VERSIONS_DIR}/…-{version}.txt)",
        "version": version,
    })
    flash(f"Saved {len(rules)} synonym sets; they apply from the next search.")
    return redirect(url_for("synonyms.edit"))


def _page(text: str, errors: list[str], status: int, focus_end: bool = False) -> ResponseReturnValue:
    rules, _ = parse_rules(text)
    synonyms = services().engine.synonyms
    return render_template("admin/synonyms.html", text=text, errors=errors, rules=rules,
                           path=_path(), focus_end=focus_end,
                           file_error=synonyms.error if synonyms else ""), status
