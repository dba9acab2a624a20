from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    kvk_mode = fields.Selection(related="company_id.kvk_mode", readonly=False)
    kvk_api_key = fields.Char(related="company_id.kvk_api_key", readonly=False, groups="base.group_system")
    kvk_timeout = fields.Integer(related="company_id.kvk_timeout", readonly=False)
    kvk_connection = fields.Selection(related="company_id.kvk_connection", readonly=False)
    kvk_pki_certificate = fields.Binary(
        related="company_id.kvk_pki_certificate", readonly=False, groups="base.group_system"
    )
    kvk_pki_key = fields.Binary(related="company_id.kvk_pki_key", readonly=False, groups="base.group_system")
    kvk_price_dataservice = fields.Float(related="company_id.kvk_price_dataservice", readonly=False)
    kvk_use_basisprofiel = fields.Boolean(related="company_id.kvk_use_basisprofiel", readonly=False)
    kvk_use_vestigingsprofiel = fields.Boolean(related="company_id.kvk_use_vestigingsprofiel", readonly=False)
    kvk_use_naamgeving = fields.Boolean(related="company_id.kvk_use_naamgeving", readonly=False)
    kvk_price_basisprofiel = fields.Float(related="company_id.kvk_price_basisprofiel", readonly=False)
    kvk_price_vestigingsprofiel = fields.Float(related="company_id.kvk_price_vestigingsprofiel", readonly=False)
    kvk_price_naamgeving = fields.Float(related="company_id.kvk_price_naamgeving", readonly=False)
    kvk_cache_hours = fields.Integer(related="company_id.kvk_cache_hours", readonly=False)
    kvk_monthly_cap = fields.Float(related="company_id.kvk_monthly_cap", readonly=False)
    kvk_log_retention_days = fields.Integer(
        string="Keep KvK Query Log (days)",
        config_parameter="kvk_connector.log_retention_days",
        default=730,
        help="The query log keeps entries this many days; a daily job removes older ones.",
    )
