from urllib.parse import quote, urlsplit

from odoo import api, models
from odoo.exceptions import UserError

from ..clients import CreditcheckClient, CreditcheckError, shipped_wsdl

MODES = [("production", "Production"), ("sandbox", "Sandbox (local simulator)")]
DEFAULT_ENDPOINTS = {
    "cz": "http://creditwebservices.creditcheck.cz/CreditCheckWebServices/CreditCheckAktualizace.asmx",
    "sk": "http://creditwebservices.creditcheck.sk/CreditCheckWebServices/CreditCheckAktualizace.asmx",
}
REPORT_HOSTS = {"cz": "www.creditcheck.cz", "sk": "www.creditcheck.sk"}
REPORT_ROUTE = "/creditcheck/report"
SANDBOX_URL_PARAM = "register_connectors.sandbox_url"
SANDBOX_URL_DEFAULT = "http://127.0.0.1:8070"
# The sandbox's documented account (sandbox/services/creditcheck.py), used there when none is entered.
SANDBOX_LOGIN = "api_sandbox"
SANDBOX_PASSWORD = "sandbox"  # noqa: S105 - the sandbox's public demo account, not a secret
DEFAULT_MAX_DECOMPRESSED_MB = 256
TIMEOUT_PARAM = "creditcheck_semaphore.timeout"
DEFAULT_TIMEOUT = 30
OPERATION_TIMEOUT = 900


def insecure_locations(mode, endpoints, wsdls):
    """The (country, URL) of every endpoint or WSDL URL that is not HTTPS (none in sandbox mode)."""
    if mode == "sandbox":
        return []
    found = []
    for country in ("cz", "sk"):
        endpoint = endpoints.get(country) or DEFAULT_ENDPOINTS[country]
        if urlsplit(endpoint).scheme != "https":
            found.append((country, endpoint))
        wsdl = wsdls.get(country)
        if wsdl and urlsplit(wsdl).scheme == "http":
            found.append((country, wsdl))
    return found


class CreditcheckService(models.AbstractModel):
    """The one place that knows CreditCheck's endpoints, WSDL, mode and credentials."""

    _name = "creditcheck.service"
    _description = "CreditCheck Service"

    @api.model
    def _mode(self):
        return self.env["ir.config_parameter"].sudo().get_param("creditcheck_semaphore.mode", "production")

    @api.model
    def _get_endpoint(self, country):
        """The CreditCheckAktualizace URL for ``country`` ('cz' or 'sk')."""
        return self._endpoint_for_mode(self._mode(), country)

    @api.model
    def _endpoint_for_mode(self, mode, country, configured=None):
        """Where the calls of ``country`` go in ``mode``: the sandbox's, else ``configured`` or the setting."""
        if country not in DEFAULT_ENDPOINTS:
            raise UserError(self.env._("CreditCheck serves Czech and Slovak subjects only, not %s.", country))
        params = self.env["ir.config_parameter"].sudo()
        if mode == "sandbox":
            sandbox = params.get_param(SANDBOX_URL_PARAM, SANDBOX_URL_DEFAULT).rstrip("/")
            return f"{sandbox}/creditcheck/{country}/CreditCheckAktualizace.asmx"
        return configured or params.get_param(f"creditcheck_semaphore.endpoint_{country}") or DEFAULT_ENDPOINTS[country]

    @api.model
    def _credentials(self):
        """(login, password) of the calls: the entered account; in the sandbox without one, the sandbox's."""
        params = self.env["ir.config_parameter"].sudo()
        login = params.get_param("creditcheck_semaphore.login")
        password = params.get_param("creditcheck_semaphore.password")
        if self._mode() == "sandbox" and not (login and password):
            return SANDBOX_LOGIN, SANDBOX_PASSWORD
        return login, password

    @api.model
    def _login_note(self, mode, has_account):
        """What the Settings say about the account the chosen environment will use."""
        if has_account:
            return self.env._("The login and password entered here are used.")
        if mode == "sandbox":
            return self.env._(
                "No login entered: the sandbox's documented account “%(login)s” is used.", login=SANDBOX_LOGIN
            )
        return self.env._(
            "No login entered: production needs the API account CreditCheck issued (its login starts with “api”); "
            "CreditCheck cannot be asked."
        )

    @api.model
    def _timeout(self):
        """Seconds to wait for CreditCheck to accept the connection (and to answer a connection test)."""
        try:
            value = float(self.env["ir.config_parameter"].sudo().get_param(TIMEOUT_PARAM) or DEFAULT_TIMEOUT)
        except ValueError:
            value = DEFAULT_TIMEOUT
        return min(max(value, 1), 300)

    @api.model
    def _get_wsdl(self, country):
        """The WSDL: the vendor's when one is configured (file or URL), else the one shipped with the addon."""
        params = self.env["ir.config_parameter"].sudo()
        if params.get_param("creditcheck_semaphore.mode", "production") != "sandbox":
            configured = (params.get_param(f"creditcheck_semaphore.wsdl_{country}") or "").strip()
            if configured:
                return configured
        return shipped_wsdl(country)

    @api.model
    def _max_decompressed(self):
        params = self.env["ir.config_parameter"].sudo()
        try:
            megabytes = int(params.get_param("creditcheck_semaphore.max_decompressed_mb", DEFAULT_MAX_DECOMPRESSED_MB))
        except ValueError:
            megabytes = DEFAULT_MAX_DECOMPRESSED_MB
        return max(megabytes, 1) * 1024 * 1024

    @api.model
    def _get_client(self, country, operation_timeout=OPERATION_TIMEOUT):
        """A CreditcheckClient for ``country``, from the installation's settings.

        ``operation_timeout``: how long to wait for the answer once connected (CreditCheck
        prepares its lists for minutes; a connection test waits no longer than it connects).
        """
        login, password = self._credentials()
        return CreditcheckClient(
            self._get_endpoint(country),
            login,
            password,
            country=country,
            wsdl=self._get_wsdl(country),
            timeout=self._timeout(),
            operation_timeout=operation_timeout,
            max_decompressed=self._max_decompressed(),
        )

    @api.model
    def _iter_lines(self, country, method, report, last_id=None, sink=None):
        """Status lines of ``method``; raises CreditcheckError."""
        return self._get_client(country).iter_lines(method, report, last_id=last_id, sink=sink)

    # -- CreditcheckList reports ---------------------------------------------------------------

    @api.model
    def _report_company(self, partner):
        return partner.commercial_partner_id.company_id or self.env.company

    @api.model
    def _report_url(self, partner):
        """The link shown on a partner: the free report, or this server's route to the paid one.

        The paid report's code never goes into a link the browser reads: the route
        checks the user's access to the partner, then redirects to CreditCheck.
        """
        entity = partner.commercial_partner_id
        if not entity.creditcheck_ico:
            return False
        if self._report_company(partner).sudo().creditcheck_report_code and entity._origin.id:
            return f"{REPORT_ROUTE}/{entity._origin.id}"
        return self._free_report_url(entity)

    @api.model
    def _free_report_url(self, entity):
        cid = self.env["ir.config_parameter"].sudo().get_param("creditcheck_semaphore.cid") or ""
        host = REPORT_HOSTS.get(entity.creditcheck_country or "cz", REPORT_HOSTS["cz"])
        return f"http://{host}/CCLfree.aspx?cid={quote(cid)}&ic={entity.creditcheck_ico}"

    @api.model
    def _full_report_url(self, partner):
        """The paid report's URL with the company's code: only for the redirect, never for display."""
        entity = partner.commercial_partner_id
        code = self._report_company(partner).sudo().creditcheck_report_code
        if not (entity.creditcheck_ico and code):
            return False
        cid = self.env["ir.config_parameter"].sudo().get_param("creditcheck_semaphore.cid") or ""
        host = REPORT_HOSTS.get(entity.creditcheck_country or "cz", REPORT_HOSTS["cz"])
        return f"https://{host}/CCLfull.aspx?cid={quote(cid)}&ic={entity.creditcheck_ico}&code={quote(code)}"


__all__ = ["CreditcheckError", "CreditcheckService"]
