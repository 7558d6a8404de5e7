"""Watch page in Debian's chromium (headless, through chromedriver): time from navigation to
the first video frame presented, and the bytes the page transfers without the video itself.

Usage: watch_page.py BASE_URL VIDEO_ID RUNS
Each run is a fresh browser (empty cache), so every request is counted. The first frame is
the `requestVideoFrameCallback` time (ms since navigation start) of the first frame presented
after the page's scripts ran; if a frame came earlier, the next one is reported: the figure
can only err on the slow side. Page weight sums `encodedDataLength` (bytes on the wire) of
every response but media and init segments under /streams/ (playlists are counted).
Prints one JSON line.
"""
import json
import statistics
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

FIRST_FRAME = """
const done = arguments[arguments.length - 1];
const video = document.querySelector('video');
if (!video || !('requestVideoFrameCallback' in video)) { done({error: 'no video element or no requestVideoFrameCallback'}); return; }
const timer = setTimeout(() => done({error: 'no frame within 20 s', readyState: video.readyState}), 20000);
video.requestVideoFrameCallback((now, meta) => { clearTimeout(timer); done({now: now, presented: meta.presentationTime}); });
"""


def run_once(base, video):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required",
                     "--mute-audio", "--window-size=1280,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.set_script_timeout(30)
        driver.get(f"{base}/watch/{video}")
        frame = driver.execute_async_script(FIRST_FRAME)
        if "error" in frame:
            raise RuntimeError(f"first frame: {frame}")
        # Let the page settle so every request it makes on its own has finished.
        driver.execute_async_script("setTimeout(arguments[arguments.length - 1], 1500)")
        urls, sizes = {}, {}
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message.get("method") == "Network.responseReceived":
                urls[params["requestId"]] = params["response"]["url"]
            elif message.get("method") == "Network.loadingFinished":
                sizes[params["requestId"]] = params.get("encodedDataLength", 0)
        weight, counted, skipped = 0, 0, 0
        for request, size in sizes.items():
            url = urls.get(request, "")
            path = url.split("?")[0]
            if "/streams/" in path and (path.endswith(".m4s") or path.endswith(".mp4")):
                skipped += 1
                continue
            weight += size
            counted += 1
        return frame["now"], weight, counted, skipped
    finally:
        driver.quit()


def main():
    base, video, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    frames, weights, counts = [], [], []
    for _ in range(runs):
        frame, weight, counted, skipped = run_once(base, video)
        frames.append(frame)
        weights.append(weight)
        counts.append((counted, skipped))
    print(json.dumps({"first_frame_ms": frames, "median_first_frame_ms": statistics.median(frames),
                      "page_bytes": weights, "median_page_bytes": statistics.median(weights), "requests": counts}))


if __name__ == "__main__":
    main()
