"""Lip sync as Chromium plays it: the offset between each flash and its beep of a
flash-and-beep upload, from what the browser decodes and presents (browser_lipsync.js).

Usage: browser_lipsync.py BASE_URL VIDEO_ID CALIBRATION_ID SCREENSHOT_DIR

VIDEO_ID has its beeps at its flashes, CALIBRATION_ID 40 ms after them. Each is played from
0 to the end, in headless chromium, by
  player-hls / player-dash   our MediaSource player on /watch/{id} (HLS, ?format=dash);
  native-hls                 Chromium's own HLS: <video src=".../master.m3u8">, on the daemon's
                             origin (so the element's sound is readable, not cross-origin);
and the calibration upload by our player (HLS) and by native HLS: a harness that cannot see
its 40 ms cannot vouch for a 0. A flash is the media time (requestVideoFrameCallback's
mediaTime) of the first presented frame brighter than mid-grey after a dark one, counted only
when that dark frame was the one just before (no frame dropped in between); a beep, the
media time of the first sample within 12 dB of the beep's level after 0.3 s of quiet, found by
an AudioWorklet and mapped from audio context time to media time by the clock pairs taken
within 0.5 s of it (median). Each flash is paired with the nearest beep within 0.4 s.

Prints one JSON line: {"ok": true, "measurements": {name: {"offsets_ms": [beep - flash, ...],
"median_ms": m, ...}}}. Exits 1 with the reason when a measure cannot be made (no playback, no
flashes or beeps, a console error); the tolerances are the caller's.
"""
import os
import statistics
import sys

from browser_flows import Failure, Flows, run_flows

HERE = os.path.dirname(os.path.abspath(__file__))
BEEP_LEVEL = 0.5  # the clips' beep amplitude (PlayerCompatibilityTests.makeFlashAndBeep)
THRESHOLD = BEEP_LEVEL / 4  # 12 dB under it: the encoder's pre-echo stays far below
BRIGHT = 128  # mean luma of a flash frame is ~235, of a dark one ~16
GAP = 0.3
PAIRING = 0.4
CLOCK_WINDOW = 0.5


def flashes(frames):
    """Media times of the first bright frame after a dark one, each with whether the frame just
    before it (one frame duration earlier) was seen: when frames were dropped or their callbacks
    missed (a loaded machine), the flash may have started up to the gap earlier."""
    steps = sorted(b[0] - a[0] for a, b in zip(frames, frames[1:]) if b[0] > a[0])
    frame = steps[len(steps) // 2] if steps else 0
    found, previous = [], None
    for media, luma in frames:
        if luma >= BRIGHT and previous is not None and previous[1] < BRIGHT:
            found.append({"media": media, "exact": media - previous[0] < 1.5 * frame})
        previous = (media, luma)
    return found


def beeps(onsets, clocks, rate):
    """Each onset's media time: its audio context time plus the median (currentTime - context
    time) of the playing clock pairs within CLOCK_WINDOW of it; the pairs' spread with it."""
    found = []
    for onset in onsets:
        at = onset["frame"] / rate
        near = [media - context for media, context, playing in clocks if playing and abs(context - at) <= CLOCK_WINDOW]
        if len(near) < 20:
            raise Failure(f"only {len(near)} clock pairs around the beep at audio context time {at:.3f} s: the page was starved")
        near.sort()
        spread = near[int(len(near) * 0.9)] - near[int(len(near) * 0.1)]
        found.append({"media": at + statistics.median(near), "clock_spread_ms": round(spread * 1000, 1)})
    return found


def offsets(raw):
    """Pairs the flashes and beeps of one playback; the JSON summary of the measure. Only flashes
    whose previous frame was seen count (the others are `inexact_flashes`)."""
    seen = flashes(raw["frames"])
    heard = beeps(raw["onsets"], raw["clocks"], raw["sampleRate"])
    pairs = []
    for flash in (f for f in seen if f["exact"]):
        beep = min(heard, key=lambda b: abs(b["media"] - flash["media"]), default=None)
        if beep is not None and abs(beep["media"] - flash["media"]) < PAIRING:
            pairs.append(round((beep["media"] - flash["media"]) * 1000, 1))
    if not pairs:
        raise Failure(f"{raw['mode']} {raw['src']}: no flash could be paired with a beep "
                      f"(flashes {seen}, beeps {[round(b['media'], 3) for b in heard]})")
    return {
        "offsets_ms": pairs, "median_ms": round(statistics.median(pairs), 1),
        "flashes": [round(f["media"], 4) for f in seen], "beeps": [round(b["media"], 4) for b in heard],
        "inexact_flashes": sum(not f["exact"] for f in seen),
        "clock_spread_ms": max(b["clock_spread_ms"] for b in heard) if heard else None,
        "frames": len(raw["frames"]), "duration": raw["duration"], "wall_s": round(raw["wall"], 2),
        "sample_rate": raw["sampleRate"], "output_latency_ms": round((raw["outputLatency"] or 0) * 1000, 1),
    }


class LipSync(Flows):
    def __init__(self, base, video, calibration, shots):
        super().__init__(base, video, "", "", shots, "")
        self.calibration = calibration
        # The detector is an AudioWorklet module made from a blob: URL, which the site's CSP
        # (script-src 'self') refuses; the page's own scripts run the same either way.
        self.driver.execute_cdp_cmd("Page.setBypassCSP", {"enabled": True})
        self.driver.set_script_timeout(90)
        with open(os.path.join(HERE, "browser_lipsync.js")) as f:
            self.script = f.read()

    def play(self, name, mode, src):
        raw = self.driver.execute_async_script(self.script, mode, src, THRESHOLD)
        self.shot(name)
        self.collect_console()
        if "error" in raw:
            raise Failure(f"{name}: {raw['error']}")
        return offsets(raw)

    def player(self, name, video, query=""):
        self.open(f"/watch/{video}{query}", name)
        return self.play(name, "page", None)

    def native(self, name, video):
        # A page of the daemon's own that plays nothing: the <video> is the only one.
        self.open("/static/offline.html", name)
        return self.play(name, "native", f"/streams/{video}/master.m3u8")

    def steps(self):
        measurements = {
            "player-hls": self.player("player-hls", self.video),
            "player-dash": self.player("player-dash", self.video, "?format=dash"),
            "native-hls": self.native("native-hls", self.video),
            "calibration-player-hls": self.player("calibration-player-hls", self.calibration),
            "calibration-native-hls": self.native("calibration-native-hls", self.calibration),
        }
        return {"ok": True, "chromium": self.driver.capabilities.get("browserVersion"), "measurements": measurements}


def main():
    base, video, calibration, shots = sys.argv[1:5]
    return run_flows(lambda: LipSync(base, video, calibration, shots), shots)


if __name__ == "__main__":
    sys.exit(main())
