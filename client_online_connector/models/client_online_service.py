import logging

import requests

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import file_path

from ..clients import ClientOnlineClient, PortalError

_logger = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://www.clientonline.nl/soap/2010/accordering"
SANDBOX_URL_PARAM = "register_connectors.sandbox_url"
SANDBOX_URL_DEFAULT = "http://127.0.0.1:8070"
# Path or URL of the portal's WSDL; the rebuilt one in schemas/ when empty.
WSDL_PARAM = "client_online_connector.wsdl"
TIMEOUT_PARAM = "client_online_connector.timeout"
DEFAULT_TIMEOUT = 30


class ClientOnlineService(models.AbstractModel):
    """The one place that knows the ClientOnline endpoint, mode, WSDL and credentials.

    Its business methods (upload, status, client lookup, connection test) are private:
    models, wizards and crons call them after checking who asks.
    """

    _name = "client.online.service"
    _description = "ClientOnline Portal Service"

    @api.model
    def _get_endpoint(self, company=None):
        company = company or self.env.company
        if company.client_online_mode == "sandbox":
            sandbox = self.env["ir.config_parameter"].sudo().get_param(SANDBOX_URL_PARAM, SANDBOX_URL_DEFAULT)
            return f"{sandbox.rstrip('/')}/clientonline/soap/2010/accordering"
        return company.client_online_endpoint or DEFAULT_ENDPOINT

    @api.model
    def _get_wsdl(self):
        configured = self.env["ir.config_parameter"].sudo().get_param(WSDL_PARAM)
        return configured or file_path("client_online_connector/schemas/clientonline_accordering.wsdl")

    @api.model
    def _timeout(self):
        value = self.env["ir.config_parameter"].sudo().get_param(TIMEOUT_PARAM)
        try:
            return float(value) if value else DEFAULT_TIMEOUT
        except ValueError:
            return DEFAULT_TIMEOUT

    @api.model
    def _get_client(self, company=None):
        company = (company or self.env.company).sudo()
        return ClientOnlineClient(
            self._get_wsdl(),
            self._get_endpoint(company),
            company.client_online_username or "",
            company.client_online_password or "",
            timeout=self._timeout(),
            session=requests.Session(),
        )

    # -- messages -----------------------------------------------------------------------------

    @api.model
    def _error_message(self, error):
        """What an accountant reads for a :class:`PortalError` (English source, translated)."""
        _ = self.env._
        messages = {
            "config": _("The portal connection is not configured: ask an administrator to fill in the ClientOnline "
                        "user name and password."),
            "login": _("The portal refused the user name or password. Ask an administrator to check the ClientOnline "
                       "settings."),
            "session": _("The portal session expired."),
            "timeout": _("The portal did not answer within %(seconds)s seconds.") % {"seconds": self._timeout()},
            "network": _("The portal cannot be reached. Check the connection."),
            "server": _("The portal had a technical error."),
            "client": _("The portal refused the request."),
            "malformed": _("The portal sent an answer that cannot be read."),
        }  # fmt: skip
        message = messages.get(error.code)
        if message is None and error.code.startswith("http_"):
            message = _("The portal answered with HTTP status %(status)s.") % {"status": error.status or error.code[5:]}
        message = message or error.message
        if error.detail and error.code in ("server", "client"):
            message = f"{message} ({error.detail})"
        return message

    @api.model
    def _user_error(self, error):
        return UserError(self._error_message(error))

    # -- business methods (private: called by models, wizards and crons) -------------------------------

    @api.model
    def _log(self, company, operation, outcome, document=None, error=None, duration=0.0, message="", count=0):
        return (
            self.env["client.online.attempt"]
            .sudo()
            .create(
                {
                    "company_id": company.id,
                    "document_id": document.id if document else False,
                    "operation": operation,
                    "outcome": outcome,
                    "error_code": error.code if error else False,
                    "message": self._error_message(error) if error else message,
                    "detail": (error.detail or "")[:2000] if error else False,
                    "http_status": (error.status or 0) if error else 0,
                    "duration_ms": (error.duration if error else duration) * 1000,
                    "document_count": count,
                }
            )
        )

    @api.model
    def _upload(self, document, client):
        """Place ``document`` (one record) with the portal; an :class:`UploadResult` (PortalError on faults)."""
        values = document._client_online_upload_values()
        try:
            result = client.upload(**values)
        except PortalError as error:
            self._log(document.company_id, "upload", "error", document=document, error=error)
            _logger.info("ClientOnline upload of document %s failed: %s (%s)", document.id, error.code, error.detail)
            raise
        self._log(
            document.company_id,
            "upload",
            "ok",
            document=document,
            duration=result.duration,
            message=f"{result.result} {result.document_id} {result.message}".strip(),
        )
        return result

    @api.model
    def _fetch_status(self, company, document_ids, client):
        """{DocumentId: DocumentStatus} of the given portal references (PortalError on faults)."""
        try:
            answers = client.status(document_ids)
        except PortalError as error:
            self._log(company, "status", "error", error=error, count=len(document_ids))
            raise
        self._log(company, "status", "ok", count=len(document_ids), message=f"{len(answers)} answered")
        return answers

    @api.model
    def _find_clients(self, company, kvk_number="", hidden_id="", name=""):
        client = self._get_client(company)
        try:
            found = client.find_clients(kvk_number=kvk_number, hidden_id=hidden_id, name=name)
        except PortalError as error:
            self._log(company, "lookup", "error", error=error)
            raise
        finally:
            client.close()
        self._log(company, "lookup", "ok", message=f"{len(found)} found", count=len(found))
        return found

    @api.model
    def _test_connection(self, company):
        """Log in once; the portal session, or PortalError."""
        client = self._get_client(company)
        try:
            session = client.login()
        except PortalError as error:
            self._log(company, "login", "error", error=error)
            raise
        finally:
            client.close()
        self._log(company, "login", "ok", duration=session.duration, message="session opened")
        return session
