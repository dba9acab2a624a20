from odoo.exceptions import AccessError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import SAZKA, CreditcheckCase


@tagged("post_install", "-at_install")
class TestCreditcheckDeactivationEvents(CreditcheckCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulate(subjects=60)
        cls.partners = cls.make_partners(cls.subjects(limit=60))
        cls.sazka = cls.partners.filtered(lambda p: p.creditcheck_ico == SAZKA)
        # a contact of the same subject under another name
        cls.sazka_branch = cls.env["res.partner"].create(
            {"name": "Sazka branch", "vat": "CZ47116307", "country_id": cls.cz.id, "user_id": cls.salesman.id}
        )
        cls.env["creditcheck.sync"]._run("cz", "complete")

    def test_acknowledged_until_a_new_record_id(self):
        self.assertEqual(self.sazka.creditcheck_badge, "red")
        first_id = self.sazka.creditcheck_record_id
        self.sazka.with_user(self.salesman).action_creditcheck_acknowledge()
        self.assertRecordValues(
            self.sazka | self.sazka_branch,
            [
                {"creditcheck_badge": "red_acknowledged", "creditcheck_ack_record_id": first_id},
                {"creditcheck_badge": "red_acknowledged", "creditcheck_ack_record_id": first_id},
            ],
        )
        self.assertEqual(self.sazka.creditcheck_ack_user_id, self.salesman)
        # day 1: an orange partial record, the overall record ID stays: still acknowledged
        self.simulate(day=1)
        self.env["creditcheck.sync"]._run("cz", "complete")
        self.assertEqual(self.sazka.creditcheck_badge, "red_acknowledged")
        # day 2: a new red record, same colour, new ID: shown again, and the salesperson is told
        self.sazka.creditcheck_notify_pending = False
        self.simulate(day=2)
        log = self.env["creditcheck.sync"]._run("cz", "complete")
        self.assertGreaterEqual(log.partners_changed, 2)
        self.assertNotEqual(self.sazka.creditcheck_record_id, first_id)
        self.assertRecordValues(self.sazka, [{"creditcheck_badge": "red", "creditcheck_notify_pending": True}])
        self.env["res.partner"]._cron_creditcheck_notify()
        self.assertIn("new record", self.sazka.message_ids[0].body)
        self.assertIn(self.sazka.creditcheck_record_id, self.sazka.message_ids[0].body)

    def test_acknowledge_does_nothing_on_green(self):
        green = self.partners.filtered(lambda p: p.creditcheck_state == "green")[0]
        green.action_creditcheck_acknowledge()
        self.assertFalse(green.creditcheck_ack_record_id)
        self.assertEqual(green.creditcheck_badge, "green")

    def test_deactivate_a_subject_with_a_reason(self):
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["creditcheck.deactivate.wizard"].with_user(self.salesman).create(
                {"partner_id": self.sazka.id, "reason": "x"}
            ).action_confirm()
        action = self.sazka.with_user(self.manager).action_creditcheck_deactivate()
        wizard = Form(self.env[action["res_model"]].with_user(self.manager).with_context(**action["context"]))
        self.assertEqual(wizard.partner_id, self.sazka)
        wizard.reason = "Our own company: we know about the debt."
        wizard.save().action_confirm()
        self.assertEqual((self.sazka | self.sazka_branch).mapped("creditcheck_badge"), ["deactivated"] * 2)
        self.assertEqual(self.sazka.creditcheck_state, "red")  # the data stays, only the display is off
        self.assertIn("Our own company", self.sazka.message_ids[0].body)
        self.assertFalse(self.sazka._creditcheck_is_risky())
        # a new sync keeps it off
        self.env["creditcheck.sync"]._run("cz", "complete")
        self.sazka.invalidate_recordset(["creditcheck_badge"])
        self.assertEqual(self.sazka.creditcheck_badge, "deactivated")
        # reactivation, then deactivating again reuses the record
        self.sazka.with_user(self.manager).action_creditcheck_reactivate()
        self.sazka.invalidate_recordset(["creditcheck_badge"])
        self.assertEqual(self.sazka.creditcheck_badge, "red")
        self.env["creditcheck.deactivate.wizard"].with_user(self.manager).create(
            {"partner_id": self.sazka_branch.id, "reason": "again"}
        ).action_confirm()
        self.assertEqual(self.env["creditcheck.deactivation"].with_context(active_test=False).search_count([]), 1)
        self.sazka.invalidate_recordset(["creditcheck_badge"])
        self.assertEqual(self.sazka.creditcheck_badge, "deactivated")
        with self.assertRaises(AccessError):
            self.sazka.with_user(self.salesman).action_creditcheck_reactivate()

    def test_events_message_activity_acknowledgement_and_digest(self):
        events_model = self.env["creditcheck.event"]
        # the first sync only took partners out of grey: nothing to tell, no mail
        self.assertFalse(events_model._cron_digest())
        self.env["creditcheck.sync"]._run("cz", "changes")
        events = events_model.search([("ico", "=", SAZKA)])
        self.assertEqual(len(events), 2)
        self.assertEqual(events.partner_ids, self.sazka | self.sazka_branch)
        self.env["res.partner"]._cron_creditcheck_notify()
        self.assertTrue(all(events.mapped("notified")))
        activities = self.sazka.activity_ids.filtered(lambda a: a.user_id == self.salesman)
        self.assertEqual(len(activities), 2)
        self.assertIn("CreditCheck", activities[0].summary)
        self.assertIn(events[0].record_id, self.sazka.message_ids[0].body)
        # the per-partner list
        action = self.sazka.action_creditcheck_events()
        self.assertEqual(events_model.search(action["domain"]), events)
        self.assertEqual(self.sazka.creditcheck_event_count, 2)
        # acknowledgement per event
        events[0].with_user(self.salesman).action_acknowledge()
        self.assertEqual(events.mapped("acknowledged"), [True, False])
        self.assertEqual(events[0].acknowledged_by, self.salesman)
        # the digest: one mail to the administrators, then none until something changes again
        mail = events_model._cron_digest()
        self.assertEqual(len(mail), 1)
        self.assertIn("manager@example.com", mail.email_to)
        all_events = events_model.search_count([])
        self.assertIn(f"{all_events} new events", str(mail.body_html))
        self.assertFalse(events_model._cron_digest())

    def test_notify_cron_works_in_batches_and_triggers_itself(self):
        from unittest.mock import patch

        from ..models import res_partner

        self.simulate(day=15)
        self.env["creditcheck.sync"]._run("cz", "complete")
        pending = self.env["res.partner"].search([("creditcheck_notify_pending", "=", True)])
        self.assertGreater(len(pending), 3)
        cron = self.env.ref("creditcheck_semaphore.ir_cron_creditcheck_semaphore_notify")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        with patch.object(res_partner, "NOTIFY_BATCH", 3):
            remaining = self.env["res.partner"]._cron_creditcheck_notify()
        self.assertEqual(remaining, len(pending) - 3)
        self.assertGreater(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), len(triggers))
        self.assertFalse(self.env["res.partner"]._cron_creditcheck_notify())  # the rest in one more batch
