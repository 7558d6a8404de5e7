"""Turns a published video's one-audio presentation into a two-language one, as the packagers
write it for a source with English and French tracks (docs: the issue 16 contract).

Usage: two_languages.py VIDEO_STORAGE_FOLDER

In the folder (`<data>/media/videos/<id>/`: master.m3u8, manifest.mpd, audio/), encodes a
second audio track with the ffmpeg CLI (a 660 Hz tone instead of the clip's 440 Hz, so the two
differ) into `audio-fr/`, cut on the English track's segment boundaries and named like it, then
rewrites both manifests: HLS gets two `EXT-X-MEDIA:TYPE=AUDIO` entries in the variants' group
(`LANGUAGE="en"`/`"fr"`, `NAME`, `CHANNELS`), DASH two audio AdaptationSets (`lang`, `Label`,
`Role`). English is listed first, French is the default (HLS `DEFAULT=YES`, DASH Role `main`),
so a player that plays the first instead of the default is caught. Prints one JSON line.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

FFMPEG = "/usr/bin/ffmpeg"


def attributes(text):
    return {m.group(1): m.group(2).strip('"') for m in re.finditer(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)', text)}


def media_segments(playlist):
    """(init URI, [(duration, URI)]) of an HLS media playlist."""
    init, segments, duration = None, [], None
    for line in playlist.splitlines():
        line = line.strip()
        if line.startswith("#EXT-X-MAP:"):
            init = attributes(line[11:])["URI"]
        elif line.startswith("#EXTINF:"):
            duration = float(line[8:].split(",")[0])
        elif line and not line.startswith("#") and duration is not None:
            segments.append((duration, line))
            duration = None
    if init is None or not segments:
        raise SystemExit(f"the English audio playlist has no EXT-X-MAP or no segments:\n{playlist}")
    return init, segments


def encode_french(folder):
    """audio-fr/ beside audio/: the same init and segment names, the same cut points."""
    english = open(os.path.join(folder, "audio", "media.m3u8")).read()
    init, segments = media_segments(english)
    total = sum(d for d, _ in segments)
    # Cut where English is cut: every ~N s, N the English segments' length (the last one is short).
    step = sum(d for d, _ in segments[:-1]) / (len(segments) - 1) if len(segments) > 1 else total + 1
    target = os.path.join(folder, "audio-fr")
    os.makedirs(target, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        command = [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency=660:duration={total:.6f}", "-c:a", "aac", "-b:a", "96k",
                   "-f", "hls", "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4", "-hls_time", f"{step:.6f}",
                   "-hls_fmp4_init_filename", "init.mp4",
                   "-hls_segment_filename", os.path.join(work, "seg-%05d.m4s"), "-start_number", "1"]
        command.append(os.path.join(work, "media.m3u8"))
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"ffmpeg could not make the French track: {done.stderr}")
        made_init, made = media_segments(open(os.path.join(work, "media.m3u8")).read())
        if len(made) == len(segments) + 1 and made[-1][0] < 0.1:
            # The encoder's padding spilled into a sliver of a segment: its fragment joins the
            # last one (a segment may hold several moof/mdat fragments).
            with open(os.path.join(work, made[-2][1]), "ab") as last, open(os.path.join(work, made[-1][1]), "rb") as sliver:
                last.write(sliver.read())
            made = made[:-2] + [(made[-2][0] + made[-1][0], made[-2][1])]
        if len(made) != len(segments):
            raise SystemExit(f"ffmpeg cut the French track in {len(made)} segments, English has {len(segments)}: {made} / {segments}")
        os.replace(os.path.join(work, made_init), os.path.join(target, os.path.basename(init)))
        for (_, made_uri), (_, uri) in zip(made, segments):
            os.replace(os.path.join(work, made_uri), os.path.join(target, os.path.basename(uri)))
    # The English playlist names its files relatively: the same text serves the French folder.
    open(os.path.join(target, "media.m3u8"), "w").write(english.replace("/audio/", "/audio-fr/"))
    return [d for d, _ in made]


def rewrite_master(folder):
    path = os.path.join(folder, "master.m3u8")
    lines = open(path).read().splitlines()
    out, done = [], False
    for line in lines:
        if line.startswith("#EXT-X-MEDIA:") and "TYPE=AUDIO" in line and not done:
            group = attributes(line[13:])["GROUP-ID"]
            common = f'#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="{group}"'
            out.append(f'{common},NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="2",URI="audio/media.m3u8"')
            out.append(f'{common},NAME="Français",LANGUAGE="fr",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio-fr/media.m3u8"')
            done = True
        elif line.startswith("#EXT-X-MEDIA:") and "TYPE=AUDIO" in line:
            raise SystemExit("the master already has several audio renditions")
        else:
            out.append(line)
    if not done:
        raise SystemExit("the master has no EXT-X-MEDIA audio rendition to pair a French one with")
    open(path, "w").write("\n".join(out) + "\n")


def rewrite_mpd(folder):
    path = os.path.join(folder, "manifest.mpd")
    if not os.path.exists(path):
        return False
    text = open(path).read()
    sets = list(re.finditer(r'<AdaptationSet\b[^>]*contentType="audio"[^>]*>.*?</AdaptationSet>', text, re.S))
    if len(sets) != 1:
        raise SystemExit(f"the MPD has {len(sets)} audio AdaptationSets, expected one")
    english = sets[0].group(0)
    role = re.compile(r'\s*<Role [^>]*/>')
    label = re.compile(r'\s*<Label>[^<]*</Label>')

    def localised(block, lang, name, value, set_id):
        block = role.sub("", label.sub("", block))
        block = re.sub(r'\slang="[^"]*"', "", block)
        block = re.sub(r'<AdaptationSet\b([^>]*?)\sid="[^"]*"', rf'<AdaptationSet\1 id="{set_id}"', block, count=1)
        head_end = block.index(">") + 1
        head = block[:head_end].replace("<AdaptationSet", f'<AdaptationSet lang="{lang}"', 1)
        extra = f'<Label>{name}</Label><Role schemeIdUri="urn:mpeg:dash:role:2011" value="{value}"/>'
        return head + extra + block[head_end:]

    ids = [int(i) for i in re.findall(r'<AdaptationSet\b[^>]*\sid="(\d+)"', text)] or [0]
    french = localised(english, "fr", "Français", "main", max(ids) + 1)
    # The French representation: its own id, and its own folder wherever a path names audio/.
    french = re.sub(r'(<Representation\b[^>]*\sid=")audio(")', r"\1audio-fr\2", french)
    french = re.sub(r'((?:initialization|media|sourceURL)="|<BaseURL>)audio/', r"\1audio-fr/", french)
    first_id = re.search(r'<AdaptationSet\b[^>]*\sid="(\d+)"', english)
    english_new = localised(english, "en", "English", "alternate", first_id.group(1) if first_id else max(ids) + 2)
    open(path, "w").write(text.replace(english, english_new + "\n    " + french))
    return True


def main():
    folder = sys.argv[1]
    durations = encode_french(folder)
    rewrite_master(folder)
    dash = rewrite_mpd(folder)
    print(json.dumps({"ok": True, "french_segments": durations, "dash": dash}))


if __name__ == "__main__":
    main()
