"""Packaging: the wheel built from this checkout works on its own, outside the checkout.

The wheel is installed with its dependencies into a fresh virtual environment (no system site
packages, so a missing dependency fails here) and run from a temporary folder: `searchapp index`,
`searchapp serve`, a search over HTTP, the vendored htmx file and the version in the footer.
Also: every CLI command and option has help text, and the versions agree.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import click
import pytest

from searchapp import __version__
from searchapp.cli import main
from tests.web_helpers import free_port

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]
WORD = "zanzibarqx"


def _clean_env(venv: Path) -> dict[str, str]:
    """The environment without anything that points back at the checkout or its .venv."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SEARCHAPP_") and k not in ("PYTHONPATH", "VIRTUAL_ENV",
                                                           "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["RUST_BACKTRACE"] = "0"
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"{cmd} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}"
    return out.stdout


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, r.read().decode("utf-8")


def test_version_agrees() -> None:
    assert __version__ == VERSION
    out = subprocess.run([sys.executable, "-m", "searchapp.cli", "--version"],
                         capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == f"searchapp, version {VERSION}"


def _commands() -> list[tuple[str, click.Command]]:
    assert isinstance(main, click.Group)
    return [("searchapp", main)] + [(f"searchapp {n}", c) for n, c in main.commands.items()]


@pytest.mark.parametrize("name", [n for n, _ in _commands()])
def test_every_command_has_complete_help(name: str) -> None:
    command = dict(_commands())[name]
    assert (command.help or "").strip(), f"{name}: no description"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert (param.help or "").strip(), f"{name} {param.opts}: no help text"
        if isinstance(param, click.Argument):
            assert param.human_readable_name.upper() in (command.help or ""), (
                f"{name}: the description does not explain {param.human_readable_name}")
    args = name.split()[1:] + ["--help"]
    out = subprocess.run([sys.executable, "-m", "searchapp.cli", *args], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and "Usage: " in out.stdout, out.stderr


@pytest.mark.slow
def test_every_package_is_listed_for_the_wheel() -> None:
    """Each folder of modules under searchapp/ (ingest/formats/ too) is in pyproject's list."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                 ["tool"]["setuptools"]["packages"])
    folders = {p.parent.relative_to(ROOT).as_posix().replace("/", ".")
               for p in (ROOT / "searchapp").rglob("*.py")}
    assert folders - listed == set()


def test_wheel_installs_and_serves_outside_the_checkout(tmp_path: Path) -> None:
    t0 = time.monotonic()
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                    str(ROOT)], check=True, capture_output=True, timeout=300, cwd=tmp_path)
    (wheel,) = wheels.glob("searchapp-*.whl")
    assert wheel.name.startswith(f"searchapp-{VERSION}-")
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "searchapp").rglob("*.py")}
    assert modules - in_wheel == set(), "modules missing from the wheel"

    # A fresh environment from the base interpreter, without site packages: every dependency
    # must come from the wheel's metadata (pip's cache / index), none from the project's .venv.
    venv = tmp_path / "venv"
    base_python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base_python, "-m", "venv", str(venv)], check=True, timeout=120)
    env = _clean_env(venv)
    python, exe = str(venv / "bin" / "python"), str(venv / "bin" / "searchapp")
    work = tmp_path / "work"  # the current directory of every command: not the checkout
    work.mkdir()
    _run([python, "-m", "pip", "install", "-q", str(wheel)], work, env, timeout=600)
    installed = time.monotonic()

    where = _run([python, "-c", "import searchapp, searchapp.web as w; "
                  "print(searchapp.__file__); print(w._templates_dir()); print(w.create_app()"
                  ".static_folder)"], work, env).split()
    assert all(Path(p).resolve().is_relative_to(venv.resolve()) for p in where), where
    assert Path(where[1], "base.html").is_file() and Path(where[2], "app.css").is_file()
    assert _run([exe, "--version"], work, env).strip() == f"searchapp, version {VERSION}"

    docs = work / "my-docs"
    docs.mkdir()
    (docs / "harbour.txt").write_text(f"Harbour report\n\nCloves leave the {WORD} harbour.\n",
                                      encoding="utf-8")
    (docs / "notes.md").write_text("# Meeting notes\n\nNothing about islands.\n",
                                   encoding="utf-8")
    index = work / "idx"
    summary = _run([exe, "index", "--quiet", "--index-dir", str(index), str(docs)], work, env)
    assert "indexed 2 documents" in summary, summary

    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([exe, "serve", "--port", str(port), "--index-dir", str(index),
                                 "--workers", "1"], cwd=work, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")
            try:
                if _get(f"{base}/health")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
        status, page = _get(f"{base}/search?q={WORD}")
        assert status == 200
        assert "Harbour report" in page and "Meeting notes" not in page
        assert f"searchapp {VERSION}" in page  # the footer
        htmx = re.search(r'src="(/static/htmx[^"]+\.js)"', page)
        assert htmx, page
        status, js = _get(base + htmx.group(1))
        assert status == 200 and "htmx" in js and len(js) > 10_000
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    print(f"\npackaging: wheel + venv + install {installed - t0:.1f} s, "
          f"total {time.monotonic() - t0:.1f} s")
