"""The header's bell, the notifications page and the console's notifications page in a real
browser (Debian's chromium through chromedriver, headless).

Usage: notification_flows.py BASE_URL SETUP_JSON SCREENSHOT_DIR

SETUP_JSON: viewer, viewer_password (an account with SETUP.unread unread notifications, the
newest a reply to its comment), admin, admin_password, reply_url (an API call the flow makes
through the daemon's own API with the poster's token to post a new reply while the page is open:
{"url", "token", "body"}), channel (a notify instance whose test the admin sends).

As the viewer: the bell's badge shows the unread count on the home page; a reply posted while
the notifications page is open arrives live (the badge and the list); "Mark all as read" clears
the badge, and it stays cleared after a reload; a choice saved in the table (no replies by mail)
and quiet hours are what GET /api/v1/me/notification-preferences says afterwards. As the admin:
the console's notifications page lists deliveries and "Send test" shows the channel's outcome.
Fails on console errors. Prints one JSON line; exits 1 with the reason on failure.
"""
import json
import sys
import urllib.request

from selenium.webdriver.common.by import By

from browser_flows import Failure, Flows, run_flows, wait_for


class NotificationFlows(Flows):
    def __init__(self, base, setup, shots):
        super().__init__(base, "", setup["viewer"], setup["viewer_password"], shots, "")
        self.setup = setup

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def finds(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def sign_in(self, username, password, next_path):
        self.open(f"/login?next={next_path}", f"login-{username}")
        self.find("#login-username").send_keys(username)
        self.find("#login-password").send_keys(password)
        self.find("#login-form button[type=submit]").click()
        wait_for(f"{username} signed in", lambda: self.finds(".user-name") and "/login" not in self.driver.current_url)

    def badge(self):
        return self.js("const b = document.getElementById('bell-badge'); return b && !b.hidden ? b.textContent : ''")

    def api(self, method, path, body=None, token=None):
        request = urllib.request.Request(self.base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read() or b"null")

    def run(self):
        return self.guarded(self.steps)

    def steps(self):
        self.sign_in(self.username, self.password, "/")
        self.current = "home-bell"
        expected = str(self.setup["unread"])
        wait_for(f"the badge to show {expected}", lambda: self.badge() == expected)
        self.shot("home-bell")

        # The page lists the inbox, newest first; a new reply arrives live.
        self.find("#bell").click()
        self.current = "notifications"
        wait_for("the list", lambda: len(self.finds("#notification-list li")) == self.setup["unread"])
        first = self.finds("#notification-list li")[0].text
        if "replied to your comment" not in first:
            raise Failure(f"the newest notification reads {first!r}")
        reply = self.setup["reply"]
        self.api("POST", reply["url"], {"body": reply["body"], "parent_id": reply["parent_id"]}, reply["token"])
        wait_for("the live reply", lambda: len(self.finds("#notification-list li")) == self.setup["unread"] + 1, timeout=30)
        wait_for("the badge to count it", lambda: self.badge() == str(self.setup["unread"] + 1), timeout=30)
        if reply["body"][:20] not in self.finds("#notification-list li")[0].text:
            raise Failure(f"the live item reads {self.finds('#notification-list li')[0].text!r}")
        self.shot("notifications-live")

        self.find("#read-all").click()
        wait_for("the badge to clear", lambda: self.badge() == "")
        if self.finds("#notification-list li.unread"):
            raise Failure("items are still marked unread")
        self.driver.refresh()
        wait_for("the list after a reload", lambda: len(self.finds("#notification-list li")) > 0)
        if self.badge() or self.finds("#notification-list li.unread"):
            raise Failure("after a reload, notifications are unread again")

        # Choices: no replies by mail, quiet hours on.
        box = self.find('input[name="comment.reply|email"]')
        wait_for("the choices to load", lambda: box.is_selected())
        box.click()
        self.find("#quiet-on").click()
        self.find("#choices-form button[type=submit]").click()
        wait_for("the choices saved", lambda: self.find("#choices-status").text == "Saved.")
        self.shot("notifications-choices")
        self.collect_console()

        # The admin: the delivery log, and a test through the channel.
        self.find("#logout").click()
        wait_for("signed out", lambda: not self.finds(".user-name"))
        self.sign_in(self.setup["admin"], self.setup["admin_password"], "/admin/notifications")
        self.current = "admin-notifications"
        wait_for("the delivery log", lambda: len(self.finds("#deliveries tbody tr")) > 0)
        channel = self.setup["channel"]
        form = self.find(f'form.channel-test[data-channel="{channel}"]')
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_for("the test's outcome", lambda: form.find_element(By.CSS_SELECTOR, ".test-result").text == "Delivered.", timeout=30)
        self.shot("admin-notifications")
        self.collect_console()
        return {"ok": True, "log_rows": len(self.finds("#deliveries tbody tr"))}


def main():
    base, setup, shots = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    flows = None

    def make():
        nonlocal flows
        flows = NotificationFlows(base, setup, shots)
        return flows

    return run_flows(make, shots)


if __name__ == "__main__":
    sys.exit(main())
