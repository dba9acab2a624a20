from odoo import api, fields, models

from .creditcheck_service import (
    DEFAULT_ENDPOINTS,
    DEFAULT_MAX_DECOMPRESSED_MB,
    DEFAULT_TIMEOUT,
    MODES,
    TIMEOUT_PARAM,
    insecure_locations,
)
from .creditcheck_sync import DEFAULT_HOLD_SHARE


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
    creditcheck_wsdl_cz = fields.Char(
        string="Czech WSDL",
        config_parameter="creditcheck_semaphore.wsdl_cz",
        groups="base.group_system",
        help="Empty: the WSDL shipped with the addon. Otherwise a file or URL of CreditCheck's own WSDL.",
    )
    creditcheck_wsdl_sk = fields.Char(
        string="Slovak WSDL",
        config_parameter="creditcheck_semaphore.wsdl_sk",
        groups="base.group_system",
        help="Empty: the WSDL shipped with the addon. Otherwise a file or URL of CreditCheck's own WSDL.",
    )
    creditcheck_transport_warning = fields.Text(
        string="CreditCheck Transport Warning", compute="_compute_creditcheck_transport_warning"
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
    creditcheck_hold_share = fields.Integer(
        string="Hold Back Below (%)",
        default=DEFAULT_HOLD_SHARE,
        config_parameter="creditcheck_semaphore.hold_share",
        help="A complete list that is empty, or holds fewer subjects than this share of the last applied one, "
        "changes nothing until an administrator applies it from the sync log.",
    )
    creditcheck_refresh_hour = fields.Integer(
        string="Nightly Refresh Hour",
        default=2,
        help="Hour of the day, in your time zone, of the complete refresh; the change tracking follows half an "
        "hour later.",
    )
    creditcheck_timeout = fields.Integer(
        string="CreditCheck Timeout",
        default=DEFAULT_TIMEOUT,
        config_parameter=TIMEOUT_PARAM,
        help="Seconds to wait for CreditCheck to accept the connection (1 to 300); Test connection also waits "
        "no longer for the answer. The lists themselves, which CreditCheck prepares for minutes, are waited for up "
        "to 15 minutes.",
    )
    creditcheck_defunct_per_year = fields.Integer(
        string="Defunct Lists per Year", default=2, config_parameter="creditcheck_semaphore.defunct_per_year"
    )
    creditcheck_alert_level = fields.Selection(
        related="company_id.creditcheck_alert_level", readonly=False, string="Alert On"
    )
    creditcheck_alert_quotation = fields.Selection(
        related="company_id.creditcheck_alert_quotation", readonly=False, string="Quotations"
    )
    creditcheck_alert_order = fields.Selection(
        related="company_id.creditcheck_alert_order", readonly=False, string="Order Confirmation"
    )
    creditcheck_alert_invoice = fields.Selection(
        related="company_id.creditcheck_alert_invoice", readonly=False, string="Invoice Posting"
    )

    @api.depends(
        "creditcheck_mode",
        "creditcheck_endpoint_cz",
        "creditcheck_endpoint_sk",
        "creditcheck_wsdl_cz",
        "creditcheck_wsdl_sk",
    )
    def _compute_creditcheck_transport_warning(self):
        names = {"cz": self.env._("Czech"), "sk": self.env._("Slovak")}
        for settings in self:
            wsdls = {"cz": settings.sudo().creditcheck_wsdl_cz, "sk": settings.sudo().creditcheck_wsdl_sk}
            found = insecure_locations(
                settings.creditcheck_mode,
                {"cz": settings.creditcheck_endpoint_cz, "sk": settings.creditcheck_endpoint_sk},
                wsdls,
            )
            lines = [
                self.env._("%(country)s: %(url)s is not HTTPS.", country=names[country], url=url)
                for country, url in found
            ]
            if lines:
                lines.append(
                    self.env._(
                        "The login, the password and CreditCheck's answers travel unencrypted over this connection. "
                        "Use https:// where CreditCheck offers it."
                    )
                )
            settings.creditcheck_transport_warning = "\n".join(lines) or False

    @api.onchange("creditcheck_defunct_per_year")
    def _onchange_creditcheck_defunct_per_year(self):
        self.creditcheck_defunct_per_year = min(max(self.creditcheck_defunct_per_year or 1, 1), 4)

    def set_values(self):
        self.creditcheck_defunct_per_year = min(max(self.creditcheck_defunct_per_year or 1, 1), 4)
        self.creditcheck_refresh_hour = min(max(self.creditcheck_refresh_hour, 0), 23)
        self.creditcheck_hold_share = min(max(self.creditcheck_hold_share, 0), 100)
        self.creditcheck_timeout = min(max(self.creditcheck_timeout or DEFAULT_TIMEOUT, 1), 300)
        return super().set_values()

    def action_creditcheck_fetch_defunct(self):
        return self.env["creditcheck.sync"].action_fetch_defunct()

    def action_creditcheck_refresh(self):
        return self.env["creditcheck.sync"].action_refresh_now()
