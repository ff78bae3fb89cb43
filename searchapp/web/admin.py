"""The admin pages: login, reindex (full / incremental) with live progress, rollback, history,
and the analyzer inspector. Every view needs a login; every POST a CSRF token."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from ..analysis.language import STEMMERS
from ..index import history, jobs, watch
from ..index.layout import IndexBusy, IndexLayout, IndexMissing, NoPreviousVersion, rollback
from . import auth
from .analyze import analyze
from .service import services

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _layout() -> IndexLayout:
    return IndexLayout(Path(current_app.config["INDEX_DIR"]).absolute())


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def _serving() -> dict[str, Any]:
    try:
        stats = services().engine.stats()
    except (IndexMissing, ValueError):
        return {"version": None, "documents": 0, "formats": {}}
    return {"version": stats["version"], "documents": stats["documents"],
            "formats": stats.get("formats") or {}}


def _versions(layout: IndexLayout) -> list[dict[str, Any]]:
    current = layout.current_version()
    previous = layout.previous_version()
    return [
        {"name": n, "current": n == current, "previous": n == previous,
         "complete": (layout.versions / n / "COMPLETE").exists()}
        for n in reversed(layout.list_versions())
    ]


def _status_context(notice: str = "") -> dict[str, Any]:
    layout = _layout()
    return {
        "job": jobs.read_status(layout),
        "serving": _serving(),
        "versions": _versions(layout),
        "runs": history.read(layout, 20),
        "notice": notice,
        "watching": watch.status(layout.root),
    }


def _status_response(notice: str = "", started: bool = False) -> ResponseReturnValue:
    ctx = _status_context(notice)
    if _wants_json():
        job = ctx["job"]
        return jsonify(started=started, notice=notice, serving=ctx["serving"],
                       job=asdict(job) | {"percent": job.percent} if job else None)
    if request.headers.get("HX-Request"):
        return render_template("admin/_status.html", **ctx)
    if notice:
        flash(notice)
    return redirect(url_for("admin.index"))


# --------------------------------------------------------------------------- login


@bp.route("/login", methods=["GET", "POST"])
@auth.limiter.limit(auth.LOGIN_LIMIT, methods=["POST"])
def login() -> ResponseReturnValue:
    error = ""
    if request.method == "POST":
        if auth.check_password(request.form.get("password", "")):
            auth.log_in()
            return redirect(_safe_next(request.args.get("next")))
        error = "Wrong password."
    status = 401 if error else 200
    return render_template("admin/login.html", error=error), status


def _safe_next(target: str | None) -> str:
    """Only a local /admin path is a redirect target (no open redirect)."""
    if target and target.startswith("/admin") and not urlsplit(target).netloc:
        return target
    return url_for("admin.index")


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    auth.log_out()
    return redirect(url_for("admin.login"))


# --------------------------------------------------------------------------- jobs


@bp.get("")
@bp.get("/")
@auth.login_required
def index() -> ResponseReturnValue:
    return render_template("admin/index.html", **_status_context())


@bp.get("/status")
@auth.login_required
def status() -> ResponseReturnValue:
    return _status_response()


@bp.post("/reindex")
@auth.login_required
def reindex() -> ResponseReturnValue:
    kind = "incremental" if request.form.get("kind") == "incremental" else "full"
    layout = _layout()
    current = jobs.read_status(layout)
    if current is not None and current.running:
        return _status_response(f"An indexing run is already in progress ({current.kind}, "
                                f"started by {current.who} at {current.started}).")
    try:
        job = jobs.start_job(layout.root, Path(current_app.config["DOCS_DIR"]), kind)
    except IndexBusy:
        return _status_response("Another indexing run holds the index (for example "
                                "`searchapp index` on the command line); try again when it ends.")
    return _status_response(f"Started a {job.kind} reindex.", started=True)


@bp.post("/rollback")
@auth.login_required
def rollback_view() -> ResponseReturnValue:
    layout = _layout()
    before = layout.current_version()
    try:
        target = rollback(layout)
    except IndexBusy:
        return _status_response("An indexing run is in progress: roll back when it ends.")
    except NoPreviousVersion as exc:
        return _status_response(str(exc).capitalize() + ".")
    now = jobs.now()
    history.append(layout, {
        "id": jobs.new_job_id(), "kind": "rollback", "who": "admin", "start": now, "end": now,
        "documents": None, "skipped": 0, "skipped_reasons": [], "outcome": "succeeded",
        "message": f"rolled back from {before} to {target}", "version": target,
    })
    return _status_response(f"Rolled back to version {target}.")


# --------------------------------------------------------------------------- analyzers


@bp.get("/analyze")
@auth.login_required
def analyze_view() -> ResponseReturnValue:
    text = request.args.get("text", "")
    lang = request.args.get("lang", "auto")
    result = analyze(text, lang, services().engine.analyzers) if text.strip() else None
    return render_template("admin/analyze.html", text=text, lang=lang, result=result,
                           langs=sorted(STEMMERS))


def init_app(app: Any) -> None:
    """Login/CSRF/rate limits, the blueprint, and removal of builds a crash left behind."""
    auth.init_app(app)
    app.register_blueprint(bp)
    from ..index.layout import cleanup_dead_builds

    keep = jobs.JobSettings.from_env().keep_versions
    cleanup_dead_builds(IndexLayout(Path(app.config["INDEX_DIR"]).absolute()), keep)
