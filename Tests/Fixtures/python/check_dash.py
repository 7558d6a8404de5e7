"""Checks a served DASH MPD against the DASH-IF interoperability rules issue 16 names
(standard library only: the schema itself is xmllint's job, see DASHSchema.swift).

usage: check_dash.py MPD_URL_OR_FILE
Prints one JSON object: {"adaptation_sets": n, "problems": [...]}; exits 1 when there is a
problem. Each problem names its rule and quotes the MPD line:
  [live profile] in an isoff-live MPD every Representation is segmented (SegmentTemplate on
                 it, its AdaptationSet or Period): a bare <BaseURL> file is not allowed
  [lang]         every audio AdaptationSet has @lang
  [default text] when there are text AdaptationSets, exactly one is marked the default
                 (Role urn:mpeg:dash:role:2011 value "main")
  [segmentAlignment] every AdaptationSet has @segmentAlignment="true" (IOP 3.2.2)
  [par/sar]      every video AdaptationSet has @par, and @sar on it or on each Representation
  [audio channels] every audio AdaptationSet or Representation has AudioChannelConfiguration
  [gzip]         served with Content-Encoding gzip to a client that accepts it
"""
import gzip
import json
import sys
import urllib.request
from urllib.parse import urlparse
from xml.parsers import expat

LIVE = "urn:mpeg:dash:profile:isoff-live:2011"
ROLE = "urn:mpeg:dash:role:2011"


class Node:
    def __init__(self, name, attrs, line, parent):
        self.name, self.attrs, self.line, self.parent, self.children = name, attrs, line, parent, []

    def find(self, name):
        return [c for c in self.children if c.name == name]


def parse(text):
    """A tiny element tree that remembers each element's line (ElementTree forgets it)."""
    root = Node("#document", {}, 0, None)
    stack = [root]
    parser = expat.ParserCreate(namespace_separator=None)

    def start(name, attrs):
        node = Node(name.split(":")[-1], attrs, parser.CurrentLineNumber, stack[-1])
        stack[-1].children.append(node)
        stack.append(node)

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: stack.pop()
    parser.Parse(text, True)
    return root


def content_type(aset):
    declared = aset.attrs.get("contentType")
    if declared:
        return declared
    mimes = [aset.attrs.get("mimeType", "")] + [r.attrs.get("mimeType", "") for r in aset.find("Representation")]
    for mime in mimes:
        if mime:
            return "text" if mime.startswith("application/ttml") or mime == "text/vtt" else mime.split("/")[0]
    return ""


def main():
    url = sys.argv[1]
    http = urlparse(url).scheme in ("http", "https")
    if http:
        raw = urllib.request.urlopen(url, timeout=30).read()
    else:
        with open(url, "rb") as f:
            raw = f.read()
    text = raw.decode("utf-8")
    lines = text.splitlines()
    problems = []

    def quote(node):
        return f"line {node.line}: {lines[node.line - 1].strip()}"

    mpd = next(n for n in parse(text).children if n.name == "MPD")
    live = LIVE in mpd.attrs.get("profiles", "")
    sets = [(period, aset) for period in mpd.find("Period") for aset in period.find("AdaptationSet")]
    defaults = []
    texts = []
    for period, aset in sets:
        kind = content_type(aset)
        representations = aset.find("Representation")
        if live:
            inherited = period.find("SegmentTemplate") or aset.find("SegmentTemplate")
            for r in representations:
                if not (inherited or r.find("SegmentTemplate")):
                    base = r.find("BaseURL")
                    what = "a bare file " if base else ""
                    problems.append(f"[live profile] manifest.mpd {quote(r)}: {what}Representation without SegmentTemplate "
                                    f"in an isoff-live MPD (the profile requires segmented Representations)")
        if aset.attrs.get("segmentAlignment") not in ("true", "1"):
            problems.append(f"[segmentAlignment] manifest.mpd {quote(aset)}: AdaptationSet without segmentAlignment=\"true\"")
        if kind == "audio":
            if not aset.attrs.get("lang"):
                problems.append(f"[lang] manifest.mpd {quote(aset)}: audio AdaptationSet without @lang")
            if not aset.find("AudioChannelConfiguration") and not all(r.find("AudioChannelConfiguration") for r in representations):
                problems.append(f"[audio channels] manifest.mpd {quote(aset)}: audio AdaptationSet without AudioChannelConfiguration")
        if kind == "video":
            if not aset.attrs.get("par"):
                problems.append(f"[par/sar] manifest.mpd {quote(aset)}: video AdaptationSet without @par")
            if not aset.attrs.get("sar") and not all(r.attrs.get("sar") for r in representations):
                problems.append(f"[par/sar] manifest.mpd {quote(aset)}: video AdaptationSet without @sar (on it or each Representation)")
        if kind == "text":
            texts.append(aset)
            if any(r.attrs.get("schemeIdUri") == ROLE and r.attrs.get("value") == "main" for r in aset.find("Role")):
                defaults.append(aset)
    if texts and len(defaults) != 1:
        listed = "; ".join(quote(a) for a in texts)
        problems.append(f"[default text] manifest.mpd: {len(defaults)} of {len(texts)} text AdaptationSets carry "
                        f"Role value=\"main\", exactly one must be the default: {listed}")
    if http:
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=30) as response:
            encoding = response.headers.get("Content-Encoding", "")
            body = response.read()
        if encoding != "gzip":
            problems.append(f"[gzip] manifest.mpd: served with Content-Encoding {encoding or 'absent'} to 'Accept-Encoding: gzip'")
        elif gzip.decompress(body) != raw:
            problems.append("[gzip] manifest.mpd: the gzipped body is not the MPD")
    print(json.dumps({"adaptation_sets": len(sets), "problems": problems}))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
