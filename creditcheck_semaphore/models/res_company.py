from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    creditcheck_report_code = fields.Char(
        string="CreditCheck Report Code",
        groups="base.group_system",
        copy=False,
        help="The access code CreditCheck issued to this company for the paid CreditcheckList report.",
    )
