from odoo import api, models
from odoo.exceptions import UserError

from ..clients import CreditcheckClient, CreditcheckError

MODES = [("production", "Production"), ("sandbox", "Sandbox (local simulator)")]
DEFAULT_ENDPOINTS = {
    "cz": "http://creditwebservices.creditcheck.cz/CreditCheckWebServices/CreditCheckAktualizace.asmx",
    "sk": "http://creditwebservices.creditcheck.sk/CreditCheckWebServices/CreditCheckAktualizace.asmx",
}
REPORT_HOSTS = {"cz": "www.creditcheck.cz", "sk": "www.creditcheck.sk"}
SANDBOX_URL_PARAM = "register_connectors.sandbox_url"
SANDBOX_URL_DEFAULT = "http://127.0.0.1:8070"
DEFAULT_MAX_DECOMPRESSED_MB = 256
TIMEOUT = 30
OPERATION_TIMEOUT = 900


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

    @api.model
    def _max_decompressed(self):
        params = self.env["ir.config_parameter"].sudo()
        try:
            megabytes = int(params.get_param("creditcheck_semaphore.max_decompressed_mb", DEFAULT_MAX_DECOMPRESSED_MB))
        except ValueError:
            megabytes = DEFAULT_MAX_DECOMPRESSED_MB
        return max(megabytes, 1) * 1024 * 1024

    @api.model
    def _get_client(self, country):
        """A CreditcheckClient for ``country``, from the installation's settings."""
        params = self.env["ir.config_parameter"].sudo()
        return CreditcheckClient(
            self._get_endpoint(country),
            params.get_param("creditcheck_semaphore.login"),
            params.get_param("creditcheck_semaphore.password"),
            timeout=TIMEOUT,
            operation_timeout=OPERATION_TIMEOUT,
            max_decompressed=self._max_decompressed(),
        )

    @api.model
    def _iter_lines(self, country, method, report, last_id=None):
        """Status lines of ``method``; raises CreditcheckError."""
        return self._get_client(country).iter_lines(method, report, last_id=last_id)

    @api.model
    def _report_url(self, country, ico, company=None):
        """The CreditcheckList link: the paid report when the company has a code, else the free one."""
        params = self.env["ir.config_parameter"].sudo()
        cid = params.get_param("creditcheck_semaphore.cid") or ""
        host = REPORT_HOSTS.get(country or "cz", REPORT_HOSTS["cz"])
        code = (company or self.env.company).sudo().creditcheck_report_code
        if code:
            return f"https://{host}/CCLfull.aspx?cid={cid}&ic={ico}&code={code}"
        return f"http://{host}/CCLfree.aspx?cid={cid}&ic={ico}"


__all__ = ["CreditcheckError", "CreditcheckService"]
