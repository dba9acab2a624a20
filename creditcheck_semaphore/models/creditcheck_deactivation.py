from odoo import api, fields, models


class CreditcheckDeactivation(models.Model):
    """The semaphore of a subject switched off, with the reason (for example our own company)."""

    _name = "creditcheck.deactivation"
    _description = "CreditCheck Semaphore Deactivation"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _rec_name = "ico"

    ico = fields.Char(string="IČO", required=True, index=True, tracking=True)
    reason = fields.Text(required=True, tracking=True)
    user_id = fields.Many2one("res.users", string="Deactivated by", default=lambda self: self.env.user, readonly=True)
    active = fields.Boolean(default=True, tracking=True)

    _sql_constraints = [("ico_uniq", "unique(ico)", "A subject is deactivated once.")]

    @api.model
    def _deactivated_icos(self, icos):
        icos = [ico for ico in icos if ico]
        if not icos:
            return set()
        return set(self.sudo().search([("ico", "in", icos)]).mapped("ico"))
