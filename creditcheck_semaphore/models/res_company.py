from odoo import fields, models

from .creditcheck_alert_mixin import POLICIES

ALERT_LEVELS = [("orange", "Orange and red"), ("red", "Red only")]


class ResCompany(models.Model):
    _inherit = "res.company"

    creditcheck_report_code = fields.Char(
        string="CreditCheck Report Code",
        groups="base.group_system",
        copy=False,
        help="The access code CreditCheck issued to this company for the paid CreditcheckList report.",
    )
    creditcheck_alert_level = fields.Selection(ALERT_LEVELS, string="CreditCheck Alert On", default="red")
    creditcheck_alert_quotation = fields.Selection(POLICIES, string="CreditCheck Alert on Quotations", default="warn")
    creditcheck_alert_order = fields.Selection(
        POLICIES, string="CreditCheck Alert on Order Confirmation", default="warn"
    )
    creditcheck_alert_invoice = fields.Selection(
        POLICIES, string="CreditCheck Alert on Invoice Posting", default="warn"
    )
