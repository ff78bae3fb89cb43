#!/usr/bin/env bash
# The two set-up commands:  ./run.sh serve   and   ./run.sh test
# Both create .venv (Python >= 3.11) and install the project into it when needed.
set -euo pipefail
cd "$(dirname "$0")"

find_python() {
  for py in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$py" ] || continue
    if command -v "$py" >/dev/null 2>&1 &&
       "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  echo "searchapp needs Python >= 3.11 (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

# ensure_venv SPEC STAMP: install SPEC ('.' to serve, '.[test]' for the tests) once per change
# of pyproject.toml. Serving needs no test tools (Playwright alone is ~165 MB).
ensure_venv() {
  local spec=$1 stamp=.venv/$2
  if [ ! -x .venv/bin/python ]; then
    local py
    py=$(find_python)
    echo "Creating .venv with $py ..." >&2
    "$py" -m venv .venv
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    # about 45 s with a warm pip cache, 1-2 min on a cold one: a line per package meanwhile
    echo "Installing searchapp ($spec) and its libraries into .venv (full log: .venv/pip.log) ..." >&2
    if ! .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off \
         -e "$spec" 2>&1 | tee .venv/pip.log |
         { grep --line-buffered -E '^(Collecting|Installing collected|Successfully installed)' || true; } |
         while IFS= read -r line; do echo "  ${line:0:110}" >&2; done; then
      tail -20 .venv/pip.log >&2
      echo "pip install failed (full log: .venv/pip.log)" >&2
      exit 1
    fi
    touch "$stamp"
  fi
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  serve)  # install, index seeds/ (or $SEARCHAPP_DOCS_DIR) if there is no index yet, serve
    if [ "${SEARCHAPP_SEMANTIC:-}" = 1 ]; then  # the bundled embedding model (search by meaning)
      ensure_venv '.[semantic]' .installed-semantic
    else
      ensure_venv . .installed
    fi
    exec .venv/bin/searchapp serve "$@" ;;
  test)   # the whole test suite (browser tests need Debian's chromium on PATH)
    ensure_venv '.[test]' .installed-test
    exec .venv/bin/python -m pytest "$@" ;;
  *)
    echo "usage: ./run.sh serve [--host H] [--port P]  |  ./run.sh test [pytest args]" >&2
    exit 2 ;;
esac
