import json
import logging
import time

import requests

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import file_path

from ..clients import ClientOnlineClient, PortalError, portal

_logger = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://www.clientonline.nl/soap/2010/accordering"
SANDBOX_URL_PARAM = "register_connectors.sandbox_url"
SANDBOX_URL_DEFAULT = "http://127.0.0.1:8070"
# Path or URL of the portal's WSDL; the rebuilt one in schemas/ when empty.
WSDL_PARAM = "client_online_connector.wsdl"
TIMEOUT_PARAM = "client_online_connector.timeout"
DEFAULT_TIMEOUT = 30
# The sandbox's documented demo account: any user name that starts with "sandbox", password "sandbox".
SANDBOX_USERNAME = "sandbox-demo"
SANDBOX_PASSWORD = "sandbox"
# How an upload's answer is recorded: placed or already there is an answer; a client the portal does not
# know is no result; the rest is a refusal (not a technical error).
UPLOAD_OUTCOMES = {portal.PLACED: "ok", portal.DUPLICATE: "ok", portal.CLIENT_UNKNOWN: "no_result"}
# How "Test connection" sorts what happened.
REFUSED = ("login",)
CERTIFICATE = ("certificate",)
UNREACHABLE = ("network", "timeout")


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
        return self._endpoint_for_mode(company.client_online_mode, company)

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
    def _endpoint_for_mode(self, mode, company=None):
        """Where the calls of ``mode`` go: the sandbox's address, or the portal's (the company's own
        endpoint when it has one)."""
        if mode == "sandbox":
            sandbox = self.env["ir.config_parameter"].sudo().get_param(SANDBOX_URL_PARAM, SANDBOX_URL_DEFAULT)
            return f"{sandbox.rstrip('/')}/clientonline/soap/2010/accordering"
        return (company.client_online_endpoint if company else "") or DEFAULT_ENDPOINT

    @api.model
    def _credentials(self, company=None, mode=None):
        """(user name, password) the company logs in with: its own account, or in the sandbox without
        one, the sandbox's documented demo account."""
        company = (company or self.env.company).sudo()
        mode = mode or company.client_online_mode
        username, password = company.client_online_username or "", company.client_online_password or ""
        if mode == "sandbox" and not username and not password:
            return SANDBOX_USERNAME, SANDBOX_PASSWORD
        return username, password

    @api.model
    def _connection_ready(self, company=None):
        """True when the company can log in to the portal: an account of its own, or the sandbox's."""
        return all(self._credentials(company))

    @api.model
    def _account_note(self, company=None, mode=None, username=None, password=None):
        """What the Settings say about the account the company's environment logs in with."""
        company = (company or self.env.company).sudo()
        mode = mode or company.client_online_mode
        username = company.client_online_username if username is None else username
        password = company.client_online_password if password is None else password
        _ = self.env._
        if username and password:
            return _("The company's own portal account %(user)s is used.", user=username)
        if mode == "sandbox" and not username and not password:
            return _(
                "No account entered: the sandbox's documented demo account “%(user)s” (password “%(password)s”) "
                "is used; the sandbox accepts any user name that starts with “sandbox”.",
                user=SANDBOX_USERNAME,
                password=SANDBOX_PASSWORD,
            )
        if username:
            return _("No password entered: the portal cannot be asked.")
        return _("No account entered: production needs the office's portal account; nothing can be sent.")

    @api.model
    def _get_client(self, company=None):
        company = (company or self.env.company).sudo()
        username, password = self._credentials(company)
        return ClientOnlineClient(
            self._get_wsdl(),
            self._get_endpoint(company),
            username,
            password,
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
            "certificate": _("The portal's TLS certificate is not trusted here, or the TLS handshake failed: check "
                             "the endpoint's address and the server's certificate authorities."),
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
    def _folder_message(self, problem):
        """What an administrator reads for a folder that cannot be used (a :class:`FolderError` of
        ``check_folder``), in their language; the operating system's own words stay as it gave them."""
        _ = self.env._
        path, reason = problem.path, problem.reason
        messages = {
            "not_set": _("No folder is set."),
            "relative": _("%(path)s is not an absolute path.", path=path),
            "missing": _("The folder %(path)s does not exist (any more).", path=path),
            "not_a_folder": _("%(path)s is not a folder.", path=path),
            "unreadable": _("The folder %(path)s cannot be read (%(reason)s).", path=path, reason=reason),
            "read_only": _("The folder %(path)s cannot be written (%(reason)s).", path=path, reason=reason),
        }
        return messages.get(problem.code) or problem.message

    @api.model
    def _user_error(self, error):
        return UserError(self._error_message(error))

    # -- business methods (private: called by models, wizards and crons) -------------------------------

    @api.model
    def _log(self, company, operation, outcome, document=None, error=None, duration=0.0, params=None, result="",
             portal_ref="", count=0, answered=0, message=""):  # fmt: skip
        """Record one portal call: what was asked (``params``, shown in words), how it went, how long it took."""
        return (
            self.env["client.online.attempt"]
            .sudo()
            .create(
                {
                    "company_id": company.id,
                    "document_id": document.id if document else False,
                    "operation": operation,
                    "outcome": outcome,
                    "params": json.dumps(params or {}, sort_keys=True),
                    "result_code": result or False,
                    "portal_ref": portal_ref or False,
                    "error_code": error.code if error else False,
                    "message": (message or (error.message if error else ""))[:500] or False,
                    "detail": (error.detail or "")[:2000] if error else False,
                    "http_status": (error.status or 0) if error else 0,
                    "duration_ms": (error.duration if error else duration) * 1000,
                    "document_count": count,
                    "answer_count": answered,
                }
            )
        )

    @api.model
    def _upload(self, document, client):
        """Place ``document`` (one record) with the portal; an :class:`UploadResult` (PortalError on faults)."""
        values = document._client_online_upload_values()
        params = {
            "file": values["file_name"],
            "kind": values["kind"],
            "document_type": values["document_type"],
            **{key: values[key] for key in ("kvk_number", "hidden_id") if values.get(key)},
        }
        try:
            result = client.upload(**values)
        except PortalError as error:
            self._log(document.company_id, "upload", "error", document=document, error=error, params=params)
            _logger.info("ClientOnline upload of document %s failed: %s (%s)", document.id, error.code, error.detail)
            raise
        self._log(
            document.company_id,
            "upload",
            UPLOAD_OUTCOMES.get(result.result, "refused"),
            document=document,
            duration=result.duration,
            params=params,
            result=result.result,
            portal_ref=result.document_id,
            message=result.message,
        )
        return result

    @api.model
    def _fetch_status(self, company, document_ids, client):
        """{DocumentId: DocumentStatus} of the given portal references (PortalError on faults)."""
        params = {"documents": sorted(document_ids)[:20]}
        started = time.monotonic()
        try:
            answers = client.status(document_ids)
        except PortalError as error:
            self._log(company, "status", "error", error=error, count=len(document_ids), params=params)
            raise
        self._log(
            company,
            "status",
            "ok",
            duration=time.monotonic() - started,
            count=len(document_ids),
            answered=len(answers),
            params=params,
        )
        return answers

    @api.model
    def _find_clients(self, company, kvk_number="", hidden_id="", name=""):
        params = {key: value for key, value in (("kvk_number", kvk_number), ("hidden_id", hidden_id),
                                                ("name", name)) if value}  # fmt: skip
        client = self._get_client(company)
        started = time.monotonic()
        try:
            found = client.find_clients(kvk_number=kvk_number, hidden_id=hidden_id, name=name)
        except PortalError as error:
            self._log(company, "lookup", "error", error=error, params=params)
            raise
        finally:
            client.close()
        self._log(
            company,
            "lookup",
            "ok" if found else "no_result",
            duration=time.monotonic() - started,
            params=params,
            answered=len(found),
            message=", ".join(f"{row.name} ({row.hidden_id})" for row in found[:5]),
        )
        return found

    @api.model
    def _test_connection(self, company):
        """The cheapest real call (``Inloggen``, free) with the saved settings, and what it tells.

        Returns ``(outcome, message)``: outcome ``success``, ``refused`` (user name or password),
        ``certificate``, ``unreachable`` or ``error``; the message says in plain words what
        happened.  The call is recorded like any other.
        """
        _ = self.env._
        endpoint = self._get_endpoint(company)
        if not self._connection_ready(company):
            return "refused", self._account_note(company)
        try:
            client = self._get_client(company)
        except PortalError as error:
            return "error", self._error_message(error)
        try:
            session = client.login()
        except PortalError as error:
            self._log(company, "login", "error", error=error, params={"user": client.username})
            return self._test_outcome(error, endpoint)
        finally:
            client.close()
        self._log(company, "login", "ok", duration=session.duration, params={"user": client.username})
        return "success", _(
            "The portal answered at %(endpoint)s in %(seconds).2f seconds and accepted the account %(user)s: the "
            "connection works.",
            endpoint=endpoint,
            seconds=session.duration,
            user=client.username,
        )

    @api.model
    def _test_outcome(self, error, endpoint):
        _ = self.env._
        reason = self._error_message(error)
        if error.code in REFUSED:
            return "refused", _("The portal refused the user name or password.")
        if error.code in CERTIFICATE:
            return "certificate", _("Certificate problem at %(endpoint)s: %(reason)s", endpoint=endpoint, reason=reason)
        if error.code in UNREACHABLE:
            return "unreachable", _("%(endpoint)s cannot be reached: %(reason)s", endpoint=endpoint, reason=reason)
        return "error", _("The portal answered with an error: %(reason)s", reason=reason)
