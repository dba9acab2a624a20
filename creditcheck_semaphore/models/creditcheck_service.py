from odoo import api, models
from odoo.exceptions import UserError

MODES = [("production", "Production"), ("sandbox", "Sandbox (local simulator)")]
DEFAULT_ENDPOINTS = {
    "cz": "http://creditwebservices.creditcheck.cz/CreditCheckWebServices/CreditCheckAktualizace.asmx",
    "sk": "http://creditwebservices.creditcheck.sk/CreditCheckWebServices/CreditCheckAktualizace.asmx",
}
SANDBOX_URL_PARAM = "register_connectors.sandbox_url"
SANDBOX_URL_DEFAULT = "http://127.0.0.1:8070"


class CreditcheckService(models.AbstractModel):
    """The one place that knows CreditCheck's endpoints, mode and credentials."""

    _name = "creditcheck.service"
    _description = "CreditCheck Service"

    @api.model
    def _get_endpoint(self, country):
        """The CreditCheckAktualizace URL for ``country`` ('cz' or 'sk')."""
        if country not in DEFAULT_ENDPOINTS:
            raise UserError(self.env._("CreditCheck serves Czech and Slovak subjects only, not %s.", country))
        params = self.env["ir.config_parameter"].sudo()
        if params.get_param("creditcheck_semaphore.mode", "production") == "sandbox":
            sandbox = params.get_param(SANDBOX_URL_PARAM, SANDBOX_URL_DEFAULT).rstrip("/")
            return f"{sandbox}/creditcheck/{country}/CreditCheckAktualizace.asmx"
        return params.get_param(f"creditcheck_semaphore.endpoint_{country}") or DEFAULT_ENDPOINTS[country]
