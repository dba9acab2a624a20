from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError


class CreditcheckDeactivateWizard(models.TransientModel):
    """Switch off every semaphore of one subject (IČO), with a reason."""

    _name = "creditcheck.deactivate.wizard"
    _description = "Deactivate a CreditCheck Semaphore"

    ico = fields.Char(string="IČO", required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group("creditcheck_semaphore.group_creditcheck_manager"):
            raise UserError(self.env._("Only CreditCheck administrators deactivate a semaphore."))
        deactivations = self.env["creditcheck.deactivation"].with_context(active_test=False)
        existing = deactivations.search([("ico", "=", self.ico)])
        if existing:
            existing.write({"active": True, "reason": self.reason, "user_id": self.env.uid})
        else:
            deactivations.create({"ico": self.ico, "reason": self.reason})
        partners = self.env["res.partner"].search([("creditcheck_ico", "=", self.ico)])
        for partner in partners:
            partner.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "CreditCheck semaphore deactivated for IČO %(ico)s: %(reason)s", ico=self.ico, reason=self.reason
                ),
                subtype_xmlid="mail.mt_note",
            )
        partners.invalidate_recordset(["creditcheck_badge"])
        return {"type": "ir.actions.act_window_close"}
