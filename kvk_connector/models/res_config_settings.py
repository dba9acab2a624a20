from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    kvk_mode = fields.Selection(related="company_id.kvk_mode", readonly=False)
    kvk_api_key = fields.Char(related="company_id.kvk_api_key", readonly=False, groups="base.group_system")
    kvk_timeout = fields.Integer(related="company_id.kvk_timeout", readonly=False)
