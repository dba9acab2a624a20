from odoo import fields, models

MODES = [("production", "Production"), ("sandbox", "Sandbox (local simulator)")]


class ResCompany(models.Model):
    _inherit = "res.company"

    social_debt_mode = fields.Selection(MODES, string="KSZ Environment", default="production", required=True)
    social_debt_endpoint = fields.Char(
        string="KSZ Endpoint",
        help="The EmployerAccountBalance service address the KSZ/BCSS gave this company at onboarding.",
    )
    social_debt_certificate = fields.Binary(
        string="KSZ Certificate",
        attachment=True,
        groups="base.group_system",
        copy=False,
        help="PEM file with the company's X.509 certificate and private key for the KSZ/BCSS.",
    )
    social_debt_certificate_password = fields.Char(
        string="Certificate Password", groups="base.group_system", copy=False
    )
