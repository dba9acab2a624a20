import base64
import hashlib
import json
import logging
import time
from datetime import datetime, timedelta

import pytz
import requests

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
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
KVK_USER_GROUP = "kvk_connector.group_kvk_user"
KVK_INTEGRATION_GROUP = "kvk_connector.group_kvk_integration"
# The month of the monthly cap starts at midnight in the company's time zone; KvK's customers are Dutch.
DEFAULT_TZ = "Europe/Amsterdam"
# The key a company without one of its own uses: in the sandbox a key the sandbox accepts (any key
# starting with "sandbox" is), in KvK's test environment KvK's published public test key.  Production
# has no default: it needs the key of the company's own contract.
SANDBOX_DEFAULT_KEY = "sandbox-demo"
PUBLIC_TEST_KEY = "l7xx1f2691f2520d487b902f4e0b57a0b197"
DEFAULT_KEYS = {"sandbox": SANDBOX_DEFAULT_KEY, "test": PUBLIC_TEST_KEY}
# What "Test connection" asks: a free Zoeken call for the KvK number of KvK's own test company (in
# production it finds nothing, which is an answer all the same: the key was accepted).
TEST_CONNECTION_KVK_NUMBER = "68750110"


class KvkService(models.AbstractModel):
    """The one place that knows the KvK endpoints, modes, credentials, products, cache and log.

    Every method that reaches KvK is private (not callable over RPC) and checks at the
    seam that the user is a KvK user (or, for the integration endpoint, an integration
    user); answers it returns may hold confidential data and never go to the browser.
    """

    _name = "kvk.service"
    _description = "KvK Handelsregister Service"

    @api.model
    def _get_base_url(self, company=None):
        company = company or self.env.company
        return self._endpoint_for_mode(company.kvk_mode)

    @api.model
    def _get_dataservice_url(self, company=None):
        company = company or self.env.company
        return self._dataservice_endpoint_for_mode(company.kvk_mode)

    @api.model
    def _dataservice_endpoint_for_mode(self, mode):
        params = self.env["ir.config_parameter"].sudo()
        if mode == "sandbox":
            sandbox = params.get_param(SANDBOX_URL_PARAM, SANDBOX_URL_DEFAULT)
            return f"{sandbox.rstrip('/')}/kvk/dataservice"
        return params.get_param(DATASERVICE_URL_PARAM) or DATASERVICE_ENDPOINTS.get(mode, "")

    @api.model
    def _endpoint_for_mode(self, mode):
        """The base URL of the classic APIs in ``mode`` (what the Settings show for the chosen environment)."""
        if mode == "sandbox":
            sandbox = self.env["ir.config_parameter"].sudo().get_param(SANDBOX_URL_PARAM, SANDBOX_URL_DEFAULT)
            return f"{sandbox.rstrip('/')}/kvk/api"
        return ENDPOINTS.get(mode, "")

    @api.model
    def _api_key(self, company=None):
        """The key sent to KvK: the company's own, else the default of its environment (none in production)."""
        company = company or self.env.company
        return company.sudo().kvk_api_key or DEFAULT_KEYS.get(company.kvk_mode, "")

    @api.model
    def _get_client(self, company=None):
        company = company or self.env.company
        ca_bundle = self.env["ir.config_parameter"].sudo().get_param(CA_BUNDLE_PARAM)
        return KvkClient(
            self._get_base_url(company),
            self._api_key(company),
            timeout=company.kvk_timeout or 10,
            session=requests.Session(),
            verify=ca_bundle or True,
        )

    @api.model
    def _get_product_client(self, product, company):
        """The client that serves ``product`` for ``company``."""
        return self._get_dataservice_client(company) if product == "dataservice" else self._get_client(company)

    @api.model
    def _get_dataservice_client(self, company=None):
        """The SOAP client of the public-sector connection (mutual TLS, signed requests)."""
        company = company or self.env.company
        params = self.env["ir.config_parameter"].sudo()
        wsdl = params.get_param(DATASERVICE_WSDL_PARAM) or file_path("kvk_connector/schemas/kvk_dataservice.wsdl")
        secrets = company.sudo()
        try:
            cert = base64.b64decode(secrets.kvk_pki_certificate) if secrets.kvk_pki_certificate else b""
            key = base64.b64decode(secrets.kvk_pki_key) if secrets.kvk_pki_key else b""
        except ValueError as exc:
            raise KvkError("certificate", detail=str(exc)) from exc
        # Every construction error (unreadable key, key of another certificate, WSDL) is a KvkError.
        return KvkDataserviceClient(
            wsdl,
            self._get_dataservice_url(company),
            cert,
            key,
            timeout=company.kvk_timeout or 10,
            wsa_to=WSA_TO["production" if company.kvk_mode == "production" else "test"],
            verify=params.get_param(CA_BUNDLE_PARAM) or True,
        )

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
                "The public-sector connection needs a readable PKIoverheid certificate and key (PEM, the key "
                "without a password). Ask an administrator to check the KvK settings."
            ),
            "certificate_mismatch": _(
                "The PKIoverheid private key does not belong to the certificate. "
                "Ask an administrator to check the KvK settings."
            ),
            "wsdl": _(
                "The description (WSDL) of the KvK Dataservice cannot be loaded. Ask an administrator to check "
                "the system parameter kvk_connector.dataservice_wsdl."
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
    def _month_start(self, company, now=None):
        """The start of the current month in the company's time zone, as a naive UTC datetime."""
        try:
            zone = pytz.timezone(company.partner_id.tz or DEFAULT_TZ)
        except pytz.UnknownTimeZoneError:
            zone = pytz.timezone(DEFAULT_TZ)
        local = pytz.utc.localize(now or fields.Datetime.now()).astimezone(zone)
        first = zone.localize(datetime(local.year, local.month, 1))
        return first.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _lock_cap(self, company):
        """Make this transaction the only one that may spend the company's budget until it ends.

        The row update is what serialises: a second transaction that wants to spend waits for it,
        and, as Odoo runs in REPEATABLE READ, then fails with a serialisation error instead of
        passing the cap on an old view of the month; Odoo retries a web request after such an
        error, and the retry sees the first call in the log.
        """
        company.flush_recordset(["kvk_monthly_cap"])
        self.env.cr.execute("UPDATE res_company SET kvk_monthly_cap = kvk_monthly_cap WHERE id = %s", [company.id])

    @api.model
    def _month_cost(self, company):
        start = self._month_start(company)
        groups = (
            self.env["kvk.query.log"]
            .sudo()
            ._read_group([("company_id", "=", company.id), ("create_date", ">=", start)], [], ["cost:sum"])
        )
        return groups[0][0] if groups else 0.0

    @api.model
    def _cache_key(self, company, product, method, params):
        """The key of a call in the cache of paid answers: the mode and endpoint count, so that a test
        answer is never served after switching to production (or to another endpoint)."""
        endpoint = self._get_dataservice_url(company) if product == "dataservice" else self._get_base_url(company)
        key = [company.kvk_mode, endpoint, product, method, params]
        return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()

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
    def _check_kvk_access(self, channel="ui"):
        """Only KvK users (and, for the integration endpoint, integration users) reach the register."""
        if self.env.su:
            return
        user = self.env.user
        if user.has_group(KVK_USER_GROUP) or (channel == "integration" and user.has_group(KVK_INTEGRATION_GROUP)):
            return
        raise AccessError(self.env._("Only users of the group KvK Handelsregister / User may query the register."))

    @api.model
    def _call(self, product, method, *args, partner=None, channel="ui", company=None, origin=None, **kwargs):
        """Call ``client.<method>(*args, **kwargs)`` for ``product``, with cache, cap, log and retries.

        Returns the answer's JSON (a dict); raises :class:`KvkError` with ``code``
        (an IPD code, ``timeout``, ``disabled``, ``cap``...).  Every outcome is logged.
        """
        return self._call_dated(
            product, method, *args, partner=partner, channel=channel, company=company, origin=origin, **kwargs
        )[0]

    @api.model
    def _call_dated(self, product, method, *args, partner=None, channel="ui", company=None, origin=None, **kwargs):
        """As :meth:`_call`, returning (answer, when it was received) - a cached answer is as old as its entry."""
        self._check_kvk_access(channel)
        company = company or self.env.company
        params = {"args": list(args), **kwargs}
        key = self._cache_key(company, product, method, params)
        log = {
            "user_id": self.env.uid,
            "company_id": company.id,
            "channel": channel,
            "product": product,
            "params": json.dumps(params, ensure_ascii=False, default=str),
            "partner_id": partner.id if partner else False,
            "cache_key": key,
            "origin": origin or False,
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
                    return payload, cached.create_date
            price = self._product_price(product, company)
            cap = company.kvk_monthly_cap
            if cap:
                self._lock_cap(company)
                if float_compare(self._month_cost(company) + price, cap, precision_digits=4) > 0:
                    raise self._log_error(log, KvkError("cap"), state="blocked")
        try:
            client = self._get_product_client(product, company)
        except KvkError as error:
            raise self._log_error(log, error) from None
        try:
            data = self._call_with_retries(client, log, product, method, args, kwargs, company, channel)
        finally:
            client.close()
        return data, fields.Datetime.now()

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
    def _link_new_partner(self, origin, partner):
        """Link the current user's unlinked queries made from ``origin`` (one search wizard, named by
        the server, never by the browser) to the contact they created.

        The one change the log ever takes, made here and nowhere else: the contact did not
        exist when it was asked for (search register from the Contacts menu).
        """
        if not origin:
            return self.env["kvk.query.log"]
        logs = (
            self.env["kvk.query.log"]
            .sudo()
            .search(
                [
                    ("origin", "=", origin),
                    ("user_id", "=", self.env.uid),
                    ("company_id", "=", self.env.company.id),
                    ("partner_id", "=", False),
                ]
            )
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
        if state == "error" and error.code == "IPD5200":
            state = "empty"  # a search that found nothing is an answer, not a fault
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

    # -- business methods (private: none of them may be called over RPC) ---------------------------

    @api.model
    def _search_register(self, criteria, page=1, per_page=10, channel="ui", partner=None, origin=None):
        """Zoeken v2: a :class:`clients.SearchPage`."""
        data = self._call(
            "zoeken",
            "search",
            page=page,
            per_page=per_page,
            channel=channel,
            partner=partner,
            origin=origin,
            **criteria,
        )
        return parse_search(data)

    @api.model
    def _fetch_profile(self, kvk_number, branch_number="", kind="", channel="ui", partner=None, origin=None):
        """The register data of a company or branch as a :class:`clients.Profile`.

        ``kind`` is the registration's kind (hoofdvestiging, nevenvestiging, rechtspersoon):
        a main branch or legal entity comes from Basisprofiel (or, on a public-sector
        connection, from the Dataservice), a side branch from Vestigingsprofiel; when a
        product is switched off, the other one is used.
        """
        self._check_kvk_access(channel)
        company = self.env.company
        calling = {"channel": channel, "partner": partner, "origin": origin}
        if company.kvk_connection == "public" and kind != "nevenvestiging" and kvk_number:
            data, when = self._call_dated("dataservice", "ophalen_inschrijving", kvk_number, **calling)
            return parse_inschrijving(data, as_of=when.date())
        use_basis = self._product_enabled("basisprofiel", company)
        use_branch = self._product_enabled("vestigingsprofiel", company) and branch_number
        if branch_number and (kind == "nevenvestiging" or not use_basis) and use_branch:
            data, when = self._call_dated("vestigingsprofiel", "vestigingsprofiel", branch_number, **calling)
            return parse_vestigingsprofiel(data, as_of=when.date())
        if use_basis:
            data, when = self._call_dated("basisprofiel", "basisprofiel", kvk_number, **calling)
            return parse_basisprofiel(data, as_of=when.date())
        raise self._log_error(
            {
                "user_id": self.env.uid,
                "company_id": company.id,
                "channel": channel,
                "product": "basisprofiel",
                "params": json.dumps({"args": [kvk_number]}),
                "partner_id": partner.id if partner else False,
                "origin": origin or False,
            },
            KvkError("disabled"),
            state="blocked",
        )

    @api.model
    def _user_error(self, error):
        """A :class:`KvkError` as the ``UserError`` the UI shows."""
        return UserError(self._error_message(error))

    @api.model
    def _profile_from_hit(self, hit):
        """What a search hit alone tells, when no paid product may be used."""
        address = hit.address if hit.address and not (hit.shielded or hit.address.shielded) else None
        return Profile(
            kvk_number=hit.kvk_number,
            branch_number=hit.branch_number,
            rsin=hit.rsin,
            name=hit.name,
            visiting=address if address and not address.is_postal else None,
            postal=address if address and address.is_postal else None,
            shielded=["bezoekadres"] if hit.shielded else [],
            kind=hit.kind,
        )
