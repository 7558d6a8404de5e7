"""The creator studio in a real browser (Debian's chromium through chromedriver, headless).

Usage: studio_flows.py BASE_URL USERNAME PASSWORD CLIP_PATH SCREENSHOT_DIR

Signs in as a creator through /login?next=/studio, uploads CLIP_PATH on /studio/upload with
small chunks over a throttled link, pauses after the first chunk, reloads the page, chooses
the file again and resumes from the server's offset, loses the connection (offline emulation)
and sees the page say so and carry on once it is back, sees the upload complete and processing
reach ready over Server-Sent Events, then on the edit page sees a 422 next to an empty title,
saves a new title and finds it on the watch page and in the studio list, and finally deletes
the video through the confirmation step. Fails on console errors other than the expected
ones. Prints one JSON line; exits 1 with the reason on failure.
"""
import os
import sys

from selenium.webdriver.common.by import By

from browser_flows import Failure, Flows, run_flows, wait_for

CHUNK = 262144


class StudioFlows(Flows):
    def __init__(self, base, username, password, clip, shots):
        super().__init__(base, "", username, password, shots, "")
        self.clip = clip
        self.size = os.path.getsize(clip)

    def sign_in(self):
        self.open("/studio", "studio-anonymous")
        wait_for("the sign-in page", lambda: "/login?next=/studio" in self.driver.current_url)
        self.driver.find_element(By.ID, "login-username").send_keys(self.username)
        self.driver.find_element(By.ID, "login-password").send_keys(self.password)
        self.driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
        wait_for("the studio after signing in", lambda: self.driver.current_url.endswith("/studio")
                 and self.driver.find_elements(By.CSS_SELECTOR, 'a[href="/studio/upload"]'))
        self.current = "studio-empty"
        self.shot("studio-empty")
        self.collect_console()

    def throttle(self, upload_bytes_per_second):
        self.driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                                    {"offline": False, "latency": 5 if upload_bytes_per_second > 0 else 0,
                                     "downloadThroughput": -1, "uploadThroughput": upload_bytes_per_second})

    def state(self):
        return self.js("return document.getElementById('upload-progress').dataset.state || ''")

    def offset(self):
        return int(self.js("return document.getElementById('upload-progress').dataset.offset || '0'"))

    def upload(self):
        # A slow link, so the pause lands between chunks (each takes about a second).
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.throttle(250000)
        self.open(f"/studio/upload?chunk={CHUNK}", "upload")
        self.driver.find_element(By.ID, "upload-file").send_keys(self.clip)
        title = self.driver.find_element(By.ID, "upload-title")
        title.clear()
        title.send_keys("Studio clip")
        self.driver.find_element(By.ID, "upload-start").click()
        wait_for("the first chunk", lambda: self.offset() >= CHUNK, timeout=30)
        self.driver.find_element(By.ID, "upload-pause").click()
        wait_for("the paused state", lambda: self.state() == "paused")
        paused_at = self.offset()
        status = self.driver.find_element(By.ID, "upload-status").text
        if "%" not in status:
            raise Failure(f"the progress line shows no percent: {status!r}")
        self.shot("upload-paused")
        if paused_at >= self.size:
            raise Failure(f"the upload finished ({paused_at} of {self.size} bytes) before it could be paused")
        remembered = self.js("return Object.keys(localStorage).filter(k => k.startsWith('kinora.tus.')).length")
        if remembered != 1:
            raise Failure(f"the upload URL is not remembered in localStorage ({remembered} entries)")
        self.throttle(-1)
        # The aborted PATCH of the pause is reported as a failed load; it is expected.
        self.driver.get_log("browser")

        self.driver.refresh()
        self.current = "upload-reloaded"
        self.driver.find_element(By.ID, "upload-file").send_keys(self.clip)
        wait_for("the offer to resume", lambda: self.state() == "paused"
                 and "interrupted" in self.driver.find_element(By.ID, "upload-status").text)
        self.throttle(250000)
        self.driver.find_element(By.ID, "upload-resume").click()
        wait_for("a chunk after resuming", lambda: self.offset() >= paused_at + CHUNK, timeout=30)
        resumed_from = int(self.js("return document.getElementById('upload-progress').dataset.resumedFrom || '0'"))
        # The connection drops mid-upload: the page says so and carries on once it is back.
        self.driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                                    {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        lost = wait_for("the lost connection's message", lambda: "connection was lost" in self.driver.find_element(By.ID, "upload-status").text)
        self.shot("upload-offline")
        self.throttle(-1)
        self.driver.get_log("browser")  # the requests cut off by the drop
        wait_for("the upload to complete", lambda: self.state() == "done", timeout=60)
        if resumed_from < CHUNK:
            raise Failure(f"after the reload the upload started again at {resumed_from}, not at the server's offset (paused at {paused_at})")
        video = wait_for("the video id", lambda: self.js("return document.getElementById('processing').dataset.videoId"))
        wait_for("processing to reach ready over SSE",
                 lambda: self.js("return document.getElementById('processing').dataset.state") in ("ready", "failed"), timeout=120)
        final = self.js("return document.getElementById('processing').dataset.state")
        self.shot("upload-processed")
        if final != "ready":
            raise Failure(f"processing ended {final}: {self.driver.find_element(By.ID, 'processing-status').text}")
        self.collect_console()
        return video, {"paused_at": paused_at, "resumed_from": resumed_from, "size": self.size, "after_drop": lost}

    def edit(self, video):
        self.driver.find_element(By.ID, "edit-link").click()
        wait_for("the edit page", lambda: self.driver.current_url.endswith(f"/studio/videos/{video}"))
        self.current = "edit"
        title = self.driver.find_element(By.ID, "edit-title")
        title.clear()
        self.driver.find_element(By.CSS_SELECTOR, "#edit-form button[type=submit]").click()
        message = wait_for("the title's field error", lambda: self.driver.find_element(By.ID, "error-title").text)
        self.shot("edit-invalid")
        self.driver.get_log("browser")  # the expected 422
        title.send_keys("Renamed <in> the studio")
        self.driver.find_element(By.CSS_SELECTOR, "#edit-form button[type=submit]").click()
        wait_for("the saved message", lambda: self.driver.find_element(By.ID, "form-saved").text == "Saved.")
        if self.driver.find_element(By.ID, "error-title").text:
            raise Failure("the title's error stays after a successful save")
        self.shot("edit-saved")
        self.collect_console()
        self.open(f"/watch/{video}", "watch-renamed")
        heading = self.driver.find_element(By.CSS_SELECTOR, "h1.watch-title").text
        if heading != "Renamed <in> the studio":
            raise Failure(f"the watch page shows {heading!r} after the edit")
        self.open("/studio", "studio-list")
        row = self.driver.find_element(By.CSS_SELECTOR, f'tr[data-video-id="{video}"]').text
        if "Renamed <in> the studio" not in row or "Ready" not in row:
            raise Failure(f"the studio lists the video as {row!r}")
        self.shot("studio-list")
        self.collect_console()
        return message

    def delete(self, video):
        self.open(f"/studio/videos/{video}", "delete")
        self.driver.find_element(By.ID, "delete-start").click()
        wait_for("the confirmation", lambda: self.driver.find_element(By.ID, "delete-yes").is_displayed())
        self.shot("delete-confirm")
        self.driver.find_element(By.ID, "delete-yes").click()
        wait_for("the studio without the video", lambda: self.driver.current_url.endswith("/studio")
                 and not self.driver.find_elements(By.CSS_SELECTOR, f'tr[data-video-id="{video}"]'))
        self.collect_console()

    def run(self):
        return self.guarded(self.steps)

    def steps(self):
        self.sign_in()
        video, upload = self.upload()
        field_error = self.edit(video)
        self.delete(video)
        return {"ok": True, "video": video, "upload": upload, "title_error": field_error}


def main():
    base, username, password, clip, shots = sys.argv[1:6]
    return run_flows(lambda: StudioFlows(base, username, password, clip, shots), shots)

if __name__ == "__main__":
    sys.exit(main())
