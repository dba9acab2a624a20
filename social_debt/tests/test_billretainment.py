from datetime import date, timedelta

from odoo.tests import tagged

from .common import BOTH_DEBTS, NO_DATA, NO_DEBT, SocialDebtCase


@tagged("post_install", "-at_install")
class TestBillRetainmentBackend(SocialDebtCase):
    """Companies with only an RSZ agreement: the social side comes from billRetainment, the tax side
    (when asked) from EnterpriseFiscalDebt; the check says which answered."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.social_debt_backend = "billretainment"

    def setUp(self):
        super().setUp()
        self.simulate(prefix="rsz")

    def test_synchronous_with_the_tax_side(self):
        clean, indebted = self.supplier(NO_DEBT), self.supplier(BOTH_DEBTS)
        checks = self.env["social.debt.service"]._check_partners(clean | indebted).sudo()
        by_partner = {check.partner_id: check for check in checks}
        today = date.today()
        self.assertRecordValues(
            by_partner[clean],
            [
                {
                    "backend": "billretainment",
                    "verdict": "no_debt",
                    "retainment_status": "employerFoundBillRetainment",
                    "valid_until": today + timedelta(days=30),
                    "tax_status": "DATA_FOUND",
                }
            ],
        )
        self.assertRecordValues(by_partner[indebted], [{"verdict": "social_tax_debt", "valid_until": today}])
        self.assertIn('"retainmentObligation": true', by_partner[indebted].raw_answer)
        self.assertEqual(len(self.calls("/rsz/")), 2)
        self.assertEqual([c["path"] for c in self.calls("/ksz/")], ["/ksz/EnterpriseFiscalDebtService/v2/consult"] * 2)

    def test_synchronous_without_the_tax_side(self):
        self.company.social_debt_check_tax = False
        (check,) = self.env["social.debt.service"]._check_partners(self.supplier(NO_DATA)).sudo()
        self.assertRecordValues(
            check, [{"verdict": "no_data", "tax_asked": False, "retainment_status": "employerNotFound"}]
        )
        self.assertEqual(self.calls("/ksz/"), [])

    def test_grouped_with_the_tax_side(self):
        partners = self.supplier(NO_DEBT) | self.supplier(BOTH_DEBTS) | self.supplier(NO_DATA)
        service = self.env["social.debt.service"].with_company(self.company)
        batch = service._create_batch(partners, company=self.company).sudo()
        self.assertTrue(service._send_batch(batch))
        self.assertEqual(len(self.calls("/rsz/")), 1, "one list call for the social side")
        self.assertEqual(set(batch.check_ids.mapped("state")), {"waiting"})
        self.assertEqual(service._collect_batch(batch), "done")
        verdicts = {check.enterprise_number: check.verdict for check in batch.check_ids}
        self.assertEqual(verdicts, {NO_DEBT: "no_debt", BOTH_DEBTS: "social_tax_debt", NO_DATA: "no_data"})
        self.assertTrue(all(check.raw_tax_answer or check.raw_answer for check in batch.check_ids))
        self.assertEqual(set(batch.check_ids.mapped("backend")), {"billretainment"})

    def test_grouped_without_the_tax_side_is_answered_at_once(self):
        self.company.social_debt_check_tax = False
        partners = self.supplier(NO_DEBT) | self.supplier(BOTH_DEBTS)
        service = self.env["social.debt.service"].with_company(self.company)
        batch = service._create_batch(partners, company=self.company).sudo()
        service._send_batch(batch)
        self.assertEqual(batch.state, "done")
        self.assertEqual(set(batch.check_ids.mapped("state")), {"answered"})
        self.assertEqual(self.calls("/ksz/"), [])
        self.assertEqual(partners.mapped("social_debt_verdict"), ["no_debt", "social_debt"])

    def test_the_rsz_payment_carries_billretainments_structured_reference(self):
        partner = self.supplier(BOTH_DEBTS)
        self.env["social.debt.service"].with_user(self.checker)._check_partners(partner)
        bill = self.bill(partner, 1000.0, ref="F-77")
        wizard = self.register(bill, user=self.accountant)
        self.assertEqual(wizard.social_debt_rsz_amount, 350.0)
        payments = self.env["account.payment"].search(wizard.action_create_payments()["domain"])
        rsz = payments.filtered(lambda payment: payment.social_debt_role == "rsz")
        self.assertRegex(rsz.memo, r"^\+\+\+\d{3}/\d{4}/\d{5}\+\+\+$")
        prepared = [call for call in self.calls("/rsz/") if call["path"].endswith("retentionPreparations")]
        self.assertEqual(len(prepared), 1)
