#!/usr/bin/env bash
# Creates (once) the Python virtual environment the end-to-end tests drive a real tus client
# from: <repo>/.build/test-venv with PyPI's tuspy. Prints the venv's python on success; any
# failure exits non-zero with the reason (the tests then fail loudly, never skip).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
venv="${KINORA_TEST_VENV:-$repo/.build/test-venv}"
tuspy_version="1.1.0"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import tusclient, importlib.metadata as m, sys; sys.exit(m.version('tuspy') != '$tuspy_version')" 2>/dev/null; then
  echo "$venv/bin/python"
  exit 0
fi
python=/usr/bin/python3
[ -x "$python" ] || python="$(command -v python3 || true)"
if [ -z "$python" ]; then
  echo "error: python3 is missing (Debian: apt-get install python3 python3-venv; .ci/setup installs them)" >&2
  exit 1
fi
mkdir -p "$(dirname "$venv")" || { echo "error: cannot create $(dirname "$venv")" >&2; exit 1; }
rm -rf "$venv"
if ! "$python" -m venv "$venv" >&2; then
  echo "error: '$python -m venv' failed (Debian: apt-get install python3-venv)" >&2
  exit 1
fi
if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "tuspy==$tuspy_version" >&2; then
  echo "error: pip could not install tuspy==$tuspy_version from PyPI into $venv" >&2
  exit 1
fi
echo "$venv/bin/python"
