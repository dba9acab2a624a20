import base64
import hashlib
import json
import logging
import time
from datetime import timedelta

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import file_path, float_compare

from ..clients import (
    PAID_PRODUCTS,
    WSA_TO,
    KvkClient,
    KvkDataserviceClient,
    KvkError,
    Profile,
    parse_basisprofiel,
    parse_inschrijving,
    parse_search,
    parse_vestigingsprofiel,
)

_logger = logging.getLogger(__name__)

# Base URLs of the classic KvK APIs; versions (v1, v2) are part of each product's path.
ENDPOINTS = {
    "production": "https://api.kvk.nl/api",
    "test": "https://api.kvk.nl/test/api",
}
# The KvK Dataservice of a public-sector connection (KvK names the endpoint at onboarding;
# the setting kvk_connector.dataservice_url replaces these).
DATASERVICE_ENDPOINTS = {
    "production": "https://webservices.kvk.nl/postbus1",
    "test": "https://webservices.preprod.kvk.nl/postbus1",
}
DATASERVICE_URL_PARAM = "kvk_connector.dataservice_url"
DATASERVICE_WSDL_PARAM = "kvk_connector.dataservice_wsdl"
SANDBOX_URL_PARAM = "register_connectors.sandbox_url"
SANDBOX_URL_DEFAULT = "http://127.0.0.1:8070"
# Path of a CA bundle for KvK's TLS chain, when the system's trust store lacks its root.
CA_BUNDLE_PARAM = "kvk_connector.ca_bundle"
# Retries of transient faults (IPD1002, IPD1003, HTTP 5xx, timeouts): scheduled jobs only.
CRON_RETRIES = 3
CRON_BACKOFF_SECONDS = 2.0


class KvkService(models.AbstractModel):
    """The one place that knows the KvK endpoints, modes, credentials, products, cache and log."""

    _name = "kvk.service"
    _description = "KvK Handelsregister Service"

    @api.model
    def _get_base_url(self, company=None):
        company = company or self.env.company
        if company.kvk_mode == "sandbox":
            sandbox = self.env["ir.config_parameter"].sudo().get_param(SANDBOX_URL_PARAM, SANDBOX_URL_DEFAULT)
            return f"{sandbox.rstrip('/')}/kvk/api"
        return ENDPOINTS[company.kvk_mode]

    @api.model
    def _get_client(self, company=None):
        company = company or self.env.company
        ca_bundle = self.env["ir.config_parameter"].sudo().get_param(CA_BUNDLE_PARAM)
        return KvkClient(
            self._get_base_url(company),
            company.sudo().kvk_api_key or "",
            timeout=company.kvk_timeout or 10,
            session=requests.Session(),
            verify=ca_bundle or True,
        )

    @api.model
    def _get_dataservice_client(self, company=None):
        """The SOAP client of the public-sector connection (mutual TLS, signed requests)."""
        company = company or self.env.company
        params = self.env["ir.config_parameter"].sudo()
        if company.kvk_mode == "sandbox":
            sandbox = params.get_param(SANDBOX_URL_PARAM, SANDBOX_URL_DEFAULT)
            endpoint = f"{sandbox.rstrip('/')}/kvk/dataservice"
        else:
            endpoint = params.get_param(DATASERVICE_URL_PARAM) or DATASERVICE_ENDPOINTS[company.kvk_mode]
        wsdl = params.get_param(DATASERVICE_WSDL_PARAM) or file_path("kvk_connector/schemas/kvk_dataservice.wsdl")
        secrets = company.sudo()
        cert = base64.b64decode(secrets.kvk_pki_certificate) if secrets.kvk_pki_certificate else b""
        key = base64.b64decode(secrets.kvk_pki_key) if secrets.kvk_pki_key else b""
        try:
            return KvkDataserviceClient(
                wsdl,
                endpoint,
                cert,
                key,
                timeout=company.kvk_timeout or 10,
                wsa_to=WSA_TO["production" if company.kvk_mode == "production" else "test"],
                verify=params.get_param(CA_BUNDLE_PARAM) or True,
            )
        except ValueError as exc:  # a certificate or key that cannot be read
            raise KvkError("certificate", detail=str(exc)) from exc

    # -- messages ---------------------------------------------------------------------------

    @api.model
    def _error_message(self, error):
        """What a salesperson reads for a :class:`KvkError`."""
        _ = self.env._
        messages = {
            "IPD0001": _("The register does not offer this product."),
            "IPD0004": _("This is not a valid KvK number (8 digits)."),
            "IPD0005": _("The register has no data for this KvK number."),
            "IPD0006": _("This is not a valid branch number (vestigingsnummer, 12 digits)."),
            "IPD0007": _("The register has no data for this branch number."),
            "IPD0010": _("This is not a valid RSIN (9 digits)."),
            "IPD1002": _("The register's data is temporarily unavailable. Try again later."),
            "IPD1003": _("The register is temporarily unavailable. Try again later."),
            "IPD1998": _("The search criteria are not valid."),
            "IPD1999": _("The search criteria are not valid."),
            "IPD5200": _("Nothing in the register matches these criteria."),
            "IPD5203": _("The register does not know this type of registration."),
            "IPD9999": _("The register had a technical error. Try again later."),
            "unauthorized": _("The register refused the API key. Ask an administrator to check the KvK settings."),
            "forbidden": _("The API key may not use this product. Ask an administrator to check the KvK contract."),
            "timeout": _("The register did not answer within %(seconds)s seconds. Try again later.")
            % {"seconds": self.env.company.kvk_timeout},
            "network": _("The register cannot be reached. Check the connection and try again."),
            "malformed": _("The register sent an answer that cannot be read."),
            "not_acceptable": _("The register does not offer the requested answer format."),
            "rate_limited": _("The register is busy (too many requests). Try again shortly."),
            "disabled": _("This KvK product is switched off in the settings."),
            "cap": _("This month's budget for paid KvK calls is used up. Ask an administrator to raise the cap."),
            "certificate": _(
                "The public-sector connection needs a readable PKIoverheid certificate and key. "
                "Ask an administrator to check the KvK settings."
            ),
            "soap_fault": _("The register refused the request of the public-sector connection."),
            "tls_untrusted": _(
                "The register's TLS certificate is not trusted. Ask an administrator to check the CA bundle "
                "(system parameter kvk_connector.ca_bundle)."
            ),
            "tls_refused": _(
                "The register refused the secure connection: it did not accept the PKIoverheid certificate. "
                "Ask an administrator to check the KvK settings."
            ),
        }
        return messages.get(error.code) or error.message

    # -- products, prices, cache, cap -----------------------------------------------------------

    @api.model
    def _product_enabled(self, product, company=None):
        company = company or self.env.company
        if product == "dataservice":
            return company.kvk_connection == "public"
        return product == "zoeken" or bool(company[f"kvk_use_{product}"])

    @api.model
    def _product_price(self, product, company=None):
        company = company or self.env.company
        return company[f"kvk_price_{product}"] if product in PAID_PRODUCTS else 0.0

    @api.model
    def _month_cost(self, company):
        start = fields.Datetime.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        groups = (
            self.env["kvk.query.log"]
            .sudo()
            ._read_group([("company_id", "=", company.id), ("create_date", ">=", start)], [], ["cost:sum"])
        )
        return groups[0][0] if groups else 0.0

    @api.model
    def _cached(self, company, key):
        hours = company.kvk_cache_hours
        if not hours:
            return None
        since = fields.Datetime.now() - timedelta(hours=hours)
        return (
            self.env["kvk.query.log"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("cache_key", "=", key),
                    ("state", "=", "done"),
                    ("create_date", ">=", since),
                ],
                limit=1,
                order="id desc",
            )
        )

    # -- the one call -------------------------------------------------------------------------------

    @api.model
    def _call(self, product, method, *args, partner=None, channel="ui", company=None, **kwargs):
        """Call ``client.<method>(*args, **kwargs)`` for ``product``, with cache, cap, log and retries.

        Returns the answer's JSON (a dict); raises :class:`KvkError` with ``code``
        (an IPD code, ``timeout``, ``disabled``, ``cap``...).  Every outcome is logged.
        """
        company = company or self.env.company
        params = {"args": list(args), **kwargs}
        key = hashlib.sha256(json.dumps([product, method, params], sort_keys=True, default=str).encode()).hexdigest()
        log = {
            "user_id": self.env.uid,
            "company_id": company.id,
            "channel": channel,
            "product": product,
            "params": json.dumps(params, ensure_ascii=False, default=str),
            "partner_id": partner.id if partner else False,
            "cache_key": key,
        }
        if not self._product_enabled(product, company):
            raise self._log_error(log, KvkError("disabled"), state="blocked")
        paid = product in PAID_PRODUCTS
        if paid:
            # The Dataservice's logged answer leaves out confidential data, so it cannot serve as a cache.
            cached = self._cached(company, key) if product != "dataservice" else None
            if cached:
                self._log(
                    log, state="cached", http_status=cached.http_status, path=cached.path, response=cached.response
                )
                payload = cached._payload()
                if payload is not None:
                    return payload
            price = self._product_price(product, company)
            cap = company.kvk_monthly_cap
            if cap and float_compare(self._month_cost(company) + price, cap, precision_digits=4) > 0:
                raise self._log_error(log, KvkError("cap"), state="blocked")
        try:
            client = self._get_dataservice_client(company) if product == "dataservice" else self._get_client(company)
        except KvkError as error:
            raise self._log_error(log, error) from None
        try:
            return self._call_with_retries(client, log, product, method, args, kwargs, company, channel)
        finally:
            client.close()

    @api.model
    def _call_with_retries(self, client, log, product, method, args, kwargs, company, channel):
        attempts = CRON_RETRIES + 1 if channel == "cron" else 1
        for attempt in range(1, attempts + 1):
            try:
                answer = getattr(client, method)(*args, **kwargs)
            except KvkError as error:
                self._log_error(log, error, attempt=attempt)
                if attempt < attempts and error.retryable:
                    time.sleep(self._backoff(attempt))
                    continue
                raise
            self._log(
                log,
                state="done",
                http_status=answer.status,
                path=answer.path,
                duration_ms=answer.duration * 1000,
                cost=self._product_price(product, company),
                response=answer.body.decode("utf-8", "replace"),
                attempt=attempt,
            )
            return answer.data
        raise AssertionError("unreachable")

    @api.model
    def _next_log_id(self):
        last = self.env["kvk.query.log"].sudo().search([], order="id desc", limit=1)
        return last.id + 1

    @api.model
    def _link_new_partner(self, first_log_id, partner):
        """Link the current user's unlinked queries since ``first_log_id`` to the contact they created.

        The one change the log ever takes, made here and nowhere else: the contact did not
        exist when it was asked for (search register from the Contacts menu).
        """
        logs = (
            self.env["kvk.query.log"]
            .sudo()
            .search([("id", ">=", first_log_id), ("user_id", "=", self.env.uid), ("partner_id", "=", False)])
        )
        if logs:
            models.Model.write(logs, {"partner_id": partner.id})
        return logs

    @api.model
    def _backoff(self, attempt):
        return self.env.context.get("kvk_backoff", CRON_BACKOFF_SECONDS) * (2 ** (attempt - 1))

    @api.model
    def _log(self, base, **values):
        return self.env["kvk.query.log"].sudo().create({**base, **values})

    @api.model
    def _log_error(self, base, error, state="error", attempt=1):
        self._log(
            base,
            state=state,
            http_status=error.status or 0,
            error_code=error.code,
            error_message=self._error_message(error),
            duration_ms=error.duration * 1000,
            response=error.body.decode("utf-8", "replace") if error.body else False,
            cost=0.0,
            attempt=attempt,
        )
        _logger.info("KvK %s call failed: %s (%s)", base["product"], error.code, error.detail)
        return error

    # -- business methods -------------------------------------------------------------------------------

    @api.model
    def search(self, criteria, page=1, per_page=10, channel="ui", partner=None):
        """Zoeken v2: a :class:`clients.SearchPage`."""
        data = self._call(
            "zoeken", "search", page=page, per_page=per_page, channel=channel, partner=partner, **criteria
        )
        return parse_search(data)

    @api.model
    def fetch_profile(self, kvk_number, branch_number="", kind="", channel="ui", partner=None):
        """The register data of a company or branch as a :class:`clients.Profile`.

        A main branch or legal entity comes from Basisprofiel, a side branch from
        Vestigingsprofiel; when a product is switched off, the other one is used.
        """
        company = self.env.company
        if company.kvk_connection == "public" and kind != "nevenvestiging" and kvk_number:
            data = self._call("dataservice", "ophalen_inschrijving", kvk_number, channel=channel, partner=partner)
            return parse_inschrijving(data)
        use_basis = self._product_enabled("basisprofiel", company)
        use_branch = self._product_enabled("vestigingsprofiel", company) and branch_number
        if branch_number and (kind == "nevenvestiging" or not use_basis) and use_branch:
            data = self._call("vestigingsprofiel", "vestigingsprofiel", branch_number, channel=channel, partner=partner)
            return parse_vestigingsprofiel(data)
        if use_basis:
            data = self._call("basisprofiel", "basisprofiel", kvk_number, channel=channel, partner=partner)
            return parse_basisprofiel(data)
        raise self._log_error(
            {
                "user_id": self.env.uid,
                "company_id": company.id,
                "channel": channel,
                "product": "basisprofiel",
                "params": json.dumps({"args": [kvk_number]}),
                "partner_id": partner.id if partner else False,
            },
            KvkError("disabled"),
            state="blocked",
        )

    @api.model
    def user_error(self, error):
        """A :class:`KvkError` as the ``UserError`` the UI shows."""
        return UserError(self._error_message(error))

    @api.model
    def _profile_from_hit(self, hit):
        """What a search hit alone tells, when no paid product may be used."""
        return Profile(
            kvk_number=hit.kvk_number,
            branch_number=hit.branch_number,
            name=hit.name,
            visiting=hit.address if hit.address and not hit.address.is_postal else None,
            postal=hit.address if hit.address and hit.address.is_postal else None,
        )
