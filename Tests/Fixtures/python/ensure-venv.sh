#!/usr/bin/env bash
# Creates (once) the Python virtual environment the end-to-end tests drive real clients and
# parsers from: <repo>/.build/test-venv with requirements.txt (tuspy, m3u8, …). Prints the
# venv's python on success; any failure exits non-zero with the reason (the tests then fail
# loudly, never skip). Test suites run in parallel: a lock makes one of them build it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
venv="${KINORA_TEST_VENV:-$repo/.build/test-venv}"
requirements="$here/requirements.txt"
stamp="$venv/.requirements"
mkdir -p "$(dirname "$venv")" || { echo "error: cannot create $(dirname "$venv")" >&2; exit 1; }
exec 9>"$venv.lock"
flock 9
if [ -x "$venv/bin/python" ] && cmp -s "$requirements" "$stamp"; then
  echo "$venv/bin/python"
  exit 0
fi
python=/usr/bin/python3
[ -x "$python" ] || python="$(command -v python3 || true)"
if [ -z "$python" ]; then
  echo "error: python3 is missing (Debian: apt-get install python3 python3-venv; .ci/setup installs them)" >&2
  exit 1
fi
rm -rf "$venv"
if ! "$python" -m venv "$venv" >&2; then
  echo "error: '$python -m venv' failed (Debian: apt-get install python3-venv)" >&2
  exit 1
fi
if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2; then
  echo "error: pip could not install $requirements from PyPI into $venv" >&2
  exit 1
fi
cp "$requirements" "$stamp"
echo "$venv/bin/python"
