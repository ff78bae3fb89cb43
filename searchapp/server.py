"""Run the app under gunicorn (a production WSGI server), one app per worker, after fork."""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from .logsafe import escaped, guard

ACCESS_LOG = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'
ACCESS_LOG_WITH_QUERIES = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss "%(f)s" "%(a)s"'


class _SafeAtoms(glogging.SafeAtoms):  # type: ignore[misc]
    """gunicorn's access-log atoms with control characters escaped (logsafe.py)."""

    def __init__(self, atoms: dict[str, Any]) -> None:
        super().__init__({k: escaped(v) for k, v in atoms.items()})


class SafeLogger(glogging.Logger):  # type: ignore[misc]
    """gunicorn's logger; no client-sent text writes a line or a terminal escape of its own."""

    atoms_wrapper_class = _SafeAtoms

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                guard(handler)


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, object]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings an older gunicorn lacks are left out
                self.cfg.set(key, value)

    def load(self):  # type: ignore[no-untyped-def]
        # Called in each worker after fork (no preload): every worker opens the index itself.
        from .web import create_app

        return create_app()


def metrics_dir() -> str | None:
    """Point $PROMETHEUS_MULTIPROC_DIR at a private temporary folder when it is unset (before any
    worker imports prometheus_client); that folder, made here, is removed at exit."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return None
    made = tempfile.mkdtemp(prefix="searchapp-metrics-")  # mode 0700
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = made
    return made


def _child_exit(server: Any, worker: Any) -> None:
    """A worker ended: drop its live-gauge files (its counters stay summed in)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def share_modules() -> None:
    """Import the app's modules in the master, before the workers fork, and move them out of the
    garbage collector's reach: the workers share those pages instead of each holding its own
    copy (no index, thread or file is opened by importing; each worker still builds its app)."""
    from . import web  # noqa: F401

    gc.collect()
    gc.freeze()


def run(host: str, port: int, index_dir: Path, workers: int, threads: int) -> None:
    """Serve until interrupted."""
    os.environ["SEARCHAPP_INDEX_DIR"] = str(Path(index_dir).resolve())
    made = metrics_dir()
    share_modules()

    def on_exit(server: Any) -> None:
        if made:
            shutil.rmtree(made, ignore_errors=True)

    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "preload_app": False,
            "accesslog": "-",
            # No query string or referrer (they hold what people search for) unless asked.
            "access_log_format": ACCESS_LOG_WITH_QUERIES
            if os.environ.get("SEARCHAPP_LOG_QUERIES", "") in ("1", "true") else ACCESS_LOG,
            "errorlog": "-",
            "logger_class": SafeLogger,
            "timeout": 60,
            "limit_request_line": 8190,  # gunicorn's maximum: long non-Latin queries fit
            "graceful_timeout": 10,
            "child_exit": _child_exit,
            "on_exit": on_exit,
            # gunicorn would believe X-Forwarded-Proto from 127.0.0.1 (a local client, or any
            # client through a proxy that passes the header on): the scheme is the app's
            # decision, made only with $SEARCHAPP_PROXY_FIX (web/security.py)
            "secure_scheme_headers": {},
            "forwarded_allow_ips": "",
            # No control socket: gunicorn's default (~/.gunicorn/gunicorn.ctl) is one path per
            # user, so two servers on one machine would share it (and one could stop the other).
            "control_socket_disable": True,
        }
    ).run()
