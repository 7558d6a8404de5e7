"""The player's DASH path, trickplay and the studio's poster and schedule fields in chromium.

Usage: player_flows.py BASE_URL VIDEO_ID USERNAME PASSWORD SCREENSHOT_DIR

Plays VIDEO_ID with ?format=dash (the play head passes 1 s; the MPD and the playing
rendition's segments were fetched, no HLS playlist), fixes the quality menu on another DASH
rendition and checks the segments fetched afterwards are that rendition's, points at the seek
bar and keyboard-focuses it and sees a trickplay tile whose background is a sprite, then signs
in as the video's creator, sees the API's 422 for an unreadable schedule next to the field,
saves a schedule (stored as the UTC of the local time typed) and clears it, chooses another
poster candidate and finds the watch page's poster URL and bytes changed, and checks the edit
and DASH watch pages at 390 px. Fails on console
errors. Prints one JSON line; exits 1 with the reason on failure.
"""
import re
import sys
import urllib.parse
import urllib.request

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from browser_flows import Failure, Flows, run_flows, wait_for

SEGMENT = re.compile(r"/streams/[^/]+/([^/]+)/seg-[^/]+\.m4s$")


class PlayerFlows(Flows):
    def fetch_bytes(self, path):
        with urllib.request.urlopen(self.base + path) as response:
            return response.read()

    def resources(self, since=0):
        return self.js("return performance.getEntriesByType('resource').filter(e => e.startTime > arguments[0]).map(e => e.name)", since)

    def video_segments(self, since, ids):
        found = []
        for name in self.resources(since):
            match = SEGMENT.search(name.split("?")[0])
            if match and match.group(1) in ids:
                found.append(match.group(1))
        return found

    def dash(self):
        self.open(f"/watch/{self.video}?format=dash", "watch-dash")
        played = wait_for("video.currentTime past 1 s with DASH",
                          lambda: (self.js("return document.getElementById('video').currentTime") or 0) > 1.0, timeout=30)
        message = self.js("const m = document.querySelector('.player-message'); return m && !m.hidden ? m.textContent : ''")
        if message:
            raise Failure(f"the DASH player shows a message while playing: {message}")
        names = [n.split("?")[0] for n in self.resources()]
        if not any(n.endswith(f"/streams/{self.video}/manifest.mpd") for n in names):
            raise Failure(f"the DASH page never fetched the MPD: {names}")
        if any(n.endswith(".m3u8") for n in names):
            raise Failure(f"the DASH page fetched HLS playlists: {[n for n in names if n.endswith('.m3u8')]}")
        playing = self.js("return document.getElementById('player').dataset.rendition")
        ids = self.js("return window.kinoraPlayer.variants.map(v => v.id)")
        if len(ids) < 2 or playing not in ids or playing not in self.video_segments(0, ids):
            raise Failure(f"DASH renditions {ids}: the playing {playing!r} should have fetched segments ({names})")
        self.shot("watch-dash")
        labels = [o.text for o in Select(self.driver.find_element(By.ID, "quality")).options]
        if labels[0] != "Auto" or len(labels) != len(ids) + 1:
            raise Failure(f"the DASH quality menu should offer Auto and every rendition: {labels}")
        target = next(i for i, rendition in enumerate(ids) if rendition != playing)
        switched_at = self.js("return performance.now()")
        Select(self.driver.find_element(By.ID, "quality")).select_by_value(str(target))
        wait_for(f"DASH segments of {ids[target]} after choosing it", lambda: ids[target] in self.video_segments(switched_at, ids))
        others = [r for r in self.video_segments(switched_at, ids) if r != ids[target]]
        if others:
            raise Failure(f"after choosing {ids[target]} the DASH player still fetched {others}")
        wait_for("the DASH quality change to show", lambda: self.js("return document.getElementById('player').dataset.rendition") == ids[target])
        self.shot("watch-dash-quality")
        self.collect_console()
        return {"played": played, "renditions": ids, "chosen": ids[target]}

    def tile(self):
        return self.js(
            "const t = document.querySelector('.trickplay'); if (!t || t.hidden) return null;"
            "const p = t.querySelector('.trickplay-image');"
            "return {image: p.style.backgroundImage, position: p.style.backgroundPosition, width: p.offsetWidth, time: t.textContent};")

    def trickplay(self):
        seek = wait_for("the seek bar", lambda: (self.driver.find_elements(By.ID, "seek") or [None])[0])
        if self.driver.find_element(By.CSS_SELECTOR, 'label[for="seek"]').get_attribute("textContent") != "Seek":
            raise Failure("the seek bar has no label")
        wait_for("the video's duration on the seek bar", lambda: float(seek.get_attribute("max") or 0) > 5)
        width = seek.size["width"]
        # Three quarters along: the tile of ~9 s of the 12 s clip.
        ActionChains(self.driver).move_to_element_with_offset(seek, int(width * 0.25), 0).perform()
        hovered = wait_for("a trickplay tile on hover", self.tile)
        if not re.search(r'url\("?[^")]*/streams/[^/]+/thumbs/sprite-\d+\.jpg"?\)', hovered["image"]) or hovered["width"] < 20:
            raise Failure(f"the hover tile is not a sprite tile: {hovered}")
        if not re.search(r"0:0[89]|0:10", hovered["time"]):
            raise Failure(f"pointing three quarters along a 12 s clip shows {hovered['time']!r}")
        self.shot("watch-trickplay-hover")
        ActionChains(self.driver).move_to_element_with_offset(seek, -int(width * 0.45), 0).perform()
        early = wait_for("another tile near the start", lambda: (t := self.tile()) and t["time"] != hovered["time"] and t)
        # Away from the bar the tile goes; keyboard focus shows the tile of the play head's time.
        ActionChains(self.driver).move_to_element(self.driver.find_element(By.CSS_SELECTOR, ".watch-title")).perform()
        wait_for("the tile to hide when the pointer leaves", lambda: self.tile() is None)
        self.js("document.getElementById('video').pause()")
        self.js("document.querySelector('.player-button.play').focus()")
        ActionChains(self.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        focused = wait_for("Shift+Tab from the play button to reach the seek bar", lambda: self.js("return document.activeElement.id") == "seek", timeout=5)
        keyed = wait_for("a trickplay tile on keyboard focus", self.tile)
        seek.send_keys(Keys.END)
        last = wait_for("the tile to follow the keys", lambda: (t := self.tile()) and t["time"] != keyed["time"] and t)
        self.shot("watch-trickplay-keyboard")
        self.collect_console()
        return {"hover": hovered, "near_start": early["time"], "keyboard": keyed["time"], "end": last["time"], "focused": focused}

    def transport(self):
        """Our own controls replace the browser's: play/pause, mute (button and `m`), captions."""
        self.open(f"/watch/{self.video}", "watch-controls")
        play = wait_for("the play button", lambda: (self.driver.find_elements(By.CSS_SELECTOR, ".player-button.play") or [None])[0])
        if self.js("return document.getElementById('video').controls"):
            raise Failure("the browser's own controls are shown beside the player's")
        paused = lambda: self.js("return document.getElementById('video').paused")
        before = paused()
        play.click()
        wait_for("the play button to toggle playback", lambda: paused() != before, timeout=5)
        if play.get_attribute("aria-label") != ("Play" if paused() else "Pause"):
            raise Failure(f"the play button is labelled {play.get_attribute('aria-label')!r} while paused={paused()}")
        play.click()
        wait_for("the play button to toggle back", lambda: paused() == before, timeout=5)
        mute = self.driver.find_element(By.CSS_SELECTOR, ".player-button.mute")
        muted = lambda: self.js("return document.getElementById('video').muted")
        mute.click()
        wait_for("the mute button to mute", lambda: muted() and mute.get_attribute("aria-label") == "Unmute", timeout=5)
        self.js("document.activeElement.blur()")  # shortcuts are ignored while a button has focus
        ActionChains(self.driver).send_keys("m").perform()
        wait_for("`m` to unmute", lambda: not muted(), timeout=5)
        menu = Select(self.driver.find_element(By.ID, "captions"))
        labels = [o.text for o in menu.options]
        if labels != ["Off", "English"]:
            raise Failure(f"the captions menu should offer Off and the uploaded English track: {labels}")
        mode = lambda: self.js("return document.getElementById('video').textTracks[0].mode")
        menu.select_by_visible_text("English")
        wait_for("the English captions to show", lambda: mode() == "showing", timeout=5)
        menu.select_by_visible_text("Off")
        wait_for("the captions to go", lambda: mode() == "disabled", timeout=5)
        self.shot("watch-controls")
        self.collect_console()
        return {"captions": labels}

    def sign_in(self, next_path):
        self.open(f"/login?next={next_path}", "login")
        self.driver.find_element(By.ID, "login-username").send_keys(self.username)
        self.driver.find_element(By.ID, "login-password").send_keys(self.password)
        self.driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
        wait_for(next_path, lambda: urllib.parse.urlsplit(self.driver.current_url).path == next_path)

    def api_video(self):
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.json()).then(done).catch(() => done(null));",
            f"/api/v1/videos/{self.video}")

    def save(self):
        self.js("document.getElementById('form-saved').textContent = ''")
        self.driver.find_element(By.CSS_SELECTOR, "#edit-form button[type=submit]").click()

    def schedule(self):
        self.sign_in(f"/studio/videos/{self.video}")
        self.current = "studio-edit"
        field = self.driver.find_element(By.ID, "edit-publish-at")
        if self.driver.find_element(By.CSS_SELECTOR, 'label[for="edit-publish-at"]').text == "":
            raise Failure("the schedule field has no label")
        # Year 20000 is a valid datetime-local; its ISO form (+020000-…) is not RFC 3339: the API's 422.
        self.js("arguments[0].value = '20000-01-01T10:00'", field)
        self.save()
        refusal = wait_for("the API's 422 next to the schedule", lambda: self.driver.find_element(By.ID, "error-publish_at").text)
        if "RFC 3339" not in refusal or field.get_attribute("aria-invalid") != "true":
            raise Failure(f"the schedule's 422 shows {refusal!r}")
        self.driver.get_log("browser")  # the expected 422
        self.shot("studio-edit-schedule-refused")
        self.js("arguments[0].value = '2031-03-04T05:06'", field)
        expected = self.js("return new Date('2031-03-04T05:06').toISOString().replace(/\\.000Z$/, 'Z')")
        self.save()
        wait_for("the schedule saved", lambda: self.driver.find_element(By.ID, "form-saved").text == "Saved.")
        stored = self.api_video()["publish_at"]
        if stored != expected:
            raise Failure(f"the schedule was stored as {stored!r}, expected the UTC {expected!r}")
        self.driver.refresh()
        shown = wait_for("the stored schedule in the field", lambda: self.driver.find_element(By.ID, "edit-publish-at").get_attribute("value"))
        if shown != "2031-03-04T05:06":
            raise Failure(f"the reloaded page shows the schedule as {shown!r}")
        self.driver.find_element(By.ID, "edit-publish-at").clear()
        self.js("document.getElementById('edit-publish-at').value = ''")
        self.save()
        wait_for("the schedule cleared", lambda: self.driver.find_element(By.ID, "form-saved").text == "Saved.")
        if self.api_video()["publish_at"] is not None:
            raise Failure("clearing the field kept the schedule")
        self.collect_console()
        return {"refusal": refusal, "stored": stored}

    def poster(self):
        self.open(f"/watch/{self.video}", "watch-poster-before")
        before = self.driver.find_element(By.ID, "video").get_attribute("poster")
        old_bytes = self.fetch_bytes(before.replace(self.base, ""))
        self.open(f"/studio/videos/{self.video}", "studio-edit-poster")
        radios = self.driver.find_elements(By.CSS_SELECTOR, ".poster-choice input[type=radio][name=poster]")
        if len(radios) < 2:
            raise Failure(f"the edit page offers {len(radios)} poster candidates")
        for radio in radios:
            if not radio.find_elements(By.XPATH, "following-sibling::img[@alt]"):
                raise Failure("a poster candidate has no labelled image")
        choice = next((r for r in radios if self.fetch_bytes(r.get_attribute("value")) != old_bytes and not r.is_selected()), None)
        if choice is None:
            raise Failure("every candidate looks like the current poster")
        wanted = choice.get_attribute("value")
        # Keyboard: focus the radio and choose it with space.
        self.js("arguments[0].focus()", choice)
        choice.send_keys(Keys.SPACE)
        if not choice.is_selected():
            raise Failure("space did not choose the focused poster candidate")
        self.shot("studio-edit-poster")
        self.save()
        wait_for("the poster saved", lambda: self.driver.find_element(By.ID, "form-saved").text == "Saved.")
        shown = self.driver.find_element(By.CSS_SELECTOR, ".studio-poster").get_attribute("src")
        if not shown.endswith(wanted):
            raise Failure(f"after saving the edit page shows the poster {shown!r}, not {wanted!r}")
        self.collect_console()
        self.open(f"/watch/{self.video}", "watch-poster-after")
        after = self.driver.find_element(By.ID, "video").get_attribute("poster")
        if not after.endswith(wanted) or after == before:
            raise Failure(f"the watch page's poster is {after!r}, expected {wanted!r} (was {before!r})")
        if self.fetch_bytes(after.replace(self.base, "")) == old_bytes:
            raise Failure("the new poster URL serves the old picture")
        self.shot("watch-poster-after")
        self.collect_console()
        # At phone width neither the edit page's candidates nor the player bar stick out sideways.
        self.at_phone_width([(f"/studio/videos/{self.video}", "studio-edit-phone", None),
                             (f"/watch/{self.video}?format=dash", "watch-dash-phone", lambda: self.driver.find_elements(By.ID, "seek"))])
        return {"before": before, "after": after}

    def run(self):
        return self.guarded(lambda: {"ok": True, "dash": self.dash(), "trickplay": self.trickplay(),
                                     "transport": self.transport(), "schedule": self.schedule(), "poster": self.poster()})


def main():
    base, video, username, password, shots = sys.argv[1:6]
    return run_flows(lambda: PlayerFlows(base, video, username, password, shots, ""), shots)


if __name__ == "__main__":
    sys.exit(main())
