"""Helpers for the web and browser tests: a hostile-document index and a real server process."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from searchapp.index.build import build_index

# How every browser test (and bench/bench_pagefind.py) launches Debian's Chromium.
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]

XSS_TITLE = "<script>alert(1)</script> Tricky <img src=x onerror=alert(1)> title"
XSS_HTML = f"""<!doctype html><html lang="en"><head><title>{XSS_TITLE.replace('<', '&lt;')}</title></head>
<body><p>Payload zanzibar: &lt;script&gt;alert(1)&lt;/script&gt; and
&lt;img src=x onerror=alert(1)&gt; must stay text.</p></body></html>"""
XSS_TEXT = (
    "<img src=x onerror=alert(1)> zanzibar heading\n\n"
    "Plain text zanzibar body with <script>alert(1)</script> and <img src=x onerror=alert(1)> "
    "and <b>bold</b> tags that must stay text.\n"
)


def build_xss_index(tmp: Path) -> Path:
    """An index of documents whose titles and bodies carry HTML/JS payloads (one in a subfolder)."""
    docs = tmp / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "evil.html").write_text(XSS_HTML, encoding="utf-8")
    (docs / "sub" / "evil.txt").write_text(XSS_TEXT, encoding="utf-8")
    root = tmp / "index"
    build_index(root, [docs])
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_command(index_dir: Path, port: int, workers: int = 1) -> list[str]:
    exe = shutil.which("searchapp", path=str(Path(sys.executable).parent))
    if exe:
        return [exe, "serve", "--host", "127.0.0.1", "--port", str(port),
                "--index-dir", str(index_dir), "--workers", str(workers), "--threads", "4"]
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--threads", "4", "--worker-class", "gthread",
            "searchapp.web:create_app()"]


@contextmanager
def running_server(index_dir: Path, log: Path, workers: int = 1,
                   extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Start the real server on a free port, wait for /health, yield its base URL, stop it."""
    port = free_port()
    env = {**os.environ, "SEARCHAPP_INDEX_DIR": str(index_dir), **(extra_env or {})}
    with open(log, "wb") as out:
        proc = subprocess.Popen(_server_command(index_dir, port, workers), env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited: {log.read_text(errors='replace')}")
                try:
                    with urllib.request.urlopen(f"{base}/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {log.read_text(errors='replace')}")
                time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
