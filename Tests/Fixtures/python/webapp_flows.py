"""The installable web app and the player's phone features in chromium.

Usage: webapp_flows.py BASE_URL VIDEO_ID SCREENSHOT_DIR

VIDEO_ID must have two audio languages (English listed first, French the default: see
two_languages.py) and captions in English and French (French the default). Checks, in order:
- the app: the service worker registers with scope /, controls the page after a reload, and
  Chromium reports no installability errors (DevTools `Page.getInstallabilityErrors`) and no
  manifest errors; its cache holds the app shell;
- the HLS player: the audio menu lists English and Français with the default (French) chosen
  and played first (only audio-fr/ segments fetched), choosing English fetches audio/
  segments and playback goes on; the default caption track (French) shows from the start;
  the Media Session has the title, channel and poster, and its play/pause/seek handlers
  work; the picture-in-picture button (where the browser has it) enters and leaves it;
- after playing, no /streams/ or /api/ response is in any cache;
- the DASH player: the same audio menu from the MPD's sets (Role main plays first), switching;
- at 390 px with touch: every player control is at least 44x44 px, a double tap on the right
  half goes 10 s forward, on the left 10 s back, a single tap plays;
- offline (DevTools network emulation): a page shows the offline page (styled, from the
  cache), which comes back by itself once online.
Fails on console errors. Prints one JSON line; exits 1 with the reason on failure.
"""
import re
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser_flows import Failure, Flows, run_flows, wait_for

AUDIO_SEGMENT = re.compile(r"/streams/[^/]+/(audio(?:-fr)?)/seg-[^/]+\.m4s$")
# Recorded before any page script runs (DevTools scripts are not subject to the page's CSP),
# so the test can call the handlers the player gave the Media Session, as a lock screen does.
RECORD_ACTIONS = """
window.__mediaActions = {};
if (navigator.mediaSession) {
  const set = navigator.mediaSession.setActionHandler.bind(navigator.mediaSession);
  navigator.mediaSession.setActionHandler = (action, handler) => { window.__mediaActions[action] = handler; set(action, handler); };
}
"""
ONLINE = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


class WebAppFlows(Flows):
    def video_js(self, expression):
        return self.js(f"const v = document.getElementById('video'); return {expression};")

    def audio_segments(self, since=0):
        names = self.js("return performance.getEntriesByType('resource').filter(e => e.startTime > arguments[0]).map(e => e.name)", since)
        return [m.group(1) for m in (AUDIO_SEGMENT.search(n.split("?")[0]) for n in names) if m]

    def cached_urls(self):
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "(async () => { const urls = []; for (const name of await caches.keys()) {"
            "  for (const request of await (await caches.open(name)).keys()) urls.push(request.url); } return urls; })()"
            ".then(done, (e) => done(['error: ' + e.message]));")

    def app(self):
        self.driver.set_script_timeout(30)
        self.open("/", "home")
        if not self.driver.find_elements(By.CSS_SELECTOR, 'link[rel="manifest"][href="/static/app.webmanifest"]'):
            raise Failure("the home page does not link the web app manifest")
        if not self.driver.find_elements(By.CSS_SELECTOR, 'meta[name="theme-color"]'):
            raise Failure("the home page has no theme-color")
        ready = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "navigator.serviceWorker.ready.then(r => done({script: r.active && r.active.scriptURL, scope: r.scope}), e => done({error: e.message}));")
        if ready.get("script") != f"{self.base}/static/sw.js" or ready.get("scope") != f"{self.base}/":
            raise Failure(f"the service worker did not register for the whole site: {ready}")
        self.driver.refresh()
        controller = wait_for("the service worker to control the reloaded page",
                              lambda: self.js("return navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL"))
        errors = self.driver.execute_cdp_cmd("Page.getInstallabilityErrors", {}).get("installabilityErrors")
        if errors != []:
            raise Failure(f"chromium says the app is not installable: {errors}")
        manifest = self.driver.execute_cdp_cmd("Page.getAppManifest", {})
        if manifest.get("errors") or not manifest.get("url", "").endswith("/static/app.webmanifest"):
            raise Failure(f"chromium read the manifest with errors: {manifest.get('url')} {manifest.get('errors')}")
        cached = wait_for("the app shell in the cache", lambda: (urls := self.cached_urls()) and any(u.endswith("/static/offline.html") for u in urls) and urls)
        for needed in ("/static/css/site.css", "/static/js/site.js", "/static/player/player.js", "/static/icons/icon-192.png"):
            if f"{self.base}{needed}" not in cached:
                raise Failure(f"the app shell cache lacks {needed}: {cached}")
        self.shot("app-home")
        self.collect_console()
        return {"controller": controller, "installability_errors": errors, "shell_files": len(cached)}

    def wait_playing(self, what, past=1.0):
        return wait_for(what, lambda: (self.video_js("v.currentTime") or 0) > past, timeout=30)

    def audio_menu(self, path, name):
        """The menu offers both languages with the default (French) chosen and played first;
        choosing English switches what is fetched, and playback goes on."""
        self.open(path, name)
        self.wait_playing(f"{path} to play")
        menu = Select(wait_for("the audio menu", lambda: (self.driver.find_elements(By.ID, "audio-track") or [None])[0]))
        labels = [o.text for o in menu.options]
        if labels != ["English", "Français"]:
            raise Failure(f"{path}: the audio menu offers {labels}, expected English and Français")
        if menu.first_selected_option.text != "Français":
            raise Failure(f"{path}: the audio menu starts on {menu.first_selected_option.text!r}, not the default Français")
        if self.driver.find_element(By.CSS_SELECTOR, 'label[for="audio-track"]').text != "Audio":
            raise Failure("the audio menu has no label")
        first = self.audio_segments()
        if not first or set(first) != {"audio-fr"}:
            raise Failure(f"{path}: before any choice the player fetched audio segments {first}, expected the default audio-fr only")
        switched_at = self.js("return performance.now()")
        before = self.video_js("v.currentTime")
        menu.select_by_visible_text("English")
        wait_for(f"{path}: English segments after choosing English", lambda: "audio" in self.audio_segments(switched_at))
        wait_for(f"{path}: playback to go on in English", lambda: self.video_js("v.currentTime") > before + 1.0 and not self.video_js("v.paused"))
        language = self.js("return kinoraPlayer.audioTracks[kinoraPlayer.audioIndex].language")
        buffered = self.js("const b = kinoraPlayer.tracks.find(t => t.kind === 'audio').sourceBuffer.buffered;"
                           "const t = document.getElementById('video').currentTime;"
                           "for (let i = 0; i < b.length; i++) if (b.start(i) <= t && t < b.end(i)) return b.end(i) - t; return 0;")
        if language != "en" or buffered <= 0:
            raise Failure(f"{path}: after choosing English the player plays {language!r} with {buffered} s of audio buffered")
        message = self.js("const m = document.querySelector('.player-message'); return m && !m.hidden ? m.textContent : ''")
        if message:
            raise Failure(f"{path}: the player shows {message!r} after the audio change")
        self.shot(f"{name}-english")
        self.collect_console()
        return {"menu": labels, "first": sorted(set(first)), "after_switch": sorted(set(self.audio_segments(switched_at)))}

    def captions_default(self):
        showing = self.js("return [...document.getElementById('video').textTracks].filter(t => t.mode === 'showing').map(t => t.language)")
        chosen = Select(self.driver.find_element(By.ID, "captions")).first_selected_option.text
        if showing != ["fr"] or not chosen.startswith("Fran"):
            raise Failure(f"the default caption track (French) should show from the start: showing {showing}, menu on {chosen!r}")
        return {"showing": showing, "menu": chosen}

    def media_session(self):
        title = self.driver.find_element(By.CSS_SELECTOR, ".watch-title").text
        channel = self.driver.find_element(By.CSS_SELECTOR, ".watch-channel").text.split("\n")[0]
        poster = self.driver.find_element(By.ID, "video").get_attribute("poster")
        session = self.js("const s = navigator.mediaSession, m = s.metadata;"
                          "return m && {title: m.title, artist: m.artist, artwork: m.artwork.map(a => a.src), state: s.playbackState,"
                          " actions: Object.keys(window.__mediaActions || {})};")
        if not session or session["title"] != title or not channel.startswith(session["artist"]) or not session["artist"]:
            raise Failure(f"the Media Session shows {session}, expected {title!r} by {channel!r}")
        if not poster or session["artwork"][0] != poster:
            raise Failure(f"the Media Session's artwork {session['artwork']} does not start with the poster {poster!r}")
        missing = {"play", "pause", "seekbackward", "seekforward", "seekto"} - set(session["actions"])
        if missing:
            raise Failure(f"the player gave the Media Session no handler for {sorted(missing)}")
        if session["state"] != "playing":
            raise Failure(f"the Media Session says {session['state']!r} while the video plays")
        self.js("window.__mediaActions.pause({action: 'pause'})")
        wait_for("the lock screen's pause to pause", lambda: self.video_js("v.paused") and self.js("return navigator.mediaSession.playbackState") == "paused", timeout=5)
        self.js("window.__mediaActions.seekto({action: 'seekto', seekTime: 6})")
        wait_for("seekto 6 s", lambda: abs(self.video_js("v.currentTime") - 6) < 0.3, timeout=5)
        self.js("window.__mediaActions.seekbackward({action: 'seekbackward', seekOffset: 4})")
        wait_for("seek backward 4 s", lambda: abs(self.video_js("v.currentTime") - 2) < 0.3, timeout=5)
        self.js("window.__mediaActions.seekforward({action: 'seekforward'})")
        wait_for("seek forward 10 s (the default step)", lambda: abs(self.video_js("v.currentTime") - 12) < 0.5 or self.video_js("v.ended"), timeout=5)
        self.js("document.getElementById('video').currentTime = 1")
        self.js("window.__mediaActions.play({action: 'play'})")
        wait_for("the lock screen's play to play", lambda: not self.video_js("v.paused"), timeout=5)
        return {k: session[k] for k in ("title", "artist", "artwork")}

    def picture_in_picture(self):
        enabled = self.js("return document.pictureInPictureEnabled")
        buttons = self.driver.find_elements(By.CSS_SELECTOR, ".player-button.pip")
        if bool(buttons) != bool(enabled):
            raise Failure(f"pictureInPictureEnabled is {enabled} but the player has {len(buttons)} picture-in-picture buttons")
        if not enabled:
            return {"enabled": False}
        if buttons[0].get_attribute("aria-label") != "Picture in picture":
            raise Failure("the picture-in-picture button is not labelled")
        buttons[0].click()
        wait_for("the video in picture in picture", lambda: self.js("return document.pictureInPictureElement === document.getElementById('video')"), timeout=5)
        if buttons[0].get_attribute("aria-pressed") != "true":
            raise Failure("the picture-in-picture button does not say it is on")
        buttons[0].click()
        wait_for("picture in picture to end", lambda: self.js("return document.pictureInPictureElement === null"), timeout=5)
        return {"enabled": True, "entered_and_left": True}

    def hls(self):
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_ACTIONS})
        audio = self.audio_menu(f"/watch/{self.video}", "watch-audio")
        captions = self.captions_default()
        session = self.media_session()
        pip = self.picture_in_picture()
        self.wait_playing("playback after the lock-screen controls", past=1.5)
        cached = self.cached_urls()
        leaked = [u for u in cached if "/streams/" in u or "/api/" in u or u.rstrip("/") == self.base or "/watch/" in u]
        if leaked or not cached:
            raise Failure(f"the service worker cached media, API answers or pages: {leaked or 'an empty cache'}")
        self.collect_console()
        return {"audio": audio, "captions": captions, "media_session": session, "pip": pip, "cached": len(cached)}

    def dash(self):
        return self.audio_menu(f"/watch/{self.video}?format=dash", "watch-dash-audio")

    def tap(self, x, y):
        self.driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        self.driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

    def touch(self):
        self.driver.set_window_size(390, 844)
        self.driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
        try:
            self.open(f"/watch/{self.video}", "watch-touch")
            self.wait_playing("the phone-width page to play")
            small = self.js(
                "return [...document.querySelectorAll('.player-bar button, .player-bar select, .player-bar input')]"
                ".filter(e => e.offsetParent !== null).map(e => [e.id || e.className, e.getBoundingClientRect()])"
                ".filter(([, r]) => r.width < 44 || r.height < 44).map(([n, r]) => `${n} ${Math.round(r.width)}x${Math.round(r.height)}`)")
            if small:
                raise Failure(f"player controls under 44x44 px at phone width: {small}")
            self.js("const v = document.getElementById('video'); v.pause(); v.currentTime = 1; v.scrollIntoView({block: 'center'});")
            wait_for("the seek to 1 s", lambda: not self.video_js("v.seeking"), timeout=5)
            box = self.js("const r = document.getElementById('video').getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height};")
            y = box["y"] + box["h"] / 2
            right, left = box["x"] + box["w"] * 0.8, box["x"] + box["w"] * 0.2
            self.tap(right, y)
            self.tap(right, y)
            forward = wait_for("a double tap on the right to go 10 s forward", lambda: abs(self.video_js("v.currentTime") - 11) < 0.3 and self.video_js("v.currentTime"), timeout=5)
            flash = self.js("const f = document.querySelector('.seek-flash'); return f && !f.hidden ? f.textContent : ''")
            if flash != "+10 s":
                raise Failure(f"the double tap shows {flash!r} over the picture, expected +10 s")
            self.shot("watch-touch-forward")
            time.sleep(0.4)  # past the double-tap window
            self.tap(left, y)
            self.tap(left, y)
            back = wait_for("a double tap on the left to go 10 s back", lambda: abs(self.video_js("v.currentTime") - 1) < 0.3 and self.video_js("v.currentTime"), timeout=5)
            time.sleep(0.4)
            if not self.video_js("v.paused"):
                raise Failure("a double tap also started playback")
            self.tap(right, y)
            wait_for("a single tap to play", lambda: not self.video_js("v.paused"), timeout=5)
            self.shot("watch-touch")
            self.collect_console()
            return {"forward_to": forward, "back_to": back}
        finally:
            self.driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": False})
            self.driver.set_window_size(1280, 900)

    def offline(self):
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd("Network.emulateNetworkConditions", {**ONLINE, "offline": True})
        try:
            self.driver.get(f"{self.base}/search?q=clip")
            self.current = "offline"
            heading = wait_for("the offline page", lambda: self.js("const h = document.querySelector('h1'); return h && h.textContent"))
            background = self.js("return getComputedStyle(document.body).backgroundColor")
            if heading != "You are offline" or self.driver.title != "Offline – Kinora":
                raise Failure(f"offline, a page shows {heading!r} ({self.driver.title!r}), not the offline page")
            if background != "rgb(15, 17, 21)":
                raise Failure(f"the offline page is unstyled (background {background}): site.css did not come from the cache")
            if not self.driver.find_elements(By.ID, "retry"):
                raise Failure("the offline page has no Try again button")
            self.shot("offline")
        finally:
            self.driver.execute_cdp_cmd("Network.emulateNetworkConditions", ONLINE)
        wait_for("the page to come back once online", lambda: self.driver.title != "Offline – Kinora" and "/search" in self.driver.current_url, timeout=10)
        self.current = "back-online"
        # Failed loads while offline are the browser's own reports, not the site's errors.
        self.driver.get_log("browser")
        return {"heading": heading}

    def run(self):
        return self.guarded(lambda: {"ok": True, "app": self.app(), "hls": self.hls(), "dash": self.dash(),
                                     "touch": self.touch(), "offline": self.offline()})


def main():
    base, video, shots = sys.argv[1:4]
    return run_flows(lambda: WebAppFlows(base, video, "", "", shots, ""), shots)


if __name__ == "__main__":
    sys.exit(main())
