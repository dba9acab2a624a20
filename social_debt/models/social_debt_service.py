import base64
import json
import logging
import threading
import zlib
from datetime import timedelta

from psycopg2.extras import execute_values

from odoo import api, fields, models, modules, tools
from odoo.exceptions import UserError
from odoo.tools import file_path

from ..clients import (
    FISCAL,
    SOCIAL,
    BillRetainmentClient,
    KszClient,
    SocialDebtError,
    combine,
    fiscal_obligation,
    new_ticket,
    parse_retainment,
    self_signed_pem,
    social_obligation,
)
from .social_debt_check import MAX_RETRIES, brussels_date

_logger = logging.getLogger(__name__)

SANDBOX_URL_PARAM = "register_connectors.sandbox_url"
SANDBOX_URL_DEFAULT = "http://127.0.0.1:8070"
KSZ_WSDL_PARAM = "social_debt.ksz_wsdl"
FISCAL_WSDL_PARAM = "social_debt.fiscal_wsdl"
CA_BUNDLE_PARAM = "social_debt.ca_bundle"
# The sandbox's routes, in sandbox mode.
SANDBOX_PATHS = {
    "eab": "/ksz/EmployerAccountBalance",
    "efd": "/ksz/EnterpriseFiscalDebtService/v2/consult",
    "rsz": "/rsz/billRetainment/v1",
}
# In sandbox mode without a certificate of the company's own, KSZ requests are signed with a
# certificate this server makes for itself (the sandbox accepts any certificate whose signature
# holds); it lives in this process's memory only.
SANDBOX_CERTIFICATE_NAME = "social_debt sandbox demo certificate"
_sandbox_pem = []
_sandbox_pem_lock = threading.Lock()
PAGE_SIZE = 1000
# A supplier's first verdict is told only when it calls for attention.
QUIET_FIRST = ("no_debt", "no_data")
BILLRETAINMENT_CHUNK = 500
# Namespaces of the advisory locks (pg_try_advisory_xact_lock(namespace, id)).
LOCK_BATCH = zlib.crc32(b"social_debt.batch") & 0x7FFFFFFF
LOCK_MONITOR = zlib.crc32(b"social_debt.monitor") & 0x7FFFFFFF
# The columns an answer writes on a check, in the order of _answer_row().
ANSWER_COLUMNS = [
    ("state", "varchar"),
    ("answered_at", "timestamp"),
    ("ticket_cbss", "varchar"),
    ("answer_date", "date"),
    ("valid_until", "date"),
    ("verdict", "varchar"),
    ("social_status", "varchar"),
    ("social_status_code", "varchar"),
    ("social_obligation", "boolean"),
    ("contributions", "numeric"),
    ("surcharges", "numeric"),
    ("interests", "numeric"),
    ("legal_costs", "numeric"),
    ("social_amount", "numeric"),
    ("missing_quarters", "varchar"),
    ("payment_plan", "boolean"),
    ("dispute_type", "int4"),
    ("dispute_amount", "numeric"),
    ("nsso_number", "varchar"),
    ("employer_name", "varchar"),
    ("account_update_quarter", "varchar"),
    ("retainment_status", "varchar"),
    ("tax_status", "varchar"),
    ("tax_obligation", "boolean"),
    ("tax_amount", "numeric"),
    ("tax_amount_known", "boolean"),
    ("tax_status_date", "date"),
    ("raw_answer", "text"),
    ("raw_tax_answer", "text"),
    ("error_code", "varchar"),
    ("error_message", "varchar"),
    ("duration_ms", "float8"),
]


def in_test():
    return tools.config["test_enable"] or modules.module.current_test


def sandbox_certificate():
    """The PEM (certificate and key, no password) with which a company without a certificate of its
    own signs its requests to the sandbox; made once per process."""
    with _sandbox_pem_lock:
        if not _sandbox_pem:
            _sandbox_pem.append(self_signed_pem(SANDBOX_CERTIFICATE_NAME))
        return _sandbox_pem[0]


def as_text(payload):
    """A payload (bytes) as text PostgreSQL can store: undecodable bytes and NULs replaced."""
    return payload.decode("utf-8", "replace").replace("\x00", "\ufffd") if payload else None


class SocialDebtService(models.AbstractModel):
    """The one place that knows the KSZ/BCSS and RSZ endpoints, modes, certificate and rules.

    Everything here is private: models, wizards and crons call it; users reach it only through
    ``action_*`` methods that check their group.
    """

    _name = "social.debt.service"
    _description = "RSZ/ONSS Social Debt Service"

    # -- connection -------------------------------------------------------------------------

    @api.model
    def _endpoint_for_mode(self, mode, kind, configured=None):
        """Where calls of ``kind`` (eab, efd, rsz) go in ``mode``: the sandbox's route, or the
        production address the company entered (``configured``; empty when there is none)."""
        if mode == "sandbox":
            sandbox = self.env["ir.config_parameter"].sudo().get_param(SANDBOX_URL_PARAM, SANDBOX_URL_DEFAULT)
            return f"{sandbox.rstrip('/')}{SANDBOX_PATHS[kind]}"
        return configured or ""

    @api.model
    def _configured_endpoint(self, company, kind):
        return {
            "eab": company.social_debt_endpoint,
            "efd": company.social_debt_fiscal_endpoint,
            "rsz": company.social_debt_billretainment_endpoint,
        }[kind]

    @api.model
    def _get_endpoint(self, company=None, kind="eab"):
        company = company or self.env.company
        endpoint = self._endpoint_for_mode(company.social_debt_mode, kind, self._configured_endpoint(company, kind))
        if not endpoint:
            names = {"eab": "KSZ", "efd": "EnterpriseFiscalDebt", "rsz": "billRetainment"}
            raise UserError(
                self.env._(
                    "%(company)s has no %(service)s endpoint: enter the address you were given in Settings > "
                    "Social Debt.",
                    company=company.name,
                    service=names[kind],
                )
            )
        return endpoint

    @api.model
    def _certificate(self, company):
        """The PEM and password that sign the company's requests: its own certificate; in sandbox
        mode without one, the sandbox demo certificate; in production without one, nothing (the
        client then says the certificate cannot be read)."""
        secrets = company.sudo()
        if secrets.social_debt_certificate:
            return base64.b64decode(secrets.social_debt_certificate), secrets.social_debt_certificate_password or None
        if company.social_debt_mode == "sandbox":
            return sandbox_certificate(), None
        return b"", None

    @api.model
    def _get_ksz_client(self, company=None):
        company = company or self.env.company
        params = self.env["ir.config_parameter"].sudo()
        pem, password = self._certificate(company)
        return KszClient(
            params.get_param(KSZ_WSDL_PARAM) or file_path("social_debt/schemas/ksz_employer_account_balance.wsdl"),
            self._get_endpoint(company, "eab"),
            company.social_debt_enterprise_number,
            pem,
            password,
            fiscal_wsdl=params.get_param(FISCAL_WSDL_PARAM)
            or file_path("social_debt/schemas/ksz_enterprise_fiscal_debt.wsdl"),
            fiscal_endpoint=self._get_endpoint(company, "efd") if company.social_debt_check_tax else None,
            timeout=company.social_debt_timeout or 20,
            verify=params.get_param(CA_BUNDLE_PARAM) or True,
        )

    @api.model
    def _get_billretainment_client(self, company=None):
        company = company or self.env.company
        pem, password = self._certificate(company)
        return BillRetainmentClient(
            self._get_endpoint(company, "rsz"),
            pem if company.social_debt_mode != "sandbox" else b"",
            password,
            timeout=company.social_debt_timeout or 20,
            verify=self.env["ir.config_parameter"].sudo().get_param(CA_BUNDLE_PARAM) or True,
        )

    @api.model
    def _clients(self, company, backend, tax):
        """The clients a check needs: (KSZ client or None, billRetainment client or None)."""
        ksz = self._get_ksz_client(company) if backend == "ksz" or tax else None
        rsz = self._get_billretainment_client(company) if backend == "billretainment" else None
        return ksz, rsz

    @api.model
    def _legal_context(self, company, purpose):
        if purpose == "procurement":
            return company.social_debt_legal_context_procurement or "Public-Procurement"
        return company.social_debt_legal_context or "Art30bis-Withholding"

    # -- what the Settings tell an administrator ---------------------------------------------------

    @api.model
    def _certificate_note(self, mode, has_certificate):
        """What the Settings say about the certificate the chosen environment signs with."""
        _ = self.env._
        if has_certificate:
            return _("The company's own certificate signs the requests.")
        if mode == "sandbox":
            return _(
                "No certificate uploaded: in the sandbox the KSZ requests are signed with a demo certificate that "
                "this server makes itself (“%(name)s”; the sandbox accepts any certificate whose signature holds), "
                "and billRetainment is asked without one.",
                name=SANDBOX_CERTIFICATE_NAME,
            )
        return _("No certificate uploaded: production needs the company's certificate; nothing can be asked.")

    @api.model
    def _test_connection(self, company=None):
        """The cheapest real calls the company's settings allow, and what they tell.

        KSZ/BCSS source: one signed request for the answers of a grouped check that does not exist,
        which asks nothing about any enterprise; the KSZ's "unknown batch" fault means the request
        reached it and its signature, the company's enterprise number and the legal context were
        accepted.  billRetainment source: the withholding obligation of the company's own enterprise
        number.  With the tax side: EnterpriseFiscalDebt for the company's own enterprise number,
        without the amount.  Returns ``(outcome, message)``: outcome ``success``, ``refused``,
        ``certificate``, ``unreachable``, ``settings`` or ``error``; the message says in plain words
        what happened.  Every test is kept as a job run.
        """
        company = company or self.env.company
        _ = self.env._
        service = self.with_company(company)
        answered = []
        endpoint = ""
        try:
            own = company.social_debt_enterprise_number
            if not own:
                raise SocialDebtError("no_customer_number")
            legal_context = service._legal_context(company, "withholding")
            if company.social_debt_backend == "billretainment":
                endpoint = service._get_endpoint(company, "rsz")
                client = service._get_billretainment_client(company)
                try:
                    _found, seconds = client.search([own])
                finally:
                    client.close()
                answered.append((endpoint, seconds))
            if company.social_debt_backend == "ksz" or company.social_debt_check_tax:
                endpoint = service._get_endpoint(company, "eab" if company.social_debt_backend == "ksz" else "efd")
                client = service._get_ksz_client(company)
                try:
                    if company.social_debt_backend == "ksz":
                        try:
                            _page, seconds = client.collect_batch(new_ticket(), legal_context, 0, 1)
                        except SocialDebtError as error:
                            if error.code != "unknown_batch":  # an answer: the request was accepted
                                raise
                            seconds = error.duration
                        answered.append((endpoint, seconds))
                    if company.social_debt_check_tax:
                        endpoint = service._get_endpoint(company, "efd")
                        _answer, seconds = client.check_fiscal(own, new_ticket(), legal_context, include_amount=False)
                        answered.append((endpoint, seconds))
                finally:
                    client.close()
        except SocialDebtError as error:
            outcome, message = service._test_outcome(error, endpoint)
        except UserError as error:  # an endpoint is missing
            outcome, message = "settings", str(error)
        else:
            outcome = "success"
            services = [
                _("%(endpoint)s answered in %(seconds).2f seconds", endpoint=where, seconds=seconds)
                for where, seconds in answered
            ]
            message = _("%(services)s: the connection works.", services="; ".join(services))
        service._log_run(company, "test", "done" if outcome == "success" else "error", message=message)
        return outcome, message

    @api.model
    def _test_outcome(self, error, endpoint):
        _ = self.env._
        reason = self._error_message(error)
        if error.code == "signature_refused":
            return "refused", _(
                "The KSZ/BCSS refused the company's certificate: %(detail)s", detail=error.detail or reason
            )
        if error.code in ("unauthorized", "forbidden"):
            return "refused", _(
                "The service refused the company's credentials (HTTP %(status)s).", status=error.status or "-"
            )
        if error.code == "soap_fault":
            return "refused", _("The KSZ/BCSS refused the request: %(detail)s", detail=error.detail or reason)
        if error.code in ("certificate", "tls"):
            return "certificate", _("Certificate problem: %(reason)s", reason=reason)
        if error.code in ("network", "timeout") or error.code.startswith("http_5"):
            return "unreachable", _("%(endpoint)s cannot be reached: %(reason)s", endpoint=endpoint, reason=reason)
        if error.code == "no_customer_number":
            return "settings", reason
        return "error", _("The service answered with an error: %(reason)s (%(code)s)", reason=reason, code=error.code)

    # -- messages -------------------------------------------------------------------------------

    @api.model
    def _error_message(self, error):
        """What a user reads for a :class:`SocialDebtError`."""
        _ = self.env._
        messages = {
            "invalid_enterprise": _("This is not a valid Belgian enterprise number (KBO/BCE, 10 digits, mod 97)."),
            "no_customer_number": _(
                "The company has no valid enterprise number of its own (Company ID or VAT) to identify itself to "
                "the KSZ/BCSS."
            ),
            "certificate": _(
                "The KSZ certificate and key cannot be read. Ask an administrator to check the certificate and "
                "its password in Settings > Social Debt."
            ),
            "signature_refused": _(
                "The KSZ/BCSS refused the signature of the request. Ask an administrator to check the company's "
                "certificate."
            ),
            "soap_fault": _("The KSZ/BCSS refused the request."),
            "timeout": _("The service did not answer in time. Try again later."),
            "network": _("The service cannot be reached. Check the connection and try again."),
            "tls": _(
                "The secure connection failed: the service's certificate is not trusted, or the service refused "
                "the company's client certificate."
            ),
            "malformed": _("The service sent an answer that cannot be read."),
            "too_large": _("The service sent an answer larger than allowed."),
            "unauthorized": _("The service refused the company's credentials."),
            "forbidden": _("The service does not allow this request for this company."),
            "unknown_batch": _("The KSZ/BCSS does not know this batch."),
            "no_result": _("The RSZ could not give a result for this enterprise."),
            "not_answered": _("The grouped answer did not contain this question."),
        }
        return messages.get(error.code) or _("The service answered with an error (%(code)s).", code=error.code)

    # -- synchronous checks -------------------------------------------------------------------------

    @api.model
    def _check_partners(self, partners, purpose="withholding", company=None):
        """Check each commercial partner of ``partners`` now, one question each: the checks.

        A partner without a valid enterprise number is refused before any call, with its name.
        """
        company = company or self.env.company
        commercial = partners.commercial_partner_id
        invalid = commercial.filtered(lambda partner: not partner.social_debt_enterprise_number)
        if invalid:
            raise UserError(
                self.env._(
                    "No valid Belgian enterprise number (KBO/BCE, 10 digits starting with 0 or 1, mod 97) in the "
                    "Company ID or VAT of: %(names)s. Nothing was sent.",
                    names=", ".join(invalid.mapped("display_name")),
                )
            )
        checks = self._new_checks(commercial, purpose, "sync", company)
        self._run_sync(checks)
        return checks

    @api.model
    def _new_checks(self, partners, purpose, mode, company, batch=None):
        """One draft question per partner, inserted in one statement (a batch holds thousands)."""
        foreign = partners.filtered(lambda partner: partner.company_id and partner.company_id != company)
        if foreign:
            raise UserError(
                self.env._(
                    "%(names)s belong to another company than %(company)s.",
                    names=", ".join(foreign.mapped("display_name")),
                    company=company.name,
                )
            )
        values = (
            company.id,
            purpose,
            self._legal_context(company, purpose),
            mode,
            company.social_debt_backend,
            bool(company.social_debt_check_tax),
            batch.id if batch else None,
            self.env.uid,
            self.env.ref("base.EUR").id,
        )
        self.env.flush_all()
        rows = execute_values(
            self.env.cr._obj,
            """
            INSERT INTO social_debt_check (partner_id, enterprise_number, ticket, company_id, purpose, legal_context,
                   mode, backend, tax_asked, batch_id, user_id, currency_id, state, verdict, attempts, unmatched,
                   create_uid, write_uid, create_date, write_date)
            SELECT v.partner_id, v.number, v.ticket, v.company_id, v.purpose, v.legal_context, v.mode, v.backend,
                   v.tax_asked, v.batch_id, v.user_id, v.currency_id, 'draft', 'not_checked', 0, false,
                   v.user_id, v.user_id, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM (VALUES %s) AS v(partner_id, number, ticket, company_id, purpose, legal_context, mode, backend,
                   tax_asked, batch_id, user_id, currency_id)
            RETURNING id
            """,
            [(partner.id, partner.social_debt_enterprise_number, new_ticket(), *values) for partner in partners],
            template="(%s::int4, %s, %s, %s::int4, %s, %s, %s, %s, %s::bool, %s::int4, %s::int4, %s::int4)",
            page_size=5000,
            fetch=True,
        )
        if batch:
            batch.invalidate_recordset(["check_ids"])
        return self.env["social.debt.check"].sudo().browse(sorted(row[0] for row in rows))

    @api.model
    def _resend_sync(self, checks):
        checks.sudo().write({"state": "draft", "error_code": False, "error_message": False})
        self._run_sync(checks)

    @api.model
    def _run_sync(self, checks, retries=0):
        """Ask each draft check's question now; every outcome is written (answered or error)."""
        checks = checks.sudo()
        for company in checks.company_id:
            todo = checks.filtered(lambda check, company=company: check.company_id == company)
            try:
                ksz, rsz = self._clients(company, todo[:1].backend, todo[:1].tax_asked)
            except SocialDebtError as error:
                self._write_error(todo, error)
                continue
            except UserError as error:
                self._write_error(todo, SocialDebtError("network", message=str(error), detail=str(error)))
                continue
            try:
                for check in todo:
                    self._ask_one(check, ksz, rsz, retries)
            finally:
                for client in (ksz, rsz):
                    if client:
                        client.close()
            self._apply_to_partners(todo)
        return checks

    @api.model
    def _ask_one(self, check, ksz, rsz, retries=0):
        check.write({"state": "sent", "sent_at": fields.Datetime.now(), "attempts": check.attempts + 1})
        for attempt in range(retries + 1):
            try:
                row = self._sync_answer_row(check, ksz, rsz)
            except SocialDebtError as error:
                row = self._error_row(error)
                if attempt < retries and error.retryable:
                    continue
            break
        self._write_rows([(check.id, *row)])

    @api.model
    def _sync_answer_row(self, check, ksz, rsz):
        social = fiscal = retainment = None
        duration = 0.0
        if check.backend == "billretainment":
            found, spent = rsz.search([check.enterprise_number])
            duration += spent
            retainment = found.get(check.enterprise_number)
            if retainment is None:
                raise SocialDebtError("not_answered", duration=duration)
        else:
            social, spent = ksz.consult_social(check.enterprise_number, check.ticket, check.legal_context)
            duration += spent
        if check.tax_asked:
            fiscal, spent = ksz.check_fiscal(check.enterprise_number, check.ticket, check.legal_context)
            duration += spent
        return self._answer_row(check.company_id, social, retainment, fiscal, duration)

    # -- answers as rows ----------------------------------------------------------------------------------

    @api.model
    def _answer_row(self, company, social=None, retainment=None, fiscal=None, duration=0.0):
        """The values of ANSWER_COLUMNS for one answer (social from the KSZ or billRetainment, plus fiscal)."""
        now = fields.Datetime.now()
        debt = social.social if social else None
        tax = fiscal.fiscal if fiscal else None
        if debt is not None and debt.status == "NO_RESULT":
            raise SocialDebtError("no_result", detail=debt.status_description)
        replied = (social or fiscal).replied_at if (social or fiscal) else None
        answer_day = (debt.answer_date if debt else None) or brussels_date(replied or now)
        if retainment is not None:
            obligation = retainment.obligation if retainment.found else None
            stated = retainment.expiration_date
            social_status = "DATA_FOUND" if retainment.found else "NO_DATA_FOUND"
        else:
            obligation = social_obligation(debt)
            stated = debt.valid_until if debt else None
            social_status = debt.status if debt else ""
        tax_ob = fiscal_obligation(tax) if tax else None
        verdict = combine(obligation, tax_ob, answer_day, stated, company.social_debt_validity_days)
        values = {
            "state": "answered",
            "answered_at": now,
            "ticket_cbss": (social or fiscal).ticket_cbss if (social or fiscal) else None,
            "answer_date": verdict.answer_date,
            "valid_until": verdict.valid_until,
            "verdict": verdict.code,
            "social_status": social_status,
            "social_status_code": debt.status_code if debt else (retainment.status if retainment else None),
            "social_obligation": bool(obligation),
            "payment_plan": bool(debt and debt.payment_plan),
            "retainment_status": retainment.status if retainment else None,
            "tax_status": tax.status if tax else None,
            "tax_obligation": bool(tax_ob),
            "tax_amount": tax.amount if tax and tax.amount is not None else 0,
            "tax_amount_known": bool(tax and tax.amount is not None),
            "tax_status_date": tax.status_date if tax else None,
            "raw_answer": as_text(social.raw if social else retainment.raw if retainment else b""),
            "raw_tax_answer": as_text(fiscal.raw) if fiscal and not (social and social.raw == fiscal.raw) else None,
            "duration_ms": duration * 1000,
        }
        if debt:
            values.update(
                contributions=debt.contributions,
                surcharges=debt.surcharges,
                interests=debt.interests,
                legal_costs=debt.legal_costs,
                social_amount=debt.total,
                missing_quarters=", ".join(debt.missing_quarters),
                dispute_type=debt.dispute_type,
                dispute_amount=debt.dispute_amount,
                nsso_number=debt.nsso_number or None,
                employer_name=debt.employer_name or None,
                account_update_quarter=debt.account_update_quarter or None,
            )
        return self._row(values)

    @api.model
    def _row(self, values):
        """``values`` (a dict of ANSWER_COLUMNS) as the tuple :meth:`_write_rows` takes; amounts default to 0."""
        row = dict.fromkeys((name for name, _kind in ANSWER_COLUMNS), None)
        row.update((name, 0) for name, kind in ANSWER_COLUMNS if kind in ("numeric", "int4"))
        row.update(values)
        return tuple(row[name] for name, _kind in ANSWER_COLUMNS)

    @api.model
    def _error_row(self, error):
        _logger.info("social debt check failed: %s (%s)", error.code, error.detail)
        return self._row(
            {
                "state": "error",
                "verdict": "error",
                "error_code": error.code,
                "error_message": self._error_message(error),
                "duration_ms": (error.duration or 0) * 1000,
                "raw_answer": as_text(error.body),
                "social_obligation": False,
                "tax_obligation": False,
                "payment_plan": False,
                "tax_amount_known": False,
            }
        )

    @api.model
    def _write_error(self, checks, error):
        row = self._error_row(error)
        self._write_rows([(check.id, *row) for check in checks])
        self._apply_to_partners(checks)

    @api.model
    def _write_rows(self, rows):
        """Write answer rows ``(check id, *ANSWER_COLUMNS)`` in one statement, then forget the cache."""
        if not rows:
            return
        self.env.flush_all()
        names = ", ".join(f"{name} = v.{name}" for name, _kind in ANSWER_COLUMNS)
        columns = ", ".join(name for name, _kind in ANSWER_COLUMNS)
        template = "(%s::int4, " + ", ".join(f"%s::{kind}" for _name, kind in ANSWER_COLUMNS) + ")"
        execute_values(
            self.env.cr._obj,
            f"UPDATE social_debt_check AS c SET {names}, write_date = now() AT TIME ZONE 'UTC', "
            f"write_uid = {int(self.env.uid)} FROM (VALUES %s) AS v(id, {columns}) WHERE c.id = v.id",
            rows,
            template=template,
            page_size=1000,
        )
        self.env["social.debt.check"].invalidate_model()

    # -- partners --------------------------------------------------------------------------------------

    @api.model
    def _apply_to_partners(self, checks, notify_activity=False):
        """Point each checked supplier (and its contacts) at its latest finished check, fill an empty
        RSZ number from the answer, and tell about the suppliers whose verdict changed (a first
        verdict only when it finds debts or fails)."""
        ids = tuple(checks.ids)
        if not ids:
            return self.env["res.partner"]
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            """
            SELECT DISTINCT ON (c.partner_id) c.partner_id, c.id, c.verdict, p.social_debt_verdict
              FROM social_debt_check c
              JOIN res_partner p ON p.id = c.partner_id
             WHERE c.id IN %s AND c.state IN ('answered', 'error') AND c.partner_id IS NOT NULL
               AND (p.social_debt_check_id IS NULL OR p.social_debt_check_id <= c.id)
             ORDER BY c.partner_id, c.id DESC
            """,
            (ids,),
        )
        latest = cr.fetchall()
        if not latest:
            return self.env["res.partner"]
        execute_values(
            cr._obj,
            """
            UPDATE res_partner AS p
               SET social_debt_check_id = v.check_id,
                   social_debt_verdict = v.verdict,
                   social_debt_rsz_number = COALESCE(NULLIF(p.social_debt_rsz_number, ''), c.nsso_number)
              FROM (VALUES %s) AS v(partner_id, check_id, verdict)
              JOIN social_debt_check c ON c.id = v.check_id
             WHERE p.commercial_partner_id = v.partner_id
            """,
            [(partner, check, verdict) for partner, check, verdict, _old in latest],
            template="(%s::int4, %s::int4, %s::varchar)",
            page_size=1000,
        )
        self.env["res.partner"].invalidate_model(
            ["social_debt_check_id", "social_debt_verdict", "social_debt_rsz_number"]
        )
        changed = {
            partner: (old or "not_checked", new)
            for partner, _check, new, old in latest
            if (old or "not_checked") != new and not ((old or "not_checked") == "not_checked" and new in QUIET_FIRST)
        }
        partners = self.env["res.partner"].browse(list(changed))
        if partners:
            self._notify_changes(partners, changed, checks[:1].company_id, notify_activity)
        return partners

    @api.model
    def _notify_changes(self, partners, changed, company, activity):
        """A chatter note on each supplier whose verdict changed, and, from the scheduled job, an
        activity for the company's responsible accountant; both in that person's language."""
        responsible = company.social_debt_responsible_id
        env = self.with_context(lang=responsible.lang or self.env.user.lang or "en_US").env
        labels = dict(env["social.debt.check"].fields_get(["verdict"])["verdict"]["selection"])
        for partner in partners.with_env(env).sudo():
            old, new = changed[partner.id]
            body = env._(
                "Social debt verdict changed from %(old)s to %(new)s.",
                old=labels.get(old, old),
                new=labels.get(new, new),
            )
            partner.message_post(body=body, subtype_xmlid="mail.mt_note")
            if activity and responsible:
                partner.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=env._("Social debt verdict changed"),
                    note=body,
                    user_id=responsible.id,
                )

    # -- grouped (asynchronous) checks ---------------------------------------------------------------

    @api.model
    def _create_batch(self, partners, purpose="withholding", company=None):
        """A draft batch with one question per commercial partner that has a valid enterprise number
        and no question under way in ``company``; None when there is nothing to ask."""
        company = company or self.env.company
        commercial = partners.commercial_partner_id.filtered("social_debt_enterprise_number")
        if not commercial:
            return None
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT DISTINCT partner_id FROM social_debt_check "
            "WHERE company_id = %s AND partner_id IN %s AND state IN ('draft', 'sent', 'waiting')",
            (company.id, tuple(commercial.ids)),
        )
        busy = {row[0] for row in self.env.cr.fetchall()}
        todo = commercial.filtered(lambda partner: partner.id not in busy)
        if not todo:
            return None
        batch = (
            self.env["social.debt.batch"]
            .sudo()
            .create(
                {
                    "company_id": company.id,
                    "ticket": new_ticket(),
                    "purpose": purpose,
                    "legal_context": self._legal_context(company, purpose),
                    "backend": company.social_debt_backend,
                    "question_count": len(todo),
                }
            )
        )
        self._new_checks(todo, purpose, "async", company, batch)
        return batch

    @api.model
    def _lock(self, namespace, key):
        """A transaction-scoped advisory lock on (namespace, key); False when another transaction holds it."""
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (namespace, key))
        return self.env.cr.fetchone()[0]

    @api.model
    def _log_run(self, company, job, state, batch=None, count=0, message="", **counts):
        """Record a run of a job (``company`` empty for a job of the whole installation); ``counts``:
        ``removed_count`` and ``remaining_count``."""
        return (
            self.env["social.debt.run"]
            .sudo()
            .create(
                {
                    "company_id": company.id if company else False,
                    "job": job,
                    "state": state,
                    "batch_id": batch.id if batch else False,
                    "count": count,
                    "message": (message or "")[:250],
                    **counts,
                }
            )
        )

    @api.model
    def _commit(self):
        """Between pages of a long job: what is done stays done if the next page fails. Tests run in
        one transaction that they roll back, so they never commit."""
        if not in_test():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _send_batch(self, batch):
        """Send a draft batch's questions in one message; the batch then waits for the answers.
        With billRetainment, the social side is answered at once (a list call); only the tax side,
        if asked, goes to the KSZ as a grouped message."""
        batch = batch.sudo()
        company = batch.company_id
        if not self._lock(LOCK_BATCH, batch.id):
            self._log_run(company, "send", "skipped", batch)
            return False
        batch.invalidate_recordset()
        if batch.state != "draft":
            return False
        questions = self._draft_questions(batch)
        checks = self.env["social.debt.check"].browse([row[0] for row in questions])
        tax = bool(questions and questions[0][3])
        try:
            ksz, rsz = self._clients(company, batch.backend, tax)
        except (SocialDebtError, UserError) as error:
            error = error if isinstance(error, SocialDebtError) else SocialDebtError("network", message=str(error))
            return self._batch_failed(batch, checks, error, "send")
        try:
            if batch.backend == "billretainment":
                self._retainment_answers(batch, checks, rsz)
                if not tax:
                    self._log_run(company, "send", "done", batch, len(checks))
                    return self._finish_batch(batch)
                questions = self._draft_questions(batch)
                checks = self.env["social.debt.check"].browse([row[0] for row in questions])
            kinds = [SOCIAL] if batch.backend == "ksz" else []
            kinds += [FISCAL] if tax else []
            ack, _duration = ksz.send_batch(
                batch.ticket, batch.legal_context, [(ticket, number, kinds) for _id, ticket, number, _tax in questions]
            )
        except SocialDebtError as error:
            return self._batch_failed(batch, checks, error, "send")
        finally:
            for client in (ksz, rsz):
                if client:
                    client.close()
        now = fields.Datetime.now()
        self.env.flush_all()
        batch.write(
            {
                "state": "waiting",
                "ticket_cbss": ack.ticket_cbss,
                "accepted_count": ack.accepted,
                "sent_at": now,
                "attempts": batch.attempts + 1,
                "error_code": False,
                "error_message": False,
            }
        )
        self.env.cr.execute(
            "UPDATE social_debt_check SET state = 'waiting', sent_at = %s, attempts = attempts + 1 "
            "WHERE batch_id = %s AND state = 'draft'",
            (now, batch.id),
        )
        self.env["social.debt.check"].invalidate_model()
        self._log_run(company, "send", "done", batch, len(checks))
        return True

    @api.model
    def _draft_questions(self, batch):
        """(id, reference, enterprise number, tax asked) of the batch's questions not sent yet, read in
        one query: a batch holds thousands and needs none of their other fields here."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id, ticket, enterprise_number, tax_asked FROM social_debt_check "
            "WHERE batch_id = %s AND state = 'draft' ORDER BY id",
            (batch.id,),
        )
        return self.env.cr.fetchall()

    @api.model
    def _retainment_answers(self, batch, checks, rsz):
        """billRetainment answers a list at once: ask in chunks.  Without the tax side each check is
        answered now; with it, the enterprise's answer is kept on the check until the tax side comes."""
        tax = bool(checks[:1].tax_asked)
        company = batch.company_id
        rows, kept = [], []
        for start in range(0, len(checks), BILLRETAINMENT_CHUNK):
            chunk = checks[start : start + BILLRETAINMENT_CHUNK]
            found, duration = rsz.search(chunk.mapped("enterprise_number"))
            for check in chunk:
                retainment = found.get(check.enterprise_number)
                if retainment is None:
                    rows.append((check.id, *self._error_row(SocialDebtError("not_answered"))))
                elif tax:
                    kept.append((check.id, retainment.raw.decode()))
                else:
                    row = self._answer_row(company, retainment=retainment, duration=duration / len(chunk))
                    rows.append((check.id, *row))
        self._write_rows(rows)
        if kept:
            execute_values(
                self.env.cr._obj,
                "UPDATE social_debt_check AS c SET raw_answer = v.raw FROM (VALUES %s) AS v(id, raw) WHERE c.id = v.id",
                kept,
                template="(%s::int4, %s::text)",
            )
            self.env["social.debt.check"].invalidate_model(["raw_answer"])
        if not tax:
            self._apply_to_partners(checks, notify_activity=True)

    @api.model
    def _batch_failed(self, batch, checks, error, job):
        """A failed send: retried by the next runs for transient faults, then the checks fail too."""
        batch.write(
            {
                "error_code": error.code,
                "error_message": self._error_message(error),
                "attempts": batch.attempts + 1,
            }
        )
        if error.retryable and batch.attempts < MAX_RETRIES:
            self._log_run(batch.company_id, job, "error", batch, message=self._error_message(error))
            cron = self.env.ref("social_debt.ir_cron_social_debt_batches")
            cron._trigger(fields.Datetime.now() + timedelta(minutes=5 * batch.attempts))
            return False
        batch.write({"state": "error"})
        self._write_error(checks, error)
        self._log_run(batch.company_id, job, "error", batch, message=self._error_message(error))
        return False

    @api.model
    def _collect_batch(self, batch, max_pages=None):
        """Collect a waiting batch's answers from where the last run stopped, page by page; each page
        is matched back by reference and applied before the next is asked for.  Returns "done",
        "more" (pages left for the next run), "not_ready", "skipped" or "error"."""
        batch = batch.sudo()
        company = batch.company_id
        if not self._lock(LOCK_BATCH, batch.id):
            self._log_run(company, "collect", "skipped", batch)
            return "skipped"
        batch.invalidate_recordset()
        if batch.state != "waiting":
            return batch.state
        try:
            client = self._get_ksz_client(company)
        except (SocialDebtError, UserError) as error:
            reason = self._error_message(error) if isinstance(error, SocialDebtError) else str(error)
            self._log_run(company, "collect", "error", batch, message=reason)
            return "error"
        pages = applied = 0
        outcome = "more"
        try:
            while max_pages is None or pages < max_pages:
                page, _duration = client.collect_batch(batch.ticket, batch.legal_context, batch.next_offset, PAGE_SIZE)
                if page.pending and not page.answers:
                    outcome = "not_ready"
                    break
                applied += self._apply_page(batch, page.answers)
                batch.write({"next_offset": batch.next_offset + len(page.answers)})
                pages += 1
                if not page.answers or batch.next_offset >= page.total:
                    self._finish_batch(batch)
                    outcome = "done"
                    break
                self._commit()
        except SocialDebtError as error:
            batch.write({"error_code": error.code, "error_message": self._error_message(error)})
            self._log_run(company, "collect", "error", batch, applied, self._error_message(error))
            return "error"
        finally:
            client.close()
        self._log_run(company, "collect", "done", batch, applied, outcome)
        return outcome

    @api.model
    def _apply_page(self, batch, answers):
        """Match ``answers`` to the batch's waiting checks by reference and write them in one go.
        An answer whose reference nobody asked is kept as a flagged check; one for a question
        already answered (a page read again after an interruption) is skipped."""
        if not answers:
            return 0
        company = batch.company_id
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT ticket, id, state, backend, raw_answer FROM social_debt_check "
            "WHERE company_id = %s AND ticket IN %s",
            (company.id, tuple(answer.reference for answer in answers)),
        )
        known = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        rows, strays = [], []
        for answer in answers:
            found = known.get(answer.reference)
            if found is None:
                strays.append(answer)
                continue
            check_id, state, backend, kept = found
            if state != "waiting":
                continue
            try:
                if backend == "billretainment":  # the social side came earlier, from billRetainment
                    retainment = parse_retainment(json.loads(kept or "null"))
                    row = self._answer_row(company, None, retainment, _fiscal_part(answer))
                else:
                    row = self._answer_row(company, answer if answer.social else None, None, _fiscal_part(answer))
            except (SocialDebtError, ValueError) as error:
                error = error if isinstance(error, SocialDebtError) else SocialDebtError("malformed", detail=str(error))
                row = self._error_row(error)
            rows.append((check_id, *row))
        self._write_rows(rows)
        checks = self.env["social.debt.check"].sudo().browse([row[0] for row in rows])
        if strays:
            checks |= self._keep_strays(batch, strays)
        batch.write(
            {
                "answered_count": batch.answered_count + len(rows),
                "unmatched_count": batch.unmatched_count + len(strays),
                "collected_at": fields.Datetime.now(),
            }
        )
        self._apply_to_partners(checks, notify_activity=True)
        return len(rows)

    @api.model
    def _keep_strays(self, batch, answers):
        """Answers nobody asked for: kept as checks without supplier, flagged, never dropped."""
        company = batch.company_id
        strays = (
            self.env["social.debt.check"]
            .sudo()
            .create(
                [
                    {
                        "company_id": company.id,
                        "enterprise_number": answer.enterprise_number or "?",
                        "purpose": batch.purpose,
                        "legal_context": batch.legal_context,
                        "mode": "async",
                        "backend": batch.backend,
                        "state": "waiting",
                        "ticket": answer.reference,
                        "batch_id": batch.id,
                        "unmatched": True,
                        "user_id": self.env.uid,
                        "currency_id": self.env.ref("base.EUR").id,
                    }
                    for answer in answers
                ]
            )
        )
        rows = []
        for check, answer in zip(strays, answers, strict=True):
            try:
                row = self._answer_row(company, answer if answer.social else None, None, _fiscal_part(answer))
            except SocialDebtError as error:
                row = self._error_row(error)
            rows.append((check.id, *row))
        self._write_rows(rows)
        _logger.warning("social debt batch %s: %d answers with unknown references kept", batch.ticket, len(rows))
        return strays

    @api.model
    def _finish_batch(self, batch):
        """All answers are in: the batch is done; a question the answers left out is an error."""
        batch.write({"state": "done", "collected_at": fields.Datetime.now()})
        left = batch.check_ids.filtered(lambda check: check.state in ("waiting", "draft", "sent"))
        if left:
            self._write_error(left, SocialDebtError("not_answered"))
        return True

    # -- payments ----------------------------------------------------------------------------------------

    @api.model
    def _billretainment_reference(self, check, bills, split):
        """Register a retention preparation with billRetainment for the bills a withholding pays,
        and return the structured reference the RSZ expects on its payment."""
        client = self._get_billretainment_client(check.company_id)
        try:
            preparations, _duration = client.prepare(
                [
                    {
                        "invoiceReference": ", ".join(bills.mapped(lambda bill: bill.ref or bill.name))[:64],
                        "invoiceDate": min(bills.mapped(lambda bill: bill.invoice_date or bill.date)),
                        "enterpriseNumber": check.enterprise_number,
                        "amountExcludingVat": split.base,
                        "retainedAmount": split.rsz,
                    }
                ]
            )
        except SocialDebtError as error:
            raise UserError(self._error_message(error)) from error
        finally:
            client.close()
        reference = preparations[0].structured_reference if preparations else ""
        if not reference:
            raise UserError(self.env._("billRetainment registered no structured reference for the RSZ's payment."))
        return reference

    # -- scheduled jobs ---------------------------------------------------------------------------------

    @api.model
    def _cron_monitor(self):
        """Daily: per company, one grouped question for every in-scope supplier with open bills."""
        started = 0
        for company in self.env["res.company"].sudo().search([("social_debt_monitoring", "=", True)]):
            if self.with_company(company)._monitor_company(company):
                started += 1
        if started:
            self.env.ref("social_debt.ir_cron_social_debt_batches")._trigger()
        return started

    @api.model
    def _monitor_company(self, company):
        if not self._lock(LOCK_MONITOR, company.id):
            self._log_run(company, "monitor", "skipped")
            return None
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT DISTINCT p.id
              FROM account_move m
              JOIN res_partner p ON p.id = m.commercial_partner_id
             WHERE m.company_id = %s
               AND m.move_type IN ('in_invoice', 'in_refund')
               AND m.state = 'posted'
               AND m.payment_state IN ('not_paid', 'partial')
               AND p.social_debt_scope IN ('art30bis', 'art30ter', 'meat')
               AND COALESCE(p.social_debt_enterprise_number, '') != ''
            """,
            (company.id,),
        )
        partners = self.env["res.partner"].browse([row[0] for row in self.env.cr.fetchall()])
        batch = self._create_batch(partners, "withholding", company) if partners else None
        self._log_run(company, "monitor", "done", batch, batch.question_count if batch else 0)
        return batch

    @api.model
    def _cron_process_batches(self, max_pages=5):
        """Send draft batches and collect waiting ones, each in its company, a few pages per run;
        the job comes back at once while answers are ready, else in a few minutes."""
        batches = self.env["social.debt.batch"].sudo().search([("state", "in", ("draft", "waiting"))], order="id")
        outcomes = []
        for batch in batches:
            service = self.with_company(batch.company_id)
            if batch.state == "draft":
                service._send_batch(batch)
            if batch.state == "waiting":
                outcomes.append(service._collect_batch(batch, max_pages=max_pages))
        more = "more" in outcomes
        self.env["ir.cron"]._notify_progress(done=len(batches), remaining=1 if more else 0)
        if more or "not_ready" in outcomes:
            later = fields.Datetime.now() + timedelta(minutes=0 if more else 2)
            self.env.ref("social_debt.ir_cron_social_debt_batches")._trigger(later)
        return outcomes


def _fiscal_part(answer):
    """The fiscal side of a batch answer as its own answer (or None)."""
    if answer is None or answer.fiscal is None:
        return None
    return answer.__class__(
        reference=answer.reference,
        enterprise_number=answer.enterprise_number,
        fiscal=answer.fiscal,
        ticket_cbss=answer.ticket_cbss,
        received_at=answer.received_at,
        replied_at=answer.replied_at,
        raw=answer.raw,
    )
