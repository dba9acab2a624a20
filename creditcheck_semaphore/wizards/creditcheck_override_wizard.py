from odoo import fields, models
from odoo.exceptions import UserError

ALLOWED = {
    "sale.order": ("action_confirm", "action_quotation_send"),
    "account.move": ("action_post",),
}


class CreditcheckOverrideWizard(models.TransientModel):
    """Go on with a blocked activity, giving the reason that is posted in the chatter."""

    _name = "creditcheck.override.wizard"
    _description = "Override a CreditCheck Block"

    res_model = fields.Char(required=True)
    res_ids = fields.Char(required=True)
    method = fields.Char(required=True)
    activity = fields.Char()
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        if self.method not in ALLOWED.get(self.res_model, ()):
            raise UserError(
                self.env._("%(method)s on %(model)s cannot be overridden.", method=self.method, model=self.res_model)
            )
        if not (self.reason or "").strip():
            raise UserError(self.env._("An override needs a reason."))
        ids = [int(part) for part in self.res_ids.split(",") if part.strip().isdigit()]
        records = self.env[self.res_model].browse(ids).exists()
        result = getattr(records.with_context(creditcheck_override_reason=self.reason.strip()), self.method)()
        return result if isinstance(result, dict) else {"type": "ir.actions.act_window_close"}
