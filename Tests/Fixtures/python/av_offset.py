"""Measures lip sync as a player would get it: decodes a presentation (HLS master, MPD or file)
with the ffmpeg CLI and, for each flash of a flash-and-beep clip, the time between the flash's
first bright frame and the beep's onset, on the decoded timeline.

usage: av_offset.py URL
Prints one JSON object: {"flashes": [t, ...], "beeps": [t, ...], "offsets_ms": [beep - flash, ...]}
(positive: the sound comes late); exits 1 when flashes and beeps cannot be paired.

Video: luma average per frame (signalstats); a flash is the first frame brighter than mid-grey
after a dark one. Audio: peak level per 1 ms block (astats on 48-sample blocks, whatever the
rate, under 1.1 ms); a beep starts at the first block within 12 dB of the loudest after a quiet
gap, so the encoder's pre-echo (far below that) does not count.
"""
import json
import os
import subprocess
import sys
import tempfile


def metadata(path, key):
    """(pts_time, value) pairs from a metadata/ametadata print file."""
    pairs, time = [], None
    with open(path) as f:
        for line in f:
            if line.startswith("frame:"):
                time = float(line.rsplit("pts_time:", 1)[1])
            elif line.startswith(key + "=") and time is not None:
                value = line.split("=", 1)[1].strip()
                pairs.append((time, float("-inf") if value in ("-inf", "-nan", "nan") else float(value)))
    return pairs


def onsets(pairs, threshold, gap):
    """Times where the value crosses `threshold` after at least `gap` seconds below it."""
    found, last_above = [], None
    for time, value in pairs:
        if value >= threshold:
            if last_above is None or time - last_above > gap:
                found.append(time)
            last_above = time
    return found


def main():
    url = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        video, audio = os.path.join(tmp, "video.txt"), os.path.join(tmp, "audio.txt")
        command = [
            "ffmpeg", "-v", "error", "-nostdin", "-i", url,
            "-map", "0:v:0", "-vf", f"signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG:file={video}", "-f", "null", "-",
            "-map", "0:a:0", "-af",
            f"asetnsamples=n=48:p=0,astats=metadata=1:reset=1,ametadata=mode=print:key=lavfi.astats.Overall.Peak_level:file={audio}",
            "-f", "null", "-",
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            print(json.dumps({"error": f"ffmpeg failed ({result.returncode}): {result.stderr[-2000:]}"}))
            sys.exit(1)
        frames = metadata(video, "lavfi.signalstats.YAVG")
        blocks = metadata(audio, "lavfi.astats.Overall.Peak_level")
    loudest = max((v for _, v in blocks), default=float("-inf"))
    flashes = onsets(frames, 128, 0.3)
    beeps = onsets(blocks, loudest - 12, 0.3)
    offsets = []
    for flash in flashes:
        beep = min(beeps, key=lambda b: abs(b - flash), default=None)
        if beep is not None and abs(beep - flash) < 0.4:
            offsets.append(round((beep - flash) * 1000, 1))
    print(json.dumps({"flashes": flashes, "beeps": beeps, "offsets_ms": offsets,
                      "frames": len(frames), "audio_blocks": len(blocks)}))
    sys.exit(0 if offsets and len(offsets) == len(flashes) == len(beeps) else 1)


if __name__ == "__main__":
    main()
