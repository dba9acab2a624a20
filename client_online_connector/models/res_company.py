from odoo import fields, models

from .client_online_service import DEFAULT_ENDPOINT

MODES = [("production", "Production"), ("sandbox", "Sandbox (local simulator)")]


class ResCompany(models.Model):
    _inherit = "res.company"

    client_online_mode = fields.Selection(MODES, string="ClientOnline Environment", default="production", required=True)
    client_online_endpoint = fields.Char(string="ClientOnline Endpoint", default=DEFAULT_ENDPOINT)
    client_online_username = fields.Char(string="ClientOnline Username", groups="base.group_system", copy=False)
    client_online_password = fields.Char(string="ClientOnline Password", groups="base.group_system", copy=False)
