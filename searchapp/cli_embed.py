"""`searchapp embed`, and the background embed job that `index`, `serve` and the watcher start
with SEARCHAPP_SEMANTIC=1."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .cli_sources import INDEX_DIR
from .config import Settings
from .index.layout import IndexMissing


@click.command("embed", short_help="Compute the missing vectors (semantic search).")
@INDEX_DIR
@click.option("--background", is_flag=True, hidden=True,
              help="Started by index/serve/watch: exit at once if another run holds the lock.")
@click.option("--quiet", "-q", is_flag=True, help="Only the summary.")
def embed_cmd(index_dir: Path | None, background: bool, quiet: bool) -> None:
    """Compute the missing vectors of the serving version (title and lead of every document
    first, then further passages up to $SEARCHAPP_SEMANTIC_PASSAGES), reusing every vector
    already computed for the same text; exit 0 when they are complete. Safe to interrupt: the
    next run goes on from where this one stopped."""
    from .embed import EmbedderUnavailable, SemanticSettings
    from .index.embedjob import EmbedBusy, run_embed
    from .index.vectors import SemanticUnavailable

    root = index_dir or Settings.from_env().index_dir
    if background:
        os.nice(10)  # keyword search keeps the cores first
    last = [0.0]

    def report(prog):  # type: ignore[no-untyped-def]
        import time

        if not quiet and (time.monotonic() - last[0] > 2 or prog.phase == "done"):
            last[0] = time.monotonic()
            click.echo(prog.line(), err=True)

    try:
        prog = run_embed(root, SemanticSettings.from_env(), wait=not background, report=report)
    except EmbedBusy as exc:
        if background:
            return
        raise click.ClickException(str(exc)) from exc
    except (EmbedderUnavailable, SemanticUnavailable, IndexMissing) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"vectors complete for version {prog.version}: {prog.embedded:,} passages of "
               f"{prog.documents:,} documents ({prog.new:,} embedded now, "
               f"{prog.embedded - prog.new:,} from the cache)")


def embed_in_background(root: Path) -> None:
    """With SEARCHAPP_SEMANTIC=1: compute the vectors in a detached child (keyword search
    serves meanwhile); progress on /admin and from `searchapp embed`."""
    from .embed import SemanticSettings

    if not SemanticSettings.from_env().enabled:
        return
    from .index.embedjob import start_background

    child = start_background(root)
    click.echo(f"vectors: computed in the background (pid {child.pid}; progress on /admin, "
               "or run `searchapp embed` to wait for them)", err=True)
