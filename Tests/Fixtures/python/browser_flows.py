"""The web UI in a real browser (Debian's chromium through chromedriver, headless).

Usage: browser_flows.py BASE_URL VIDEO_ID USERNAME PASSWORD SCREENSHOT_DIR INVITATION_CODE

Opens the home page and finds the video's card, watches it (the play head passes 1 s), fixes
the quality menu on another rendition and checks that the segments fetched afterwards are that
rendition's, signs in through /login (after a refused wrong password; its ?next= is the probe's
/%09/host, which must leave the browser on this site) and finds the name in the header, checks
the pages' redirect check (api.js safePath) against the other open-redirect payloads, signs out, signs up a new account (refused without the invitation code, then with
it) that lands signed in, checks the watch page at phone
width, that Auto steps down from a fixed 360p on a throttled link, the 404 page and the
security headers, and fails on any console error (CSP violations
land there). Each page is
photographed into SCREENSHOT_DIR. Prints one JSON line; exits 1 with the reason on failure.
"""
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlparse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
EXPECTED_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


class Failure(Exception):
    pass


# Sign-in destinations that must not leave the site (the attack probe's payloads, as the login
# page reads them from ?next= once decoded), and ones that must survive unchanged.
OFFSITE_TARGETS = ["/\\evil.example", "/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\/evil.example",
                   "https://evil.example/", "javascript:alert(1)", "evil.example", ""]
OWN_TARGETS = {"/settings": "/settings", "/watch/abc?t=3#now": "/watch/abc?t=3#now", "/%2F%2Fevil.example": "/%2F%2Fevil.example"}


def wait_for(what, check, timeout=20.0):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.1)
    raise Failure(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")


def headers_of(url):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/html"})) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}


class Flows:
    def __init__(self, base, video, username, password, shots, invitation):
        self.base, self.video, self.username, self.password, self.shots = base, video, username, password, shots
        self.invitation = invitation
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required",
                         "--window-size=1280,900", "--mute-audio"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.console = []

    def shot(self, name):
        os.makedirs(self.shots, exist_ok=True)
        self.driver.save_screenshot(os.path.join(self.shots, f"{name}.png"))

    def open(self, path, name):
        self.driver.get(self.base + path)
        self.current = name

    def collect_console(self, ignore=None):
        for entry in self.driver.get_log("browser"):
            if entry.get("level") == "SEVERE" and not (ignore and entry.get("message", "").startswith(ignore)):
                self.console.append(f"{self.current}: {entry.get('message')}")

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def home(self):
        self.open("/", "home")
        cards = self.driver.find_elements(By.CSS_SELECTOR, f'a.card-link[data-video-id="{self.video}"]')
        if not cards:
            raise Failure("the home page shows no card for the uploaded video")
        if not self.driver.find_elements(By.CSS_SELECTOR, f'a.card-link[data-video-id="{self.video}"] img'):
            raise Failure("the video's card has no poster")
        self.shot("home")
        self.collect_console()
        cards[0].click()
        wait_for("the watch page", lambda: f"/watch/{self.video}" in self.driver.current_url)

    def watch(self):
        self.current = "watch"
        played = wait_for("video.currentTime past 1 s",
                          lambda: (self.js("return document.getElementById('video').currentTime") or 0) > 1.0, timeout=30)
        message = self.js("const m = document.querySelector('.player-message'); return m && !m.hidden ? m.textContent : ''")
        if message:
            raise Failure(f"the player shows a message while playing: {message}")
        self.shot("watch")
        options = [o.get_attribute("value") for o in Select(self.driver.find_element(By.ID, "quality")).options]
        labels = [o.text for o in Select(self.driver.find_element(By.ID, "quality")).options]
        if labels[0] != "Auto" or len(labels) < 3:
            raise Failure(f"the quality menu should offer Auto and every rendition: {labels}")
        playing = self.js("return document.getElementById('player').dataset.rendition")
        ids = self.js("return window.kinoraPlayer.variants.map(v => v.id)")
        target = next(i for i, rendition in enumerate(ids) if rendition != playing)
        switched_at = self.js("return performance.now()")
        Select(self.driver.find_element(By.ID, "quality")).select_by_value(options[target + 1])
        pattern = re.compile(r"/streams/[^/]+/([^/]+)/seg-[^/]+\.m4s$")

        def fetched_after():
            entries = self.js("return performance.getEntriesByType('resource').map(e => [e.name, e.startTime])")
            found = []
            for name, start in entries:
                match = pattern.search(name.split("?")[0])
                if match and start > switched_at and match.group(1) in ids:
                    found.append(match.group(1))
            return found

        fetched = wait_for(f"segments of {ids[target]} after choosing it", lambda: [r for r in fetched_after() if r == ids[target]])
        others = [r for r in fetched_after() if r != ids[target]]
        if others:
            raise Failure(f"after choosing {ids[target]} the player still fetched {others}")
        wait_for("the quality change to show", lambda: self.js("return document.getElementById('player').dataset.rendition") == ids[target])
        self.shot("watch-quality")
        self.collect_console()
        return {"played": played, "renditions": ids, "chosen": ids[target], "segments_after_choice": len(fetched)}

    def login(self):
        # %09 is a tab once decoded; the URL parser drops it, so "/<tab>/host" meant //host.
        self.open("/login?next=%2F%09%2Fevil.example", "login")
        self.driver.find_element(By.ID, "login-username").send_keys(self.username)
        self.driver.find_element(By.ID, "login-password").send_keys("not the password")
        self.driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
        error = wait_for("the wrong password's message", lambda: self.driver.find_element(By.ID, "form-error").text)
        self.shot("login-refused")
        # The 401 of the wrong password is a console error of its own; it is expected here.
        self.driver.get_log("browser")
        password = self.driver.find_element(By.ID, "login-password")
        password.clear()
        password.send_keys(self.password)
        self.driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
        name = wait_for("the user's name in the header", lambda: (self.driver.find_elements(By.CSS_SELECTOR, ".user-name") or [None])[0])
        if name.text.strip().lower() != self.username.lower():
            raise Failure(f"the header shows {name.text!r}, expected {self.username!r}")
        if urlparse(self.driver.current_url).netloc != urlparse(self.base).netloc:
            raise Failure(f"signing in with ?next=/%09/evil.example went to {self.driver.current_url}")
        self.current = "home-signed-in"
        self.shot("home-signed-in")
        self.collect_console()
        return error

    def redirects(self):
        """api.js safePath, in this browser's own URL parser: every off-site target is refused."""
        results = self.driver.execute_async_script("""
            const [targets, done] = arguments;
            import('/static/js/api.js').then((api) => done(targets.map((target) => api.safePath(target))), (error) => done(String(error)));
        """, OFFSITE_TARGETS + list(OWN_TARGETS))
        if not isinstance(results, list):
            raise Failure(f"api.js could not be loaded: {results}")
        leaks = [target for target, result in zip(OFFSITE_TARGETS, results) if result is not None]
        wrong = [target for target, result in zip(OWN_TARGETS, results[len(OFFSITE_TARGETS):]) if result != OWN_TARGETS[target]]
        if leaks or wrong:
            raise Failure(f"safePath let through {leaks!r}, changed or refused {wrong!r}")
        return len(results)

    def resume(self):
        """Signed in: pausing reports the position (with the CSRF header), a reload resumes there."""
        self.open(f"/watch/{self.video}", "watch-signed-in")
        wait_for("playback past 3 s", lambda: (self.js("return document.getElementById('video').currentTime") or 0) > 3.0, timeout=30)
        self.js("document.getElementById('video').pause()")
        stored = wait_for("the progress report", lambda: self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.json()).then(v => done(v.resume_position)).catch(() => done(null));",
            f"/api/v1/videos/{self.video}"))
        if stored < 2.5:
            raise Failure(f"the stored position is {stored}, expected where playback was paused (past 3 s)")
        self.driver.refresh()
        first = wait_for("the resumed play head", lambda: self.js("return document.getElementById('video').currentTime") or 0)
        self.shot("watch-resumed")
        self.collect_console()
        if first < 2.0:
            raise Failure(f"the reloaded page started at {first:.2f} s, not at the stored {stored:.2f} s")
        return {"stored": stored, "resumed_at": first}

    def video_segments_since(self, since):
        pattern = re.compile(r"/streams/[^/]+/(\d+p)/seg-[^/]+\.m4s$")
        entries = self.js("return performance.getEntriesByType('resource').map(e => [e.name, e.startTime])")
        return [m.group(1) for name, start in entries if start > since and (m := pattern.search(name.split("?")[0]))]

    def throttled(self):
        """On a slow connection, Auto steps down from the rendition the viewer had fixed."""
        self.driver.execute_cdp_cmd("Network.enable", {})
        # Segments of earlier steps would come from the HTTP cache, past the throttle.
        self.driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        # 800 kbit/s: 360p (~0.93 Mbit/s peak) cannot be sustained, 240p (~0.54) can.
        self.driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                                    {"offline": False, "latency": 20, "downloadThroughput": 100000, "uploadThroughput": 100000})
        try:
            self.open(f"/watch/{self.video}", "watch-throttled")
            wait_for("the quality menu", lambda: self.driver.find_elements(By.ID, "quality"), timeout=30)
            top = self.js("return window.kinoraPlayer.variants.length - 1")
            ids = self.js("return window.kinoraPlayer.variants.map(v => v.id)")
            fixed_at = self.js("return performance.now()")
            Select(self.driver.find_element(By.ID, "quality")).select_by_value(str(top))
            wait_for(f"a {ids[top]} segment on the slow link", lambda: ids[top] in self.video_segments_since(fixed_at), timeout=30)
            auto_at = self.js("return performance.now()")
            Select(self.driver.find_element(By.ID, "quality")).select_by_value("-1")
            after = wait_for("a segment fetched in Auto", lambda: self.video_segments_since(auto_at), timeout=30)
            self.shot("watch-throttled")
            self.collect_console()
            if after[0] == ids[top]:
                raise Failure(f"on an 800 kbit/s link Auto kept {ids[top]} (fetched {after}); it should step down")
            return {"fixed": ids[top], "auto_fetched": after}
        finally:
            self.driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
            self.driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                                        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})

    def logout_and_signup(self):
        self.driver.find_element(By.ID, "logout").click()
        wait_for("the signed-out header", lambda: self.driver.find_elements(By.CSS_SELECTOR, 'a[href="/login"]')
                 and not self.driver.find_elements(By.CSS_SELECTOR, ".user-name"))
        self.open("/signup", "signup")
        newcomer = f"newcomer{int(time.time()) % 100000}"
        self.driver.find_element(By.ID, "signup-username").send_keys(newcomer)
        self.driver.find_element(By.ID, "signup-password").send_keys("a long enough password")
        self.driver.find_element(By.CSS_SELECTOR, "#signup-form button[type=submit]").click()
        # Sign-up is by invitation out of the box: the API's reason shows, then the code works.
        refusal = wait_for("the sign-up refusal", lambda: self.driver.find_element(By.ID, "form-error").text)
        if "invitation" not in refusal:
            raise Failure(f"sign-up without a code should ask for an invitation, the page says {refusal!r}")
        self.driver.get_log("browser")  # the expected 403
        self.driver.find_element(By.ID, "signup-invitation").send_keys(self.invitation)
        self.driver.find_element(By.CSS_SELECTOR, "#signup-form button[type=submit]").click()
        name = wait_for("the new account's name in the header",
                        lambda: (self.driver.find_elements(By.CSS_SELECTOR, ".user-name") or [None])[0])
        if name.text.strip() != newcomer:
            raise Failure(f"after sign-up the header shows {name.text!r}, expected {newcomer!r}")
        self.current = "signed-up"
        self.shot("signed-up")
        self.collect_console()
        return newcomer

    def at_phone_width(self, pages):
        """Opens each (path, name, ready) of `pages` 390 px wide (`ready`: a check to wait for, or
        None) and photographs it; fails naming every page that sticks out sideways."""
        self.driver.set_window_size(390, 844)
        wide = []
        try:
            for path, name, ready in pages:
                self.open(path, name)
                wait_for(f"{path} at phone width", ready or (lambda: self.js("return document.readyState") == "complete"))
                overflow = self.js("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                self.shot(name)
                self.collect_console()
                if overflow > 0:
                    wide.append(f"{path} by {overflow} px")
        finally:
            self.driver.set_window_size(1280, 900)
        if wide:
            raise Failure("at 390 px these pages are wider than the screen: " + ", ".join(wide))

    def phone(self):
        """The watch page at phone width: nothing may stick out sideways."""
        self.at_phone_width([(f"/watch/{self.video}", "watch-phone", lambda: self.driver.find_elements(By.ID, "quality"))])

    def not_found(self):
        self.open("/no/such/page", "not-found")
        heading = self.driver.find_element(By.TAG_NAME, "h1").text
        if heading != "Page not found":
            raise Failure(f"an unknown page shows {heading!r}, not the 404 page")
        self.shot("not-found")
        # The page's own 404 status is logged as an error; anything else on it still counts.
        own = f"{self.base}/no/such/page - Failed to load resource: the server responded with a status of 404"
        self.collect_console(ignore=own)

    def expect_security_headers(self, paths):
        """Every one of `paths` answers with the CSP, frame denial, no-sniff and referrer policy."""
        problems = []
        for path in paths:
            status, headers = headers_of(self.base + path)
            for name, value in EXPECTED_HEADERS.items():
                if headers.get(name) != value:
                    problems.append(f"{path} ({status}): {name} is {headers.get(name)!r}")
        if problems:
            raise Failure("security headers missing or wrong: " + "; ".join(problems))

    def headers(self):
        self.expect_security_headers(("/", f"/watch/{self.video}", "/login", "/static/css/site.css", "/static/player/player.js", "/no/such/page"))

    def run(self):
        return self.guarded(self.steps)

    def steps(self):
        self.headers()
        self.home()
        watched = self.watch()
        refused = self.login()
        self.redirects()
        resumed = self.resume()
        newcomer = self.logout_and_signup()
        self.phone()
        stepped = self.throttled()
        self.not_found()
        return {"ok": True, "watch": watched, "login_refusal": refused, "signed_up": newcomer, "resume": resumed, "throttled": stepped}

    def guarded(self, steps):
        """Runs the flow; a console error fails it; on any failure a screenshot of the page it
        was on is saved; the browser is always closed."""
        try:
            result = steps()
            if self.console:
                raise Failure("console errors: " + " | ".join(self.console))
            return result
        except Exception:
            try:
                self.shot(f"failed-{getattr(self, 'current', 'start')}")
                self.collect_console()
            except Exception:
                pass
            raise
        finally:
            self.driver.quit()

def run_flows(make, shots):
    """Prints the flow's JSON result, or the reason it failed with the console and where the
    screenshots are; a missing browser is a failure, never a skip. Returns the exit status."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            print(json.dumps({"ok": False, "error": f"{path} is missing (apt-get install chromium chromium-driver; .ci/setup does)"}))
            return 1
    flows = None
    try:
        flows = make()
        print(json.dumps(flows.run()))
        return 0
    except Exception as error:
        console = flows.console if flows else []
        print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}", "console": console, "screenshots": shots}))
        return 1


def main():
    base, video, username, password, shots, invitation = sys.argv[1:7]
    return run_flows(lambda: Flows(base, video, username, password, shots, invitation), shots)

if __name__ == "__main__":
    sys.exit(main())
