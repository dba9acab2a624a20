from odoo import api, models


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "creditcheck.alert.mixin"]

    def _creditcheck_activity(self):
        return "invoice"

    @api.depends("partner_id", "move_type")
    def _compute_creditcheck_alert(self):
        invoices = self.filtered(lambda move: move.move_type == "out_invoice")
        (self - invoices).creditcheck_alert = False
        return super(AccountMove, invoices)._compute_creditcheck_alert()

    def action_post(self):
        self.filtered(lambda move: move.move_type == "out_invoice")._creditcheck_check("invoice", "action_post")
        return super().action_post()
