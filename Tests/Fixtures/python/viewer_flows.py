"""The viewer's pages in a real browser (Debian's chromium through chromedriver, headless).

Usage: viewer_flows.py BASE_URL VIDEO_ID USERNAME PASSWORD SCREENSHOT_DIR SECOND_VIDEO_ID

Signs in as a viewer through /login?next=/watch/VIDEO_ID, follows the channel link of the
watch page, subscribes there (the button and the count change), finds the video in /feed,
saves it to a new playlist from the watch page, opens the playlist from /playlists and plays
from it (the watch page has ?list=), watches past 3 s and pauses, finds the video in /history
with a progress bar and resumes it (the player starts near the stored position; ?t= alone
seeks too), checks every page at 390 px for horizontal overflow, then saves SECOND_VIDEO_ID to
the same playlist (chosen in the menu), moves it up, renames the playlist, removes an item,
removes the history entry and deletes the playlist, each checked after a reload. Fails on any
console error. Each page is photographed into SCREENSHOT_DIR. Prints one JSON line; exits 1 with the
reason on failure.
"""
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser_flows import Failure, Flows, run_flows, wait_for


class ViewerFlows(Flows):
    def __init__(self, base, video, username, password, shots, second):
        super().__init__(base, video, username, password, shots, "")
        self.second = second

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def play_head(self):
        return self.js("return document.getElementById('video').currentTime") or 0

    def sign_in(self):
        self.open(f"/login?next=/watch/{self.video}", "login")
        self.driver.find_element(By.ID, "login-username").send_keys(self.username)
        self.driver.find_element(By.ID, "login-password").send_keys(self.password)
        self.find("#login-form button[type=submit]").click()
        wait_for("the watch page after signing in", lambda: f"/watch/{self.video}" in self.driver.current_url
                 and self.driver.find_elements(By.CSS_SELECTOR, ".user-name"))
        self.current = "watch-signed-in"
        self.shot("watch-signed-in")
        self.collect_console()

    def channel(self):
        link = self.find(".watch-social a.channel-link")
        name = link.text
        link.click()
        wait_for("the channel page", lambda: "/channel/" in self.driver.current_url)
        self.current = "channel"
        heading = self.find(".channel-head h1").text
        if heading != name:
            raise Failure(f"the channel page is titled {heading!r}, the watch page linked {name!r}")
        if not self.driver.find_elements(By.CSS_SELECTOR, f'a.card-link[data-video-id="{self.video}"]'):
            raise Failure("the channel page does not list the video")
        button = self.find("button.subscribe-button")
        if button.text != "Subscribe" or button.get_attribute("data-subscribed") != "false":
            raise Failure(f"before subscribing the button says {button.text!r}")
        button.click()
        wait_for("the subscribed button", lambda: self.find("button.subscribe-button").get_attribute("data-subscribed") == "true")
        count = wait_for("the new count", lambda: (t := self.find(".subscriber-count").text) == "1 subscriber" and t)
        if self.find("button.subscribe-button").text != "Unsubscribe":
            raise Failure("after subscribing the button does not offer to unsubscribe")
        self.shot("channel-subscribed")
        self.collect_console()
        self.driver.refresh()
        if self.find("button.subscribe-button").get_attribute("data-subscribed") != "true":
            raise Failure("the subscription did not last past a reload")
        path = self.driver.current_url[len(self.base):]
        self.open("/feed", "feed")
        if not self.driver.find_elements(By.CSS_SELECTOR, f'a.card-link[data-video-id="{self.video}"]'):
            raise Failure("the subscriptions feed does not show the channel's video")
        self.shot("feed")
        self.collect_console()
        return {"channel": path, "count": count}

    def save_to_playlist(self):
        self.open(f"/watch/{self.video}", "watch-save")
        select = Select(self.driver.find_element(By.ID, "save-playlist"))
        select.select_by_value("new")
        title = self.driver.find_element(By.ID, "save-new-title")
        wait_for("the new playlist's title field", title.is_displayed)
        title.send_keys("Flow <list>")
        self.find("#save-form button[type=submit]").click()
        saved = wait_for("the saved message", lambda: self.driver.find_element(By.ID, "save-status").text)
        if saved != "Saved to Flow <list>.":
            raise Failure(f"saving says {saved!r}")
        self.shot("watch-saved")
        self.collect_console()
        self.open("/playlists", "playlists")
        links = [a for a in self.driver.find_elements(By.CSS_SELECTOR, ".playlist-list a") if a.text == "Flow <list>"]
        if not links:
            raise Failure("/playlists does not list the new playlist")
        self.shot("playlists")
        links[0].click()
        wait_for("the playlist page", lambda: "/playlists/" in self.driver.current_url)
        self.current = "playlist"
        playlist = self.find("#playlist").get_attribute("data-playlist-id")
        items = [li.get_attribute("data-video-id") for li in self.driver.find_elements(By.CSS_SELECTOR, ".playlist-item")]
        if items != [self.video]:
            raise Failure(f"the playlist holds {items}, expected the saved video")
        self.shot("playlist")
        self.collect_console()
        self.find(f'.playlist-item[data-video-id="{self.video}"] a.playlist-link').click()
        wait_for("the watch page from the playlist", lambda: f"/watch/{self.video}?list={playlist}" in self.driver.current_url)
        self.current = "watch-from-playlist"
        return playlist

    def watch_and_resume(self):
        wait_for("playback past 3 s", lambda: self.play_head() > 3.0, timeout=30)
        self.js("document.getElementById('video').pause()")
        stored = wait_for("the progress report past 2.5 s", lambda: (p := self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.json()).then(v => done(v.resume_position)).catch(() => done(null));",
            f"/api/v1/videos/{self.video}")) and p > 2.5 and p)
        self.shot("watch-from-playlist")
        self.collect_console()
        self.open("/history", "history")
        entry = self.find(f'.history-entry[data-video-id="{self.video}"]')
        bar = entry.find_element(By.CSS_SELECTOR, "progress.watch-progress")
        if float(bar.get_attribute("value")) < 2:
            raise Failure(f"the history's progress bar is at {bar.get_attribute('value')}, expected past 2 s")
        resume = entry.find_element(By.CSS_SELECTOR, "a.resume-link")
        href = resume.get_attribute("href")
        self.shot("history")
        self.collect_console()
        resume.click()
        wait_for("the resumed watch page", lambda: "?t=" in self.driver.current_url)
        self.current = "watch-resumed"
        first = wait_for("the play head", lambda: self.play_head())
        self.shot("watch-resumed")
        self.collect_console()
        if abs(first - int(stored)) > 2:
            raise Failure(f"Resume ({href}) started at {first:.2f} s, not near the stored {stored:.2f} s")
        # ?t= on its own seeks, past the stored position.
        self.open(f"/watch/{self.video}?t=6", "watch-t")
        at = wait_for("the play head at ?t=6", lambda: self.play_head())
        if abs(at - 6) > 1.5:
            raise Failure(f"/watch?t=6 started at {at:.2f} s")
        self.js("document.getElementById('video').pause()")
        self.collect_console()
        return {"stored": stored, "resumed_at": first, "t6": at}

    def phone(self, playlist):
        # The watch page is paused once loaded, so the flow's next steps start from a still player.
        paused = lambda: self.js("return document.readyState") == "complete" and self.js("document.getElementById('video').pause(); return true")
        self.at_phone_width([(f"/watch/{self.video}?list={playlist}", "phone-watch", paused), ("/channel/carol", "phone-channel", None),
                             ("/feed", "phone-feed", None), ("/history", "phone-history", None), ("/playlists", "phone-playlists", None),
                             (f"/playlists/{playlist}", "phone-playlist", None), ("/", "phone-home", None)])

    def items(self):
        # In one script: the list changes under a loop of element lookups.
        return self.js("return [...document.querySelectorAll('.playlist-item')].map(li => li.dataset.videoId)")

    def manage(self, playlist):
        """The owner's controls: save to an existing playlist, reorder, rename, remove, delete."""
        self.open(f"/watch/{self.second}", "watch-second")
        Select(self.driver.find_element(By.ID, "save-playlist")).select_by_value(playlist)
        self.find("#save-form button[type=submit]").click()
        wait_for("the second save", lambda: self.driver.find_element(By.ID, "save-status").text == "Saved to Flow <list>.")
        self.collect_console()
        self.open(f"/playlists/{playlist}", "playlist-manage")
        if self.items() != [self.video, self.second]:
            raise Failure(f"after saving the second video the playlist holds {self.items()}")
        self.find(f'.playlist-item[data-video-id="{self.second}"] .item-up').click()
        wait_for("the moved item", lambda: self.items() == [self.second, self.video])
        self.driver.refresh()
        if self.items() != [self.second, self.video]:
            raise Failure(f"the new order did not last past a reload: {self.items()}")
        title = self.driver.find_element(By.ID, "edit-title")
        title.clear()
        title.send_keys("Renamed list")
        Select(self.driver.find_element(By.ID, "edit-visibility")).select_by_value("unlisted")
        self.find("#playlist-edit button[type=submit]").click()
        wait_for("the saved settings", lambda: self.driver.find_element(By.ID, "edit-saved").text == "Saved.")
        self.find(f'.playlist-item[data-video-id="{self.video}"] .item-remove').click()
        wait_for("the removed item", lambda: self.items() == [self.second])
        self.shot("playlist-managed")
        self.driver.refresh()
        heading = self.driver.find_element(By.ID, "playlist-heading").text
        if heading != "Renamed list" or self.items() != [self.second] or "Unlisted" not in self.find(".playlist .muted").text:
            raise Failure(f"after a reload the playlist is {heading!r} with {self.items()}")
        self.collect_console()

        self.open("/history", "history-remove")
        self.find(f'.history-remove[data-video-id="{self.video}"]').click()
        wait_for("the entry gone", lambda: not self.driver.find_elements(By.CSS_SELECTOR, f'.history-entry[data-video-id="{self.video}"]'))
        self.driver.refresh()
        if self.driver.find_elements(By.CSS_SELECTOR, f'.history-entry[data-video-id="{self.video}"]'):
            raise Failure("the removed history entry is back after a reload")
        self.collect_console()

        self.open(f"/playlists/{playlist}", "playlist-delete")
        self.driver.find_element(By.ID, "playlist-delete-start").click()
        wait_for("the confirmation", lambda: self.driver.find_element(By.ID, "playlist-delete-yes").is_displayed())
        self.driver.find_element(By.ID, "playlist-delete-yes").click()
        wait_for("/playlists without it", lambda: self.driver.current_url.endswith("/playlists")
                 and not self.driver.find_elements(By.CSS_SELECTOR, f'[data-playlist-id="{playlist}"]'))
        self.collect_console()

    def run(self):
        return self.guarded(self.steps)

    def steps(self):
        self.sign_in()
        channel = self.channel()
        playlist = self.save_to_playlist()
        resumed = self.watch_and_resume()
        self.phone(playlist)
        self.open("/", "home")
        if not self.driver.find_elements(By.ID, "row-subscriptions") or not self.driver.find_elements(By.ID, "row-popular"):
            raise Failure("the home page lacks the subscriptions or the popular row after watching")
        self.shot("home")
        self.collect_console()
        self.manage(playlist)
        return {"ok": True, "channel": channel, "playlist": playlist, "resume": resumed}


def main():
    base, video, username, password, shots, second = sys.argv[1:7]
    return run_flows(lambda: ViewerFlows(base, video, username, password, shots, second), shots)

if __name__ == "__main__":
    sys.exit(main())
