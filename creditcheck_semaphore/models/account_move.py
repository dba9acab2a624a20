from odoo import api, fields, models


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "creditcheck.alert.mixin"]

    def _creditcheck_activity(self):
        return "invoice"

    def _creditcheck_responsible(self):
        self.ensure_one()
        return self.invoice_user_id or self.partner_id.commercial_partner_id.user_id

    @api.depends("partner_id", "company_id", "move_type")
    def _compute_creditcheck_alert(self):
        invoices = self.filtered(lambda move: move.move_type == "out_invoice")
        (self - invoices).creditcheck_alert = False
        return super(AccountMove, invoices)._compute_creditcheck_alert()

    def _post(self, soft=True):
        """Every posting of customer invoices, the button's and the scheduled one's, follows the policy."""
        invoices = self.filtered(lambda move: move.move_type == "out_invoice")
        if soft:  # moves dated in the future are not posted now (see account.move._post)
            today = fields.Date.context_today(self)
            invoices = invoices.filtered(lambda move: move.date <= today)
        invoices._creditcheck_check("invoice", "action_post")
        return super()._post(soft)
