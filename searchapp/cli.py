"""The `searchapp` command: index, search, serve."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .backends import BackendUnavailable
from .cli_embed import embed_cmd, embed_in_background
from .cli_sources import INDEX_DIR as _INDEX_DIR
from .config import Settings
from .index.build import DocumentRefused, EmptyBuild, ValidationFailed
from .index.layout import IndexBusy, IndexMissing, is_built
from .ingest.records import escape_controls
from .search.engine import Engine
from .search.request import SearchRequest


class _Main(click.Group):
    """Every command ends with one line and a non-zero exit when the disk refuses (full,
    read-only, permissions): the serving index is only ever replaced by a complete version."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            raise click.ClickException(disk_message(exc)) from exc


def disk_message(exc: OSError) -> str:
    """'cannot write /x: No space left on device (...)' in one line."""
    where = f" {exc.filename}" if exc.filename else ""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return (f"cannot read or write{where}: {reason} "
            "(nothing was changed: the serving index, if any, is as it was)")


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="searchapp")
def main() -> None:
    """Multilingual full-text search for folders of documents.

    \b
    Quick start:
      searchapp index ~/archive        build the index (default: $SEARCHAPP_DOCS_DIR or ./seeds)
      searchapp serve                  web UI on http://127.0.0.1:8000 (admin at /admin)
      searchapp search "quyen"         search from the terminal

    Settings come from SEARCHAPP_* environment variables (see the README)."""


@main.command("index", short_help="Index files or folders (full rebuild or --incremental).")
@_INDEX_DIR
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, only the summary.")
@click.option("--incremental", is_flag=True,
              help="Re-index only files added, changed or removed since the last run, in place.")
@click.option("--yes", "-y", "confirmed", is_flag=True,
              help="Allow a run that removes most of the serving documents, or that reads a "
                   "remembered folder that is now missing, empty or unmounted.")
@click.option("--who", default="cli", hidden=True, help="Who started the run (history).")
@click.option("--job-id", default=None, hidden=True, help="Job id given by the admin page.")
@click.option("--lock-fd", type=int, default=None, hidden=True,
              help="Inherited descriptor holding the writer lock (admin page).")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def index_cmd(index_dir: Path | None, quiet: bool, incremental: bool, confirmed: bool, who: str,
              job_id: str | None, lock_fd: int | None, paths: tuple[Path, ...]) -> None:
    """Build a new index version from PATHS (files or folders; default: the folders the index
    was built from, else $SEARCHAPP_DOCS_DIR or ./seeds) and switch searches to it once it is
    complete and has passed its checks.

    A run that would remove most of the documents the index serves (more than
    $SEARCHAPP_MAX_REMOVE_RATIO, default 0.5), or whose remembered folder is missing, empty or
    unmounted, changes nothing unless --yes is given.

    Reads PDF, DOCX, PPTX, XLSX, ODT/ODS/ODP, RTF, EPUB, EML/MBOX, HTML, text, Markdown and
    JSON/JSON lines (images with SEARCHAPP_OCR=1). Files that cannot be read are skipped and
    listed with their reason; the serving index is untouched if the build fails. Progress goes
    to index/job.json and every run to index/history.jsonl (both shown on /admin)."""
    from .index.guard import RemovalRefused
    from .index.jobs import run_job

    settings = Settings.from_env()
    root = index_dir or settings.index_dir
    roots = list(paths) or _remembered_roots(root) or [settings.docs_dir]
    if not paths:
        click.echo(f"indexing {', '.join(map(str, roots))}"
                   + (" (the folders this index was built from)"
                      if _remembered_roots(root) else ""), err=True)
    try:
        result = run_job(
            root, roots, kind="incremental" if incremental else "full", who=who, job_id=job_id,
            lock_fd=lock_fd, max_bytes=settings.max_file_bytes,
            show_bar=not quiet and sys.stderr.isatty(), confirmed=confirmed,
            say=_say if not quiet and sys.stderr.isatty() else None,  # as the bar: a terminal
        )
    except RemovalRefused as exc:
        raise click.ClickException(str(exc)) from exc
    except IndexBusy as exc:
        raise click.ClickException(str(exc)) from exc
    except EmptyBuild as exc:
        raise click.ClickException(f"{exc} (looked in: {', '.join(map(str, roots))})") from exc
    except (ValidationFailed, IndexMissing, DocumentRefused, BackendUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(result.summary())
    embed_in_background(root)


def _remembered_roots(index_root: Path) -> list[Path]:
    """The folders the serving version was built from ([] without an index or a manifest)."""
    from .index.layout import IndexLayout
    from .index.manifest import roots

    layout = IndexLayout(index_root)
    name = layout.current_version()
    return (roots(layout.versions / name) or []) if name else []


def _say(line: str) -> None:
    """A progress line on stderr, above the progress bar when there is one."""
    from tqdm import tqdm

    tqdm.write(line, file=sys.stderr)


@main.command("admin-password", short_help="Set the /admin password.")
@_INDEX_DIR
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="The new password (asked for when not given).")
def admin_password_cmd(index_dir: Path | None, password: str) -> None:
    """Set the /admin password (stored as a hash in the instance folder; a running server picks
    it up at its next login). $SEARCHAPP_ADMIN_PASSWORD, when set, still wins."""
    from .web.auth import instance_dir, store_password

    settings = Settings.from_env()
    folder = instance_dir(index_dir or settings.index_dir)
    if len(password) < 8:
        raise click.ClickException("use at least 8 characters")
    path = store_password(folder, password)
    click.echo(f"password hash stored in {path}")


def _plain_snippet(html: str) -> str:
    import html as htmlmod

    return htmlmod.unescape(html.replace("<mark>", "").replace("</mark>", ""))


@main.command("search")
@_INDEX_DIR
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: {total, hits:[{id,title,lang,score,snippet,format,page}], query, "
                   "searched, suggestion, corrected, warnings} (the fields of /api/search).")
@click.option("--limit", "-n", type=click.IntRange(1, 100), default=10, show_default=True, help="Hits to show.")
@click.option("--lang", multiple=True, help="Only documents in this language (ISO 639-1; repeatable).")
@click.option("--verbatim", is_flag=True,
              help="Search exactly QUERY, even when it finds nothing and a correction would.")
@click.option("--semantic/--no-semantic", default=None,
              help="Fuse keyword results with results by meaning (needs vectors: `searchapp "
                   "embed`), or keywords only; default: $SEARCHAPP_SEMANTIC_DEFAULT.")
@click.argument("query")
def search_cmd(index_dir: Path | None, as_json: bool, limit: int, lang: tuple[str, ...],
               verbatim: bool, semantic: bool | None, query: str) -> None:
    """Search the index for QUERY.

    Syntax: words (all must match), "a phrase", -excluded, a OR b, title:word, lang:vi,
    date:2024-01..2024-06. Diacritics are optional: `quyen` finds quyền. As on the web page,
    a query that finds nothing shows the results of its correction, if it has some."""
    from .search.answer import correction_fields
    from .search.correct import search_with_correction
    from .search.semantic import SemanticIndex
    from .search.suggest import Suggester

    settings = Settings.from_env()
    root = index_dir or settings.index_dir
    engine = Engine(root, semantic=SemanticIndex(root))
    suggester = Suggester(engine, wait=120)
    # The request and the did-you-mean of /search and /api/search (web/service.run_search):
    # the same defaults (the last word a prefix, as typed in the search box), the suggester
    # asked for every query, so the same query gets the same hits and the same correction.
    req = SearchRequest(query=query, page_size=limit, lang=lang, semantic=semantic)
    try:
        answer = search_with_correction(engine.search, suggester.suggest,
                                        engine.analyzers.fold, req, verbatim)
    except IndexMissing as exc:
        raise click.ClickException(str(exc)) from exc
    page = answer.page
    if as_json:
        payload = {
            "total": page.total,
            "hits": [
                {"id": h.id, "title": h.title, "lang": h.lang, "score": round(h.score, 4),
                 "snippet": _plain_snippet(h.snippet_html), "format": h.format or None,
                 "page": h.page, "match": h.match}
                for h in page.hits
            ],
            **correction_fields(page, answer.suggestion, list(dict.fromkeys(page.warnings))),
        }
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    for w in page.warnings:
        click.secho(f"note: {w}", fg="yellow", err=True)
    if page.corrected_from:
        click.secho(f"note: no results for {query!r}; showing results for "
                    f"{answer.suggestion!r} (--verbatim searches exactly what you typed)",
                    fg="yellow", err=True)
    elif answer.suggestion:
        click.secho(f"note: did you mean {answer.suggestion!r}?", fg="yellow", err=True)
    click.echo(f"{page.total} result{'' if page.total == 1 else 's'} ({page.elapsed_ms:.1f} ms)")
    bold, plain = ("\x1b[1m", "\x1b[0m") if sys.stdout.isatty() else ("", "")
    # A document's text and name reach the terminal with their control characters escaped
    # (\x1b]0;… in a file would retitle the window, \x07 ring, \x1b[2J clear the screen).
    for i, h in enumerate(page.hits, 1):
        marked = h.snippet_html.replace("<mark>", "\ue000").replace("</mark>", "\ue001")
        snippet = escape_controls(_plain_snippet(marked)).replace("\ue000", bold).replace(
            "\ue001", plain)
        by = "  (matched by meaning)" if h.match == "meaning" else ""
        click.echo(f"\n{i}. {escape_controls(h.title)}  [{h.lang or '?'}] {h.date or ''}  "
                   f"({escape_controls(h.id)}, {h.score:.2f}){by}")
        click.echo(f"   {snippet}")


@main.command("serve")
@click.option("--host", default=None,
              help="Address to bind (default: $SEARCHAPP_HOST or 127.0.0.1).")
@click.option("--port", "-p", type=int, default=None,
              help="Port (default: $SEARCHAPP_PORT or 8000).")
@_INDEX_DIR
@click.option("--workers", type=int, default=None,
              help="Worker processes (default: $SEARCHAPP_WORKERS or 2).")
@click.option("--threads", type=int, default=None,
              help="Threads per worker (default: $SEARCHAPP_THREADS or 2).")
@click.option("--watch", is_flag=True, default=None,
              help="Keep the index in step with the documents folder (default: $SEARCHAPP_WATCH).")
def serve_cmd(host: str | None, port: int | None, index_dir: Path | None, workers: int | None,
              threads: int | None, watch: bool | None) -> None:
    """Serve the web UI, the JSON API and /admin with gunicorn.

    When the index folder holds no index yet, the documents folder ($SEARCHAPP_DOCS_DIR or
    ./seeds) is indexed first. The admin password is $SEARCHAPP_ADMIN_PASSWORD, else one is
    generated on first start and printed once to this log."""
    settings = Settings.from_env()
    root = index_dir or settings.index_dir
    # A full build only when no version can serve (a missing CURRENT or a damaged serving
    # version falls back to an intact older one: backends/tantivy/backend.py)
    if not is_built(root) and not (root / "meta.json").exists() and not Engine(root).available():
        click.echo(f"No index in {root} yet: indexing {settings.docs_dir} ...", err=True)
        from .index.jobs import run_job

        try:
            result = run_job(
                root, [settings.docs_dir], who="serve", max_bytes=settings.max_file_bytes,
                say=_say,
            )
            click.echo(result.summary(), err=True)
        except (EmptyBuild, IndexBusy, ValidationFailed) as exc:
            click.echo(f"warning: {exc}; serving without an index", err=True)
        except OSError as exc:
            click.echo(f"warning: {disk_message(exc)}; serving without an index", err=True)
    from .server import run  # noqa: PLC0415

    embed_in_background(root)
    watcher = _start_watcher(root, settings.docs_dir) if (watch or settings.watch) else None
    from .cli_sources import start_fetcher

    fetcher = start_fetcher(root)
    try:
        run(
            host=host or settings.host,
            port=port or settings.port,
            index_dir=root,
            workers=workers or settings.workers,
            threads=threads or settings.threads,
        )
    finally:
        for child in (watcher, fetcher):
            if child is not None:
                child.terminate()
                child.wait(10)


def _start_watcher(root: Path, docs_dir: Path):  # type: ignore[no-untyped-def]
    """`searchapp watch` as ONE child of the server (gunicorn's arbiter runs in this process),
    so the folder is watched once, not once per worker."""
    import subprocess

    click.echo("watching the documents folder for changes", err=True)
    return subprocess.Popen([sys.executable, "-m", "searchapp.cli", "watch", "--index-dir",
                             str(Path(root).absolute()), "--parent-pid", str(os.getpid())])


@main.command("watch", short_help="Keep the index in step with a folder (foreground).")
@_INDEX_DIR
@click.option("--parent-pid", type=int, default=None, hidden=True,
              help="Stop when this process (the server) is gone.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def watch_cmd(index_dir: Path | None, parent_pid: int | None, paths: tuple[Path, ...]) -> None:
    """Watch PATHS (default: the folders the serving index was built from, else
    $SEARCHAPP_DOCS_DIR) and apply every saved, changed or removed file to the index within
    seconds, through incremental updates (batched). One watcher per index."""
    import logging

    from .index.watch import AlreadyWatched, watch_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s watch %(message)s")
    from .index.watch import indexed_roots

    settings = Settings.from_env()
    root = index_dir or settings.index_dir
    try:
        watch_forever(root, list(paths) or indexed_roots(root) or [settings.docs_dir], parent_pid,
                      follow=not paths)
    except AlreadyWatched as exc:
        raise click.ClickException(str(exc)) from exc


def _add_source_commands() -> None:
    from .cli_sources import fetch_cmd, source_group

    main.add_command(source_group)
    main.add_command(fetch_cmd)
    main.add_command(embed_cmd)


_add_source_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
