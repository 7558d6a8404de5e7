#!/usr/bin/env bash
# Fetches MovieLens-100k as RecBole ships it (ml-100k.inter inside the recbole 1.2.1 wheel from
# PyPI; its licence forbids committing the file) into <repo>/.build/datasets once, and prints the
# file's path. Any failure exits non-zero with the reason: the test then fails, never skips.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
dir="$repo/.build/datasets"
file="$dir/ml-100k.inter"
mkdir -p "$dir"
exec 9>"$dir.lock"
flock 9
if [ ! -s "$file" ]; then
  # The tests' virtual environment has pip (Debian's python3 alone may not).
  python="$("$here/ensure-venv.sh")"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  if ! "$python" -m pip download --quiet --disable-pip-version-check --no-deps recbole==1.2.1 -d "$work" >&2; then
    echo "error: pip could not download recbole==1.2.1 from PyPI (it carries MovieLens-100k)" >&2
    exit 1
  fi
  "$python" - "$work" "$file" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/recbole-1.2.1-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    data = z.read("recbole/dataset_example/ml-100k/ml-100k.inter")
with open(sys.argv[2] + ".part", "wb") as out:
    out.write(data)
PY
  mv "$file.part" "$file"
fi
echo "$file"
