"""The README stays true: its settings are the ones the code reads, its commands exist."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
VARIABLE = re.compile(r"SEARCHAPP_[A-Z_]*[A-Z]")


def _code_variables() -> set[str]:
    return {m for path in (ROOT / "searchapp").rglob("*.py")
            for m in VARIABLE.findall(path.read_text(encoding="utf-8"))}


def _configuration_table() -> str:
    section = README.split("\n## Configuration", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("| `SEARCHAPP_"))


def test_readme_names_exactly_the_variables_the_code_reads() -> None:
    in_code = _code_variables()
    in_readme = set(VARIABLE.findall(README))
    assert in_code, "no SEARCHAPP_* variable found in searchapp/"
    assert in_readme - in_code == set(), "README names variables the code never reads"
    assert in_code - in_readme == set(), "the code reads variables the README does not name"


def test_configuration_table_lists_every_variable_with_a_default() -> None:
    table = _configuration_table()
    assert set(VARIABLE.findall(table)) == _code_variables()
    for row in table.splitlines():
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 3 and all(cells), f"incomplete row: {row}"


def test_setup_commands_exist() -> None:
    assert "./run.sh serve " in README and "./run.sh test " in README
    run_sh = (ROOT / "run.sh").read_text(encoding="utf-8")
    assert re.search(r"^\s*serve\)", run_sh, re.MULTILINE) and re.search(r"^\s*test\)", run_sh, re.MULTILINE)
    usage = subprocess.run([str(ROOT / "run.sh"), "nonsense"], capture_output=True, text=True,
                           timeout=30)
    assert usage.returncode == 2 and "./run.sh serve" in usage.stderr


@pytest.mark.parametrize("command", sorted(set(re.findall(r"searchapp ([a-z][a-z-]+)", README))))
def test_searchapp_commands_in_the_readme_exist(command: str) -> None:
    from searchapp.cli import main

    assert command in main.commands, f"README mentions `searchapp {command}`"


def test_screenshots_are_committed_and_small() -> None:
    for name in re.findall(r"\((docs/[\w-]+\.png)\)", README):
        path = ROOT / name
        assert path.is_file(), name
        assert path.stat().st_size < 200_000, f"{name}: {path.stat().st_size} bytes"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_readme_links_resolve() -> None:
    for target in re.findall(r"\]\(((?!https?:)[^)#]+)\)", README):
        assert (ROOT / target).exists(), target


def test_cli_help_points_at_the_settings() -> None:
    out = subprocess.run([sys.executable, "-m", "searchapp.cli", "--help"], capture_output=True,
                         text=True, timeout=60, check=True)
    assert "SEARCHAPP_" in out.stdout and "--version" in out.stdout
