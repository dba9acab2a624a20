from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    social_debt_mode = fields.Selection(related="company_id.social_debt_mode", readonly=False)
    social_debt_endpoint = fields.Char(related="company_id.social_debt_endpoint", readonly=False)
    social_debt_certificate = fields.Binary(
        related="company_id.social_debt_certificate", readonly=False, groups="base.group_system"
    )
    social_debt_certificate_password = fields.Char(
        related="company_id.social_debt_certificate_password", readonly=False, groups="base.group_system"
    )
