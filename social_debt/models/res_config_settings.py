from odoo import fields, models

from .social_debt_check import RETENTION_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    social_debt_mode = fields.Selection(related="company_id.social_debt_mode", readonly=False)
    social_debt_backend = fields.Selection(related="company_id.social_debt_backend", readonly=False)
    social_debt_endpoint = fields.Char(related="company_id.social_debt_endpoint", readonly=False)
    social_debt_customer_number = fields.Char(related="company_id.social_debt_customer_number", readonly=False)
    social_debt_enterprise_number = fields.Char(related="company_id.social_debt_enterprise_number")
    social_debt_fiscal_endpoint = fields.Char(related="company_id.social_debt_fiscal_endpoint", readonly=False)
    social_debt_billretainment_endpoint = fields.Char(
        related="company_id.social_debt_billretainment_endpoint", readonly=False
    )
    social_debt_check_tax = fields.Boolean(related="company_id.social_debt_check_tax", readonly=False)
    social_debt_certificate = fields.Binary(
        related="company_id.social_debt_certificate", readonly=False, groups="base.group_system"
    )
    social_debt_certificate_password = fields.Char(
        related="company_id.social_debt_certificate_password", readonly=False, groups="base.group_system"
    )
    social_debt_legal_context = fields.Char(related="company_id.social_debt_legal_context", readonly=False)
    social_debt_legal_context_procurement = fields.Char(
        related="company_id.social_debt_legal_context_procurement", readonly=False
    )
    social_debt_timeout = fields.Integer(related="company_id.social_debt_timeout", readonly=False)
    social_debt_validity_days = fields.Integer(related="company_id.social_debt_validity_days", readonly=False)
    social_debt_monitoring = fields.Boolean(related="company_id.social_debt_monitoring", readonly=False)
    social_debt_responsible_id = fields.Many2one(related="company_id.social_debt_responsible_id", readonly=False)
    social_debt_retention_days = fields.Integer(
        string="Keep Checks (days)",
        config_parameter=RETENTION_PARAM,
        default=3653,
        help="Checks and their proofs are kept this many days (ten years by default); a daily job removes older ones.",
    )
