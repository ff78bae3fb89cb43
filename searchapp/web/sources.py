"""/admin/sources: the web sources the index follows (sources/), added and removed with login
and CSRF, and a Fetch button that runs `searchapp fetch` as a detached process (like a
reindex: it survives a worker restart), its output in index/fetch.log."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..index.processes import process_alive, process_start
from ..ingest.saved import now_iso
from ..sources import registry
from ..sources.fetcher import fetch_running
from . import auth

bp = Blueprint("sources", __name__, url_prefix="/admin/sources")
RUN_FILE = "fetch.json"


def _root() -> Path:
    return Path(current_app.config["INDEX_DIR"]).absolute()


def running(root: Path) -> dict[str, object] | None:
    """The fetch started from this page while its process lives, else None."""
    try:
        data = json.loads((root / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    alive = isinstance(data, dict) and process_alive(int(data.get("pid", 0)),
                                                     str(data.get("pid_start", "")))
    return data if alive else None


@bp.get("/")
@bp.get("")
@auth.login_required
def page() -> ResponseReturnValue:
    root = _root()
    return render_template("admin/sources.html", sources=registry.load(root),
                           fetching=running(root), kinds=registry.KINDS)


@bp.post("/add")
@auth.login_required
def add() -> ResponseReturnValue:
    kind = request.form.get("kind") or None
    include = [p.strip() for p in request.form.get("include", "").splitlines() if p.strip()]
    try:
        source = registry.add(_root(), request.form.get("url", ""),
                              None if kind == "auto" else kind, include[:20], now_iso())
    except registry.SourceError as exc:
        flash(f"Not added: {exc}.")
    else:
        flash(f"Added the {source.kind} {source.url}. Fetch it to index its pages.")
    return redirect(url_for("sources.page"))


@bp.post("/remove")
@auth.login_required
def remove() -> ResponseReturnValue:
    url = request.form.get("url", "")
    if registry.remove(_root(), url):
        flash(f"Removed {url}; the pages already fetched stay in the archive.")
    else:
        flash("No such source.")
    return redirect(url_for("sources.page"))


@bp.post("/fetch")
@auth.login_required
def fetch() -> ResponseReturnValue:
    root = _root()
    if running(root) or fetch_running(root):  # this page's, or the CLI's, cron's, the interval's
        flash("A fetch is already running.")
        return redirect(url_for("sources.page"))
    if not registry.load(root):
        flash("Add a source first.")
        return redirect(url_for("sources.page"))
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "fetch.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "searchapp.cli", "fetch", "--quiet", "--index-dir", str(root)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    (root / RUN_FILE).write_text(json.dumps({"pid": proc.pid, "pid_start": process_start(proc.pid),
                                             "started": now_iso()}), encoding="utf-8")
    threading.Thread(target=proc.wait, name=f"reap-{proc.pid}", daemon=True).start()
    flash("Fetching every source; the index is brought up to date when it ends.")
    return redirect(url_for("sources.page"))
