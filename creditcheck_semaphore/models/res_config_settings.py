from datetime import datetime, time, timedelta

from odoo import api, fields, models

from .creditcheck_alert_mixin import POLICIES
from .creditcheck_service import DEFAULT_ENDPOINTS, DEFAULT_MAX_DECOMPRESSED_MB, MODES

REFRESH_CRONS = (
    "creditcheck_semaphore.ir_cron_creditcheck_semaphore_refresh",
    "creditcheck_semaphore.ir_cron_creditcheck_semaphore_track_changes",
)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    creditcheck_mode = fields.Selection(
        MODES, string="CreditCheck Environment", default="production", config_parameter="creditcheck_semaphore.mode"
    )
    creditcheck_login = fields.Char(
        string="CreditCheck Login", config_parameter="creditcheck_semaphore.login", groups="base.group_system"
    )
    creditcheck_password = fields.Char(
        string="CreditCheck Password", config_parameter="creditcheck_semaphore.password", groups="base.group_system"
    )
    creditcheck_cid = fields.Char(
        string="CreditCheck CID",
        config_parameter="creditcheck_semaphore.cid",
        help="The identifier of this installation in CreditCheck's report links.",
    )
    creditcheck_endpoint_cz = fields.Char(
        string="Czech Endpoint", config_parameter="creditcheck_semaphore.endpoint_cz", default=DEFAULT_ENDPOINTS["cz"]
    )
    creditcheck_endpoint_sk = fields.Char(
        string="Slovak Endpoint", config_parameter="creditcheck_semaphore.endpoint_sk", default=DEFAULT_ENDPOINTS["sk"]
    )
    creditcheck_report_code = fields.Char(
        related="company_id.creditcheck_report_code", readonly=False, groups="base.group_system"
    )
    creditcheck_countries = fields.Selection(
        [("cz,sk", "Czech and Slovak"), ("cz", "Czech only"), ("sk", "Slovak only")],
        string="CreditCheck Countries",
        default="cz,sk",
        config_parameter="creditcheck_semaphore.countries",
    )
    creditcheck_compressed = fields.Boolean(
        string="Compressed Downloads", default=True, config_parameter="creditcheck_semaphore.compressed"
    )
    creditcheck_max_decompressed_mb = fields.Integer(
        string="Maximum Unpacked Size (MB)",
        default=DEFAULT_MAX_DECOMPRESSED_MB,
        config_parameter="creditcheck_semaphore.max_decompressed_mb",
    )
    creditcheck_refresh_hour = fields.Integer(
        string="Nightly Refresh Hour",
        default=2,
        config_parameter="creditcheck_semaphore.refresh_hour",
        help="Hour of the day (server time, UTC) of the complete refresh and the change tracking.",
    )
    creditcheck_defunct_per_year = fields.Integer(
        string="Defunct Lists per Year", default=2, config_parameter="creditcheck_semaphore.defunct_per_year"
    )
    creditcheck_alert_level = fields.Selection(
        [("orange", "Orange and red"), ("red", "Red only")],
        string="Alert On",
        default="red",
        config_parameter="creditcheck_semaphore.alert_level",
    )
    creditcheck_alert_quotation = fields.Selection(
        POLICIES, string="Quotations", default="warn", config_parameter="creditcheck_semaphore.alert_quotation"
    )
    creditcheck_alert_order = fields.Selection(
        POLICIES, string="Order Confirmation", default="warn", config_parameter="creditcheck_semaphore.alert_order"
    )
    creditcheck_alert_invoice = fields.Selection(
        POLICIES, string="Invoice Posting", default="warn", config_parameter="creditcheck_semaphore.alert_invoice"
    )

    @api.onchange("creditcheck_defunct_per_year")
    def _onchange_creditcheck_defunct_per_year(self):
        self.creditcheck_defunct_per_year = min(max(self.creditcheck_defunct_per_year or 1, 1), 4)

    def set_values(self):
        self.creditcheck_defunct_per_year = min(max(self.creditcheck_defunct_per_year or 1, 1), 4)
        self.creditcheck_refresh_hour = min(max(self.creditcheck_refresh_hour, 0), 23)
        result = super().set_values()
        now = fields.Datetime.now()
        at = datetime.combine(now.date(), time(self.creditcheck_refresh_hour))
        if at <= now:
            at += timedelta(days=1)
        for offset, xmlid in enumerate(REFRESH_CRONS):
            cron = self.env.ref(xmlid, raise_if_not_found=False)
            if cron and cron.sudo().nextcall != at + timedelta(minutes=30 * offset):
                cron.sudo().nextcall = at + timedelta(minutes=30 * offset)
        return result

    def action_creditcheck_fetch_defunct(self):
        return self.env["creditcheck.status"].action_fetch_defunct()

    def action_creditcheck_refresh(self):
        return self.env["creditcheck.status"].action_refresh_now()
