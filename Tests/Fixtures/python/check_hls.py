"""Checks a served HLS presentation against the rules of Apple's HLS authoring
specification that Kinora promises, with the PyPI `m3u8` parser.

usage: check_hls.py MASTER_URL DURATION_SECONDS [--authoring]
--authoring adds the MUST rules of issue 16 (hls_authoring.py: target durations, LANGUAGE,
X-TIMESTAMP-MAP, wvtt in CODECS, Apple's peak bandwidth, gzip), each problem naming its rule.
Prints one JSON object: {"variants": n, "iframe_playlists": n, "media_playlists": n,
"problems": [...]}; exits 1 when there is a problem.
"""
import json
import math
import sys
from urllib.parse import urljoin, urlparse

import m3u8

import hls_authoring


def relative(uri):
    parsed = urlparse(uri)
    return not parsed.scheme and not parsed.netloc and not uri.startswith("/")


def check_media(url, duration, problems, iframes=False):
    playlist = m3u8.load(url)
    name = url.rsplit("/", 2)[-2] + "/" + url.rsplit("/", 1)[-1]
    if playlist.is_variant:
        problems.append(f"{name}: a media playlist must not list variants")
        return
    if (playlist.playlist_type or "").upper() != "VOD":
        problems.append(f"{name}: EXT-X-PLAYLIST-TYPE is {playlist.playlist_type!r}, not VOD")
    if not playlist.is_endlist:
        problems.append(f"{name}: no EXT-X-ENDLIST")
    if not playlist.segments:
        problems.append(f"{name}: no segments")
        return
    if not playlist.segment_map:
        problems.append(f"{name}: no EXT-X-MAP (CMAF init segment)")
    target = playlist.target_duration or 0
    for segment in playlist.segments:
        # The spec: each EXTINF, rounded to the nearest integer, is at most the target.
        if round(segment.duration) > target:
            problems.append(f"{name}: EXTINF {segment.duration} exceeds EXT-X-TARGETDURATION {target}")
        if not relative(segment.uri):
            problems.append(f"{name}: segment URI {segment.uri} is not relative")
    if iframes:
        if not playlist.is_i_frames_only:
            problems.append(f"{name}: no EXT-X-I-FRAMES-ONLY")
        if any(not s.byterange for s in playlist.segments):
            problems.append(f"{name}: an I-frame entry without EXT-X-BYTERANGE")
    total = sum(s.duration for s in playlist.segments)
    if abs(total - duration) > 0.5:
        problems.append(f"{name}: segments last {total:.3f} s, the video {duration} s")


def main():
    master_url, duration = sys.argv[1], float(sys.argv[2])
    authoring = "--authoring" in sys.argv[3:]
    master = m3u8.load(master_url)
    problems = []
    if not master.is_variant:
        problems.append("master.m3u8 lists no variants")
    if not master.is_independent_segments:
        problems.append("master.m3u8: no EXT-X-INDEPENDENT-SEGMENTS")
    media_urls = set()
    for variant in master.playlists:
        info = variant.stream_info
        label = variant.uri
        if not relative(variant.uri):
            problems.append(f"{label}: URI is not relative")
        for attribute in ("bandwidth", "average_bandwidth", "codecs"):
            if not getattr(info, attribute):
                problems.append(f"{label}: EXT-X-STREAM-INF has no {attribute.upper().replace('_', '-')}")
        if info.bandwidth and info.average_bandwidth and info.average_bandwidth > info.bandwidth:
            problems.append(f"{label}: AVERAGE-BANDWIDTH {info.average_bandwidth} > BANDWIDTH {info.bandwidth}")
        codecs = (info.codecs or "").split(",")
        if any(c.startswith("avc1.") for c in codecs):
            if not info.resolution:
                problems.append(f"{label}: a video variant without RESOLUTION")
            if not info.frame_rate:
                problems.append(f"{label}: a video variant without FRAME-RATE")
        if info.audio and not any(c.startswith("mp4a.") for c in codecs):
            problems.append(f"{label}: AUDIO group {info.audio} but no audio codec in CODECS {info.codecs}")
        for group in (info.audio, info.subtitles):
            if group and not any(m.group_id == group for m in master.media):
                problems.append(f"{label}: refers to group {group}, which no EXT-X-MEDIA defines")
        media_urls.add(urljoin(master_url, variant.uri))
    for media in master.media:
        if media.uri:
            if not relative(media.uri):
                problems.append(f"EXT-X-MEDIA {media.name}: URI is not relative")
            media_urls.add(urljoin(master_url, media.uri))
    iframe_urls = set()
    for iframe in master.iframe_playlists:
        info = iframe.iframe_stream_info
        for attribute in ("bandwidth", "codecs", "resolution"):
            if not getattr(info, attribute):
                problems.append(f"{iframe.uri}: EXT-X-I-FRAME-STREAM-INF has no {attribute.upper()}")
        iframe_urls.add(urljoin(master_url, iframe.uri))
    video_variants = [v for v in master.playlists if v.stream_info.resolution]
    if video_variants and len(iframe_urls) != len({v.uri for v in video_variants}):
        problems.append(f"{len(iframe_urls)} I-frame playlists for {len(video_variants)} video variants")
    for url in sorted(media_urls):
        # Subtitles are one whole-file WebVTT: checked for shape, not against the video.
        subtitle = any(m.type == "SUBTITLES" and urljoin(master_url, m.uri or "") == url for m in master.media)
        check_media(url, duration, problems) if not subtitle else None
    for url in sorted(iframe_urls):
        check_media(url, duration, problems, iframes=True)
    if authoring:
        hls_authoring.check(master_url, problems)
    print(json.dumps({"variants": len(master.playlists), "iframe_playlists": len(iframe_urls),
                      "media_playlists": len(media_urls), "problems": problems}))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
