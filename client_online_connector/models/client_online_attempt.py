from odoo import api, fields, models
from odoo.exceptions import UserError

OPERATIONS = [
    ("login", "Log in"),
    ("upload", "Upload"),
    ("status", "Status"),
    ("lookup", "Client lookup"),
]
OUTCOMES = [("ok", "Answered"), ("error", "Error")]


def refuse(env, operation):
    """Entries are never changed or deleted through the ORM, by anyone (sudo included)."""
    if operation == "write":
        raise UserError(env._("The record of portal calls cannot be changed."))
    raise UserError(env._("The record of portal calls cannot be deleted."))


class ClientOnlineAttempt(models.Model):
    """One call to the portal: when, what, how it went and how long it took.

    Written by the service seam only (sudo); nobody changes or deletes entries
    through the ORM.
    """

    _name = "client.online.attempt"
    _description = "ClientOnline Portal Call"
    _order = "id desc"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    document_id = fields.Many2one(
        "client.online.document", string="Document", readonly=True, index=True, ondelete="cascade", check_company=True
    )
    user_id = fields.Many2one("res.users", string="User", readonly=True, default=lambda self: self.env.uid)
    operation = fields.Selection(OPERATIONS, required=True, readonly=True)
    outcome = fields.Selection(OUTCOMES, required=True, readonly=True, index=True)
    error_code = fields.Char(readonly=True)
    message = fields.Char(readonly=True)
    detail = fields.Text(string="Portal's Text", readonly=True)
    http_status = fields.Integer(string="HTTP Status", readonly=True)
    duration_ms = fields.Float(string="Duration (ms)", digits=(12, 1), readonly=True)
    document_count = fields.Integer(string="Documents", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(self.env._("Portal calls are recorded by the portal connection only."))
        return super().create(vals_list)

    def write(self, vals):
        refuse(self.env, "write")
        return super().write(vals)

    def unlink(self):
        refuse(self.env, "unlink")
        return super().unlink()
