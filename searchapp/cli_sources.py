"""`searchapp source add|list|remove` and `searchapp fetch`: the web sources an index follows."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .config import Settings
from .ingest.records import escape_controls

INDEX_DIR = click.option(  # every command's --index-dir (cli.py uses it too)
    "--index-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Index root folder (default: $SEARCHAPP_INDEX_DIR or ./index).")


@click.group("source", short_help="Web sources the index follows (sitemaps, feeds, sites).")
def source_group() -> None:
    """Sitemaps, RSS/Atom feeds, lists of URLs and sites whose pages the index keeps up to date
    (`searchapp fetch`). Sources are stored in the index folder (sources.json)."""


@source_group.command("add")
@INDEX_DIR
@click.option("--kind", type=click.Choice(["sitemap", "feed", "list", "site"]), default=None,
              help="What URL is (default: guessed from the URL).")
@click.option("--include", multiple=True,
              help="Only URLs matching this pattern (fnmatch, e.g. 'https://x.org/news/*'; repeatable).")
@click.argument("url")
def source_add(index_dir: Path | None, kind: str | None, include: tuple[str, ...], url: str) -> None:
    """Follow the site, sitemap, feed or list of URLs at URL (works before the index exists)."""
    from .ingest.saved import now_iso
    from .sources.registry import SourceError, add

    root = index_dir or Settings.from_env().index_dir
    try:
        source = add(root, url, kind, list(include), now_iso())
    except SourceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"added {source.kind} {source.url}; `searchapp fetch` fetches it")


@source_group.command("list")
@INDEX_DIR
@click.option("--json", "as_json", is_flag=True, help="Print the sources as JSON.")
def source_list(index_dir: Path | None, as_json: bool) -> None:
    """The sources and what their last fetch did."""
    import json
    from dataclasses import asdict

    from .sources.registry import load

    sources = load(index_dir or Settings.from_env().index_dir)
    if as_json:
        click.echo(json.dumps([asdict(s) for s in sources], ensure_ascii=False, indent=1))
        return
    if not sources:
        click.echo("no sources: add one with `searchapp source add URL`")
    for s in sources:
        click.echo(f"{s.kind:8} {s.url}" + (f"  include {' '.join(s.include)}" if s.include else ""))
        r = s.last
        if not r.when:
            click.echo("         never fetched")
            continue
        state = "reached" if r.reached else "NOT REACHED"
        click.echo(f"         {r.when} {state}: {r.listed} listed, {r.fetched} fetched, "
                   f"{r.unchanged} unchanged, {r.gone} gone, {r.failed} failed")
        for p in r.problems:
            click.echo(f"           {escape_controls(p)}")


@source_group.command("remove")
@INDEX_DIR
@click.argument("url")
def source_remove(index_dir: Path | None, url: str) -> None:
    """Stop following URL (the pages already saved stay in the archive)."""
    from .sources.registry import remove

    if not remove(index_dir or Settings.from_env().index_dir, url):
        raise click.ClickException(f"{url} is not a source (see `searchapp source list`)")
    click.echo(f"removed {url}")


@click.command("fetch", short_help="Fetch what is new in every web source, then update the index.")
@INDEX_DIR
@click.option("--quiet", "-q", is_flag=True, help="Only the summary.")
@click.option("--every", type=click.FloatRange(min=1), default=None, metavar="MINUTES",
              help="Fetch again every MINUTES until stopped ($SEARCHAPP_FETCH_INTERVAL for serve).")
@click.option("--parent-pid", type=int, default=None, hidden=True,
              help="Stop when this process (the server) is gone.")
def fetch_cmd(index_dir: Path | None, quiet: bool, every: float | None,
              parent_pid: int | None) -> None:
    """Fetch every source's new and changed pages (politely: robots.txt, one request at a time
    per host, $SEARCHAPP_FETCH_DELAY seconds apart, conditional requests), save them in the
    index folder's web/, then bring the index up to date (the first run builds it).

    Exits 0 when every source was reached."""
    settings = Settings.from_env()
    root = (index_dir or settings.index_dir).absolute()
    if every is None:
        unreached = fetch_once(root, quiet)
        if unreached:
            raise click.ClickException(f"{unreached} source(s) could not be reached (see above)")
        return
    import os
    import time

    while parent_pid is None or os.getppid() == parent_pid:
        try:
            fetch_once(root, quiet)
        except click.ClickException as exc:
            click.echo(f"fetch: {exc.message}", err=True)
        deadline = time.monotonic() + every * 60
        while time.monotonic() < deadline and (parent_pid is None or os.getppid() == parent_pid):
            time.sleep(2)


def fetch_once(root: Path, quiet: bool) -> int:
    """One fetch of every source and the index update; the number of sources not reached."""
    from .index.guard import RemovalRefused
    from .index.jobs import run_job
    from .index.layout import IndexBusy, IndexLayout
    from .index.manifest import roots as manifest_roots
    from .sources.fetcher import FetchBusy, fetch_all
    from .sources.registry import load, web_folder

    settings = Settings.from_env()
    if not load(root):
        raise click.ClickException("no sources: add one with `searchapp source add URL`")
    unreached = 0
    try:
        reports = fetch_all(root)
    except FetchBusy as exc:
        raise click.ClickException(str(exc)) from exc
    for source, r in reports:
        unreached += not r.reached
        click.echo(f"{source.url}: {'reached' if r.reached else 'NOT REACHED'}, {r.listed} listed, "
                   f"{r.fetched} fetched, {r.unchanged} unchanged, {r.gone} gone, {r.failed} failed")
        if not quiet:
            for p in r.problems:
                click.echo(f"  {escape_controls(p)}")  # a hostile site's URLs
    web = web_folder(root)
    layout = IndexLayout(root)
    name = layout.current_version()
    roots = (manifest_roots(layout.versions / name) or []) if name else []
    if web not in roots:
        roots.append(web)
    if web.is_dir() and any(web.iterdir()):
        try:
            result = run_job(root, roots, kind="incremental" if name else "full", who="fetch",
                             max_bytes=settings.max_file_bytes,
                             show_bar=not quiet and sys.stderr.isatty())
        except (RemovalRefused, IndexBusy) as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(result.summary().splitlines()[0])
    return unreached


def start_fetcher(root: Path):  # type: ignore[no-untyped-def]
    """`searchapp fetch --every N` beside the server when SEARCHAPP_FETCH_INTERVAL (minutes)
    is set: the web sources are fetched again on that interval."""
    import subprocess

    minutes = os.environ.get("SEARCHAPP_FETCH_INTERVAL", "").strip()
    try:
        if not minutes or float(minutes) < 1:
            return None
    except ValueError:
        click.echo(f"warning: SEARCHAPP_FETCH_INTERVAL={minutes!r} is not a number of minutes",
                   err=True)
        return None
    click.echo(f"fetching the web sources every {minutes} minutes", err=True)
    return subprocess.Popen([sys.executable, "-m", "searchapp.cli", "fetch", "--quiet",
                             "--every", minutes, "--index-dir", str(Path(root).absolute()),
                             "--parent-pid", str(os.getpid())])
