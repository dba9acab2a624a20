"""What the Settings tell an administrator about a company's KvK connection, and the connection test."""

import time

from odoo import api, models

from ..clients import KvkError
from .kvk_service import DEFAULT_KEYS, SANDBOX_DEFAULT_KEY, TEST_CONNECTION_KVK_NUMBER

# How "Test connection" sorts what happened.
REFUSED = ("unauthorized", "forbidden")
CERTIFICATE = ("tls_untrusted", "tls_refused", "certificate", "certificate_mismatch", "wsdl")
UNREACHABLE = ("network", "timeout")


class KvkService(models.AbstractModel):
    # apart from kvk_service.py on purpose: what the Settings tell of the connection, not the calls
    _inherit = "kvk.service"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _connection_ready(self, company=None):
        """True when the company can ask the register: a key of its own, or the default of its environment."""
        company = company or self.env.company
        return bool(self._api_key(company))

    @api.model
    def _key_note(self, company=None, mode=None, has_key=None):
        """What the Settings say about the key the company's environment will use."""
        company = company or self.env.company
        mode = mode or company.kvk_mode
        has_key = bool(company.sudo().kvk_api_key) if has_key is None else has_key
        _ = self.env._
        if has_key:
            return _("The company's own key is used.")
        if mode == "sandbox":
            return _(
                "No key entered: the sandbox's documented demo key “%(key)s” is used (the sandbox accepts any "
                "key that starts with “sandbox”).",
                key=SANDBOX_DEFAULT_KEY,
            )
        if mode == "test":
            return _("No key entered: KvK's public test key “%(key)s” is used.", key=DEFAULT_KEYS["test"])
        return _("No key entered: production needs the key of your KvK contract; the register cannot be asked.")

    @api.model
    def _test_connection(self, company=None):
        """The cheapest real call (a free Zoeken for KvK's own test company) and what it tells.

        Returns ``(outcome, message)``: outcome ``success``, ``refused``, ``certificate``,
        ``unreachable`` or ``error``; the message says in plain words what happened.  The call is
        logged like any other.  On a public-sector connection the PKIoverheid certificate and key
        are also read (without a call: a Dataservice call is paid).
        """
        company = company or self.env.company
        service = self.with_company(company)
        _ = self.env._
        endpoint = service._get_base_url(company)
        if not service._connection_ready(company):
            return "refused", _("No API key: production needs the key of your KvK contract.")
        started = time.monotonic()
        try:
            service._search_register(
                {"kvkNummer": TEST_CONNECTION_KVK_NUMBER}, per_page=1, origin="res.config.settings,test"
            )
        except KvkError as error:
            if error.code != "IPD5200":  # "nothing found" is an answer: the key was accepted
                return self._test_outcome(error, endpoint)
        seconds = time.monotonic() - started
        if company.kvk_connection == "public":
            try:
                service._get_dataservice_client(company).close()
            except KvkError as error:
                return self._test_outcome(error, service._get_dataservice_url(company))
        return "success", _(
            "The register answered at %(endpoint)s in %(seconds).2f seconds: the connection works.",
            endpoint=endpoint,
            seconds=seconds,
        )

    @api.model
    def _test_outcome(self, error, endpoint):
        _ = self.env._
        reason = self._error_message(error)
        if error.code in REFUSED:
            return "refused", _("The register refused the API key (HTTP %(status)s).", status=error.status or "-")
        if error.code in CERTIFICATE:
            return "certificate", _("Certificate problem: %(reason)s", reason=reason)
        if error.code in UNREACHABLE:
            return "unreachable", _("%(endpoint)s cannot be reached: %(reason)s", endpoint=endpoint, reason=reason)
        return "error", _("The register answered with an error: %(reason)s (%(code)s)", reason=reason, code=error.code)
