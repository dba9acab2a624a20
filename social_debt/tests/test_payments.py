from datetime import date, timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import BOTH_DEBTS, NO_DEBT, SocialDebtHttpCase

TAX_DEBT_CENTS = 81234  # the tax debt the sandbox states for BOTH_DEBTS in these tests: 812.34 euros


@tagged("post_install", "-at_install")
class TestWithholdingAtPayment(SocialDebtHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clean = cls.env["res.partner"].create(
            {
                "name": "Dakwerken Zonder Schuld BV",
                "is_company": True,
                "country_id": cls.env.ref("base.be").id,
                "company_registry": NO_DEBT,
                "category_id": [(6, 0, cls.scope_tag.ids)],
            }
        )
        cls.indebted = cls.env["res.partner"].create(
            {
                "name": "Betonwerken Met Schuld NV",
                "is_company": True,
                "country_id": cls.env.ref("base.be").id,
                "vat": f"BE{BOTH_DEBTS}",
                "category_id": [(6, 0, cls.scope_tag.ids)],
            }
        )
        cls.outside = cls.env["res.partner"].create(
            {
                "name": "Kantoorbenodigdheden NV",
                "is_company": True,
                "country_id": cls.env.ref("base.be").id,
                "company_registry": NO_DEBT,
                "social_debt_scope": "out",
            }
        )

    def setUp(self):
        super().setUp()
        self.simulate(fiscal_amounts={BOTH_DEBTS: TAX_DEBT_CENTS})

    def check(self, partner, user=None):
        service = self.env["social.debt.service"].with_user(user or self.checker)
        return service._check_partners(partner, company=self.company).sudo()

    def pay(self, bills, user=None, **values):
        wizard = self.register(bills, user=user or self.accountant, **values)
        action = wizard.action_create_payments()
        return wizard, action

    def attachments(self, record):
        return self.env["ir.attachment"].search(
            [("res_model", "=", record._name), ("res_id", "=", record.id), ("mimetype", "=", "application/pdf")]
        )

    def test_scope_comes_from_the_tag(self):
        self.assertEqual(self.clean.social_debt_scope, "art30bis")
        self.assertEqual(self.indebted.social_debt_enterprise_number, BOTH_DEBTS)

    def test_no_debt_pays_in_full_with_the_proof(self):
        check = self.check(self.clean)
        bill = self.bill(self.clean, 1000.0)
        wizard = self.register(bill, user=self.accountant)
        self.assertEqual(wizard.social_debt_state, "clear")
        payments = self.env["account.payment"].browse(wizard.action_create_payments().get("res_id"))
        self.assertRecordValues(
            payments, [{"amount": 1210.0, "partner_id": self.clean.id, "social_debt_check_id": check.id}]
        )
        self.assertFalse(payments.social_debt_role)
        self.assertEqual(bill.payment_state, "paid")
        (proof,) = self.attachments(bill)
        self.assertTrue(proof.raw.startswith(b"%PDF"))
        self.assertEqual(proof.checksum, check.proof_attachment_id.checksum)
        self.assertEqual(len(self.attachments(payments)), 1)

    def test_debts_split_the_payment_35_15_and_the_rest(self):
        check = self.check(self.indebted)
        self.assertEqual(check.verdict, "social_tax_debt")
        bill = self.bill(self.indebted, 1000.0, ref="F-2025-0042")
        wizard = self.register(bill, user=self.accountant)
        self.assertRecordValues(
            wizard,
            [
                {
                    "social_debt_state": "split",
                    "social_debt_rsz_amount": 350.0,
                    "social_debt_fod_amount": 150.0,
                    "social_debt_supplier_amount": 710.0,
                }
            ],
        )
        self.assertIn("o_social_debt_split", wizard.social_debt_summary)
        action = wizard.action_create_payments()
        payments = self.env["account.payment"].search(action["domain"], order="id")
        rsz, fod = self.env.ref("social_debt.partner_rsz"), self.env.ref("social_debt.partner_fod")
        self.assertRecordValues(
            payments,
            [
                {"amount": 710.0, "partner_id": self.indebted.id, "social_debt_role": "supplier"},
                {"amount": 350.0, "partner_id": rsz.id, "social_debt_role": "rsz"},
                {"amount": 150.0, "partner_id": fod.id, "social_debt_role": "fod"},
            ],
        )
        self.assertTrue(all(payment.state in ("in_process", "paid") for payment in payments))
        supplier_payment, rsz_payment, fod_payment = payments
        self.assertEqual(rsz_payment.partner_bank_id.acc_number, "BE76 6790 0001 9295")
        self.assertEqual(fod_payment.partner_bank_id.acc_number, "BE33 6792 0023 2046")
        self.assertEqual(rsz_payment.memo, f"Art. 30bis RSZ {BOTH_DEBTS} F-2025-0042")
        self.assertEqual((rsz_payment | fod_payment).social_debt_main_payment_id, supplier_payment)
        self.assertEqual(supplier_payment.social_debt_withholding_ids, rsz_payment | fod_payment)
        self.assertEqual(set(payments.mapped("social_debt_check_id").ids), {check.id})
        # the bill is settled by the three, and the contractor's ledger shows them all
        self.assertEqual(bill.payment_state, "paid")
        self.assertEqual(bill.amount_residual, 0.0)
        payable = (rsz_payment | fod_payment).move_id.line_ids.filtered(
            lambda line: line.account_id
            == bill.line_ids.filtered(lambda item: item.display_type == "payment_term").account_id
        )
        self.assertEqual(payable.partner_id, self.indebted)
        # the proof goes with the bill and each payment
        self.assertEqual(len(self.attachments(bill)), 1)
        for payment in payments:
            self.assertEqual(len(self.attachments(payment)), 1, payment.social_debt_role)

    def test_from_7143_euros_the_certified_tax_debt_limits_the_fod_share(self):
        self.check(self.indebted)
        small = self.register(self.bill(self.indebted, 7142.99), user=self.accountant)
        self.assertEqual((small.social_debt_rsz_amount, small.social_debt_fod_amount), (2500.05, 1071.45))
        large = self.register(self.bill(self.indebted, 7143.0), user=self.accountant)
        self.assertEqual((large.social_debt_rsz_amount, large.social_debt_fod_amount), (2500.05, 812.34))
        self.assertEqual(large.social_debt_supplier_amount, round(7143.0 * 1.21 - 2500.05 - 812.34, 2))

    def test_partial_payment_withholds_on_what_it_pays(self):
        self.check(self.indebted)
        wizard = self.register(self.bill(self.indebted, 1000.0), user=self.accountant, amount=605.0)
        self.assertEqual(
            (wizard.social_debt_rsz_amount, wizard.social_debt_fod_amount, wizard.social_debt_supplier_amount),
            (175.0, 75.0, 355.0),
        )

    def test_several_bills_of_several_suppliers_at_once(self):
        self.check(self.clean | self.indebted)
        bills = self.bill(self.clean, 100.0) | self.bill(self.indebted, 200.0) | self.bill(self.indebted, 300.0)
        wizard = self.register(bills, user=self.accountant, group_payment=True)
        self.assertEqual(wizard.social_debt_state, "split")
        self.assertEqual((wizard.social_debt_rsz_amount, wizard.social_debt_fod_amount), (175.0, 75.0))
        payments = self.env["account.payment"].search(wizard.action_create_payments()["domain"])
        self.assertEqual(
            sorted((p.partner_id.name, p.amount, p.social_debt_role or "") for p in payments),
            sorted(
                [
                    ("Dakwerken Zonder Schuld BV", 121.0, ""),
                    ("Betonwerken Met Schuld NV", 355.0, "supplier"),
                    ("RSZ/ONSS (art. 30bis withholding)", 175.0, "rsz"),
                    ("FOD Financiën / SPF Finances (art. 30bis withholding)", 75.0, "fod"),
                ]
            ),
        )
        self.assertEqual(set(bills.mapped("amount_residual")), {0.0})

    def test_out_of_scope_suppliers_are_untouched(self):
        bill = self.bill(self.outside, 1000.0)
        wizard = self.register(bill, user=self.clerk)
        self.assertEqual(wizard.social_debt_state, "none")
        payment = self.env["account.payment"].browse(wizard.action_create_payments()["res_id"])
        self.assertRecordValues(payment, [{"amount": 1210.0, "social_debt_role": False, "social_debt_check_id": False}])
        self.assertEqual(self.calls(), [])

    def test_without_a_valid_check_the_payment_is_blocked(self):
        yesterday = date.today() - timedelta(days=1)
        bill = self.bill(self.clean, 1000.0)
        wizard = self.register(bill, user=self.clerk, payment_date=yesterday)
        self.assertEqual(wizard.social_debt_state, "blocked")
        self.assertFalse(wizard.social_debt_can_check)
        with self.assertRaisesRegex(UserError, "falls under the art. 30bis/30ter withholding"):
            wizard.action_create_payments()
        self.assertFalse(bill.matched_payment_ids)
        self.assertEqual(self.calls(), [])

    def test_an_accountant_overrides_with_a_reason(self):
        yesterday = date.today() - timedelta(days=1)
        bill = self.bill(self.clean, 1000.0)
        clerk = self.register(bill, user=self.clerk, payment_date=yesterday, social_debt_override_reason="Urgent")
        with self.assertRaises(UserError):
            clerk.action_create_payments()
        wizard = self.register(
            bill, user=self.accountant, payment_date=yesterday, social_debt_override_reason="Contract deadline"
        )
        self.assertTrue(wizard.social_debt_can_override)
        payment = self.env["account.payment"].browse(wizard.action_create_payments()["res_id"])
        self.assertRecordValues(
            payment, [{"amount": 1210.0, "social_debt_override_reason": "Contract deadline", "state": "paid"}]
        )
        self.assertIn("Contract deadline", bill.message_ids[0].body)
        self.assertIn("Contract deadline", payment.message_ids[0].body)

    def test_check_now_from_the_dialog_then_the_split_shows(self):
        bill = self.bill(self.indebted, 1000.0)
        wizard = self.register(bill, user=self.accountant)
        self.assertEqual(wizard.social_debt_state, "blocked")
        action = wizard.action_social_debt_check_now()
        self.assertEqual((action["res_model"], action["res_id"]), ("account.payment.register", wizard.id))
        wizard.invalidate_recordset()
        self.assertEqual(wizard.social_debt_state, "split")
        self.assertEqual(len(self.calls()), 2)

    def test_a_check_is_made_at_the_moment_of_paying_and_debts_show_first(self):
        clean_bill = self.bill(self.clean, 1000.0)
        payment = self.env["account.payment"].browse(self.pay(clean_bill, user=self.checker)[1]["res_id"])
        self.assertEqual(payment.amount, 1210.0)
        self.assertEqual(payment.social_debt_check_id.sudo().verdict, "no_debt")
        bill = self.bill(self.indebted, 1000.0)
        wizard, action = self.pay(bill, user=self.checker)
        self.assertEqual(action["res_model"], "account.payment.register", "the dialog comes back with the split")
        self.assertFalse(bill.matched_payment_ids)
        wizard.invalidate_recordset()
        self.assertEqual(wizard.social_debt_state, "split")
        self.assertEqual(len(self.env["account.payment"].search(wizard.action_create_payments()["domain"])), 3)

    def test_a_payment_posted_by_hand_needs_a_valid_check(self):
        journal = self.env["account.journal"].search(
            [("company_id", "=", self.company.id), ("type", "=", "bank")], limit=1
        )
        values = {"payment_type": "outbound", "partner_type": "supplier", "amount": 100.0, "journal_id": journal.id}
        payment = self.env["account.payment"].with_user(self.accountant).create({**values, "partner_id": self.clean.id})
        with self.assertRaisesRegex(UserError, "no social debt check valid"):
            payment.action_post()
        check = self.check(self.clean)
        payment.action_post()
        self.assertEqual(payment.social_debt_check_id, check)
        self.assertEqual(len(self.attachments(payment)), 1)
        self.check(self.indebted)
        indebted = (
            self.env["account.payment"].with_user(self.accountant).create({**values, "partner_id": self.indebted.id})
        )
        with self.assertRaisesRegex(UserError, "must be split"):
            indebted.action_post()

    def test_withholding_fields_are_set_by_the_wizard_only(self):
        self.check(self.clean)
        bill = self.bill(self.clean, 100.0)
        payment = self.env["account.payment"].browse(self.pay(bill)[1]["res_id"])
        with self.assertRaisesRegex(UserError, "set by the payment wizard only"), mute_logger("odoo.models"):
            payment.with_user(self.accountant).write({"social_debt_override_reason": "forged"})
        with self.assertRaisesRegex(UserError, "set by the payment wizard only"):
            self.env["account.payment"].with_user(self.accountant).with_context(social_debt_split=True).create(
                {
                    "payment_type": "outbound",
                    "partner_type": "supplier",
                    "partner_id": self.clean.id,
                    "amount": 1.0,
                    "social_debt_role": "supplier",
                }
            )

    def test_checks_of_one_company_do_not_count_for_another(self):
        self.check(self.clean)
        bill = self.bill(self.clean, 100.0, company=self.company_2)
        wizard = self.register(bill, user=self.other, payment_date=date.today() - timedelta(days=1))
        self.assertEqual(wizard.company_id, self.company_2)
        self.assertEqual(wizard.social_debt_state, "blocked")
