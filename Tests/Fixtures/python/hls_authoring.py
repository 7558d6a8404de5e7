"""The MUST rules of Apple's HLS Authoring Specification that issue 16 names, checked on the
raw text of a served presentation so each problem can quote the line that breaks the rule.

Used by check_hls.py with --authoring. Every problem starts with the rule's number:
  [8.2]  every video and audio media playlist has the same EXT-X-TARGETDURATION
  [8.2]  each EXTINF, rounded to the nearest integer, is at most the target duration
  [8.10] every EXT-X-MEDIA TYPE=AUDIO has a LANGUAGE
  [5.3]  every WebVTT subtitle segment carries X-TIMESTAMP-MAP in its header
  [5.10] a variant with a SUBTITLES group lists the subtitle codec (wvtt or stpp) in CODECS
  [1.27] the measured peak bit rate is within 10% of BANDWIDTH, measured as Apple does: the
         largest bit rate of any run of consecutive segments lasting 0.5-1.5 target durations,
         video plus the heaviest audio rendition of the variant's group
  [10.1] playlists are gzip-compressed for a client that accepts it
"""
import gzip
import math
import os
import re
import urllib.request
from urllib.parse import urljoin, urlparse

ATTRIBUTE = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')


def attributes(line):
    """An attribute list (RFC 8216 4.2) as a dict, quotes removed."""
    text = line.split(":", 1)[1] if ":" in line else ""
    return {k: v[1:-1] if v.startswith('"') else v for k, v in ATTRIBUTE.findall(text)}


def is_http(url):
    return urlparse(url).scheme in ("http", "https")


def fetch(url, accept_gzip=False):
    """(body bytes, lower-cased headers); local paths work too (the checker's own tests)."""
    if not is_http(url):
        with open(url, "rb") as f:
            return f.read(), {}
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if accept_gzip else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read(), {k.lower(): v for k, v in response.headers.items()}


def size_of(url):
    if not is_http(url):
        return os.path.getsize(url)
    return len(fetch(url)[0])


def short(url):
    """The last two path parts, as a person names a playlist: 240p/media.m3u8."""
    return "/".join(urlparse(url).path.split("/")[-2:]) if is_http(url) else "/".join(url.split("/")[-2:])


class Playlist:
    """A media playlist's lines, target, segments (duration, uri, line) and the line of each tag."""

    def __init__(self, url):
        self.url = url
        self.name = short(url)
        self.lines = fetch(url)[0].decode("utf-8").splitlines()
        self.target = None
        self.target_line = ""
        self.segments = []
        duration, extinf = None, ""
        for line in self.lines:
            if line.startswith("#EXT-X-TARGETDURATION:"):
                self.target, self.target_line = int(line.split(":", 1)[1]), line
            elif line.startswith("#EXTINF:"):
                duration, extinf = float(line[8:].split(",", 1)[0]), line
            elif line and not line.startswith("#") and duration is not None:
                self.segments.append((duration, urljoin(url, line), extinf))
                duration = None

    def peak(self):
        """Apple's peak: the highest bit rate of any run of segments lasting 0.5-1.5 targets."""
        sizes = [size_of(uri) for _, uri, _ in self.segments]
        durations = [d for d, _, _ in self.segments]
        target = self.target or max(durations, default=1)
        best = 0.0
        for start in range(len(durations)):
            seconds, total = 0.0, 0
            for end in range(start, len(durations)):
                seconds += durations[end]
                total += sizes[end]
                if seconds > 1.5 * target:
                    break
                if seconds >= 0.5 * target and seconds > 0:
                    best = max(best, total * 8 / seconds)
        return best


def check(master_url, problems):
    master_lines = fetch(master_url)[0].decode("utf-8").splitlines()
    media = [(line, attributes(line)) for line in master_lines if line.startswith("#EXT-X-MEDIA:")]
    variants = []
    for i, line in enumerate(master_lines):
        if line.startswith("#EXT-X-STREAM-INF:"):
            uri = next((u for u in master_lines[i + 1:] if u and not u.startswith("#")), "")
            variants.append((line, attributes(line), urljoin(master_url, uri)))

    for line, a in media:
        if a.get("TYPE") == "AUDIO" and not a.get("LANGUAGE"):
            problems.append(f"[8.10] master.m3u8: an audio rendition MUST have a LANGUAGE: {line}")

    playlists = {}

    def playlist(url):
        if url not in playlists:
            playlists[url] = Playlist(url)
        return playlists[url]

    audio_groups = {}
    for line, a in media:
        if a.get("TYPE") == "AUDIO" and a.get("URI"):
            audio_groups.setdefault(a.get("GROUP-ID"), []).append(urljoin(master_url, a["URI"]))
    timed = [v[2] for v in variants] + [u for urls in audio_groups.values() for u in urls]

    # 8.2: one target duration across video and audio; each rounded EXTINF within it.
    targets = {}
    for url in dict.fromkeys(timed):
        p = playlist(url)
        targets.setdefault(p.target, p)
        for duration, _, extinf in p.segments:
            # Rounded half up, as the RFC means it (Python's round() rounds 4.5 to 4).
            if p.target is not None and math.floor(duration + 0.5) > p.target:
                problems.append(f"[8.2] {p.name}: {extinf} rounds above {p.target_line}")
    if len(targets) > 1:
        listed = "; ".join(f"{p.name} has {p.target_line}" for p in targets.values())
        problems.append(f"[8.2] target durations MUST be the same for every video and audio playlist: {listed}")

    # 5.3 and 5.10: WebVTT subtitles carry a timestamp map, and variants name their codec.
    subtitle_groups = {a.get("GROUP-ID") for _, a in media if a.get("TYPE") == "SUBTITLES"}
    for line, a in media:
        if a.get("TYPE") != "SUBTITLES" or not a.get("URI"):
            continue
        for _, uri, _ in playlist(urljoin(master_url, a["URI"])).segments:
            text = fetch(uri)[0].decode("utf-8", "replace")
            header = re.split(r"\r?\n\r?\n", text, maxsplit=1)[0]
            if text.startswith("WEBVTT") and "X-TIMESTAMP-MAP=" not in header:
                first = header.splitlines()[0] if header else ""
                problems.append(f"[5.3] {short(uri)}: WebVTT header MUST carry X-TIMESTAMP-MAP (header is {first!r}) for {line}")
    for line, a, _ in variants:
        if a.get("SUBTITLES") in subtitle_groups:
            codecs = a.get("CODECS", "").split(",")
            if not any(c.startswith(("wvtt", "stpp")) for c in codecs):
                problems.append(f"[5.10] master.m3u8: a variant with SUBTITLES MUST list wvtt (or stpp) in CODECS: {line}")

    # 1.27: declared peak against measured peak (video + the heaviest audio of its group).
    for line, a, url in variants:
        declared = int(a.get("BANDWIDTH", "0") or 0)
        measured = playlist(url).peak()
        group = audio_groups.get(a.get("AUDIO"), [])
        measured += max((playlist(u).peak() for u in group), default=0.0)
        if declared and abs(measured - declared) > 0.10 * declared:
            problems.append(
                f"[1.27] {short(url)}: measured peak {measured:.0f} bit/s is {100 * measured / declared:.1f}% of BANDWIDTH "
                f"{declared} (MUST be within 10%): {line}")

    # 10.1: every playlist compressed for a client that asks.
    if is_http(master_url):
        every = [master_url] + list(playlists) + [urljoin(master_url, attributes(l).get("URI", ""))
                                                   for l in master_lines if l.startswith("#EXT-X-I-FRAME-STREAM-INF:")]
        for url in dict.fromkeys(every):
            body, headers = fetch(url, accept_gzip=True)
            encoding = headers.get("content-encoding", "")
            if encoding != "gzip":
                problems.append(f"[10.1] {short(url)}: served with Content-Encoding {encoding or 'absent'} to "
                                f"'Accept-Encoding: gzip' (playlists MUST be gzipped)")
            elif gzip.decompress(body) != fetch(url)[0]:
                problems.append(f"[10.1] {short(url)}: the gzipped body is not the playlist")
