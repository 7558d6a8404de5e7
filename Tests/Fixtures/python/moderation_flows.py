"""The moderator's half of comment_flows.py (which runs it): the console's moderation queue and
audit log, and removing a comment from the watch page. A mixin of CommentFlows, whose helpers
(find, comment, sign_in, ...) it uses.
"""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser_flows import Failure, wait_for


class ModerationSteps:
    def item_for(self, target_id):
        found = self.finds(f'.mod-item[data-target-id="{target_id}"]')
        return found[0] if found else None

    def decide(self, row, action, reason):
        self.find(".decision-reason", row).send_keys(reason)
        self.find(f'button.decide[data-action="{action}"]', row).click()
        wait_for(f"the {action} decision", lambda: self.find(".decided", row).is_displayed())
        return self.find(".decided", row).text

    def moderate(self, held):
        self.find("#logout").click()
        wait_for("signed out", lambda: not self.finds(".user-name"))
        self.sign_in(self.setup["moderator"], self.setup["moderator_password"], "/")
        self.current = "moderator-home"
        self.find("a.moderation-link").click()
        wait_for("the moderation page", lambda: self.finds("#admin-moderation"))
        self.current = "moderation"
        sections = [a.text for a in self.finds(".admin-nav a")]
        if sections != ["Moderation"]:
            raise Failure(f"a moderator's console offers {sections}")
        self.expect_script_as_text("the moderation page")
        xss = self.item_for(self.ids["xss"])
        if xss is None or self.find(".mod-body", xss).text != self.setup["xss"]:
            raise Failure("the moderation page does not show the script comment as text")

        held_row = self.item_for(held)
        if held_row is None:
            raise Failure("the held comment is not in the queue")
        classifier = [(self.find(".signal-source", s).text, self.find(".signal-label", s).text, self.find(".signal-score", s).text)
                      for s in self.finds(".signal-classifier", held_row)]
        if ("wordlist", "scam", "1.00") not in classifier:
            raise Failure(f"the held comment's classifier signals are {classifier}")
        if not self.finds(".signal-rule", held_row):
            raise Failure("the held comment shows no rule")
        reported = self.item_for(self.ids["reported"])
        counts = {s.get_attribute("data-reason"): self.find(".report-count", s).text for s in self.finds(".signal-report", reported)}
        notes = [self.find(".note-text", n).text for n in self.finds(".signal-note", reported)]
        if counts != {"harassment": "3"} or notes != ["rude words <b>here</b>"]:
            raise Failure(f"the reported comment's reports are {counts} with words {notes}")
        video = self.item_for(self.video)
        if video is None or {s.get_attribute("data-reason") for s in self.finds(".signal-report", video)} != {"spam"}:
            raise Failure("the reported video is not in the queue with its reason")
        self.shot("moderation-queue")
        self.collect_console()

        approved = self.decide(held_row, "approve", "fine in context")
        removed = self.decide(reported, "remove", "insults")
        if approved != "Approved: fine in context" or removed != "Removed: insults":
            raise Failure(f"the decisions read {approved!r} and {removed!r}")
        # Both others at once.
        for row in (video, xss):
            self.find(".mod-select", row).click()
        Select(self.find("#bulk-action")).select_by_value("warn")
        self.find("#bulk-reason").send_keys("bulk check")
        self.find("#bulk-apply").click()
        wait_for("the bulk decision", lambda: all(self.find(".decided", row).is_displayed() for row in (video, xss)))
        status = self.find("#moderation-status").text
        if status != "Warned: 2 items.":
            raise Failure(f"the bulk decision says {status!r}")
        self.shot("moderation-decided")
        self.collect_console()

        self.driver.refresh()
        for target in (held, self.ids["reported"], self.video, self.ids["xss"]):
            if self.item_for(target) is not None:
                raise Failure(f"the decided item of {target} is still in the open queue")
        self.driver.find_element(By.LINK_TEXT, "Audit log").click()
        wait_for("the audit log", lambda: self.finds("#audit"))
        self.current = "audit"
        rows = self.js("return [...document.querySelectorAll('#audit tbody tr')].map(tr => [tr.dataset.action,"
                       "tr.querySelector('.audit-moderator').textContent, tr.querySelector('.audit-reason').textContent])")
        expected = [["warn", "mona", "bulk check"], ["warn", "mona", "bulk check"], ["remove", "mona", "insults"],
                    ["approve", "mona", "fine in context"]]
        if rows != expected:
            raise Failure(f"the audit log shows {rows}")
        self.expect_script_as_text("the audit log")
        self.shot("audit")
        self.collect_console()
        return {"approved": approved, "removed": removed, "audit": len(rows)}

    def remove_on_watch_page(self, held):
        """The approved comment is published; a moderator removes another from the watch page."""
        self.open_watch("watch-moderator")
        self.sort("new")
        wait_for("the approved comment", lambda: self.comment(held))
        if self.comment(held).get_attribute("data-status") != "published":
            raise Failure("the approved comment is not published on the watch page")
        target = self.ids["liked"]
        if self.comment(target) is None:
            raise Failure("the liked comment is not on the first page of the newest")
        self.find(".comment-remove", self.comment(target)).click()
        self.slot_submit(self.comment(target), "off-topic")
        wait_for("the removed comment", lambda: self.comment(target).get_attribute("data-status") == "removed")
        note = self.find(".comment-note", self.comment(target)).text
        if note != "Removed by a moderator: off-topic":
            raise Failure(f"the removed comment says {note!r}")
        self.collect_console()
