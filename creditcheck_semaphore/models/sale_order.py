from odoo import api, models


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "creditcheck.alert.mixin"]

    @api.depends("partner_id", "company_id", "state")
    def _compute_creditcheck_alert(self):
        return super()._compute_creditcheck_alert()

    def _creditcheck_activity(self):
        return "quotation" if self.state in ("draft", "sent") else "order"

    @api.onchange("partner_id")
    def _onchange_creditcheck_partner(self):
        if (
            self.partner_id
            and self._creditcheck_policy("quotation") != "off"
            and self.partner_id._creditcheck_is_risky(self.company_id or None)
        ):
            return {
                "warning": {
                    "title": self.env._("CreditCheck alert"),
                    "message": self._creditcheck_message(self.partner_id.commercial_partner_id),
                }
            }

    def action_quotation_send(self):
        self._creditcheck_check("quotation", "action_quotation_send")
        return super().action_quotation_send()

    def action_confirm(self):
        # Also what the portal runs when the customer signs or pays online (as superuser):
        # there a block only leaves a note and an activity.
        self._creditcheck_check("order", "action_confirm")
        return super().action_confirm()
