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

from ..index import history, jobs, manifest, watch
from ..index.layout import IndexBusy, IndexLayout, IndexMissing, NoPreviousVersion, rollback
from ..search.engine import backend_name
from . import auth
from .analyze import analyze, analyze_languages
from .runs import breakable, run_rows
from .service import overview, services

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
            "formats": stats.get("formats") or {}, "problem": stats.get("problem") or ""}


def _versions(layout: IndexLayout) -> list[dict[str, Any]]:
    current = layout.current_version()
    previous = layout.previous_version()
    return [
        {"name": n, "current": n == current, "previous": n == previous,
         "complete": (layout.versions / n / "COMPLETE").exists()}
        for n in reversed(layout.list_versions())
    ]


def _docs_dir() -> Path:
    return Path(current_app.config["DOCS_DIR"]).absolute()


def index_roots(layout: IndexLayout) -> list[Path] | None:
    """The folders the serving index was built from (its manifest); None: no index yet, or one
    built before they were recorded."""
    name = layout.current_version()
    return manifest.roots(layout.versions / name) if name else None


def _status_context(notice: str = "") -> dict[str, Any]:
    layout = _layout()
    roots = index_roots(layout)
    return {
        "roots": roots,  # what Full reindex rebuilds (else SEARCHAPP_DOCS_DIR, the first build)
        "rebuilds": roots or [_docs_dir()],
        "docs_dir": _docs_dir(),
        "job": jobs.read_status(layout),
        "serving": _serving(),
        "versions": _versions(layout),
        "runs": run_rows(history.read(layout, 20)),
        "notice": notice,
        "watching": watch.status(layout.root),
        "vectors": _vectors(layout),
    }


def _vectors(layout: IndexLayout) -> dict[str, Any]:
    """Search by meaning: the serving version's coverage and the embed job (semantic.html)."""
    from ..embed.store import any_meta  # noqa: PLC0415
    from ..index.embedjob import status as embed_status  # noqa: PLC0415

    name = layout.current_version()
    meta = any_meta(layout.versions / name) if name else {}
    return {"meta": meta, "job": embed_status(layout.root),
            "backend": services().engine.backend.name}


def _status_response(notice: str = "", started: bool = False) -> ResponseReturnValue:
    ctx = _status_context(notice)
    if _wants_json():
        job = ctx["job"]
        return jsonify(started=started, notice=notice, serving=ctx["serving"],
                       vectors=ctx["vectors"],
                       job=asdict(job) | {"percent": job.percent, "step": job.step}
                       if job else None)
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
    """Only a local /admin path is a redirect target (no open redirect, and nothing that
    would break the Location header: control characters or spaces)."""
    if (target and target.startswith("/admin") and not urlsplit(target).netloc
            and all(c.isprintable() and not c.isspace() for c in target)):
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
    current_roots = index_roots(layout)
    targets = current_roots or [_docs_dir()]
    folder = request.form.get("folder", "").strip()
    if folder:  # another folder than the index's: only a full build, and only once confirmed
        try:
            chosen = [Path(folder).expanduser().absolute()]
        except RuntimeError:  # ~user of no such user
            return _status_response(f"Not started: {folder[:200]!r} is not a folder name.")
        if chosen != targets:
            if request.form.get("confirm") != "1":
                return _status_response(
                    f"Not started: rebuilding from {chosen[0]} would replace the index of "
                    f"{', '.join(map(str, targets))}. Tick the confirmation to do it.")
            if problem := _folder_problem(chosen[0]):
                return _status_response(f"Not started: {str(chosen[0])[:200]} {problem}.")
        targets, kind = chosen, "full"
    current = jobs.read_status(layout)
    if current is not None and current.running:
        return _status_response(f"An indexing run is already in progress ({current.kind}, "
                                f"started by {current.who} at {current.started}).")
    try:
        job = jobs.start_job(layout.root, targets, kind,
                             confirmed=request.form.get("confirm") == "1")
    except IndexBusy:
        return _status_response("Another indexing run holds the index (for example "
                                "`searchapp index` on the command line); try again when it ends.")
    except OSError as exc:
        return _status_response(_cannot_write(exc))
    return _status_response(f"Started a {job.kind} reindex of {', '.join(job.roots)}.",
                            started=True)


def _folder_problem(folder: Path) -> str:
    """Why folder cannot be indexed ('' when it can): missing, or a name the system refuses."""
    try:
        return "" if folder.exists() else "does not exist"
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte
        return f"cannot be read ({getattr(exc, 'strerror', None) or exc})"


def _cannot_write(exc: OSError) -> str:
    """One line for a reindex or rollback the disk refused (read-only, full, permissions)."""
    return (f"The index folder cannot be written ({exc.strerror or exc}): nothing was changed, "
            "the serving version still serves.")


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
    except OSError as exc:
        return _status_response(_cannot_write(exc))
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
    engine = services().engine
    result = analyze(text, lang, engine.analyzers, engine.current_synonyms()) if text.strip() else None
    return render_template("admin/analyze.html", text=text, lang=lang, result=result,
                           groups=analyze_languages(_index_languages()),
                           backend=backend_name())


def _index_languages() -> list[str]:
    """The languages the serving index holds, most documents first ([] without an index)."""
    home = overview()
    return [f.value for f in home.languages if f.value] if home else []


def init_app(app: Any) -> None:
    """Login/CSRF/rate limits, the blueprint, and removal of builds a crash left behind."""
    auth.init_app(app)
    app.register_blueprint(bp)
    app.jinja_env.filters["breakable"] = breakable
    from . import synonyms

    app.register_blueprint(synonyms.bp)
    from . import sources

    app.register_blueprint(sources.bp)
    from ..index.layout import cleanup_dead_builds

    keep = jobs.JobSettings.from_env().keep_versions
    cleanup_dead_builds(IndexLayout(Path(app.config["INDEX_DIR"]).absolute()), keep)
