"""The account settings page in a real browser (Debian's chromium through chromedriver, headless).

Usage: settings_flows.py BASE_URL USERNAME PASSWORD AVATAR_PNG SCREENSHOT_DIR
       settings_flows.py sso BASE_URL SUBJECT EXPECTED_NAME SCREENSHOT_DIR

Opens /settings signed out and lands on the sign-in page, signs in and comes back; sees a
422 next to an empty display name, then saves a new one and finds it in the header (before
and after a reload); uploads AVATAR_PNG (previewed first); saves preferences that survive a
reload; creates an API key (its secret shown once) and revokes it; sees a wrong current
password refused next to the field, changes the password and stays signed in (only other
sessions end); turns on two-factor authentication with a code computed from the secret
the page shows, signs out and back in through the code step; signs in from a second browser
with a recovery code, sees two sessions (this one marked), ends the other one and checks the
second browser is signed out; checks /settings at 390 px has no horizontal overflow. Fails
on console errors other than the expected ones. Prints one JSON line; exits 1 on failure.

With `sso`: /signup offers "Sign up with Mock SSO"; /settings → /login shows "Sign in with Mock SSO", the button (pressed from the
keyboard) leads to the provider's form, which signs in SUBJECT, and the browser lands on
/settings signed in as EXPECTED_NAME with its session listed as this one.
"""
import base64
import hashlib
import hmac
import struct
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser_flows import Failure, Flows, run_flows, wait_for

NEW_PASSWORD = "a brand new long password"


def totp(secret, step):
    """RFC 6238 with SHA-1 and 6 digits, from the base32 secret the page shows."""
    compact = secret.replace(" ", "").upper()
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000)


class SettingsFlows(Flows):
    def __init__(self, base, username, password, avatar, shots):
        super().__init__(base, "", username, password, shots, "")
        self.avatar = avatar
        self.second = None

    def by_id(self, name, driver=None):
        return (driver or self.driver).find_element(By.ID, name)

    def submit(self, form, driver=None):
        (driver or self.driver).find_element(By.CSS_SELECTOR, f"#{form} button[type=submit]").click()

    def sign_in(self, password, code=None, driver=None, expect_code=False):
        driver = driver or self.driver
        wait_for("the sign-in page", lambda: "/login?next=" in driver.current_url)
        self.by_id("login-username", driver).send_keys(self.username)
        self.by_id("login-password", driver).send_keys(password)
        self.submit("login-form", driver)
        if expect_code:
            wait_for("the code step", lambda: self.by_id("totp-step", driver).is_displayed())
            driver.get_log("browser")  # the expected 401 totp-required
            self.by_id("login-totp", driver).send_keys(code)
            self.submit("login-form", driver)
        wait_for("the settings page after signing in", lambda: driver.current_url.endswith("/settings")
                 and driver.find_elements(By.ID, "profile-form"))

    def profile(self):
        self.open("/settings", "settings-anonymous")
        self.sign_in(self.password)
        self.current = "settings"
        self.shot("settings")
        name = self.by_id("profile-display-name")
        name.clear()
        self.submit("profile-form")
        refusal = wait_for("the display name's field error", lambda: self.by_id("error-display_name").text)
        self.driver.get_log("browser")  # the expected 422
        name.send_keys("Dana <Q>")
        self.submit("profile-form")
        wait_for("the saved profile", lambda: self.by_id("profile-saved").text)
        wait_for("the new name in the header", lambda: self.driver.find_element(By.CSS_SELECTOR, ".user-name").text == "Dana <Q>")
        if self.by_id("error-display_name").text:
            raise Failure("the display name's error stays after a successful save")
        self.collect_console()

        self.by_id("avatar-file").send_keys(self.avatar)
        preview = self.by_id("avatar-preview")
        wait_for("the avatar preview", lambda: preview.is_displayed() and preview.get_attribute("src").startswith("blob:"))
        self.submit("avatar-form")
        wait_for("the stored avatar", lambda: "/avatar?size=256" in preview.get_attribute("src"))
        wait_for("the avatar to load", lambda: self.js("return arguments[0].complete && arguments[0].naturalWidth", preview) == 256)
        self.shot("settings-profile")
        self.collect_console()
        self.driver.refresh()
        if self.driver.find_element(By.CSS_SELECTOR, ".user-name").text != "Dana <Q>":
            raise Failure("after a reload the header does not show the new display name")
        return refusal

    def preferences(self):
        self.current = "preferences"
        wait_for("the preferences", lambda: self.by_id("pref-quality").get_attribute("value") == "auto")
        Select(self.by_id("pref-quality")).select_by_value("720")
        self.by_id("pref-language").send_keys("pt-BR")
        self.by_id("pref-digest").click()
        self.submit("preferences-form")
        wait_for("the saved preferences", lambda: self.by_id("preferences-saved").text)
        self.driver.refresh()
        wait_for("the stored preferences", lambda: self.by_id("pref-quality").get_attribute("value") == "720")
        if self.by_id("pref-language").get_attribute("value") != "pt-BR" or not self.by_id("pref-digest").is_selected():
            raise Failure("the preferences did not survive a reload")
        self.collect_console()

    def api_keys(self):
        self.current = "api-keys"
        self.by_id("key-name").send_keys("ci <robot>")
        self.driver.find_element(By.CSS_SELECTOR, '#key-form input[value="upload"]').click()
        self.submit("key-form")
        secret = wait_for("the new key's secret", lambda: self.by_id("key-secret").text)
        if not secret.startswith("knk_"):
            raise Failure(f"the key shown is {secret!r}")
        row = wait_for("the key in the list", lambda: [r for r in self.driver.find_elements(By.CSS_SELECTOR, "#key-list li") if "ci <robot>" in r.text])
        if "read, upload" not in row[0].text:
            raise Failure(f"the key's row says {row[0].text!r}")
        self.js("arguments[0].scrollIntoView()", row[0])
        self.shot("settings-api-key")
        row[0].find_element(By.CSS_SELECTOR, "button").click()
        wait_for("the revoked key gone", lambda: "No API keys yet." in self.by_id("key-list").text)
        self.collect_console()

    def password_change(self):
        self.current = "password"
        self.by_id("password-current").send_keys("not my password")
        self.by_id("password-new").send_keys(NEW_PASSWORD)
        self.submit("password-form")
        refusal = wait_for("the wrong password's field error", lambda: self.by_id("error-current_password").text)
        self.driver.get_log("browser")  # the expected 403
        current = self.by_id("password-current")
        current.clear()
        current.send_keys(self.password)
        self.submit("password-form")
        wait_for("the password saved", lambda: "Password changed" in self.by_id("password-saved").text)
        self.driver.refresh()
        wait_for("still signed in after the change", lambda: self.driver.current_url.endswith("/settings")
                 and self.driver.find_elements(By.ID, "profile-form"))
        self.collect_console()
        return refusal

    def two_factor(self):
        self.current = "two-factor"
        wait_for("two-factor off", lambda: self.by_id("totp-start").is_displayed())
        self.by_id("totp-start").click()
        secret = wait_for("the secret", lambda: self.by_id("totp-secret").text)
        uri = self.by_id("totp-uri").get_attribute("href")
        if not uri.startswith("otpauth://totp/") or secret.replace(" ", "") not in uri:
            raise Failure(f"the authenticator link {uri!r} does not carry the secret {secret!r}")
        step = int(time.time()) // 30
        self.by_id("totp-code").send_keys(totp(secret, step))
        self.submit("totp-confirm-form")
        codes = wait_for("the recovery codes", lambda: [c.text for c in self.driver.find_elements(By.CSS_SELECTOR, "#totp-code-list li")])
        wait_for("two-factor on", lambda: "is on" in self.by_id("totp-state").text)
        self.js("document.getElementById('two-factor').scrollIntoView()")
        self.shot("settings-two-factor")
        self.collect_console()
        # Each step's code works once: the next sign-in uses the next step's.
        self.driver.find_element(By.ID, "logout").click()
        wait_for("the signed-out header", lambda: not self.driver.find_elements(By.CSS_SELECTOR, ".user-name"))
        self.open("/settings", "login-two-factor")
        self.sign_in(NEW_PASSWORD, code=totp(secret, step + 1), expect_code=True)
        self.collect_console()
        return codes

    def sessions(self, recovery):
        self.current = "sessions"
        self.second = Flows(self.base, "", self.username, NEW_PASSWORD, self.shots, "")
        other = self.second.driver
        other.get(self.base + "/settings")
        self.sign_in(NEW_PASSWORD, code=recovery, driver=other, expect_code=True)
        self.driver.refresh()
        rows = wait_for("two sessions", lambda: len(self.driver.find_elements(By.CSS_SELECTOR, "#session-list li")) == 2
                        and self.driver.find_elements(By.CSS_SELECTOR, "#session-list li"))
        current = [row for row in rows if "this browser" in row.text]
        if len(current) != 1:
            raise Failure(f"{len(current)} sessions are marked as this one")
        self.js("arguments[0].scrollIntoView()", rows[0])
        self.shot("settings-sessions")
        [row for row in rows if "this browser" not in row.text][0].find_element(By.CSS_SELECTOR, "button").click()
        wait_for("one session left", lambda: len(self.driver.find_elements(By.CSS_SELECTOR, "#session-list li")) == 1)
        other.get(self.base + "/settings")
        wait_for("the second browser signed out", lambda: "/login?next=" in other.current_url)
        for entry in other.get_log("browser"):
            if entry.get("level") == "SEVERE":
                self.console.append(f"second browser: {entry.get('message')}")
        self.collect_console()

    def phone(self):
        self.at_phone_width([("/settings", "settings-phone", lambda: self.driver.find_elements(By.CSS_SELECTOR, "#session-list li"))])

    def steps(self):
        try:
            refusal = self.profile()
            self.preferences()
            self.api_keys()
            wrong = self.password_change()
            codes = self.two_factor()
            self.sessions(codes[0])
            self.phone()
        finally:
            if self.second:
                self.second.driver.quit()
        return {"ok": True, "display_name_error": refusal, "password_error": wrong, "recovery_codes": len(codes)}


class SingleSignOnFlows(Flows):
    """/login shows a button per provider; the provider's form (oidc-provider-mock) signs in
    SUBJECT, and the browser comes back to /settings signed in, the code gone from the URL."""

    def __init__(self, base, subject, name, shots):
        super().__init__(base, "", "", "", shots, "")
        self.subject, self.name = subject, name

    def run(self):
        return self.guarded(self.steps)

    def button(self):
        return wait_for("the single sign-on button", lambda: [b for b in self.driver.find_elements(By.CSS_SELECTOR, "#sso a.sso-button")
                                                               if b.is_displayed()])[0]

    def steps(self):
        self.open("/signup", "signup-sso")
        offered = self.button().text
        if offered != "Sign up with Mock SSO":
            raise Failure(f"the sign-up page's button says {offered!r}")
        self.collect_console()
        self.open("/settings", "login-sso")
        button = self.button()
        label = button.text
        if label != "Sign in with Mock SSO":
            raise Failure(f"the button says {label!r}")
        self.shot("login-sso")
        self.collect_console()
        button.send_keys("\n")  # from the keyboard
        self.current = "provider"
        field = wait_for("the provider's form", lambda: self.driver.find_elements(By.NAME, "sub"))
        field[0].send_keys(self.subject)
        field[0].submit()
        wait_for("the settings page after single sign-on", lambda: self.driver.current_url.endswith("/settings")
                 and self.driver.find_elements(By.ID, "profile-form"))
        self.driver.get_log("browser")  # the provider's own page is not ours to judge
        self.current = "settings-sso"
        name = self.driver.find_element(By.CSS_SELECTOR, ".user-name").text
        if name != self.name:
            raise Failure(f"after single sign-on the header shows {name!r}, expected {self.name!r}")
        wait_for("this session listed", lambda: "this browser" in self.driver.find_element(By.ID, "session-list").text)
        self.shot("settings-sso")
        self.collect_console()
        return {"ok": True, "button": label, "signed_in_as": name}


def main():
    if sys.argv[1] == "sso":
        base, subject, name, shots = sys.argv[2:6]
        return run_flows(lambda: SingleSignOnFlows(base, subject, name, shots), shots)
    base, username, password, avatar, shots = sys.argv[1:6]
    return run_flows(lambda: SettingsFlows(base, username, password, avatar, shots), shots)

if __name__ == "__main__":
    sys.exit(main())
