"""The watch page's player on HLS EVENT playlists that grow while it plays, in chromium.

Usage: growing_hls.py ROOT BASE_URL STATIC_DIR

A loopback HTTP server serves ROOT at BASE_URL. This links STATIC_DIR (share/web/static) as
ROOT/static and writes there a page shaped like the watch page of a video still being
transcoded (a data-src, no data-dash) that runs static/js/watch.js, and a master playlist
like the daemon's while growing. Then the ffmpeg CLI writes, at 0.8x real time (so the play
head catches up with the end of what is listed and has to wait there), 8 s of two video
renditions and an English and a French audio rendition as fMP4 EVENT playlists under
ROOT/media. Once every playlist lists a segment, chromium opens the page with ?format=dash.

Passes when: the page says DASH is not available yet and fetches no MPD; playback starts
while ffmpeg still writes (no EXT-X-ENDLIST anywhere yet) with a duration short of the real
one; the viewer then picks the other quality and *Français* in the menus, playlists last read
when playback started, whose last segments must still be fetched; the play head waits at
least once before the end; `ended` fires once, at the real end of the finished playlists
(not where they ended when playback started), after a single endOfStream(); and there is no
player message, video error or console error. Prints one JSON line; exits 1 with the reason
on failure.
"""
import json
import os
import re
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser_flows import CHROMEDRIVER, CHROMIUM, Failure, wait_for

SECONDS = 8
RATE = 0.8
SEGMENT = 2
# Two video renditions and two audio languages: names as -var_stream_map gives them.
VIDEO = ["low", "high"]
AUDIO = ["audio-en", "audio-fr"]

# What the daemon's master carries while growing: EXT-X-START, renditions as ffmpeg encodes
# them (baseline 3.0: avc1.42c01e; AAC-LC), one audio group.
MASTER = """#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-START:TIME-OFFSET=0,PRECISE=YES
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="1",URI="audio-en/media.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Français",LANGUAGE="fr",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="1",URI="audio-fr/media.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=300000,CODECS="avc1.42c01e,mp4a.40.2",RESOLUTION=160x90,AUDIO="aud"
low/media.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=600000,CODECS="avc1.42c01e,mp4a.40.2",RESOLUTION=320x180,AUDIO="aud"
high/media.m3u8
"""

# The watch page's player markup, and a classic script (it runs before the module) that
# records what a viewer would notice.
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Growing</title></head>
<body>
<div class="player" id="player" data-video-id="growing" data-src="media/master.m3u8">
  <video id="video" playsinline preload="metadata" aria-label="Growing"></video>
</div>
<script>
const video = document.getElementById('video');
const log = window.growing = { errors: [], waits: [], durations: [], endOfStream: 0, playing: null, ended: [] };
const endOfStream = MediaSource.prototype.endOfStream;
MediaSource.prototype.endOfStream = function (...args) { log.endOfStream += 1; return endOfStream.apply(this, args); };
video.addEventListener('durationchange', () => log.durations.push(video.duration));
video.addEventListener('waiting', () => log.waits.push({ at: video.currentTime, duration: video.duration }));
video.addEventListener('playing', () => { log.playing ??= { at: video.currentTime, duration: video.duration }; });
video.addEventListener('ended', () => log.ended.push({ at: video.currentTime, duration: video.duration }));
video.addEventListener('error', () => log.errors.push(`video: ${video.error?.message}`));
</script>
<script type="module" src="static/js/watch.js"></script>
</body></html>
"""


def ffmpeg_command(media):
    inputs = []
    for source in (f"testsrc2=size=320x180:rate=30:duration={SECONDS}",
                   f"sine=frequency=440:sample_rate=48000:duration={SECONDS}",
                   f"sine=frequency=660:sample_rate=48000:duration={SECONDS}"):
        inputs += ["-readrate", str(RATE), "-f", "lavfi", "-i", source]
    return ["/usr/bin/ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", *inputs,
            "-map", "0:v", "-map", "0:v", "-map", "1:a", "-map", "2:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "baseline", "-level:v", "3.0", "-pix_fmt", "yuv420p",
            "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
            "-s:v:0", "160x90", "-b:v:0", "150k", "-s:v:1", "320x180", "-b:v:1", "400k", "-c:a", "aac", "-b:a", "64k",
            "-f", "hls", "-hls_segment_type", "fmp4", "-hls_time", str(SEGMENT), "-hls_playlist_type", "event",
            # temp_file: playlists and segments appear whole (renamed into place), as the daemon's do.
            "-hls_flags", "temp_file+independent_segments", "-hls_fmp4_init_filename", "init.mp4",
            "-hls_segment_filename", f"{media}/%v/seg-%05d.m4s",
            "-var_stream_map", " ".join([f"v:{i},agroup:aud,name:{name}" for i, name in enumerate(VIDEO)]
                                        + [f"a:{i},agroup:aud,language:{name[-2:]},name:{name}" for i, name in enumerate(AUDIO)]),
            f"{media}/%v/media.m3u8"]


def playlist(media, name):
    try:
        with open(os.path.join(media, name, "media.m3u8")) as file:
            text = file.read()
    except FileNotFoundError:
        return None
    durations = [float(d) for d in re.findall(r"^#EXTINF:([0-9.]+),", text, re.M)]
    segments = re.findall(r"^(seg-\d+\.m4s)$", text, re.M)
    return {"duration": sum(durations), "segments": segments, "ended": "#EXT-X-ENDLIST" in text,
            "event": "#EXT-X-PLAYLIST-TYPE:EVENT" in text}


def chromium():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required",
                     "--window-size=800,600", "--mute-audio"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


class GrowingFlow:
    def __init__(self, root, base, static):
        self.root, self.base, self.static = root, base, static
        self.media = os.path.join(root, "media")
        self.console = []
        self.driver = None
        self.ffmpeg = None

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def log(self):
        return self.js("return window.growing")

    def check_no_error(self):
        log = self.log()
        message = self.js("const m = document.querySelector('.player-message.error'); return m && !m.hidden ? m.textContent : ''")
        if message or log["errors"]:
            raise Failure(f"the player failed: {message or log['errors']}")
        if self.ffmpeg.poll() not in (None, 0):
            raise Failure(f"ffmpeg failed ({self.ffmpeg.returncode}): {self.ffmpeg.stderr.read()}")
        return log

    def resources(self):
        return [name.split("?")[0] for name in self.js("return performance.getEntriesByType('resource').map(e => e.name)")]

    def prepare(self):
        os.symlink(self.static, os.path.join(self.root, "static"))
        with open(os.path.join(self.root, "watch.html"), "w") as file:
            file.write(PAGE)
        os.makedirs(self.media)
        with open(os.path.join(self.media, "master.m3u8"), "w") as file:
            file.write(MASTER)

    def run(self):
        self.prepare()
        self.driver = chromium()  # before ffmpeg: its start-up is not the player's
        try:
            return self.play()
        finally:
            self.driver.quit()
            if self.ffmpeg and self.ffmpeg.poll() is None:
                self.ffmpeg.kill()
                self.ffmpeg.wait()

    def play(self):
        self.ffmpeg = subprocess.Popen(ffmpeg_command(self.media), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, text=True)
        started = time.time()
        wait_for("ffmpeg to list a segment in every playlist",
                 lambda: self.ffmpeg.poll() is None and all((p := playlist(self.media, n)) and p["segments"] for n in VIDEO + AUDIO),
                 timeout=10)
        listed = time.time() - started
        self.driver.get(f"{self.base}/watch.html?format=dash")

        # Asked for DASH, which a growing video does not have: said once, not as an error.
        note = wait_for("the note that DASH is not available yet", lambda: self.js(
            "const m = document.querySelector('.player-message'); return m && !m.hidden ? [m.textContent, m.className, m.getAttribute('role')] : null"),
            timeout=5)
        if "DASH" not in note[0] or "error" in note[1] or note[2] != "status":
            raise Failure(f"the DASH fallback note reads {note}")

        playing = wait_for("playback to start", lambda: self.check_no_error()["playing"], timeout=15)
        at_start = {name: playlist(self.media, name) for name in VIDEO + AUDIO}
        still_writing = self.ffmpeg.poll() is None
        if not still_writing or any(p["ended"] or not p["event"] for p in at_start.values()):
            raise Failure(f"playback started only once the playlists were complete: {at_start}")

        # The viewer picks the other quality and French: playlists last read at the start.
        quality = Select(wait_for("the quality menu", lambda: (self.driver.find_elements(By.ID, "quality") or [None])[0]))
        ids = self.js("return window.kinoraPlayer.variants.map(v => v.id)")
        other = next(i for i, rendition in enumerate(ids) if rendition != self.js("return document.getElementById('player').dataset.rendition"))
        quality.select_by_value(str(other))
        Select(self.driver.find_element(By.ID, "audio-track")).select_by_visible_text("Français")

        ended = wait_for("the video to end", lambda: self.check_no_error()["ended"], timeout=SECONDS / RATE + 15)
        if self.ffmpeg.wait(timeout=10) != 0:
            raise Failure(f"ffmpeg failed ({self.ffmpeg.returncode}): {self.ffmpeg.stderr.read()}")
        time.sleep(0.5)  # an `ended` fired twice would show by now
        log = self.check_no_error()
        final = {name: playlist(self.media, name) for name in VIDEO + AUDIO}
        if not all(p["ended"] for p in final.values()):
            raise Failure(f"ffmpeg exited without ending every playlist: {final}")
        real = max(p["duration"] for p in final.values())
        end = log["ended"][0]
        if len(log["ended"]) != 1 or abs(end["at"] - real) > 0.3:
            raise Failure(f"`ended` should fire once at the real end ({real:.2f} s): {log['ended']}")
        if playing["duration"] > real - SEGMENT / 2:
            raise Failure(f"at the start the duration was already {playing['duration']} of {real:.2f} s: nothing grew")
        if log["endOfStream"] != 1:
            raise Failure(f"endOfStream() was called {log['endOfStream']} times, not once at the end")
        # Whether the play head outran the writer and waited at the end of what was listed is
        # reported, not required: on a loaded machine Chromium itself can fall behind the 0.8x
        # writer. The ended-at-the-real-end check above is what proves the growth was followed.
        early = [w for w in log["waits"] if w["at"] > playing["at"] + 0.5 and w["at"] < real - 1]

        fetched = self.resources()
        if any(name.endswith(".mpd") for name in fetched):
            raise Failure(f"the page fetched an MPD: {fetched}")
        for name in (ids[other], "audio-fr"):
            last = f"{self.base}/media/{name}/{final[name]['segments'][-1]}"
            if last not in fetched:
                raise Failure(f"{name}, switched to while growing, was not followed to its last segment {last}: {fetched}")
        reloads = {name: sum(1 for f in fetched if f == f"{self.base}/media/{name}/media.m3u8") for name in VIDEO + AUDIO}

        for entry in self.driver.get_log("browser"):
            if entry.get("level") == "SEVERE":
                self.console.append(entry.get("message"))
        if self.console:
            raise Failure(f"console errors: {self.console}")
        return {"ok": True, "first_segment_listed_s": round(listed, 2), "playing": playing, "real_duration": round(real, 3),
                "ended": end, "durations": log["durations"], "waits": len(log["waits"]), "waits_while_growing": len(early), "playlist_loads": reloads,
                "switched_to": [ids[other], "audio-fr"]}


def main():
    root, base, static = sys.argv[1:4]
    for path in (CHROMIUM, CHROMEDRIVER, "/usr/bin/ffmpeg"):
        if not os.access(path, os.X_OK):
            print(json.dumps({"ok": False, "error": f"{path} is missing (.ci/setup installs chromium, chromium-driver and ffmpeg)"}))
            return 1
    flow = GrowingFlow(root, base, static)
    try:
        print(json.dumps(flow.run()))
        return 0
    except Exception as error:
        print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}", "console": flow.console}))
        return 1


if __name__ == "__main__":
    sys.exit(main())
