import hashlib
import logging
import zlib
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date

from ..clients import VERDICTS, format_enterprise_number

_logger = logging.getLogger(__name__)

BRUSSELS = ZoneInfo("Europe/Brussels")
RETENTION_PARAM = "social_debt.check_retention_days"
RETENTION_BATCH = 5000
STATES = [
    ("draft", "Draft"),
    ("sent", "Sent"),
    ("waiting", "Waiting for the answer"),
    ("answered", "Answered"),
    ("error", "Error"),
    ("expired", "Expired"),
]
VERDICT_LABELS = {
    "no_debt": "No debt",
    "social_debt": "Social debt",
    "tax_debt": "Tax debt",
    "social_tax_debt": "Social and tax debt",
    "no_data": "No data",
    "error": "Error",
    "not_checked": "Not checked",
}
VERDICT_SELECTION = [(code, VERDICT_LABELS[code]) for code in VERDICTS]
PURPOSES = [("withholding", "Withholding (art. 30bis/30ter)"), ("procurement", "Public procurement")]
# What an answered check may still change: its state (to expired, by the daily job) and its proof, once.
FROZEN_WRITABLE = {"state", "proof_attachment_id"}
# The advisory lock of the expiry and clean-up (pg_try_advisory_xact_lock(namespace, 0)).
LOCK_HOUSEKEEPING = zlib.crc32(b"social_debt.housekeeping") & 0x7FFFFFFF
# Transient faults (timeouts, network, HTTP 5xx) are retried this often by the scheduled jobs.
MAX_RETRIES = 3


def brussels_date(moment):
    """The Brussels date of ``moment`` (a naive UTC datetime, as Odoo stores it)."""
    return moment.replace(tzinfo=timezone.utc).astimezone(BRUSSELS).date()


def notification(message, kind, sticky=False, reload=False, title=None):
    """The client action that shows ``message`` as a notification of ``kind`` (success, info, warning,
    danger); ``reload`` reloads the view behind it when it is closed."""
    params = {"message": message, "type": kind, "sticky": sticky}
    if title:
        params["title"] = title
    if reload:
        params["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
    return {"type": "ir.actions.client", "tag": "display_notification", "params": params}


def brussels_today():
    """Today in Brussels: validity is counted in Belgian days, whatever the user's time zone."""
    return brussels_date(fields.Datetime.now())


def brussels_day_start(day):
    """The UTC moment (naive, as Odoo stores it) at which ``day`` begins in Brussels."""
    return datetime.combine(day, time.min, BRUSSELS).astimezone(timezone.utc).replace(tzinfo=None)


class SocialDebtCheck(models.Model):
    """One question to the RSZ (and the FOD Financiën) about one enterprise, and its dated answer.

    Checks are written by the service seam (``social.debt.service``) only, with sudo; no user,
    administrators included, changes or deletes them through the ORM.  An answered check is
    frozen: its answer, raw payload and proof never change; the daily job marks it expired
    once its validity has passed and removes it after the retention period, in SQL.
    """

    _name = "social.debt.check"
    _description = "Social Debt Check"
    _order = "id desc"
    _check_company_auto = True
    _rec_name = "ticket"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Supplier", readonly=True, index=True, check_company=True, ondelete="restrict"
    )
    enterprise_number = fields.Char(string="Enterprise Number (digits)", required=True, readonly=True, index=True)
    enterprise_number_display = fields.Char(string="Enterprise Number", compute="_compute_enterprise_number_display")
    purpose = fields.Selection(PURPOSES, required=True, readonly=True, default="withholding")
    legal_context = fields.Char(readonly=True)
    mode = fields.Selection(
        [("sync", "Synchronous"), ("async", "Asynchronous (grouped)")], required=True, readonly=True, default="sync"
    )
    backend = fields.Selection(
        [("ksz", "KSZ/BCSS EmployerAccountBalance"), ("billretainment", "RSZ billRetainment")],
        string="Answered By",
        required=True,
        readonly=True,
        default="ksz",
    )
    tax_asked = fields.Boolean(string="Tax Debt Asked", readonly=True)
    state = fields.Selection(STATES, required=True, readonly=True, default="draft", index=True, copy=False)
    ticket = fields.Char(string="Reference", required=True, readonly=True, index=True, copy=False)
    ticket_cbss = fields.Char(string="KSZ Ticket", readonly=True)
    batch_id = fields.Many2one(
        "social.debt.batch", string="Grouped Check", readonly=True, index=True, check_company=True
    )
    user_id = fields.Many2one("res.users", string="Asked By", readonly=True, default=lambda self: self.env.uid)
    sent_at = fields.Datetime(readonly=True)
    answered_at = fields.Datetime(readonly=True, index=True)
    answer_date = fields.Date(readonly=True, help="The day of the answer, in Brussels.")
    valid_until = fields.Date(readonly=True, index=True)
    verdict = fields.Selection(VERDICT_SELECTION, readonly=True, index=True, default="not_checked")
    unmatched = fields.Boolean(
        string="Unknown Reference", readonly=True, index=True, help="An answer to a question this database never sent."
    )
    # social side (RSZ)
    currency_id = fields.Many2one("res.currency", readonly=True, default=lambda self: self.env.ref("base.EUR"))
    social_status = fields.Char(string="Social Status as Sent", readonly=True)
    social_status_code = fields.Char(readonly=True)
    social_obligation = fields.Boolean(string="Social Withholding", readonly=True)
    contributions = fields.Monetary(readonly=True)
    surcharges = fields.Monetary(readonly=True)
    interests = fields.Monetary(readonly=True)
    legal_costs = fields.Monetary(readonly=True)
    social_amount = fields.Monetary(string="Social Debt", readonly=True)
    missing_quarters = fields.Char(readonly=True)
    payment_plan = fields.Boolean(string="Payment Plan Followed", readonly=True)
    dispute_type = fields.Integer(readonly=True)
    dispute_amount = fields.Monetary(readonly=True)
    nsso_number = fields.Char(string="RSZ Number", readonly=True)
    employer_name = fields.Char(readonly=True)
    account_update_quarter = fields.Char(string="Employer Account Up To", readonly=True)
    retainment_status = fields.Char(string="billRetainment Status as Sent", readonly=True)
    # tax side (FOD Financiën)
    tax_status = fields.Char(string="Tax Status as Sent", readonly=True)
    tax_obligation = fields.Boolean(string="Tax Withholding", readonly=True)
    tax_amount = fields.Monetary(string="Tax Debt", readonly=True)
    tax_amount_known = fields.Boolean(readonly=True)
    tax_status_date = fields.Date(readonly=True)
    # what went over the wire
    raw_answer = fields.Text(readonly=True)
    raw_tax_answer = fields.Text(readonly=True)
    error_code = fields.Char(readonly=True, index=True)
    error_message = fields.Char(readonly=True)
    attempts = fields.Integer(readonly=True, default=0)
    duration_ms = fields.Float(string="Duration (ms)", digits=(12, 1), readonly=True)
    proof_attachment_id = fields.Many2one("ir.attachment", string="Proof", readonly=True, copy=False)
    # derived, for the user
    social_status_display = fields.Char(string="Social Status", compute="_compute_status_display")
    retainment_status_display = fields.Char(string="billRetainment Status", compute="_compute_status_display")
    tax_status_display = fields.Char(string="Tax Status", compute="_compute_status_display")
    is_valid_today = fields.Boolean(string="Valid Today", compute="_compute_validity")
    days_left = fields.Integer(compute="_compute_validity")

    _sql_constraints = [
        ("ticket_company_unique", "UNIQUE(company_id, ticket)", "A check reference is used once per company."),
    ]

    @api.depends("enterprise_number")
    def _compute_enterprise_number_display(self):
        for check in self:
            check.enterprise_number_display = format_enterprise_number(check.enterprise_number)

    @api.depends("social_status", "social_status_code", "retainment_status", "tax_status")
    @api.depends_context("lang")
    def _compute_status_display(self):
        """The services' status codes in words, with the code the service gave (the words are ours)."""
        _ = self.env._
        words = {
            "DATA_FOUND": _("Data found"),
            "NO_DATA_FOUND": _("No data found"),
            "NO_RESULT": _("No result"),
            "employerFoundBillRetainment": _("Employer found"),
            "employerNotFound": _("Employer not known to the RSZ"),
        }

        def display(status, code=""):
            if not status:
                return False
            code = f" {code}" if code and code != status else ""
            return f"{words[status]} ({status}{code})" if status in words else f"{status}{code}"

        for check in self:
            check.social_status_display = display(check.social_status, check.social_status_code)
            check.retainment_status_display = display(check.retainment_status)
            check.tax_status_display = display(check.tax_status)

    @api.depends("valid_until", "answer_date", "state")
    def _compute_validity(self):
        today = brussels_today()
        for check in self:
            valid = check.state == "answered" and check.answer_date and check.answer_date <= today <= check.valid_until
            check.is_valid_today = bool(valid)
            check.days_left = (check.valid_until - today).days if valid else 0

    @api.depends("ticket", "enterprise_number", "answer_date")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for check in self:
            day = check.answer_date or (check.create_date and check.create_date.date())
            day = format_date(self.env, day) if day else ""
            check.display_name = f"{format_enterprise_number(check.enterprise_number)} {day}".strip()

    # -- validity ------------------------------------------------------------------------------

    def _is_valid_on(self, day):
        """True when this answered check proves the supplier's situation on ``day`` (a Brussels date)."""
        self.ensure_one()
        return (
            self.state in ("answered", "expired")
            and self.verdict not in ("error", "not_checked")
            and bool(self.answer_date)
            and self.answer_date <= day <= self.valid_until
        )

    @api.model
    def _valid_for(self, partner, day, company=None):
        """The latest check of ``partner``'s commercial entity that is valid on ``day``, or an empty record."""
        company = company or self.env.company
        commercial = partner.commercial_partner_id
        return self.sudo().search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "=", commercial.id),
                ("state", "in", ("answered", "expired")),
                ("verdict", "not in", ("error", "not_checked")),
                ("answer_date", "<=", day),
                ("valid_until", ">=", day),
            ],
            order="answered_at desc, id desc",
            limit=1,
        )

    # -- immutability -----------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(self.env._("Social debt checks are written by the connection only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise UserError(self.env._("A social debt check cannot be changed."))
        frozen = self.filtered(lambda check: check.state in ("answered", "expired"))
        if frozen:
            if set(vals) - FROZEN_WRITABLE or vals.get("state", "expired") != "expired":
                raise UserError(self.env._("An answered social debt check cannot be changed."))
            if "proof_attachment_id" in vals and any(frozen.mapped("proof_attachment_id")):
                raise UserError(self.env._("The proof of a social debt check cannot be replaced."))
        return super().write(vals)

    def unlink(self):
        if self:
            raise UserError(
                self.env._("A social debt check cannot be deleted; old checks are removed after the retention period.")
            )
        return super().unlink()

    def copy(self, default=None):
        if self:
            raise UserError(self.env._("A social debt check cannot be copied."))
        return super().copy(default)

    # -- proof ----------------------------------------------------------------------------------------

    def _raw_digest(self):
        self.ensure_one()
        raw = (self.raw_answer or "") + (self.raw_tax_answer or "")
        return hashlib.sha256(raw.encode()).hexdigest() if raw else ""

    def _ensure_proof(self):
        """The stored PDF proof of each answered check, rendered once, the first time it is needed."""
        checks = self.sudo().filtered(lambda check: check.state in ("answered", "expired") and check.partner_id)
        report = self.env.ref("social_debt.action_report_social_debt_check").sudo()
        for check in checks.filtered(lambda check: not check.proof_attachment_id):
            pdf, _kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(
                report.report_name, check.ids
            )
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": self.env._(
                            "Social debt check %(number)s %(day)s.pdf",
                            number=check.enterprise_number,
                            day=check.answer_date,
                        ),
                        "raw": pdf,
                        "mimetype": "application/pdf",
                        "res_model": self._name,
                        "res_id": check.id,
                        "company_id": check.company_id.id,
                    }
                )
            )
            check.write({"proof_attachment_id": attachment.id})
        return checks.proof_attachment_id

    def action_download_proof(self):
        self.ensure_one()
        self._check_user_group()
        if self.state not in ("answered", "expired") or not self.partner_id:
            raise UserError(self.env._("Only an answered check of a supplier has a proof."))
        attachment = self._ensure_proof()
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true", "target": "self"}

    def action_retry(self):
        """Ask again a question that failed (same reference, one more attempt)."""
        self._check_user_group()
        for check in self:
            if check.state != "error":
                raise UserError(self.env._("Only a check in error can be sent again."))
        service = self.env["social.debt.service"]
        sync = self.filtered(lambda check: check.mode == "sync")
        if sync:
            service._resend_sync(sync)
        batches = (self - sync).batch_id
        if batches:
            batches.action_retry()
        failed = sync.sudo().filtered(lambda check: check.state != "answered")
        if len(self) == 1 and sync:
            check = sync.sudo()
            labels = dict(self._fields["verdict"]._description_selection(self.env))
            message = (
                self.env._("Sent again: %(verdict)s.", verdict=labels[check.verdict])
                if not failed
                else self.env._("Sent again, and it failed again: %(reason)s", reason=check.error_message)
            )
        else:
            message = self.env._(
                "%(count)s check(s) sent again, %(failed)s failed again; grouped checks are collected in the "
                "background.",
                count=len(self),
                failed=len(failed),
            )
        return notification(message, "warning" if failed else "success", sticky=bool(failed), reload=True)

    def _check_user_group(self):
        if not self.env.user.has_group("social_debt.group_social_debt_user"):
            raise AccessError(self.env._("Checking suppliers needs the Social Debt User group."))

    # -- housekeeping -----------------------------------------------------------------------------

    @api.model
    def _cron_housekeeping(self):
        """Mark answered checks whose validity has passed as expired, and remove checks (in batches)
        and job runs older than the retention period, in SQL: the ORM refuses to delete them."""
        service = self.env["social.debt.service"]
        if not service._lock(LOCK_HOUSEKEEPING, 0):
            service._log_run(None, "housekeeping", "skipped")
            return 0, 0
        today = brussels_today()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE social_debt_check SET state = 'expired', write_date = now() AT TIME ZONE 'UTC' "
            "WHERE state = 'answered' AND valid_until < %s",
            (today,),
        )
        expired = self.env.cr.rowcount
        days = int(self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM, 3653) or 0)
        removed = 0
        if days > 0:
            limit = datetime.now() - timedelta(days=days)
            self.env.cr.execute(
                "SELECT id, proof_attachment_id FROM social_debt_check WHERE create_date < %s ORDER BY id LIMIT %s",
                (limit, RETENTION_BATCH),
            )
            rows = self.env.cr.fetchall()
            self.env.cr.execute("DELETE FROM social_debt_run WHERE create_date < %s", (limit,))
            if rows:
                ids = tuple(row[0] for row in rows)
                self.env.cr.execute("DELETE FROM social_debt_check WHERE id IN %s", (ids,))
                removed = len(ids)
                self.env["ir.attachment"].sudo().search(
                    [("res_model", "=", self._name), ("res_id", "in", list(ids))]
                ).unlink()
        self.env.invalidate_all()
        more = removed == RETENTION_BATCH
        remaining = 0
        if more:
            self.env.cr.execute("SELECT count(*) FROM social_debt_check WHERE create_date < %s", (limit,))
            remaining = self.env.cr.fetchone()[0]
        service._log_run(None, "housekeeping", "done", count=expired, removed_count=removed, remaining_count=remaining)
        self.env["ir.cron"]._notify_progress(done=expired + removed, remaining=remaining)
        if more:
            self.env.ref("social_debt.ir_cron_social_debt_housekeeping")._trigger()
        return expired, removed
