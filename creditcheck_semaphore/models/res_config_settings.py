from odoo import fields, models

from .creditcheck_service import DEFAULT_ENDPOINTS, MODES


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
