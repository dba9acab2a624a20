from odoo import Command
from odoo.tests import tagged

from .common import BOTH_DEBTS, SocialDebtHttpCase


@tagged("post_install", "-at_install")
class TestSocialDebtTours(SocialDebtHttpCase):
    """Check a supplier, pay its bill, see the split and the proof, in the browser."""

    def test_check_and_pay_a_supplier_with_debts(self):
        self.simulate(fiscal_amounts={BOTH_DEBTS: 81234})
        admin = self.env.ref("base.user_admin")
        self.env["res.lang"]._activate_lang("en_US")  # the test database may have been made in other languages only
        admin.write(
            {
                "lang": "en_US",
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
