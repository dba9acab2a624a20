from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    client_online_mode = fields.Selection(related="company_id.client_online_mode", readonly=False)
    client_online_endpoint = fields.Char(related="company_id.client_online_endpoint", readonly=False)
    client_online_username = fields.Char(
        related="company_id.client_online_username", readonly=False, groups="base.group_system"
    )
    client_online_password = fields.Char(
        related="company_id.client_online_password", readonly=False, groups="base.group_system"
    )
