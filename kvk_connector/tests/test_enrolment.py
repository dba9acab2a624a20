"""Following a contact's registration: from "Search register", in bulk from the contact list, and what ends it."""

from odoo.tests import tagged

from .common_inbox import KvkInboxCase

DONALD, DONALD_MAIN, DONALD_SIDE = "68750110", "000037178598", "000037178601"


@tagged("post_install", "-at_install")
class TestEnrolment(KvkInboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create(
            {"name": "Tweede Vestiging B.V.", "kvk_mode": "sandbox", "kvk_api_key": "sandbox-other"}
        )
        cls.env.user.company_ids |= cls.other
        cls.salesperson.company_ids |= cls.other

    def plain(self, name, kvk=False, **values):
        return self.env["res.partner"].create({"name": name, "is_company": True, "company_registry": kvk, **values})

    def test_search_register_enrols_and_keeps_the_answer_in_the_store(self):
        donald = self.link(DONALD, DONALD_MAIN)
        enrolment = donald._kvk_enrolments()
        self.assertRecordValues(
            enrolment,
            [
                {
                    "kvk_number": DONALD,
                    "branch_number": False,
                    "source": "search",
                    "state": "active",
                    "company_id": self.company.id,
                }
            ],
        )
        self.assertTrue(donald.kvk_enrolled)
        entry = self.env["kvk.register.entry"].search(
            [("company_id", "=", self.company.id), ("registration", "=", DONALD)]
        )
        self.assertEqual(entry.source, "search")
        self.assertEqual(entry._values()["kvk_rsin"][0], "857587973")
        self.assertIn(donald, self.env["res.partner"].search([("kvk_enrolled", "=", True)]))

    def test_a_side_branch_is_followed_by_its_vestigingsnummer(self):
        side = self.link(DONALD, DONALD_SIDE)
        self.assertEqual(side.kvk_registration_kind, "nevenvestiging")
        self.assertEqual(side._kvk_enrolments().registration, f"{DONALD}/{DONALD_SIDE}")

    def test_bulk_enrolment_from_the_contact_list(self):
        # linked before enrolment existed: its registration kind says it is the main branch
        linked_before = self.plain(
            "Donald", DONALD, kvk_branch_number=DONALD_MAIN, kvk_registration_kind="hoofdvestiging"
        )
        # entered by hand with a vestigingsnummer: followed as that branch (as the refresh reads it)
        branch = self.plain("Donald Diepenveen", DONALD, kvk_branch_number=DONALD_SIDE)
        by_hand = self.plain("Katrien", "68727720")
        nothing = self.plain("Geen nummer")
        person = self.env["res.partner"].create({"name": "Kwik", "parent_id": linked_before.id})
        self.assertEqual(person.company_registry, DONALD, "a contact person copies the company's number")
        already = self.link("69599076", "000038509474")
        # the register is not for a Czech company, whatever its company registry looks like
        czech = self.plain("Pekárna s.r.o.", "27074358", country_id=self.env.ref("base.cz").id)
        selected = linked_before | branch | by_hand | nothing | person | already | czech
        action = selected.with_user(self.salesperson).action_kvk_enrol()
        self.assertIn(
            "3 contacts now follow register changes, 1 did already, 3 are no Dutch company with a KvK number",
            action["params"]["message"],
        )
        self.assertFalse(czech._kvk_enrolments())
        self.assertEqual(linked_before._kvk_enrolments().registration, DONALD)
        self.assertEqual(branch._kvk_enrolments().registration, f"{DONALD}/{DONALD_SIDE}")
        self.assertEqual(by_hand._kvk_enrolments().source, "bulk")
        self.assertFalse(nothing._kvk_enrolments() | person._kvk_enrolments())
        # the server action of the list view does the same
        server_action = self.env.ref("kvk_connector.res_partner_action_kvk_enrol")
        self.assertEqual(server_action.binding_model_id.model, "res.partner")
        self.assertIn(self.env.ref("kvk_connector.group_kvk_user"), server_action.groups_id)

    def test_a_user_ends_it_and_it_shows_on_the_contact(self):
        donald = self.link(DONALD, DONALD_MAIN)
        donald.with_user(self.salesperson).action_kvk_end_enrolment()
        self.assertFalse(donald.kvk_enrolled)
        self.assertRecordValues(
            donald.kvk_enrolment_ids, [{"state": "ended", "end_reason": "manual", "ended_by": self.salesperson.id}]
        )
        donald.with_user(self.salesperson).action_kvk_enrol()
        self.assertTrue(donald.kvk_enrolled)
        donald._kvk_enrolments().with_user(self.salesperson).action_end()
        self.assertFalse(donald.kvk_enrolled)

    def test_archiving_deleting_and_renumbering_end_it(self):
        archived = self.link(DONALD, DONALD_MAIN)
        deleted = self.plain("Weg", "68727720")
        renumbered = self.plain("Anders", "69599076")
        (archived | deleted | renumbered).action_kvk_enrol()
        enrolment = deleted._kvk_enrolments()
        archived.action_archive()
        deleted.unlink()
        renumbered.company_registry = "90004760"
        self.assertEqual(archived.with_context(active_test=False).kvk_enrolment_ids.end_reason, "archived")
        self.assertRecordValues(enrolment, [{"state": "ended", "end_reason": "deleted", "partner_id": False}])
        self.assertEqual(enrolment.partner_name, "Weg")
        self.assertEqual(renumbered.kvk_enrolment_ids.end_reason, "unlinked")
        archived.action_unarchive()
        self.assertFalse(archived.kvk_enrolled, "following again is a decision of its own")

    def test_merging_ends_the_merged_contacts_enrolment(self):
        kept = self.link(DONALD, DONALD_MAIN)
        merged = self.plain("Donald (dubbel)", DONALD, kvk_branch_number=DONALD_MAIN)
        merged.action_kvk_enrol()
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        self.run_signals()
        self.assertEqual(len(self.items(merged)), 1)
        open_item = self.items(merged)
        wizard = self.env["base.partner.merge.automatic.wizard"].create({})
        wizard._merge((kept | merged).ids, kept)
        self.assertFalse(merged.exists())
        enrolments = kept.kvk_enrolment_ids
        self.assertEqual(sorted(enrolments.mapped("state")), ["active", "ended"])
        self.assertEqual(enrolments.filtered(lambda e: e.state == "ended").end_reason, "merged")
        self.assertEqual(open_item.state, "superseded")

    def test_each_company_follows_for_itself(self):
        donald = self.plain("Donald", DONALD, kvk_branch_number=DONALD_MAIN)
        donald.with_company(self.company).action_kvk_enrol()
        self.assertTrue(donald.with_company(self.company).kvk_enrolled)
        self.assertFalse(donald.with_company(self.other).kvk_enrolled)
        donald.with_company(self.other).action_kvk_enrol()
        self.assertEqual(donald.kvk_enrolment_ids.company_id, self.company | self.other)
        donald.with_company(self.other).action_kvk_end_enrolment()
        self.assertTrue(donald.with_company(self.company).kvk_enrolled)
        self.assertFalse(donald.with_company(self.other).kvk_enrolled)
