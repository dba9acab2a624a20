from odoo import api, models

# Base URLs of the classic KvK APIs; versions (v1, v2) are part of each product's path.
ENDPOINTS = {
    "production": "https://api.kvk.nl/api",
    "test": "https://api.kvk.nl/test/api",
}
SANDBOX_URL_PARAM = "register_connectors.sandbox_url"
SANDBOX_URL_DEFAULT = "http://127.0.0.1:8070"


class KvkService(models.AbstractModel):
    """The one place that knows the KvK endpoints, modes and credentials."""

    _name = "kvk.service"
    _description = "KvK Handelsregister Service"

    @api.model
    def _get_base_url(self, company=None):
        company = company or self.env.company
        if company.kvk_mode == "sandbox":
            sandbox = self.env["ir.config_parameter"].sudo().get_param(SANDBOX_URL_PARAM, SANDBOX_URL_DEFAULT)
            return f"{sandbox.rstrip('/')}/kvk/api"
        return ENDPOINTS[company.kvk_mode]
