"""Holds share/openapi.yaml against the daemon's own route table.

Usage: check_openapi.py SPEC ROUTES_FILE
ROUTES_FILE is `kinora routes` output: one `METHOD /path` per line, `{name}` for a captured
segment and `**` for the rest of the path. The spec must be a valid OpenAPI 3.1 document and
name exactly those operations (health and metrics may stay out). Prints one JSON line:
{"problems": [...]} and exits 0 when there are none.
"""
import json
import re
import sys

import yaml
from openapi_spec_validator import validate

# The web UI's HTML pages and their static files are for browsers, not API clients: the spec
# covers what is under /api/ (the JSON API, tus, the docs) and the stream routes, so every other
# path (pages, /healthz, /readyz, /metrics) is left out on purpose.
DOCUMENTED_PREFIXES = ("/api/", "/streams/")
METHODS = {"get", "head", "post", "put", "patch", "delete", "options"}


def normalise(path):
    """Parameter names differ between the router and the spec; their places do not."""
    path = path.replace("/**", "/{}")
    return re.sub(r"\{[^}]*\}", "{}", path)


def main():
    spec_path, routes_path = sys.argv[1], sys.argv[2]
    problems = []
    with open(spec_path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    try:
        validate(spec)
    except Exception as error:  # the validator's message names the place
        problems.append(f"the spec is not valid OpenAPI: {error}".splitlines()[0])

    served = set()
    with open(routes_path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) != 2 or not parts[1].startswith(DOCUMENTED_PREFIXES):
                continue
            served.add((parts[0].lower(), normalise(parts[1])))

    documented = {}
    for path, item in (spec.get("paths") or {}).items():
        for method in item:
            if method in METHODS:
                documented[(method, normalise(path))] = f"{method.upper()} {path}"

    for method, path in sorted(served - documented.keys()):
        problems.append(f"served but not in the spec: {method.upper()} {path}")
    for key in sorted(documented.keys() - served):
        problems.append(f"in the spec but not served: {documented[key]}")
    print(json.dumps({"problems": problems, "served": len(served), "documented": len(documented)}))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
