"""The admin console in a real browser (Debian's chromium through chromedriver, headless).

Usage: admin_flows.py BASE_URL USERNAME PASSWORD FAILED_JOB_ID FAILED_REASON SCREENSHOT_DIR

Signs in as an admin through /login?next=/admin, sees the dashboard's job counts and its SVG
chart, the plugin list (module names with ABI versions, the `media` instance started), the
failed job's reason on /admin/jobs, presses Retry and sees the job queued (or running) and then
failed again with its reason, makes the viewer `vic` a creator on /admin/users, adds a
category on /admin/categories, and finds no page wider than a 390 px phone screen. Fails on
console errors. Prints one JSON line; exits 1 with the reason on failure.
"""
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser_flows import Failure, Flows, run_flows, wait_for

PAGES = ("/admin", "/admin/plugins", "/admin/jobs", "/admin/users", "/admin/categories")


class AdminFlows(Flows):
    def __init__(self, base, username, password, job, reason, shots):
        super().__init__(base, "", username, password, shots, "")
        self.job, self.reason = job, reason

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def headers(self):
        self.expect_security_headers(PAGES + ("/static/css/admin.css", "/static/js/admin-jobs.js"))

    def sign_in(self):
        self.open("/admin", "admin-anonymous")
        wait_for("the sign-in page", lambda: "/login?next=/admin" in self.driver.current_url)
        self.driver.find_element(By.ID, "login-username").send_keys(self.username)
        self.driver.find_element(By.ID, "login-password").send_keys(self.password)
        self.find("#login-form button[type=submit]").click()
        wait_for("the dashboard after signing in", lambda: self.driver.current_url.endswith("/admin")
                 and self.driver.find_elements(By.ID, "admin-dashboard"))
        self.current = "dashboard"

    def dashboard(self):
        failed = self.find("#job-counts .count-failed dd").text
        if failed != "1":
            raise Failure(f"the dashboard counts {failed!r} failed jobs, not 1")
        bars = self.driver.find_elements(By.CSS_SELECTOR, "#uploads-chart rect")
        if len(bars) != 14:
            raise Failure(f"the uploads chart has {len(bars)} bars, not 14")
        if not self.find("#uploads-chart").is_displayed():
            raise Failure("the uploads chart is not visible")
        errors = self.find("#recent-errors").text
        if self.reason not in errors:
            raise Failure(f"the recent errors do not show the job's reason: {errors!r}")
        self.shot("dashboard")
        self.collect_console()

    def plugins(self):
        self.driver.find_element(By.LINK_TEXT, "Plugins").click()
        wait_for("the plugins page", lambda: self.driver.find_elements(By.ID, "admin-plugins"))
        self.current = "plugins"
        state = self.find('tr[data-instance="media"] .state').text
        if state != "started":
            raise Failure(f"the media instance is shown {state!r}")
        modules = [element.text for element in self.driver.find_elements(By.CSS_SELECTOR, "#modules h3")]
        if not modules or not all("ABI " in name and name.startswith("libkinora-") for name in modules):
            raise Failure(f"the module list is {modules!r}")
        self.shot("plugins")
        self.collect_console()
        return modules

    def row(self):
        return self.find(f'tr[data-job-id="{self.job}"]')

    def jobs(self):
        self.open("/admin/jobs", "jobs")
        Select(self.driver.find_element(By.ID, "state-filter")).select_by_value("failed")
        self.find("form.filter button[type=submit]").click()
        wait_for("the failed jobs", lambda: "state=failed" in self.driver.current_url)
        reason = self.row().find_element(By.CSS_SELECTOR, ".reason").text
        if reason != self.reason:
            raise Failure(f"the failed job shows the reason {reason!r}, not {self.reason!r}")
        self.shot("jobs-failed")
        retry = self.row().find_element(By.CSS_SELECTOR, "button.retry")
        retry.click()
        after = wait_for("the retried job's new state", lambda: self.row().find_element(By.CSS_SELECTOR, ".state").text
                         if self.row().find_element(By.CSS_SELECTOR, ".state").text != "failed" else None)
        if after not in ("queued", "running"):
            raise Failure(f"after Retry the job is {after!r}")
        if self.row().find_element(By.CSS_SELECTOR, ".reason").text:
            raise Failure("the retried job still shows its old reason")
        self.shot("jobs-retried")
        self.collect_console()

        def failed_again():
            # The list is filtered to failed jobs: the row is back once the job has failed again.
            self.driver.refresh()
            rows = self.driver.find_elements(By.CSS_SELECTOR, f'tr[data-job-id="{self.job}"] .state')
            return bool(rows) and rows[0].text == "failed"
        wait_for("the retried job to fail again", failed_again, timeout=60)
        self.current = "jobs-failed-again"
        if self.row().find_element(By.CSS_SELECTOR, ".reason").text != self.reason:
            raise Failure("the job failed again without its reason")
        self.shot("jobs-failed-again")
        self.collect_console()
        return after

    def users(self):
        self.open("/admin/users", "users")
        row = self.find('li[data-username="vic"]')
        Select(row.find_element(By.CSS_SELECTOR, "select.role")).select_by_value("creator")
        row.find_element(By.CSS_SELECTOR, "button.save-role").click()
        wait_for("the role change", lambda: self.driver.find_element(By.ID, "users-status").text == "vic is now creator.")
        self.driver.refresh()
        chosen = Select(self.find('li[data-username="vic"] select.role')).first_selected_option.get_attribute("value")
        if chosen != "creator":
            raise Failure(f"after a reload vic's role is {chosen!r}")
        self.shot("users")
        # vic signed in from a browser (the test made that session): the admin sees it and ends it.
        row = self.find('li[data-username="vic"]')
        row.find_element(By.CSS_SELECTOR, "button.show-sessions").click()
        summary = wait_for("vic's sessions", lambda: (p := row.find_elements(By.CSS_SELECTOR, ".sessions p")) and p[0].text)
        if summary != "1 active session(s).":
            raise Failure(f"vic's sessions say {summary!r}")
        listed = row.find_element(By.CSS_SELECTOR, ".sessions li").text
        if "Firefox on Linux" not in listed:
            raise Failure(f"the session should name its browser: {listed!r}")
        row.find_element(By.XPATH, ".//button[normalize-space()='End all sessions']").click()
        wait_for("the sessions to end", lambda: row.find_element(By.CSS_SELECTOR, ".sessions p").text == "All sessions were ended.")
        self.shot("users-sessions")
        self.collect_console()
        # A reset link for vic, followed in this browser: the page takes the code from the
        # fragment, refuses two different passwords, then sets the new one.
        row.find_element(By.CSS_SELECTOR, "button.reset-password").click()
        link = wait_for("the reset link", lambda: (c := row.find_elements(By.CSS_SELECTOR, ".reset-link")) and c[0].text)
        if not link.startswith(self.base + "/reset-password#token="):
            raise Failure(f"the reset link is {link!r}")
        self.shot("users-reset-link")
        self.driver.get(link)
        self.current = "reset-password"
        token = wait_for("the code taken from the link", lambda: self.driver.find_element(By.ID, "reset-token").get_attribute("value"))
        if "#" in self.driver.current_url:
            raise Failure(f"the reset code stays in the address bar: {self.driver.current_url}")
        self.driver.find_element(By.ID, "reset-password").send_keys("vic's new password")
        self.driver.find_element(By.ID, "reset-again").send_keys("something else entirely")
        self.driver.find_element(By.CSS_SELECTOR, "#reset-form button[type=submit]").click()
        wait_for("the mismatch message", lambda: self.driver.find_element(By.ID, "form-error").text == "The two passwords differ.")
        again = self.driver.find_element(By.ID, "reset-again")
        again.clear()
        again.send_keys("vic's new password")
        self.driver.find_element(By.CSS_SELECTOR, "#reset-form button[type=submit]").click()
        wait_for("the password to be changed", lambda: self.driver.find_element(By.ID, "reset-done").is_displayed())
        self.shot("reset-password")
        self.collect_console()

    def categories(self):
        self.open("/admin/categories", "categories")
        self.driver.find_element(By.ID, "category-id").send_keys("admin-flow")
        self.driver.find_element(By.ID, "category-name").send_keys("Admin <flow>")
        self.find("#add-category button[type=submit]").click()
        wait_for("the new category", lambda: self.driver.find_elements(By.CSS_SELECTOR, 'li[data-category-id="admin-flow"]'))
        self.driver.refresh()
        name = self.find('li[data-category-id="admin-flow"] input').get_attribute("value")
        if name != "Admin <flow>":
            raise Failure(f"the added category is called {name!r}")
        self.shot("categories")
        self.collect_console()

    def phone(self):
        """Every console page at phone width: nothing may stick out sideways."""
        self.at_phone_width([(path, "phone" + path.replace("/", "-"), None) for path in PAGES])

    def run(self):
        return self.guarded(self.steps)

    def steps(self):
        self.headers()
        self.sign_in()
        self.dashboard()
        modules = self.plugins()
        retried = self.jobs()
        self.users()
        self.categories()
        self.phone()
        return {"ok": True, "modules": modules, "after_retry": retried}


def main():
    base, username, password, job, reason, shots = sys.argv[1:7]
    return run_flows(lambda: AdminFlows(base, username, password, job, reason, shots), shots)

if __name__ == "__main__":
    sys.exit(main())
