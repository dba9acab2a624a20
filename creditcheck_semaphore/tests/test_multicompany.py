from odoo.tests import tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import SAZKA, CreditcheckHttpCase


@tagged("post_install", "-at_install")
class TestCreditcheckTwoCompanies(CreditcheckHttpCase):
    """Company A and company B, each with its own partners of the same subjects and its own settings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_second_company(creditcheck_alert_level="orange", creditcheck_alert_order="block")
        cls.company.write({"creditcheck_alert_level": "red", "creditcheck_alert_order": "warn"})
        cls.simulate(subjects=60)
        world = cls.subjects(limit=60)
        cls.partners_a = cls.make_partners(world, company_id=cls.company.id)
        cls.partners_a.write({"name": "A-partner"})
        cls.partners_b = cls.make_partners(world, company_id=cls.company_b.id, user_id=cls.salesman_b.id)
        cls.partners_b.write({"name": "B-partner"})
        cls.sazka_a = cls.partners_a.filtered(lambda p: p.creditcheck_ico == SAZKA)
        cls.sazka_b = cls.partners_b.filtered(lambda p: p.creditcheck_ico == SAZKA)
        cls.run_sync("complete")

    def test_events_belong_to_the_partners_company(self):
        self.run_sync("changes")
        events = self.env["creditcheck.event"].search([("ico", "=", SAZKA)])
        self.assertEqual(
            sorted(event.company_id.name for event in events),
            sorted(["Company B s.r.o."] * 2 + [self.company.name] * 2),
        )
        event_a = events.filtered(lambda e: e.company_id == self.company)[0]
        event_b = events.filtered(lambda e: e.company_id == self.company_b)[0]
        self.assertEqual(event_a.partner_ids, self.sazka_a)
        self.assertEqual(event_b.partner_ids, self.sazka_b)
        self.assertEqual(self.env["creditcheck.event"].with_user(self.salesman).search([]).company_id, self.company)
        self.assertEqual(self.sazka_a.creditcheck_event_count, 2)
        # over RPC, company A's salesperson neither reads nor acknowledges company B's events
        self.authenticate("cc-salesman", "cc-salesman")
        for method, args in (("read", [["record_id"]]), ("action_acknowledge", [])):
            with self.assertRaises(JsonRpcException) as caught, mute_logger("odoo.http"):
                self.rpc("creditcheck.event", method, [event_b.id], *args)
            self.assertEqual(caught.exception.args[0], "odoo.exceptions.AccessError")
        self.assertFalse(event_b.acknowledged)
        self.rpc("creditcheck.event", "action_acknowledge", [event_a.id])
        event_a.invalidate_recordset()
        self.assertTrue(event_a.acknowledged)

    def test_notes_and_activities_go_to_each_companys_partner(self):
        self.run_sync("changes")
        self.env["res.partner"]._cron_creditcheck_notify()
        for partner, salesman in ((self.sazka_a, self.salesman), (self.sazka_b, self.salesman_b)):
            activities = partner.activity_ids
            self.assertEqual(len(activities), 2)  # one per record, not one per company
            self.assertEqual(activities.user_id, salesman)

    def test_acknowledge_within_the_partners_company(self):
        self.sazka_a.with_user(self.salesman).action_creditcheck_acknowledge()
        self.assertEqual(self.sazka_a.creditcheck_badge, "red_acknowledged")
        self.assertEqual(self.sazka_b.creditcheck_badge, "red")
        self.assertFalse(self.sazka_b.creditcheck_ack_record_id)
        # and over RPC not at all on the other company's partner
        self.authenticate("cc-salesman", "cc-salesman")
        with self.assertRaises(JsonRpcException) as caught, mute_logger("odoo.http"):
            self.rpc("res.partner", "action_creditcheck_acknowledge", [self.sazka_b.id], route="call_button")
        self.assertEqual(caught.exception.args[0], "odoo.exceptions.AccessError")
        self.sazka_b.invalidate_recordset()
        self.assertFalse(self.sazka_b.creditcheck_ack_record_id)

    def test_one_digest_per_company_with_its_partners_only(self):
        self.env["creditcheck.event"]._cron_digest()  # the first sync: nothing
        self.simulate(day=15)
        self.run_sync("complete")
        self.run_sync("changes")
        mails = self.env["creditcheck.event"]._cron_digest()
        self.assertEqual(len(mails), 2)
        mail_a = mails.filtered(lambda m: "manager@example.com" in m.email_to)
        mail_b = mails.filtered(lambda m: "manager-b@example.com" in m.email_to)
        self.assertNotIn("manager-b@example.com", mail_a.email_to)
        self.assertNotIn("manager@example.com", mail_b.email_to)
        self.assertIn("A-partner", str(mail_a.body_html))
        self.assertNotIn("B-partner", str(mail_a.body_html))
        self.assertIn("B-partner", str(mail_b.body_html))
        self.assertNotIn("A-partner", str(mail_b.body_html))
        self.assertIn("Company B s.r.o.", mail_b.subject)
        events_a = self.env["creditcheck.event"].search_count([("company_id", "=", self.company.id)])
        self.assertIn(f"{events_a} new events", str(mail_a.body_html))
        self.assertFalse(self.env["creditcheck.event"]._cron_digest())

    def test_deactivation_in_one_company_only(self):
        wizard = self.env["creditcheck.deactivate.wizard"].with_user(self.manager)
        wizard.create({"partner_id": self.sazka_a.id, "reason": "Our own group"}).action_confirm()
        (self.sazka_a | self.sazka_b).invalidate_recordset(["creditcheck_badge"])
        self.assertEqual((self.sazka_a | self.sazka_b).mapped("creditcheck_badge"), ["deactivated", "red"])
        deactivations = self.env["creditcheck.deactivation"]
        self.assertRecordValues(
            deactivations.search([]), [{"company_id": self.company.id, "country": "cz", "ico": SAZKA}]
        )
        self.assertFalse(deactivations.with_user(self.manager_b).search([]))

    def test_alert_settings_differ_per_company(self):
        orange = self.partners_a.filtered(lambda p: p.creditcheck_state == "orange")[0]
        orange_b = self.partners_b.filtered(lambda p: p.creditcheck_ico == orange.creditcheck_ico)
        self.assertFalse(orange._creditcheck_is_risky(self.company))  # company A: red only
        self.assertTrue(orange_b._creditcheck_is_risky(self.company_b))  # company B: orange and red


@tagged("post_install", "-at_install")
class TestCreditcheckCommercialEntity(CreditcheckHttpCase):
    def test_the_company_is_checked_and_told_once_not_its_contact_persons(self):
        self.simulate(subjects=60)
        company = self.env["res.partner"].create(
            {"name": "Sazka a.s.", "is_company": True, "vat": "CZ47116307", "country_id": self.cz.id,
             "user_id": self.salesman.id}
        )  # fmt: skip
        persons = self.env["res.partner"].create(
            [{"name": f"Person {n}", "parent_id": company.id, "user_id": self.salesman.id} for n in range(3)]
        )
        self.assertEqual(set(persons.mapped("vat")), {"CZ47116307"})
        self.run_sync("complete")
        self.run_sync("changes")
        self.env["res.partner"]._cron_creditcheck_notify()
        self.assertEqual(set(persons.mapped("creditcheck_badge")), {"red"})
        self.assertEqual(set(persons.mapped("creditcheck_state")), {"grey"})
        self.assertEqual(len(self.env["creditcheck.event"].search([("ico", "=", SAZKA)])), 2)
        self.assertEqual(len(company.activity_ids), 2)
        self.assertFalse(persons.activity_ids)
        self.assertFalse(persons.message_ids.filtered(lambda m: "CreditCheck" in (m.body or "")))
        self.assertTrue(company.message_ids.filtered(lambda m: "CreditCheck" in (m.body or "")))
