from odoo import Command
from odoo.tests import tagged
from odoo.tools import convert_file

from .common import BOTH_DEBTS, NO_DEBT, SocialDebtHttpCase


class EnglishHttpCase(SocialDebtHttpCase):
    """Tours read English labels: English is active and the users' language, whatever other languages
    the test database loaded (loading one at creation makes it everybody's)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("en_US")
        cls.env.ref("base.user_admin").lang = "en_US"


@tagged("post_install", "-at_install")
class TestSocialDebtTours(EnglishHttpCase):
    """Check a supplier, pay its bill, see the split and the proof, in the browser."""

    def test_check_and_pay_a_supplier_with_debts(self):
        self.simulate(fiscal_amounts={BOTH_DEBTS: 81234})
        admin = self.env.ref("base.user_admin")
        admin.write(
            {
                "company_ids": [Command.link(self.company.id)],
                "company_id": self.company.id,
                "groups_id": [
                    Command.link(self.env.ref("social_debt.group_social_debt_user").id),
                    Command.link(self.env.ref("account.group_account_manager").id),
                ],
            }
        )
        partner = self.supplier(BOTH_DEBTS, "Betonwerken De Smet NV")
        bill = self.bill(partner, 1000.0, ref="F-2025-0042")
        self.start_tour(f"/odoo/contacts/{partner.id}", "social_debt_check_supplier_tour", login="admin")
        check = partner.sudo().social_debt_check_id
        self.assertRecordValues(check, [{"verdict": "social_tax_debt", "mode": "sync", "user_id": admin.id}])
        self.start_tour(
            f"/odoo/action-account.action_move_in_invoice_type/{bill.id}", "social_debt_pay_bill_tour", login="admin"
        )
        payments = bill.matched_payment_ids
        self.assertEqual(
            sorted(payments.mapped(lambda payment: (payment.social_debt_role, payment.amount))),
            [("fod", 150.0), ("rsz", 350.0), ("supplier", 710.0)],
        )
        self.assertEqual(bill.amount_residual, 0.0)
        self.assertTrue(check.proof_attachment_id.raw.startswith(b"%PDF"))


@tagged("post_install", "-at_install")
class TestSettingsTour(EnglishHttpCase):
    def test_settings_tour(self):
        admin = self.env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(self.company.id)], "company_id": self.company.id})
        self.company.write({"social_debt_certificate": False, "social_debt_certificate_password": False})
        self.company_2.social_debt_monitoring = False
        for number in (NO_DEBT, BOTH_DEBTS):
            self.bill(self.supplier(number), 100.0)
        Service = self.env["social.debt.service"]
        Service._cron_monitor()
        Service._cron_process_batches()
        self.sandbox_control.clear_requests()
        self.start_tour("/odoo/settings#social_debt", "social_debt_settings_tour", login="admin")
        self.assertEqual(self.company.social_debt_mode, "sandbox")
        # the test made its calls with the sandbox demo certificate, which the sandbox verified
        self.assertEqual([call["status"] for call in self.calls()], [500, 200])  # the unknown batch's fault, the tax
        run = self.env["social.debt.run"].sudo().search([("job", "=", "test")], limit=1)
        self.assertRecordValues(run, [{"state": "done", "company_id": self.company.id, "create_uid": admin.id}])


@tagged("post_install", "-at_install")
class TestLanguageTours(SocialDebtHttpCase):
    """A user switches to French: the supplier's tab, the checks list and form, the payment dialog and
    the Settings have no English left; a user reading Dutch sees the tab in Dutch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.french = cls._user(
            "sd-french",
            "base.group_system,social_debt.group_social_debt_manager,account.group_account_manager",
        )
        cls.dutch = cls._user("sd-dutch", "social_debt.group_social_debt_user,account.group_account_invoice")
        # start_tour logs in with the login as password
        cls.french.write({"lang": "en_US", "password": "sd-french"})
        cls.dutch.write({"lang": "nl_NL", "password": "sd-dutch"})

    def test_french_screens(self):
        self.assertTrue(self.env["res.lang"]._lang_get("fr_FR").active, "make test loads French")
        self.simulate(fiscal_amounts={BOTH_DEBTS: 81234})
        partner = self.supplier(BOTH_DEBTS, "Betonwerken De Smet NV")
        bill = self.bill(partner, 1000.0, ref="F-2025-0042")
        login = self.french.login
        self.start_tour(f"/odoo/contacts/{partner.id}", "social_debt_french_supplier_tour", login=login)
        self.assertEqual(self.french.lang, "fr_FR")
        self.assertEqual(partner.social_debt_verdict, "social_tax_debt")
        self.start_tour(
            "/odoo/action-social_debt.social_debt_check_action", "social_debt_french_checks_tour", login=login
        )
        self.start_tour(
            f"/odoo/action-account.action_move_in_invoice_type/{bill.id}",
            "social_debt_french_payment_tour",
            login=login,
        )
        self.start_tour("/odoo/settings#social_debt", "social_debt_french_settings_tour", login=login)

    def test_dutch_tab(self):
        partner = self.supplier(NO_DEBT, "Dakwerken Vandenberghe BV")
        self.env["social.debt.service"]._check_partners(partner)
        self.start_tour(f"/odoo/contacts/{partner.id}", "social_debt_dutch_supplier_tour", login=self.dutch.login)


@tagged("post_install", "-at_install")
class TestFreshDemoTour(EnglishHttpCase):
    """The addon's demo data, loaded into this database: the demo accountant walks the README's flow,
    with the demo company's connection as the demo has it (the sandbox, no certificate of its own)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo_company = cls.env.ref("base.main_company")
        # loaded as make demo loads it: in the demo company
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.demo_company.ids))
        convert_file(env, "social_debt", "demo/social_debt_demo.xml", {}, mode="init", kind="demo")
        cls.lotte = cls.env.ref("social_debt.demo_user_accountant")
        cls.debtor = cls.env.ref("social_debt.demo_partner_debts")
        cls.demo_bill = cls.env.ref("social_debt.demo_bill_debts")

    def test_the_demo_checks_and_pays_on_the_first_click(self):
        self.assertRecordValues(
            self.demo_company.sudo(), [{"social_debt_mode": "sandbox", "social_debt_certificate": False}]
        )
        self.assertRecordValues(self.demo_bill, [{"state": "posted", "company_id": self.demo_company.id}])
        self.start_tour("/odoo/contacts", "social_debt_demo_check_tour", login="lotte")
        check = self.debtor.sudo().social_debt_check_id
        self.assertRecordValues(
            check,
            [
                {
                    "state": "answered",
                    "verdict": "social_tax_debt",
                    "user_id": self.lotte.id,
                    "company_id": self.demo_company.id,
                }
            ],
        )
        # the sandbox verified the signature: made with the demo certificate, the company having none
        self.assertEqual({call["status"] for call in self.calls()}, {200})
        self.start_tour(
            f"/odoo/action-account.action_move_in_invoice_type/{self.demo_bill.id}", "social_debt_demo_pay_tour",
            login="lotte",
        )  # fmt: skip
        self.assertEqual(
            sorted(
                self.demo_bill.matched_payment_ids.mapped(lambda payment: (payment.social_debt_role, payment.amount))
            ),
            [("fod", 150.0), ("rsz", 350.0), ("supplier", 500.0)],
        )
