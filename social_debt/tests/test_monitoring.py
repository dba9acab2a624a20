from odoo.tests import tagged

from .common import BOTH_DEBTS, NO_DEBT, PAYMENT_PLAN, SocialDebtCase


@tagged("post_install", "-at_install")
class TestMonitoring(SocialDebtCase):
    """The daily job: per company one grouped question for the in-scope suppliers with open bills,
    and a note and an activity, in the accountant's language, when a verdict changes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.responsible = cls._user(
            "sd-responsible", "social_debt.group_social_debt_user,account.group_account_invoice"
        )
        cls.responsible.lang = "fr_FR"
        cls.company.social_debt_responsible_id = cls.responsible
        cls.env["res.lang"]._activate_lang("nl_NL")
        cls.accountant.lang = "nl_NL"
        cls.company_2.social_debt_responsible_id = cls.accountant

    def test_each_company_asks_for_its_own_suppliers_in_one_message(self):
        shared = self.supplier(NO_DEBT, "Gedeelde Aannemer BV")
        mine = self.supplier(BOTH_DEBTS, "Aannemer Gent NV")
        theirs = self.supplier(PAYMENT_PLAN, "Aannemer Brugge BV")
        drafted = self.supplier(self.enterprises("no_debt", offset=3)[0], "Aannemer Met Ontwerpfactuur BV")
        outside = self.supplier(self.enterprises("no_debt", offset=4)[0], "Drukkerij BV", scope="out")
        self.bill(shared, 100.0)
        self.bill(mine, 100.0)
        self.bill(outside, 100.0)
        self.bill(shared, 50.0, company=self.company_2)
        self.bill(theirs, 50.0, company=self.company_2)
        self.bill(drafted, 10.0).button_draft()  # not posted: nothing to pay yet
        Service = self.env["social.debt.service"]
        self.assertEqual(Service._cron_monitor(), 2)
        Batch = self.env["social.debt.batch"].sudo()
        batches = Batch.search([("company_id", "in", (self.company | self.company_2).ids)])
        self.assertEqual(len(batches), 2)
        by_company = {batch.company_id: batch for batch in batches}
        self.assertEqual(set(by_company[self.company].check_ids.partner_id.ids), {shared.id, mine.id})
        self.assertEqual(set(by_company[self.company_2].check_ids.partner_id.ids), {shared.id, theirs.id})
        self.assertEqual(Service._cron_process_batches(), ["done", "done"])
        self.assertEqual(len(self.calls()), 4, "one message out and one in, per company")
        self.assertEqual(set(batches.check_ids.mapped("state")), {"answered"})
        for batch in batches:
            self.assertEqual(batch.check_ids.company_id, batch.company_id)
        self.assertEqual(mine.social_debt_verdict, "social_tax_debt")
        # nothing under way: the next day asks again, and while a question is open it is not asked twice
        self.assertEqual(Service._cron_monitor(), 2)
        self.assertEqual(Service._cron_monitor(), 0)

    def test_a_changed_verdict_is_told_once_in_the_accountants_language(self):
        partner = self.supplier(NO_DEBT, "Dakwerken BV")
        self.bill(partner, 100.0)
        Service = self.env["social.debt.service"]
        Service._cron_monitor()
        Service._cron_process_batches()
        self.assertEqual(partner.social_debt_verdict, "no_debt")
        told = partner.message_ids.filtered(lambda message: "verdict" in (message.body or ""))
        self.assertFalse(told, "a first verdict without debt is not worth a note")
        self.assertFalse(partner.activity_ids)
        # the next day the RSZ knows of a debt
        self.simulate(scenarios={NO_DEBT: "social_debt"})
        Service._cron_monitor()
        Service._cron_process_batches()
        self.assertEqual(partner.social_debt_verdict, "social_debt")
        french = "Le verdict des dettes sociales est passé de Pas de dette à Dette sociale."
        notes = partner.message_ids.filtered(lambda message: french in (message.body or ""))
        self.assertEqual(len(notes), 1, partner.message_ids.mapped("body"))
        self.assertRecordValues(
            partner.activity_ids, [{"user_id": self.responsible.id, "summary": "Verdict des dettes sociales modifié"}]
        )
        self.assertIn(french, partner.activity_ids.note)
        # unchanged the day after: no new note, no new activity
        count = len(partner.message_ids)
        Service._cron_monitor()
        Service._cron_process_batches()
        self.assertEqual(len(partner.message_ids), count)
        self.assertEqual(len(partner.activity_ids), 1)

    def test_a_first_verdict_with_debts_is_told(self):
        partner = self.supplier(BOTH_DEBTS, "Betonwerken NV")
        self.bill(partner, 100.0, company=self.company_2)
        Service = self.env["social.debt.service"]
        Service._cron_monitor()
        Service._cron_process_batches()
        self.assertEqual(partner.social_debt_verdict, "social_tax_debt")
        self.assertEqual(partner.activity_ids.user_id, self.accountant, "company 2's accountant")
        self.assertIn("van Niet gecontroleerd naar Sociale en fiscale schulden", partner.activity_ids.note)
        self.assertEqual(partner.activity_ids.summary, "Oordeel sociale schulden gewijzigd")
