"""The KvK inbox: deciding field by field, rejected values, conflicts, states, responsible users, the digest."""

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common_inbox import KvkInboxCase

DONALD, DONALD_MAIN = "68750110", "000037178598"
KATRIEN, KATRIEN_MAIN = "68727720", "000037143557"


@tagged("post_install", "-at_install")
class TestReview(KvkInboxCase):
    def changed(self, partner, blocks=("maOnderneming",), change="name"):
        """A signal for ``partner``'s registration, read; the new value the summary names."""
        (summary,) = self.emit("changed", partner.company_registry, blocks=list(blocks), change=change)
        self.run_signals()
        return summary["changes"][0].split(" -> ")[-1]

    def item_of(self, partner):
        items = self.items(partner).filtered("to_review")
        self.assertEqual(len(items), 1)
        return items

    # -- deciding --------------------------------------------------------------------------------------

    def test_accepting_one_field_writes_only_that_field_and_says_so(self):
        donald = self.link(DONALD, DONALD_MAIN)
        old_name = donald.name
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        new_site = self.changed(donald, blocks=["eigenaar"], change=None)
        item = self.item_of(donald)
        lines = self.lines(item)
        self.assertEqual(set(lines), {"name", "website"})
        new_name = lines["name"].register_new
        lines["website"].with_user(self.salesperson).action_accept()
        self.assertEqual(donald.website, f"https://{new_site}")
        self.assertEqual(donald.name, old_name)
        self.assertRecordValues(item, [{"state": "partial", "to_review": True}])
        self.assertEqual(lines["website"].state, "applied")
        self.assertEqual(lines["website"].decided_by, self.salesperson)
        note = donald.message_ids[0].body
        self.assertIn("Written from the KvK register", note)
        self.assertIn("Website", note)
        self.assertNotIn("Name", note)
        lines["name"].with_user(self.salesperson).action_accept()
        self.assertEqual(donald.name, new_name)
        self.assertRecordValues(item, [{"state": "applied", "to_review": False}])

    def test_accept_all_and_reject_all(self):
        donald = self.link(DONALD, DONALD_MAIN)
        katrien = self.link(KATRIEN, KATRIEN_MAIN)
        new_name = self.changed(donald)
        self.changed(katrien)
        self.item_of(donald).with_user(self.salesperson).action_accept()
        self.assertEqual(donald.name, new_name)
        rejected = self.item_of(katrien)
        old = katrien.name
        rejected.with_user(self.salesperson).action_reject()
        self.assertEqual(katrien.name, old)
        self.assertRecordValues(rejected, [{"state": "rejected", "to_review": False}])
        self.assertIn("Rejected: Name", rejected.message_ids[0].body)

    def test_partially_applied_when_some_fields_are_rejected(self):
        donald = self.link(DONALD, DONALD_MAIN)
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        self.changed(donald, blocks=["eigenaar"], change=None)
        item = self.item_of(donald)
        self.lines(item)["name"].with_user(self.salesperson).action_reject()
        self.assertEqual(item.state, "partial")
        item.with_user(self.salesperson).action_accept()
        self.assertRecordValues(item, [{"state": "partial", "to_review": False}])
        self.assertEqual(self.lines(item)["website"].state, "applied")

    def test_nothing_is_applied_twice(self):
        donald = self.link(DONALD, DONALD_MAIN)
        self.changed(donald)
        item = self.item_of(donald)
        line = self.lines(item)["name"]
        item.with_user(self.salesperson).action_accept()
        notes = len(donald.message_ids)
        with self.assertRaises(UserError):
            item.with_user(self.salesperson).action_accept()
        with self.assertRaises(UserError):
            line.with_user(self.salesperson).action_accept()
        with self.assertRaises(UserError):
            item.with_user(self.salesperson).action_reject()
        self.assertEqual(len(donald.message_ids), notes)
        self.assertEqual(line.state, "applied")

    def test_a_rejected_value_is_not_proposed_again_until_the_register_changes_it(self):
        donald = self.link(DONALD, DONALD_MAIN)
        self.changed(donald)
        self.item_of(donald).with_user(self.salesperson).action_reject()
        # the register says the same again (a refresh, a signal of another block): not proposed
        self.changed(donald, blocks=["eigenaar"], change=None)
        self.assertNotIn("name", self.lines(self.item_of(donald)))
        self.item_of(donald).with_user(self.salesperson).action_reject()
        entry = self.env["kvk.register.entry"].search(
            [("registration", "=", DONALD), ("company_id", "=", self.company.id)]
        )
        Review = self.env["kvk.review"].sudo().with_company(self.company)
        item, _auto = Review._kvk_propose(donald, entry, ["name", "website"], "refresh")
        self.assertFalse(item, "both values were rejected as they are")
        # the register changes the name again: proposed again
        newer = self.changed(donald)
        self.assertEqual(self.lines(self.item_of(donald))["name"].register_new, newer)

    def test_a_contact_changed_meanwhile_shows_the_conflict_instead_of_being_overwritten(self):
        donald = self.link(DONALD, DONALD_MAIN)
        new_name = self.changed(donald)
        item = self.item_of(donald)
        donald.name = "Donald (typed by hand)"
        item.with_user(self.salesperson).action_accept()
        line = self.lines(item)["name"]
        self.assertRecordValues(
            line, [{"state": "pending", "conflict": True, "conflict_value": "Donald (typed by hand)"}]
        )
        self.assertTrue(item.conflict)
        self.assertEqual(donald.name, "Donald (typed by hand)")
        self.assertIn("changed since this was proposed", item.message_ids[0].body)
        line.with_user(self.salesperson).action_accept_anyway()
        self.assertEqual(donald.name, new_name)
        self.assertEqual(item.state, "applied")

    def test_a_conflict_is_judged_alike_in_every_language(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        donald = self.link(DONALD, DONALD_MAIN, country_id=self.env.ref("base.be").id)
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        self.run_signals()
        item = self.item_of(donald)
        dutch = self.salesperson.copy({"login": "kvk-verkoper-nl", "lang": "nl_NL", "email": "verkoper@example.com"})
        item.with_user(dutch).with_context(lang="nl_NL").action_accept()
        self.assertFalse(item.line_ids.filtered("conflict"))
        self.assertEqual(item.state, "applied")

    def test_a_newer_item_supersedes_the_open_one_and_keeps_its_fields(self):
        donald = self.link(DONALD, DONALD_MAIN)
        self.changed(donald)
        first = self.item_of(donald)
        self.changed(donald, blocks=["eigenaar"], change=None)
        second = self.item_of(donald)
        self.assertNotEqual(first, second)
        self.assertRecordValues(first, [{"state": "superseded", "to_review": False, "superseded_by_id": second.id}])
        self.assertEqual(set(self.lines(second)), {"name", "website"})
        with self.assertRaises(UserError):
            first.with_user(self.salesperson).action_accept()

    def test_users_who_may_not_edit_the_contact_cannot_accept(self):
        donald = self.link(DONALD, DONALD_MAIN)
        self.changed(donald)
        reader = new_test_user(
            self.env,
            login="kvk-reader",
            groups="base.group_user,kvk_connector.group_kvk_user",
            company_id=self.company.id,
        )
        donald.company_id = self.company
        self.env["ir.rule"].create(
            {
                "name": "test: contacts of this company are read-only for the reader",
                "model_id": self.env.ref("base.model_res_partner").id,
                "domain_force": "[('company_id', '!=', %d)]" % self.company.id,
                "groups": [(6, 0, self.env.ref("base.group_user").ids)],
                "perm_read": False,
                "perm_create": False,
                "perm_unlink": False,
            }
        )
        from odoo.exceptions import AccessError

        with self.assertRaises(AccessError):
            self.item_of(donald).with_user(reader).action_accept()
        self.assertEqual(self.item_of(donald).state, "new")

    # -- responsible user, activity, digest ------------------------------------------------------------

    def test_the_salesperson_reviews_with_an_activity_else_the_company_reviewer(self):
        reviewer = new_test_user(
            self.env,
            login="kvk-reviewer",
            groups="base.group_user,kvk_connector.group_kvk_user",
            company_id=self.company.id,
        )
        self.company.kvk_review_user_id = reviewer
        donald = self.link(DONALD, DONALD_MAIN, user_id=self.salesperson.id)
        katrien = self.link(KATRIEN, KATRIEN_MAIN)
        self.changed(donald)
        self.changed(katrien)
        mine, theirs = self.item_of(donald), self.item_of(katrien)
        self.assertEqual(mine.user_id, self.salesperson)
        self.assertEqual(theirs.user_id, reviewer)
        self.assertEqual(mine.activity_ids.user_id, self.salesperson)
        self.assertEqual(mine.activity_ids.summary, "Review register changes")
        mine.with_user(self.salesperson).action_accept()
        self.assertFalse(mine.activity_ids, "done with the decision")

    def test_the_weekly_digest_is_in_the_reviewers_language(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        dutch = new_test_user(
            self.env,
            login="kvk-beoordelaar",
            groups="base.group_user,kvk_connector.group_kvk_user",
            company_id=self.company.id,
            lang="nl_NL",
            email="beoordelaar@example.com",
        )
        self.company.kvk_review_user_id = dutch
        donald = self.link(DONALD, DONALD_MAIN)
        self.changed(donald)
        self.assertEqual(self.item_of(donald).activity_ids.summary, "Registerwijzigingen beoordelen")
        before = self.env["mail.mail"].search([]).ids
        self.assertGreaterEqual(self.env["kvk.review"]._cron_kvk_digest(), 1)
        mail = self.env["mail.mail"].search(
            [("id", "not in", before), ("email_to", "ilike", "beoordelaar@example.com")]
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("KvK-inbox van Registerwerk B.V.", mail.subject)
        self.assertIn("Wijziging", mail.body_html)
        self.assertIn(donald.name, mail.body_html)

    # -- deleted and new --------------------------------------------------------------------------------

    def test_rejecting_a_deletion_keeps_the_contact_and_its_enrolment(self):
        donald = self.link(DONALD, DONALD_MAIN)
        self.emit("ended", DONALD)
        self.run_signals()
        item = self.item_of(donald)
        self.assertEqual(item.kind, "deleted")
        with self.assertRaises(UserError):
            item.line_ids[:1].with_user(self.salesperson).action_accept()
        item.with_user(self.salesperson).action_reject()
        self.assertFalse(donald.kvk_former)
        self.assertTrue(donald.active)
        self.assertTrue(donald._kvk_enrolments())

    def test_a_deletion_waits_on_its_own_and_replaces_open_updates(self):
        donald = self.link(DONALD, DONALD_MAIN)
        self.changed(donald)
        update = self.item_of(donald)
        self.emit("ended", DONALD)
        self.run_signals()
        deleted = self.item_of(donald)
        self.assertEqual(deleted.kind, "deleted")
        self.assertRecordValues(update, [{"state": "superseded", "superseded_by_id": deleted.id}])
        # a later difference with the register (a refresh, say) is an update beside it, never in its place
        donald.name = "Donald (typed by hand)"
        Review = self.env["kvk.review"].sudo().with_company(self.company)
        item, _auto = Review._kvk_propose(donald, deleted.entry_id, ["name"], "refresh")
        self.assertEqual(item.kind, "update")
        open_items = self.items(donald).filtered("to_review")
        self.assertEqual(sorted(open_items.mapped("kind")), ["deleted", "update"])
        self.assertRecordValues(deleted, [{"state": "new", "to_review": True}])
        deleted.with_user(self.salesperson).action_accept()
        self.assertTrue(donald.kvk_former)

    def test_accepting_a_deletion_without_archiving(self):
        donald = self.link(DONALD, DONALD_MAIN)
        self.emit("ended", DONALD, reason="BR")
        self.run_signals()
        self.item_of(donald).with_user(self.salesperson).action_accept()
        self.assertTrue(donald.kvk_former)
        self.assertTrue(donald.active, "the company's setting keeps it active")
        self.assertTrue(donald.kvk_end_date)

    def test_a_new_registration_for_a_profile_is_offered_accepted_and_enrolled(self):
        profile = self.env["kvk.profile"].create({"name": "All new companies", "company_id": self.company.id})
        (summary,) = self.emit("new")
        kvk = summary["kvknummer"]
        self.run_signals()
        (item,) = self.items(kind="new")
        self.assertEqual(item.profile_id, profile)
        self.assertEqual(item.kvk_number, kvk)
        self.assertTrue(self.lines(item)["name"].register_new)
        self.assertEqual([c["path"] for c in self.paid_calls()], [f"/kvk/api/v1/basisprofielen/{kvk}"])
        action = item.with_user(self.salesperson).action_accept()
        partner = self.env["res.partner"].browse(action["res_id"])
        self.assertRecordValues(partner, [{"company_registry": kvk, "is_company": True, "kvk_linked": True}])
        self.assertEqual(partner._kvk_enrolments().profile_id, profile)
        self.assertEqual(item.state, "applied")

    def test_accepting_a_new_registration_already_in_odoo_enrols_that_contact(self):
        self.env["kvk.profile"].create({"name": "All new companies", "company_id": self.company.id})
        (summary,) = self.emit("new")
        self.run_signals()
        (item,) = self.items(kind="new")
        values = item._kvk_values()
        existing = self.env["res.partner"].create(
            {
                "name": "Typed in already",
                "is_company": True,
                "company_registry": summary["kvknummer"],
                "kvk_branch_number": values["kvk_branch_number"][1],
            }
        )
        item.with_user(self.salesperson).action_accept()
        self.assertEqual(item.partner_id, existing)
        self.assertEqual(self.env["res.partner"].search_count([("company_registry", "=", summary["kvknummer"])]), 1)
        self.assertTrue(existing._kvk_enrolments())

    def test_accepting_a_new_registration_held_by_a_hand_made_contact_enrols_it(self):
        self.env["kvk.profile"].create({"name": "All new companies", "company_id": self.company.id})
        (summary,) = self.emit("new")
        self.run_signals()
        (item,) = self.items(kind="new")
        existing = self.env["res.partner"].create(
            {"name": "Typed in with its KvK number only", "is_company": True, "company_registry": summary["kvknummer"]}
        )
        item.with_user(self.salesperson).action_accept()
        self.assertEqual(item.partner_id, existing)
        self.assertEqual(self.env["res.partner"].search_count([("company_registry", "=", summary["kvknummer"])]), 1)
        self.assertEqual(existing._kvk_enrolments().kvk_number, summary["kvknummer"])

    def test_a_rejected_new_registration_is_not_offered_again_for_that_profile(self):
        first = self.env["kvk.profile"].create({"name": "First", "company_id": self.company.id})
        (summary,) = self.emit("new")
        self.run_signals()
        (item,) = self.items(kind="new")
        item.with_user(self.salesperson).action_reject()
        second = self.env["kvk.profile"].create({"name": "Second", "company_id": self.company.id})
        signal = self.signals(kvk_number=summary["kvknummer"])
        signal.sudo().write({"state": "pending"})  # the same registration comes along again
        self.run_signals()
        offered = self.items(kind="new")
        self.assertEqual(offered.profile_id, first | second)
        self.assertEqual(offered.filtered(lambda i: i.profile_id == second).state, "new")

    def test_new_registrations_are_matched_with_free_facts_before_any_paid_call(self):
        self.env["kvk.profile"].create(
            {
                "name": "Nowhere",
                "company_id": self.company.id,
                "postcodes": "1000-1001",
                "municipalities": "Nergenshuizen",
            }
        )
        self.emit("new")
        self.emit("new")
        self.run_signals()
        self.assertEqual(self.paid_calls(), [], "no new registration in 1000-1001")
        self.assertFalse(self.items(kind="new"))
        self.assertEqual(set(self.signals().mapped("outcome")), {"no_match"})

    def test_the_free_search_decides_the_municipality(self):
        (summary,) = self.emit("new")
        kvk = summary["kvknummer"]
        self.sandbox_control.clear_requests()
        hit = self.env["kvk.signal.job"].with_company(self.company)._kvk_search_hit(kvk)
        place = hit.address.city
        self.sandbox_control.clear_requests()
        self.env["kvk.profile"].create(
            {"name": "Elsewhere", "company_id": self.company.id, "municipalities": "Nergenshuizen"}
        )
        self.run_signals()
        self.assertEqual(len(self.sandbox_control.requests("/kvk/api/v2/zoeken")), 1)
        self.assertEqual(self.paid_calls(), [])
        self.env["kvk.profile"].create({"name": "There", "company_id": self.company.id, "municipalities": place})
        self.signals(kvk_number=kvk).sudo().write({"state": "pending"})
        self.run_signals()
        self.assertEqual(len(self.paid_calls()), 1)
        self.assertEqual(self.items(kind="new").profile_id.name, "There")
