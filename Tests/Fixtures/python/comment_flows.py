"""The watch page's comments, likes and reports and the console's moderation page, in a real
browser (Debian's chromium through chromedriver, headless).

Usage: comment_flows.py BASE_URL SETUP_JSON SCREENSHOT_DIR

SETUP_JSON names the video, the viewer and the moderator with their passwords, the ids of the
comments the test made (`thread` with five replies, `deeper` a reply to its first reply,
`xss` holding SETUP.xss, `liked`, liked twice, and `reported`, reported twice), the number of top-level comments and of the thread's
replies.

Signed out: the script comment is text, the like buttons are sign-in links, there is no form.
As the viewer: likes, dislikes and takes back the video's rating (counts change at once and
last past a reload), loads more comments, sorts by top and by newest, posts a comment with a
link (rel="nofollow ugc"), @mentions (a creator linked to the channel, a viewer plain) and a
timestamp that seeks the player in place, edits it, shows more replies and replies (to the
thread and to a reply, which names its author), opens a third-level reply, likes a comment, deletes the reply, reports a
comment and the video (a second time: "already"), posts a comment the word list holds and sees
it marked held, also after a reload, and finds the moderation page closed to it. As the
moderator: opens the queue from the header, sees each item's signals (the classifier's
instance, label and score, the rule, the reports' reasons, counts and words, the script as
text), approves the held comment, removes the reported one, warns on two more at once, finds
the three actions in the audit log, and removes a comment from the watch page. Checks the
pages at phone width. Fails on console errors. Prints one JSON line; exits 1 with the reason
on failure.
"""
import json
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from browser_flows import Failure, Flows, run_flows, wait_for
from moderation_flows import ModerationSteps

HELD_TEXT = "what a scam this is"


class CommentFlows(ModerationSteps, Flows):
    def __init__(self, base, setup, shots):
        super().__init__(base, setup["video"], setup["viewer"], setup["viewer_password"], shots, "")
        self.setup = setup
        self.ids = setup["ids"]
        self.step = "start"

    # Helpers ----------------------------------------------------------------------------------

    def find(self, css, root=None):
        return (root or self.driver).find_element(By.CSS_SELECTOR, css)

    def finds(self, css, root=None):
        return (root or self.driver).find_elements(By.CSS_SELECTOR, css)

    def comment(self, comment_id):
        found = self.finds(f'li.comment[data-comment-id="{comment_id}"]')
        return found[0] if found else None

    def top_level(self):
        return self.js("return [...document.querySelectorAll('#comment-list > li.comment')].map(li => li.dataset.commentId)")

    def body_text(self, comment_id):
        return self.js("const b = document.querySelector(`li.comment[data-comment-id=\"${arguments[0]}\"] > .comment-box .comment-body`);"
                       "return b ? b.textContent : null", comment_id)

    def comment_by_text(self, text):
        """The id of the comment whose body is `text` (first found), or None."""
        return self.js("const li = [...document.querySelectorAll('li.comment')].find("
                       "li => li.querySelector(':scope > .comment-box .comment-body').textContent === arguments[0]);"
                       "return li ? li.dataset.commentId : null", text)

    def sort(self, order):
        Select(self.find("#comment-sort")).select_by_value(order)
        wait_for(f"the comments sorted by {order}", lambda: self.js("return document.getElementById('comment-list').dataset.sort") == order
                 and len(self.top_level()) > 0)

    def open_watch(self, name):
        self.open(f"/watch/{self.video}", name)
        wait_for("the comments", lambda: len(self.top_level()) > 0)

    def sign_in(self, username, password, next_path):
        self.open(f"/login?next={next_path}", f"login-{username}")
        self.find("#login-username").send_keys(username)
        self.find("#login-password").send_keys(password)
        self.find("#login-form button[type=submit]").click()
        wait_for(f"{username} signed in", lambda: self.finds(".user-name") and "/login" not in self.driver.current_url)

    def expect_script_as_text(self, where):
        """The script comment's text shows as written, and nothing in it became markup."""
        planted = self.js("return [...document.querySelectorAll('.comment-body, .mod-body, .audit-target')].filter(b => b.querySelector('img, script')).length")
        if planted:
            raise Failure(f"{where}: {planted} comment bodies hold an img or script element")
        if self.js("return window.pwned") is not None:
            raise Failure(f"{where}: the comment's script ran")

    # Signed out ------------------------------------------------------------------------------

    def signed_out(self):
        self.open_watch("watch-signed-out")
        if self.body_text(self.ids["xss"]) != self.setup["xss"]:
            raise Failure(f"signed out, the script comment reads {self.body_text(self.ids['xss'])!r}")
        self.expect_script_as_text("the signed-out watch page")
        like = self.find("#video-like")
        if like.tag_name != "a" or not like.get_attribute("href").endswith(f"/login?next=/watch/{self.video}"):
            raise Failure(f"signed out, Like is a {like.tag_name} to {like.get_attribute('href')!r}, not a sign-in link")
        if self.finds("#comment-form") or not self.finds(".comment-sign-in a"):
            raise Failure("signed out, the page offers the comment form instead of signing in")
        self.shot("watch-signed-out")
        self.collect_console()

    # The viewer ------------------------------------------------------------------------------

    def counts(self):
        return (self.find("#video-likes").text, self.find("#video-dislikes").text,
                self.find("#video-like").get_attribute("aria-pressed"), self.find("#video-dislike").get_attribute("aria-pressed"))

    def rate_video(self):
        steps = [("#video-like", ("1", "0", "true", "false")), ("#video-dislike", ("0", "1", "false", "true")),
                 ("#video-dislike", ("0", "0", "false", "false")), ("#video-like", ("1", "0", "true", "false"))]
        for button, expected in steps:
            self.find(button).click()
            wait_for(f"the counts {expected} after {button}", lambda: self.counts() == expected)
        self.driver.refresh()
        wait_for("the comments after a reload", lambda: len(self.top_level()) > 0)
        if self.counts() != ("1", "0", "true", "false"):
            raise Failure(f"after a reload the rating shows {self.counts()}")
        self.collect_console()

    def load_more_and_sort(self):
        total = self.setup["top_level"]
        if len(self.top_level()) != 20:
            raise Failure(f"the first page shows {len(self.top_level())} comments, not 20")
        if self.top_level()[0] != self.ids["liked"]:
            raise Failure("sorted by top, the liked comment is not first")
        self.find("#comments-more").click()
        wait_for("every top-level comment", lambda: len(self.top_level()) == total)
        if self.find("#comments-more").is_displayed():
            raise Failure("Load more still shows after the last page")
        self.sort("new")
        wait_for("the newest first", lambda: self.top_level()[:1] == [self.ids["reported"]])
        if len(self.top_level()) != 20:
            raise Failure(f"sorting anew shows {len(self.top_level())} comments, not the first 20")
        self.sort("top")
        wait_for("the top comment first again", lambda: self.top_level()[:1] == [self.ids["liked"]])
        self.shot("watch-sorted")
        self.collect_console()

    def post(self):
        before = self.find("#comment-count").text
        text = "Great clip! Jump to 0:05 via https://example.org/page. Thanks @carol and @rep1"
        self.find("#comment-body").send_keys(text)
        self.find("#comment-send").click()
        mine = wait_for("the new comment", lambda: self.comment_by_text(text))
        if self.top_level()[0] != mine:
            raise Failure("the new comment is not at the top")
        after = self.find("#comment-count").text
        if int(after.split()[0]) != int(before.split()[0]) + 1:
            raise Failure(f"the count went from {before!r} to {after!r}")
        item = self.comment(mine)
        links = self.finds(".comment-body a.comment-link", item)
        if len(links) != 1 or links[0].get_attribute("href") != "https://example.org/page" or links[0].get_attribute("rel") != "nofollow ugc":
            raise Failure(f"the link is {[(a.get_attribute('href'), a.get_attribute('rel')) for a in links]}")
        mentions = [(a.text, a.get_attribute("href")) for a in self.finds(".comment-body a.comment-mention", item)]
        if mentions != [("@carol", f"{self.base}/channel/carol")]:
            raise Failure(f"the mentions link {mentions}; @carol has a channel page, @rep1 none")
        if self.body_text(mine) != text:
            raise Failure(f"the comment reads {self.body_text(mine)!r}")
        return mine

    def seek(self, mine):
        url = self.driver.current_url
        stamp = self.find(".comment-body a.comment-timestamp", self.comment(mine))
        if stamp.text != "0:05":
            raise Failure(f"the timestamp link reads {stamp.text!r}")
        self.js("document.getElementById('video').pause()")
        stamp.click()
        at = wait_for("the player at 0:05", lambda: (t := self.js("return document.getElementById('video').currentTime")) >= 4.9 and t)
        if at > 7.5 or self.driver.current_url != url:
            raise Failure(f"the timestamp seeked to {at:.2f} s (page {self.driver.current_url})")
        self.js("document.getElementById('video').pause()")
        return at

    def slot_submit(self, item, text=None, clear=False):
        field = self.find(".comment-slot .slot-field", item) if text is not None else None
        if field is not None:
            if clear:
                field.send_keys(Keys.CONTROL, "a")
                field.send_keys(Keys.DELETE)
            field.send_keys(text)
        self.find(".comment-slot .slot-submit", item).click()

    def edit(self, mine):
        self.find(".comment-edit", self.comment(mine)).click()
        self.slot_submit(self.comment(mine), "Edited: still great at 0:02", clear=True)
        wait_for("the edited text", lambda: self.body_text(mine) == "Edited: still great at 0:02")
        if not self.find(".comment-edited", self.comment(mine)).is_displayed():
            raise Failure("the edited comment is not marked (edited)")
        self.driver.refresh()
        wait_for("the comments after a reload", lambda: len(self.top_level()) > 0)
        if self.body_text(mine) != "Edited: still great at 0:02":
            raise Failure(f"after a reload the edited comment reads {self.body_text(mine)!r}")
        self.collect_console()

    def replies(self):
        thread = self.ids["thread"]
        shown = lambda: self.js("return document.querySelectorAll(`li.comment[data-comment-id=\"${arguments[0]}\"] > .replies > li`).length", thread)
        if shown() != 3:
            raise Failure(f"the thread shows {shown()} replies first, not 3")
        self.find(":scope > .more-replies", self.comment(thread)).click()
        wait_for("every reply", lambda: shown() == self.setup["replies"])
        if self.find(":scope > .more-replies", self.comment(thread)).is_displayed():
            raise Failure("Show more replies still shows with every reply loaded")
        self.find(".comment-reply", self.comment(thread)).click()
        self.slot_submit(self.comment(thread), "Replying here")
        reply = wait_for("the reply", lambda: self.comment_by_text("Replying here"))
        parent = self.js("return document.querySelector(`li.comment[data-comment-id=\"${arguments[0]}\"]`).parentElement.closest('li.comment').dataset.commentId", reply)
        if parent != thread:
            raise Failure("the reply is not shown in its thread")
        # A reply to a reply answers the thread, naming whom it answers.
        first = self.js("return document.querySelector(`li.comment[data-comment-id=\"${arguments[0]}\"] > .replies > li`).dataset.commentId", thread)
        self.find(".comment-reply", self.comment(first)).click()
        field = self.find(".comment-slot .slot-field", self.comment(first))
        if field.get_attribute("value") != "@rep1 ":
            raise Failure(f"replying to a reply starts with {field.get_attribute('value')!r}")
        self.slot_submit(self.comment(first), "yes, agreed")
        answer = wait_for("the answer to the reply", lambda: self.comment_by_text("@rep1 yes, agreed"))
        if shown() != self.setup["replies"] + 2:
            raise Failure(f"after two replies the thread shows {shown()} replies")
        # The API's third level opens under its parent, on the second.
        deeper = self.find(":scope > .comment-box .comment-subreplies", self.comment(first))
        if deeper.text != "Show 1 reply":
            raise Failure(f"the reply with a reply offers {deeper.text!r}")
        deeper.click()
        wait_for("the third-level reply", lambda: self.comment(self.ids["deeper"]))
        names = self.find(".comment-username", self.comment(self.ids["deeper"])).text
        order = self.js("return [...document.querySelectorAll(`li.comment[data-comment-id=\"${arguments[0]}\"] > .replies > li`)].map(li => li.dataset.commentId)", thread)
        if names != "replying to @rep1" or order.index(self.ids["deeper"]) != order.index(first) + 1 or deeper.is_displayed():
            raise Failure(f"the third-level reply shows as {names!r} at {order.index(self.ids['deeper'])} after {order.index(first)}")
        self.shot("watch-replies")
        self.collect_console()
        return reply, answer

    def like_comment(self):
        target = self.ids["xss"]
        self.find(".comment-like", self.comment(target)).click()
        wait_for("the comment's like", lambda: self.find(".like-count", self.comment(target)).text == "1"
                 and self.find(".comment-like", self.comment(target)).get_attribute("aria-pressed") == "true")

    def delete(self, reply):
        self.find(".comment-delete", self.comment(reply)).click()
        self.slot_submit(self.comment(reply))
        wait_for("the deleted reply gone", lambda: self.comment(reply) is None)
        self.driver.refresh()
        wait_for("the comments after a reload", lambda: len(self.top_level()) > 0)
        if self.comment(reply) is not None:
            raise Failure("the deleted reply is back after a reload")
        if self.find(".like-count", self.comment(self.ids["xss"])).text != "1":
            raise Failure("the comment's like did not last past a reload")
        self.expect_script_as_text("the signed-in watch page")
        self.collect_console()

    def report(self, button, reason, detail):
        button.click()
        dialog = self.find("#report-dialog")
        wait_for("the report dialog", dialog.is_displayed)
        Select(self.find("#report-reason")).select_by_value(reason)
        if detail:
            self.find("#report-detail").send_keys(detail)
        self.find("#report-send").click()
        answer = wait_for("the report's answer", lambda: self.find("#report-answer").text)
        self.shot(f"report-{reason}")
        self.find("#report-close").click()
        wait_for("the dialog closed", lambda: not dialog.is_displayed())
        return answer

    def reports(self):
        reported = self.ids["reported"]
        # Its third distinct reporter: the comment is hidden from viewers from then on.
        first = self.report(self.find(".comment-report", self.comment(reported)), "harassment", "rude words <b>here</b>")
        if not first.startswith("Thank you"):
            raise Failure(f"reporting a comment answers {first!r}")
        video = self.report(self.find("#video-report"), "spam", "")
        if not video.startswith("Thank you"):
            raise Failure(f"reporting the video answers {video!r}")
        again = self.report(self.find("#video-report"), "other", "")
        if "already" not in again:
            raise Failure(f"reporting the video again answers {again!r}")
        # The expected 409 of the second report.
        self.driver.get_log("browser")
        return {"comment": first, "video": video, "again": again}

    def held(self):
        self.find("#comment-body").send_keys(HELD_TEXT)
        self.find("#comment-send").click()
        held = wait_for("the held comment", lambda: self.comment_by_text(HELD_TEXT))
        status = self.find("#comments-status").text
        badge = self.find(".comment-badge", self.comment(held))
        if "held for review" not in status or badge.text != "Held for review":
            raise Failure(f"a held comment shows {badge.text!r} and {status!r}")
        self.driver.refresh()
        wait_for("the comments after a reload", lambda: len(self.top_level()) > 0)
        self.sort("new")
        wait_for("the held comment after a reload", lambda: self.comment(held))
        if self.find(".comment-badge", self.comment(held)).text != "Held for review":
            raise Failure("after a reload the author's held comment is not marked held")
        note = self.find(".comment-note", self.comment(held)).text
        if "Only you" not in note:
            raise Failure(f"the held comment's note says {note!r}")
        self.shot("watch-held")
        self.collect_console()
        return held

    def closed_to_viewer(self):
        self.open("/admin/moderation", "moderation-refused")
        heading = self.find("h1").text
        if heading != "This page is for moderators" or self.finds("#mod-items"):
            raise Failure(f"a viewer on /admin/moderation sees {heading!r}")
        if self.finds(".moderation-link"):
            raise Failure("a viewer's header links the moderation page")
        own = f"{self.base}/admin/moderation - Failed to load resource: the server responded with a status of 403"
        self.collect_console(ignore=own)

    def phone(self):
        self.at_phone_width([(f"/watch/{self.video}", "phone-watch", lambda: len(self.top_level()) > 0),
                             ("/admin/moderation?state=resolved", "phone-moderation", None), ("/admin/moderation/audit", "phone-audit", None)])

    def run(self):
        return self.guarded(self.named_steps)

    def named_steps(self):
        """The steps, a failure naming the one it happened in (Selenium's errors do not)."""
        try:
            return self.steps()
        except Failure:
            raise
        except Exception as error:
            raise Failure(f"in {self.step}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}") from error

    def do(self, name, step, *args):
        self.step = name
        return step(*args)

    def steps(self):
        self.do("signed out", self.signed_out)
        self.do("sign in", self.sign_in, self.username, self.password, f"/watch/{self.video}")
        wait_for("the comments", lambda: len(self.top_level()) > 0)
        self.current = "watch-viewer"
        self.do("rate the video", self.rate_video)
        self.do("load more and sort", self.load_more_and_sort)
        mine = self.do("post", self.post)
        seeked = self.do("seek", self.seek, mine)
        self.do("edit", self.edit, mine)
        reply, _ = self.do("replies", self.replies)
        self.do("like a comment", self.like_comment)
        self.do("delete", self.delete, reply)
        reports = self.do("reports", self.reports)
        held = self.do("held", self.held)
        self.do("closed to the viewer", self.closed_to_viewer)
        moderated = self.do("moderate", self.moderate, held)
        self.do("remove on the watch page", self.remove_on_watch_page, held)
        self.do("phone", self.phone)
        return {"ok": True, "seeked_to": seeked, "reports": reports, "moderation": moderated}


def main():
    base, setup, shots = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    return run_flows(lambda: CommentFlows(base, setup, shots), shots)


if __name__ == "__main__":
    sys.exit(main())
