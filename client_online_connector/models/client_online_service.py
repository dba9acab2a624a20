from odoo import api, models

DEFAULT_ENDPOINT = "https://www.clientonline.nl/soap/2010/accordering"
SANDBOX_URL_PARAM = "register_connectors.sandbox_url"
SANDBOX_URL_DEFAULT = "http://127.0.0.1:8070"


class ClientOnlineService(models.AbstractModel):
    """The one place that knows the ClientOnline endpoint, mode and credentials."""

    _name = "client.online.service"
    _description = "ClientOnline Portal Service"

    @api.model
    def _get_endpoint(self, company=None):
        company = company or self.env.company
        if company.client_online_mode == "sandbox":
            sandbox = self.env["ir.config_parameter"].sudo().get_param(SANDBOX_URL_PARAM, SANDBOX_URL_DEFAULT)
            return f"{sandbox.rstrip('/')}/clientonline/soap/2010/accordering"
        return company.client_online_endpoint or DEFAULT_ENDPOINT
