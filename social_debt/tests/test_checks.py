from datetime import date, timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import BOTH_DEBTS, NO_DATA, NO_DEBT, PAYMENT_PLAN, SocialDebtCase


@tagged("post_install", "-at_install")
class TestSyncChecks(SocialDebtCase):
    def test_no_debt_answer_holds_until_the_date_it_states(self):
        partner = self.supplier(NO_DEBT)
        (check,) = self.env["social.debt.service"].with_user(self.checker)._check_partners(partner)
        check = check.sudo()
        today = date.today()
        self.assertRecordValues(
            check,
            [
                {
                    "state": "answered",
                    "verdict": "no_debt",
                    "mode": "sync",
                    "backend": "ksz",
                    "tax_asked": True,
                    "social_status": "DATA_FOUND",
                    "tax_status": "DATA_FOUND",
                    "answer_date": today,
                    "valid_until": today + timedelta(days=30),
                    "user_id": self.checker.id,
                    "legal_context": "Art30bis-Withholding",
                }
            ],
        )
        self.assertIn("consultEmployerAccountBalanceResponse", check.raw_answer)
        self.assertIn("checkEnterpriseDebtResponse", check.raw_tax_answer)
        self.assertRecordValues(partner, [{"social_debt_verdict": "no_debt", "social_debt_check_id": check.id}])
        self.assertEqual(partner.social_debt_days_left, 30)
        self.assertEqual(len(self.calls()), 2)

    def test_debt_amounts_quarters_and_tax(self):
        partner = self.supplier(BOTH_DEBTS)
        (check,) = self.env["social.debt.service"]._check_partners(partner)
        check = check.sudo()
        self.assertEqual(check.verdict, "social_tax_debt")
        self.assertEqual(check.valid_until, check.answer_date)
        self.assertTrue(check.social_obligation and check.tax_obligation and check.tax_amount_known)
        self.assertEqual(check.social_amount, check.contributions + check.surcharges + check.interests)
        self.assertGreater(check.social_amount, 2500)
        self.assertEqual(len(check.missing_quarters.split(", ")), 2)
        self.assertTrue(partner.social_debt_rsz_number)

    def test_payment_plan_and_no_data(self):
        plan, none = self.supplier(PAYMENT_PLAN), self.supplier(NO_DATA)
        checks = self.env["social.debt.service"]._check_partners(plan | none).sudo()
        by_partner = {check.partner_id: check for check in checks}
        self.assertTrue(by_partner[plan].payment_plan)
        self.assertEqual(by_partner[none].verdict, "no_data")
        self.assertEqual(by_partner[none].social_status_code, "30001")

    def test_invalid_number_is_refused_before_any_call(self):
        partner = self.supplier("0403019262")
        self.assertTrue(partner.social_debt_enterprise_number_invalid)
        with self.assertRaisesRegex(UserError, "No valid Belgian enterprise number"):
            self.env["social.debt.service"]._check_partners(partner)
        self.assertEqual(self.calls(), [])
